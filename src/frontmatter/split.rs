//! Cuts the front matter from the Markdown: YAML between `---` lines (Jekyll, Pandoc, most
//! tools) or TOML between `+++` lines (Hugo, Zola). Pure: it takes the file's text and uses the
//! path only for messages.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};

/// The language of a front-matter block, told by its fence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `---` … `---` (or `...`).
    Yaml,
    /// `+++` … `+++`.
    Toml,
}

impl Format {
    /// The fence line, for messages.
    pub fn fence(self) -> &'static str {
        match self {
            Format::Yaml => "---",
            Format::Toml => "+++",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
        }
    }
}

/// A Markdown file cut in two at the end of its front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The text between the fences, if the file has front matter.
    pub block: Option<&'a str>,
    /// What that text is written in (YAML when there is none).
    pub format: Format,
    /// Byte offset of the block in the file (for mapping positions).
    pub block_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

impl<'a> Split<'a> {
    /// The whole file as Markdown: what a file without front matter is.
    pub fn all_body(text: &'a str) -> Self {
        Split {
            block: None,
            format: Format::Yaml,
            block_offset: 0,
            body: text,
            body_offset: 0,
        }
    }
}

/// Splits fenced front matter from the start of `text`. A YAML block ends at a line that is
/// `---` or `...`, a TOML block at `+++`. A file whose first line is a fence that is never
/// closed is an error: treating it as Markdown would put the whole manuscript in a
/// horizontal-rule-led paragraph.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let Some(first_line_end) = text.find('\n') else {
        return Ok(Split::all_body(text));
    };
    let format = match text[..first_line_end].trim_end() {
        "---" => Format::Yaml,
        "+++" => Format::Toml,
        _ => return Ok(Split::all_body(text)),
    };
    let block_offset = first_line_end + 1;
    let mut line_start = block_offset;
    while line_start <= text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let line = text[line_start..line_end].trim_end();
        let closes = match format {
            Format::Yaml => line == "---" || line == "...",
            Format::Toml => line == "+++",
        };
        if closes {
            let body_offset = (line_end + 1).min(text.len());
            return Ok(Split {
                block: Some(&text[block_offset..line_start]),
                format,
                block_offset,
                body: &text[body_offset..],
                body_offset,
            });
        }
        if line_end == text.len() {
            break;
        }
        line_start = line_end + 1;
    }
    Err(Diagnostic::error("front matter is not closed")
        .at(Location::at_offset(path, text, 0))
        .with_help(format!(
            "end the {} block with a line holding only `{}`",
            format.name(),
            format.fence()
        )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_the_body() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(s.block, Some("title: A\n"));
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(s.body, "# Body\n");
        assert_eq!(&text[s.body_offset..], s.body);
    }

    #[test]
    fn toml_front_matter_is_fenced_with_pluses() {
        let text = "+++\ntitle = \"A\"\n+++\n# Body\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!((s.block, s.format), (Some("title = \"A\"\n"), Format::Toml));
        assert_eq!(s.body, "# Body\n");
    }

    #[test]
    fn crlf_fences_are_fences() {
        let text = "---\r\ntitle: A\r\n---\r\nBody\r\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(s.block, Some("title: A\r\n"));
        assert_eq!(s.body, "Body\r\n");
    }

    #[test]
    fn a_file_without_front_matter_is_all_body() {
        let s = split(Path::new("a.md"), "# Only body\n").unwrap();
        assert_eq!((s.block, s.body), (None, "# Only body\n"));
    }

    #[test]
    fn unclosed_front_matter_is_an_error_at_line_one() {
        let e = split(Path::new("a.md"), "---\ntitle: A\n# Body\n").unwrap_err();
        assert_eq!(
            e.to_string().lines().next(),
            Some("a.md:1:1: error: front matter is not closed")
        );
        let e = split(Path::new("a.md"), "+++\ntitle = 'A'\n---\n").unwrap_err();
        assert!(e.to_string().contains("line holding only `+++`"), "{e}");
    }
}
