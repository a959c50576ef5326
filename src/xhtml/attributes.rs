//! Which attributes an element keeps, and the value checks behind that: numbers, dates,
//! language tags, ARIA roles, XML names.

use super::*;

pub(super) enum Verdict {
    Keep(String),
    /// The attribute becomes a class (table cell alignment).
    AddClass(String),
    /// Dropped; the text says what, for the author.
    Remove(String),
}

pub(super) fn check_attribute(element: &str, name: &str, value: &str) -> Verdict {
    let keep = || Verdict::Keep(value.to_string());
    let invalid = || {
        Verdict::Remove(format!(
            "{name}=\"{value}\" attribute on <{element}> (invalid value)"
        ))
    };
    let verdict_if = |ok: bool| if ok { keep() } else { invalid() };
    match name {
        _ if name.starts_with("on") => Verdict::Remove(format!("{name} attribute")),
        "style" => match (element, table_cell_alignment(value)) {
            ("td" | "th", Some(align)) => Verdict::AddClass(format!("align-{align}")),
            _ => Verdict::Remove("style attribute".into()),
        },
        "id" => verdict_if(!value.is_empty() && !value.chars().any(char::is_whitespace)),
        "class" | "title" => keep(),
        "lang" => verdict_if(value.is_empty() || crate::script::is_well_formed_language_tag(value)),
        "dir" => verdict_if(matches!(value, "ltr" | "rtl" | "auto")),
        "epub:type" => verdict_if(!value.trim().is_empty()),
        "role" => verdict_if(
            value
                .split_ascii_whitespace()
                .next()
                .is_some_and(is_known_role),
        ),
        "aria-label"
        | "aria-labelledby"
        | "aria-describedby"
        | "aria-details"
        | "aria-roledescription" => keep(),
        "aria-hidden" => verdict_if(matches!(value, "true" | "false")),
        _ if name.starts_with("data-") => {
            if name.len() > "data-".len() && is_xml_ncname(name) {
                keep()
            } else {
                Verdict::Remove(format!("{name} attribute (not a valid XML name)"))
            }
        }
        "href" if element == "a" => url_verdict(name, value),
        "src" if element == "img" => url_verdict(name, value),
        "cite" if matches!(element, "q" | "blockquote" | "del" | "ins") => url_verdict(name, value),
        "hreflang" if element == "a" => {
            verdict_if(crate::script::is_well_formed_language_tag(value))
        }
        "alt" if element == "img" => keep(),
        "width" | "height" if element == "img" => verdict_if(is_digits(value)),
        "start" if element == "ol" => verdict_if(is_integer(value)),
        "reversed" if element == "ol" => Verdict::Keep("reversed".into()),
        "type" if element == "ol" => verdict_if(matches!(value, "1" | "a" | "A" | "i" | "I")),
        "value" if element == "li" => verdict_if(is_integer(value)),
        "value" if element == "data" => keep(),
        "colspan" | "rowspan" if matches!(element, "td" | "th") => {
            verdict_if(is_positive_integer(value))
        }
        "scope" if element == "th" => {
            verdict_if(matches!(value, "row" | "col" | "rowgroup" | "colgroup"))
        }
        "span" if matches!(element, "col" | "colgroup") => verdict_if(is_positive_integer(value)),
        "datetime" if matches!(element, "time" | "del" | "ins") => verdict_if(is_datetime(value)),
        "open" if element == "details" => Verdict::Keep("open".into()),
        _ => Verdict::Remove(format!("{name} attribute on <{element}>")),
    }
}

/// `left`, `center` or `right` from pulldown-cmark's `text-align: …` cell style.
pub(super) fn table_cell_alignment(style: &str) -> Option<&'static str> {
    let (property, value) = style.trim().trim_end_matches(';').split_once(':')?;
    if !property.trim().eq_ignore_ascii_case("text-align") {
        return None;
    }
    ["left", "center", "right"]
        .into_iter()
        .find(|align| value.trim().eq_ignore_ascii_case(align))
}

pub(super) fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn is_integer(value: &str) -> bool {
    is_digits(value.strip_prefix('-').unwrap_or(value))
}

pub(super) fn is_positive_integer(value: &str) -> bool {
    is_digits(value) && value.bytes().any(|b| b != b'0')
}

/// A date, or a date and time, in the forms HTML's `datetime` attributes accept and readers
/// need: `2016`, `2016-05`, `2016-05-03`, `2016-05-03T10:00`, with optional seconds,
/// fraction and zone (`Z`, `+02:00`).
pub(super) fn is_datetime(value: &str) -> bool {
    pub(super) fn digits(s: &str, n: usize) -> bool {
        s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
    }
    let (date, time) = match value.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (value, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let date_ok = match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    };
    let Some(time) = time else { return date_ok };
    if parts.len() != 3 || !date_ok {
        return false;
    }
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let zone_ok = match zone {
        "" | "Z" => true,
        _ => zone[1..]
            .split_once(':')
            .is_some_and(|(h, m)| digits(h, 2) && digits(m, 2)),
    };
    let clock_ok = match clock.split(':').collect::<Vec<_>>().as_slice() {
        [h, m] => digits(h, 2) && digits(m, 2),
        [h, m, s] => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
            digits(h, 2) && digits(m, 2) && digits(whole, 2) && is_digits(fraction)
        }
        _ => false,
    };
    zone_ok && clock_ok
}

/// ARIA and DPUB-ARIA roles a book might use.
pub(super) fn is_known_role(role: &str) -> bool {
    pub(super) const ROLES: &[&str] = &[
        "article",
        "banner",
        "complementary",
        "contentinfo",
        "definition",
        "directory",
        "doc-abstract",
        "doc-acknowledgments",
        "doc-afterword",
        "doc-appendix",
        "doc-backlink",
        "doc-biblioentry",
        "doc-bibliography",
        "doc-biblioref",
        "doc-chapter",
        "doc-colophon",
        "doc-conclusion",
        "doc-cover",
        "doc-credit",
        "doc-credits",
        "doc-dedication",
        "doc-endnote",
        "doc-endnotes",
        "doc-epigraph",
        "doc-epilogue",
        "doc-errata",
        "doc-example",
        "doc-footnote",
        "doc-foreword",
        "doc-glossary",
        "doc-glossref",
        "doc-index",
        "doc-introduction",
        "doc-noteref",
        "doc-notice",
        "doc-pagebreak",
        "doc-pagelist",
        "doc-part",
        "doc-preface",
        "doc-prologue",
        "doc-pullquote",
        "doc-qna",
        "doc-subtitle",
        "doc-tip",
        "doc-toc",
        "figure",
        "group",
        "heading",
        "img",
        "list",
        "listitem",
        "math",
        "navigation",
        "none",
        "note",
        "presentation",
        "region",
        "separator",
        "table",
        "term",
    ];
    ROLES.contains(&role)
}

/// Whether `name` is an XML name without colons (an NCName), per XML 1.0 fifth edition.
pub fn is_xml_ncname(name: &str) -> bool {
    pub(super) fn is_start(c: char) -> bool {
        matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
            | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    }
    pub(super) fn is_continue(c: char) -> bool {
        is_start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    }
    let mut chars = name.chars();
    chars.next().is_some_and(is_start) && chars.all(is_continue)
}
