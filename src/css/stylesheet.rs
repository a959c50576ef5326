//! The user's stylesheet (`css:`), sanitised, with the fonts and images it uses packaged.
//!
//! The text goes through [`crate::css::sanitize`] twice: the first pass lists the relative
//! `url(…)` targets, which are resolved here (the only I/O: inside the book folder after
//! following symlinks, a regular file, under a size limit) and decided: a font (WOFF2, WOFF,
//! OpenType, TrueType, recognised by its first bytes, never its name) is packaged as it is; an
//! image goes through the image pipeline like a figure (so it loses its GPS position too);
//! anything else is dropped with a warning. The second pass writes the packaged names in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::css::{self, Context, UrlFate};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::images::work;
use crate::source::{self, InputKind, Manuscript};

/// Where the packaged files go, relative to the stylesheet inside the EPUB (`css/`).
const RESOURCE_FOLDER: &str = "files";

/// The sanitised stylesheet and what it needs packaged beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stylesheet {
    pub css: String,
    pub resources: Vec<StyleResource>,
}

/// A font or image the stylesheet uses, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyleResource {
    /// Relative to the stylesheet's folder in the EPUB, e.g. `files/3f2a…c1.woff2`.
    pub href: String,
    pub media_type: &'static str,
    pub data: Vec<u8>,
    /// The file in the book folder it was made from (canonical).
    pub source: PathBuf,
}

/// Sanitises `text`, read from `path`, and packages the files it refers to inside
/// `book_root`. Returns the stylesheet and the warnings about what was dropped.
pub fn prepare(path: &Path, text: &str, book_root: &Path) -> (Stylesheet, Vec<Diagnostic>) {
    let first = css::sanitize(text, Context::Stylesheet, &HashMap::new());
    let base = path.parent().unwrap_or(Path::new("."));
    let root = book_root
        .canonicalize()
        .unwrap_or_else(|_| book_root.to_path_buf());
    let mut fates = HashMap::new();
    let mut resources: Vec<StyleResource> = Vec::new();
    for reference in &first.references {
        let fate = match package(base, &root, &reference.url) {
            Ok(resource) => {
                let fragment = reference
                    .url
                    .split_once('#')
                    .map(|(_, fragment)| format!("#{fragment}"))
                    .filter(|_| resource.media_type == "image/svg+xml")
                    .unwrap_or_default();
                let href = format!("{}{fragment}", resource.href);
                if !resources.iter().any(|known| known.href == resource.href) {
                    resources.push(resource);
                }
                UrlFate::Rewrite(href)
            }
            Err(why) => UrlFate::Drop(why),
        };
        fates.insert(reference.url.clone(), fate);
    }
    let second = css::sanitize(text, Context::Stylesheet, &fates);
    let warnings = second
        .findings
        .iter()
        .map(|finding| finding.to_diagnostic(path, text))
        .collect();
    (
        Stylesheet {
            css: second.css,
            resources,
        },
        warnings,
    )
}

/// The warning for a stylesheet file that could not be read, at its `css:` line.
pub fn unreadable(path: &Path, error: &std::io::Error, at: Option<Location>) -> Diagnostic {
    let diagnostic = Diagnostic::error(format!("cannot read the stylesheet: {error}"));
    let diagnostic = match at {
        Some(location) => diagnostic.at(location),
        None => diagnostic.in_file(path),
    };
    diagnostic.with_help("set `css:` to a CSS file relative to the book folder")
}

/// Resolves `url` against `base`, checks it stays inside `root`, reads it and decides what it
/// becomes; `Err` says in the author's words why it was dropped.
fn package(base: &Path, root: &Path, url: &str) -> Result<StyleResource, String> {
    let written = url.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_decode(written);
    if decoded.is_empty() {
        return Err(format!("`{url}` names no file; dropped"));
    }
    // The rule every input follows (src/source.rs): inside the book folder after symlinks,
    // a regular file, under the size limit of its kind, read with a bounded reader.
    let kind = InputKind::StyleResource;
    let canonical = source::resolve_local(root, base, &decoded, kind)
        .map_err(|problem| format!("`{url}` {}; dropped", problem.reason(kind)))?;
    let bytes = source::read_input(&canonical, kind)
        .map_err(|problem| format!("`{url}` {}; dropped", problem.reason(kind)))?;
    let (media_type, extension, data) = if let Some((media_type, extension)) = font_kind(&bytes) {
        (media_type, extension, bytes)
    } else {
        let settings = crate::images::PipelineSettings::default();
        let fit = settings.fit_box(crate::images::Purpose::Figure);
        match work::transform(&bytes, fit, settings.quality, false) {
            Ok(image) => (
                image.format.media_type(),
                image.format.extension(),
                image.bytes,
            ),
            Err(_) => {
                return Err(format!(
                    "`{url}` is not a font (WOFF2, WOFF, OpenType, TrueType) or an image bindery can use; dropped"
                ));
            }
        }
    };
    let hash = blake3::hash(&data).to_hex();
    Ok(StyleResource {
        href: format!("{RESOURCE_FOLDER}/{}.{extension}", &hash.as_str()[..20]),
        media_type,
        data,
        source: canonical,
    })
}

/// The font format from the file's first bytes, as (media type, extension).
fn font_kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    match bytes.get(..4)? {
        b"wOF2" => Some(("font/woff2", "woff2")),
        b"wOFF" => Some(("font/woff", "woff")),
        b"OTTO" => Some(("font/otf", "otf")),
        [0, 1, 0, 0] | b"true" => Some(("font/ttf", "ttf")),
        _ => None,
    }
}

/// `%20` and friends decoded; an invalid sequence is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[index] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(index + 1).copied().and_then(hex),
                bytes.get(index + 2).copied().and_then(hex),
            )
        {
            out.push((high * 16 + low) as u8);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The user's stylesheet: where it is (canonical, so the output can be compared with it) and
/// its sanitised text with the fonts and images it uses.
pub struct PreparedStylesheet {
    pub path: PathBuf,
    pub sheet: Stylesheet,
}

/// The `css:` stylesheet's text, read under the rule every input follows
/// ([`source::resolve_path`]): a regular file inside the book folder, at most 1 MiB, UTF-8.
/// `None` (after reporting why) when it cannot be used. How its content is then checked is
/// the stylesheet stage's business; this is only where the bytes come from.
pub fn read_stylesheet(
    manuscript: &Manuscript,
    written: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<(PathBuf, String)> {
    let first = manuscript.files.first()?;
    let written = written.strip_prefix(&manuscript.root).unwrap_or(written);
    let read = source::resolve_local(
        &manuscript.root,
        &manuscript.root,
        &written.to_string_lossy(),
        InputKind::Stylesheet,
    )
    .and_then(|path| Ok((source::read_input(&path, InputKind::Stylesheet)?, path)));
    let problem = match read {
        Ok((bytes, path)) => match String::from_utf8(bytes) {
            Ok(text) => return Some((path, text)),
            Err(_) => Diagnostic::error(format!(
                "stylesheet `{}` is not UTF-8 text",
                written.display()
            ))
            .with_help("save the stylesheet as UTF-8"),
        },
        Err(problem) => {
            Diagnostic::error(problem.describe(InputKind::Stylesheet, written, &manuscript.root))
                .with_help(problem.help(InputKind::Stylesheet))
        }
    };
    diagnostics.push(crate::frontmatter::locate::at_key(problem, first, "css"));
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_are_told_by_their_bytes() {
        assert_eq!(font_kind(b"wOF2\0\0"), Some(("font/woff2", "woff2")));
        assert_eq!(font_kind(b"\0\x01\0\0\0"), Some(("font/ttf", "ttf")));
        assert_eq!(font_kind(b"GIF8"), None);
        assert_eq!(percent_decode("my%20font.woff%2"), "my font.woff%2");
    }

    #[test]
    fn files_are_packaged_and_the_rest_dropped() {
        let book = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(book.path().join("fonts")).unwrap();
        std::fs::write(book.path().join("fonts/b.woff2"), b"wOF2 not really").unwrap();
        std::fs::write(book.path().join("notes.txt"), b"hello").unwrap();
        std::fs::write(outside.path().join("secret.woff2"), b"wOF2 secret").unwrap();
        let secret = outside.path().join("secret.woff2");
        let css = format!(
            "@font-face {{ font-family: B; src: url(fonts/b.woff2?#iefix) format('woff2') }}\n\
             p {{ background: url(notes.txt) }}\nq {{ src: url(\"{}\") }}\nr {{ src: url(../{}/secret.woff2) }}\n",
            secret.display(),
            outside.path().file_name().unwrap().to_string_lossy()
        );
        let path = book.path().join("extra.css");
        let (sheet, warnings) = prepare(&path, &css, book.path());
        assert_eq!(sheet.resources.len(), 1);
        assert_eq!(sheet.resources[0].media_type, "font/woff2");
        assert!(
            sheet
                .css
                .contains(&format!("url(\"{}\")", sheet.resources[0].href))
        );
        assert!(
            !sheet.css.contains("secret") && !sheet.css.contains("notes"),
            "{}",
            sheet.css
        );
        let messages: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("not a font"), "{messages:?}");
        assert!(
            messages[1].contains("outside the book folder"),
            "{messages:?}"
        );
        assert_eq!(warnings[0].location.as_ref().map(|l| l.line), Some(2));
    }
}
