//! What a book's language and script ask of its layout: the base direction of the text, the
//! direction pages turn, and whether lines may run vertically.
//!
//! A reading system shows an Arabic book left-to-right, with pages turning the wrong way, unless
//! every content document says `dir="rtl"` and the spine says `page-progression-direction="rtl"`
//! (issue 9, item 7). The language tag is what the author already gives, so it decides by
//! default; front matter `direction:` and `writing-mode:` override it.
//!
//! Pure: a BCP 47 tag in, a [`Layout`] out. The script subtag wins over the language
//! (`az-Arab` is right-to-left, `ug-Latn` is not), because several languages are written in
//! more than one script.

use crate::model::{TextDirection, WritingMode};

/// How the book's documents are laid out, resolved from the language and the front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Layout {
    /// The `dir` of every content document's `<html>`; `None` writes none.
    pub dir: Option<&'static str>,
    /// The spine's `page-progression-direction`; `None` leaves it to the reading system.
    pub page_progression: Option<&'static str>,
    /// The CSS `writing-mode` of the whole book, for vertical text.
    pub writing_mode: Option<&'static str>,
}

/// Languages written right to left when their tag names no script. Sources: the CLDR
/// likely-subtags data (the languages whose likely script is Arabic, Hebrew, Syriac, Thaana or
/// N'Ko), and ISO 639-1 `iw`/`ji`, the withdrawn codes for Hebrew and Yiddish that old tools
/// still write.
const RTL_LANGUAGES: &[&str] = &[
    "ar", "arc", "arz", "ajp", "apc", "acm", "ary", "aeb", "afb", "ayl", "bal", "bqi", "ckb", "dv",
    "fa", "glk", "he", "iw", "ji", "khw", "ks", "lrc", "mzn", "nqo", "pnb", "prs", "ps", "sd",
    "sdh", "skr", "syr", "ug", "ur", "yi", "ydd", "yih", "jrb", "jpr",
];

/// ISO 15924 codes of the scripts written right to left.
const RTL_SCRIPTS: &[&str] = &[
    "adlm", "arab", "aran", "armi", "avst", "chrs", "cprt", "elym", "hatr", "hebr", "hung", "khar",
    "lydi", "mand", "mani", "mend", "merc", "mero", "narb", "nbat", "nkoo", "orkh", "ougr", "palm",
    "phli", "phlp", "phnx", "prti", "rohg", "samr", "sarb", "sogd", "sogo", "syrc", "syre", "syrj",
    "syrn", "thaa", "yezi",
];

/// Languages and scripts that are set vertically with columns from right to left.
const VERTICAL_RL_LANGUAGES: &[&str] = &["zh", "ja", "ko", "yue", "cmn", "wuu", "hak", "nan"];
const VERTICAL_RL_SCRIPTS: &[&str] = &[
    "hani", "hans", "hant", "jpan", "hira", "kana", "hrkt", "kore", "hang", "bopo",
];

/// The primary language subtag and the script subtag (if the tag has one), lower-cased.
fn language_and_script(tag: &str) -> (String, Option<String>) {
    let mut subtags = tag.split('-').map(str::to_ascii_lowercase);
    let language = subtags.next().unwrap_or_default();
    // Up to three extended-language subtags (`zh-yue`) may come before the script.
    let script = subtags
        .take(4)
        .find(|s| s.len() != 3 || !s.chars().all(|c| c.is_ascii_alphabetic()))
        .filter(|s| s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()));
    (language, script)
}

/// The direction a language tag's script is written in: `Rtl` or `Ltr`.
pub fn default_direction(tag: &str) -> TextDirection {
    let (language, script) = language_and_script(tag);
    let rtl = match &script {
        Some(script) => RTL_SCRIPTS.contains(&script.as_str()),
        None => RTL_LANGUAGES.contains(&language.as_str()),
    };
    if rtl {
        TextDirection::Rtl
    } else {
        TextDirection::Ltr
    }
}

/// The CSS `writing-mode` for vertical text in this language, or `None` when its script is
/// not written vertically. Mongolian script runs its columns left to right; CJK right to left.
pub fn vertical_writing_mode(tag: &str) -> Option<&'static str> {
    let (language, script) = language_and_script(tag);
    match script.as_deref() {
        Some("mong") => Some("vertical-lr"),
        Some(script) if VERTICAL_RL_SCRIPTS.contains(&script) => Some("vertical-rl"),
        Some(_) => None,
        None if language == "mn" => Some("vertical-lr"),
        None if VERTICAL_RL_LANGUAGES.contains(&language.as_str()) => Some("vertical-rl"),
        None => None,
    }
}

/// The layout of a book in `language`, with the front matter's `direction:` and
/// `writing-mode:` applied. A vertical request for a script that is not written vertically is
/// refused earlier, by the front matter's validation.
pub fn layout(
    language: &str,
    direction: Option<TextDirection>,
    writing_mode: Option<WritingMode>,
) -> Layout {
    let vertical = match writing_mode {
        Some(WritingMode::Vertical) => vertical_writing_mode(language),
        Some(WritingMode::Horizontal) | None => None,
    };
    let explicit = direction.is_some();
    let dir = match direction.unwrap_or_else(|| default_direction(language)) {
        TextDirection::Rtl => Some("rtl"),
        // Left to right is every reading system's default: it is written only when the author
        // asked for it, so that ordinary books stay as they were.
        TextDirection::Ltr if explicit => Some("ltr"),
        TextDirection::Ltr | TextDirection::Auto => None,
    };
    // Vertical right-to-left columns are read from the right: the book opens from the right,
    // like a right-to-left one.
    let page_progression = match (vertical, dir) {
        (Some("vertical-rl"), _) | (None, Some("rtl")) => Some("rtl"),
        (Some(_), _) | (None, Some("ltr")) => Some("ltr"),
        (None, _) => None,
    };
    Layout {
        dir: if vertical.is_some() && direction.is_none() {
            None
        } else {
            dir
        },
        page_progression,
        writing_mode: vertical,
    }
}

/// Well-formedness per BCP 47's syntax (RFC 5646 §2.1): a 2–3 letter (or 4–8 letter) primary
/// language, then subtags of 1–8 letters or digits; or a private-use `x-…` tag. Whether a
/// subtag is registered is not checked — reading systems only need the shape.
pub fn is_well_formed_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let Some(primary) = subtags.next() else {
        return false;
    };
    let primary_ok = (primary.eq_ignore_ascii_case("x") || primary.eq_ignore_ascii_case("i"))
        || ((2..=3).contains(&primary.len()) || (4..=8).contains(&primary.len()))
            && primary.chars().all(|c| c.is_ascii_alphabetic());
    primary_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
        && !tag.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_to_left_languages_by_language_and_by_script() {
        for rtl in [
            "ar",
            "ar-EG",
            "he",
            "fa-IR",
            "ur",
            "ps",
            "sd",
            "yi",
            "dv",
            "syr",
            "ckb",
            "iw",
            "az-Arab",
            "pa-Arab",
            "uz-Arab-AF",
            "ms-Arab",
            "he-Hebr",
        ] {
            assert_eq!(default_direction(rtl), TextDirection::Rtl, "{rtl}");
        }
        for ltr in [
            "en",
            "fr-CA",
            "az",
            "az-Latn",
            "ug-Latn",
            "sd-Deva",
            "zh-Hant",
            "x-klingon",
            "i-mingo",
            "ja",
        ] {
            assert_eq!(default_direction(ltr), TextDirection::Ltr, "{ltr}");
        }
    }

    #[test]
    fn vertical_scripts() {
        assert_eq!(vertical_writing_mode("ja"), Some("vertical-rl"));
        assert_eq!(vertical_writing_mode("zh-Hant-TW"), Some("vertical-rl"));
        assert_eq!(vertical_writing_mode("zh-yue-Hant"), Some("vertical-rl"));
        assert_eq!(vertical_writing_mode("mn-Mong"), Some("vertical-lr"));
        assert_eq!(vertical_writing_mode("mn-Cyrl"), None);
        assert_eq!(vertical_writing_mode("en"), None);
        assert_eq!(vertical_writing_mode("ja-Latn"), None);
    }

    #[test]
    fn the_language_decides_unless_the_front_matter_says_otherwise() {
        let rtl = Layout {
            dir: Some("rtl"),
            page_progression: Some("rtl"),
            writing_mode: None,
        };
        assert_eq!(layout("ar", None, None), rtl);
        assert_eq!(layout("en", Some(TextDirection::Rtl), None), rtl);
        assert_eq!(layout("en", None, None), Layout::default());
        assert_eq!(
            layout("ar", Some(TextDirection::Auto), None),
            Layout::default()
        );
        assert_eq!(
            layout("ar", Some(TextDirection::Ltr), None),
            Layout {
                dir: Some("ltr"),
                page_progression: Some("ltr"),
                writing_mode: None
            }
        );
    }

    #[test]
    fn vertical_writing_turns_pages_the_way_its_columns_run() {
        assert_eq!(
            layout("ja", None, Some(WritingMode::Vertical)),
            Layout {
                dir: None,
                page_progression: Some("rtl"),
                writing_mode: Some("vertical-rl")
            }
        );
        assert_eq!(
            layout("mn-Mong", None, Some(WritingMode::Vertical)),
            Layout {
                dir: None,
                page_progression: Some("ltr"),
                writing_mode: Some("vertical-lr")
            }
        );
        assert_eq!(
            layout("ja", None, Some(WritingMode::Horizontal)),
            Layout::default()
        );
    }
}
