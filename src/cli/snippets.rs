//! Diagnostics drawn the way cargo draws them: the message, an arrow to `file:line:column`,
//! the source line with the place underlined, and the help.
//!
//! [`Diagnostic`]'s `Display` stays the plain one-line form (for logs, tests and editors);
//! this is the form for people at a terminal. It uses annotate-snippets, the renderer rustc
//! and cargo themselves use, which is small (no backtrace or terminal crates) and leaves our
//! error types alone; miette would want to own them.
//!
//! The source line is read from the file again at print time: diagnostics stay plain data
//! that do not carry file contents around, and printing happens once, at the very end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use bindery::diagnostics::{Diagnostic, Severity};

/// Renders diagnostics, reading each source file once.
pub(crate) struct SnippetRenderer {
    renderer: Renderer,
    sources: HashMap<PathBuf, Option<String>>,
}

impl SnippetRenderer {
    /// `color`: ANSI colors (for a terminal that has not asked for `NO_COLOR`).
    pub(crate) fn new(color: bool) -> Self {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        SnippetRenderer {
            renderer,
            sources: HashMap::new(),
        }
    }

    /// The diagnostic with its source line, as several lines of text (no trailing newline).
    pub(crate) fn render(&mut self, diagnostic: &Diagnostic) -> String {
        let level = match diagnostic.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(diagnostic.message.as_str());
        let mut group = match (&diagnostic.location, &diagnostic.path) {
            (Some(location), _) => {
                let line = self.line(&location.path, location.line);
                let path = location.path.display().to_string();
                match line {
                    Some(line) => {
                        let span = underline(&line, location.column);
                        Group::with_title(title).element(
                            Snippet::source(line)
                                .line_start(location.line)
                                .path(path)
                                .annotation(AnnotationKind::Primary.span(span)),
                        )
                    }
                    // The file changed or vanished since: still say where.
                    None => Group::with_title(title).element(
                        Origin::path(path)
                            .line(location.line)
                            .char_column(location.column),
                    ),
                }
            }
            (None, Some(path)) => {
                Group::with_title(title).element(Origin::path(path.display().to_string()))
            }
            (None, None) => Group::with_title(title),
        };
        if let Some(help) = &diagnostic.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        self.renderer.render(&[group])
    }

    /// Line `number` (1-based) of `path`, without its line ending. Text that is not UTF-8 is
    /// shown with replacement characters (its error points at the first bad byte).
    fn line(&mut self, path: &Path, number: usize) -> Option<String> {
        let text = self
            .sources
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                // The reader every input goes through: bounded by the chapter limit (a 50 MB
                // file refused as too large is not read whole to show one line), and never a
                // fifo or a device.
                bindery::source::read_input(path, bindery::source::InputKind::Chapter)
                    .ok()
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            })
            .as_deref()?;
        let line = text.split('\n').nth(number.checked_sub(1)?)?;
        Some(line.trim_end_matches('\r').to_string())
    }
}

/// The byte range to underline: the word starting at the 1-based character `column`, or a
/// single position at the end of the line when the column is past it.
fn underline(line: &str, column: usize) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(index, _)| index);
    let word_end = line[start..]
        .find(char::is_whitespace)
        .map_or(line.len(), |length| start + length);
    // Underline at least one character when there is one.
    let end = if word_end == start {
        line[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8())
    } else {
        word_end
    };
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use bindery::diagnostics::Location;

    #[test]
    fn the_word_at_the_column_is_underlined() {
        assert_eq!(underline("author: 3", 9), 8..9);
        assert_eq!(underline("title:  Tides of", 9), 8..13);
        assert_eq!(underline("café au lait", 6), 6..8);
        assert_eq!(underline("short", 40), 5..5);
        assert_eq!(underline("a  b", 2), 1..2);
    }

    #[test]
    fn a_located_diagnostic_shows_its_source_line_like_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("essay.md");
        std::fs::write(&path, "---\ntitle: T\nauthor: 3\n---\n").unwrap();
        let diagnostic = Diagnostic::error("`author` must be a name or a list of names")
            .at(Location {
                path: path.clone(),
                line: 3,
                column: 9,
            })
            .with_help("write `author: Jane Doe`");
        let rendered = SnippetRenderer::new(false).render(&diagnostic);
        let expected = format!(
            "error: `author` must be a name or a list of names\n \
             --> {}:3:9\n  \
             |\n\
             3 | author: 3\n  \
             |         ^\n  \
             |\n  \
             = help: write `author: Jane Doe`",
            path.display()
        );
        assert_eq!(rendered, expected);
    }

    #[test]
    fn a_diagnostic_about_a_file_names_it() {
        let diagnostic = Diagnostic::warning("nothing uses this image")
            .in_file(Path::new("book/images/extra.jpg"));
        let rendered = SnippetRenderer::new(false).render(&diagnostic);
        assert_eq!(
            rendered,
            "warning: nothing uses this image\n --> book/images/extra.jpg"
        );
    }
}
