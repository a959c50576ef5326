//! Definition lists only where the author wrote one.
//!
//! pulldown-cmark's definition-list extension takes any line that starts with `:` after a
//! paragraph for a definition, so a README's "type `:wq` to quit" on its own line becomes a
//! `<dl>` (issue 9). Every other implementation of the syntax (PHP Markdown Extra, Pandoc,
//! MultiMarkdown) asks for a space after the colon, and pulldown-cmark has no option for
//! that. So the Markdown is read once with the extension on; each definition whose colon is
//! not followed by a space or tab is a false one, and a backslash is put before its colon
//! (`\:` is a literal colon in CommonMark), exactly where the parser saw the marker, so code
//! blocks and HTML are never touched. The text is then parsed for real, and offsets in it are
//! mapped back to the author's file with [`Insertions::source_offset`].

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// The Markdown to parse, and where backslashes were put into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded<'a> {
    pub text: Cow<'a, str>,
    /// Where the backslashes are, to map offsets back.
    pub inserted: Insertions,
    /// Whether definition lists must be switched off: escaping did not settle it (never seen,
    /// but a parse is not promised to be stable under edits).
    pub disable: bool,
}

/// Offsets in the guarded text of the inserted backslashes, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Insertions(Vec<usize>);

impl Insertions {
    /// The offset in the author's text of `offset` in the guarded text.
    pub fn source_offset(&self, offset: usize) -> usize {
        offset - self.0.partition_point(|&at| at < offset)
    }
}

/// `markdown` with a backslash before every definition marker that has no space after it.
pub fn guard(markdown: &str, options: Options) -> Guarded<'_> {
    let unguarded = Guarded {
        text: Cow::Borrowed(markdown),
        inserted: Insertions::default(),
        disable: false,
    };
    if !options.contains(Options::ENABLE_DEFINITION_LIST) || !may_have_marker(markdown) {
        return unguarded;
    }
    let markers = false_markers(markdown, options);
    if markers.is_empty() {
        return unguarded;
    }
    let mut text = String::with_capacity(markdown.len() + markers.len());
    let mut inserted = Vec::with_capacity(markers.len());
    let mut copied = 0;
    for at in markers {
        text.push_str(&markdown[copied..at]);
        inserted.push(text.len());
        text.push('\\');
        copied = at;
    }
    text.push_str(&markdown[copied..]);
    let disable = !false_markers(&text, options).is_empty();
    Guarded {
        text: Cow::Owned(text),
        inserted: Insertions(inserted),
        disable,
    }
}

/// Offsets of the `:` of definitions not followed by a space or tab (or at a line's end).
fn false_markers(markdown: &str, options: Options) -> Vec<usize> {
    let bytes = markdown.as_bytes();
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        if let Event::Start(Tag::DefinitionListDefinition) = event {
            // The range starts at the marker, possibly after up to three spaces of indent.
            let Some(colon) = markdown[range.clone()].find(':').map(|i| range.start + i) else {
                continue;
            };
            if !matches!(bytes.get(colon + 1), Some(b' ' | b'\t')) {
                found.push(colon);
            }
        }
    }
    found
}

/// Whether some line starts (after spaces and block-quote markers) with `:`; a quick test
/// that spares the extra parse for most files.
fn may_have_marker(markdown: &str) -> bool {
    markdown
        .lines()
        .any(|line| line.trim_start_matches([' ', '\t', '>']).starts_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options::ENABLE_DEFINITION_LIST
    }

    #[test]
    fn a_colon_without_a_space_after_a_paragraph_is_escaped() {
        let markdown = "Quit vim with\n:wq\n\nTerm\n: Definition\n";
        let guarded = guard(markdown, options());
        assert_eq!(guarded.text, "Quit vim with\n\\:wq\n\nTerm\n: Definition\n");
        assert!(!guarded.disable);
        // Offsets after the backslash map back to the author's text.
        let term = guarded.text.find("Term").unwrap();
        assert_eq!(
            guarded.inserted.source_offset(term),
            markdown.find("Term").unwrap()
        );
        let colon = guarded.text.find("\\:").unwrap();
        assert_eq!(
            guarded.inserted.source_offset(colon),
            markdown.find(":wq").unwrap()
        );
    }

    #[test]
    fn code_blocks_and_real_definitions_are_left_alone() {
        for markdown in [
            "Term\n: Definition\n",
            "Text\n\n```\n:wq\n```\n",
            "    :wq\n",
            "No marker at all\n",
        ] {
            let guarded = guard(markdown, options());
            assert_eq!(guarded.text, markdown);
        }
    }

    #[test]
    fn without_the_extension_nothing_is_parsed_twice() {
        let guarded = guard("Text\n:wq\n", Options::empty());
        assert!(matches!(guarded.text, Cow::Borrowed(_)));
    }
}
