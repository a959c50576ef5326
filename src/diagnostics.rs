//! Located messages about the user's input.
//!
//! Every problem bindery finds in a manuscript is a [`Diagnostic`]: what is wrong, where
//! (file, line, column), and what to do about it. Stages push diagnostics into a
//! [`Diagnostics`] collector instead of returning on the first problem, so one run reports
//! everything a writer has to fix; the build fails at the end of a stage if any is an error.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// A position in a source file, both numbers 1-based (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`, which was read from `path`.
    pub fn at_offset(path: &Path, text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location {
            path: path.to_path_buf(),
            line,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where the problem is; `None` for problems of the whole build (say, the output path).
    pub location: Option<Location>,
    /// What the user can do about it.
    pub help: Option<String>,
    /// A file the problem is about when there is no line to point at (an image, a folder).
    pub path: Option<PathBuf>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            help: None,
            path: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn in_file(mut self, path: &Path) -> Self {
        self.path = Some(path.to_path_buf());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// This diagnostic as an error: what `--deny-warnings` makes of a warning.
    pub fn denied(self) -> Self {
        match self.severity {
            Severity::Error => self,
            Severity::Warning => Diagnostic {
                severity: Severity::Error,
                help: Some(match self.help {
                    Some(help) => format!("{help} (a warning, denied by --deny-warnings)"),
                    None => "a warning, denied by --deny-warnings".to_string(),
                }),
                ..self
            },
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:column: error: message` then an indented `help:` line, the shape compilers
    /// use, so editors and CI log viewers can jump to the place.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}:{}:{}: ", loc.path.display(), loc.line, loc.column)?;
        } else if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Collects diagnostics across a stage.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

/// Diagnostics that say the same thing (same severity, message and help) at different
/// places, gathered under the first of them, in order of first appearance: a long book with
/// one habit the EPUB cannot keep gives one group, not hundreds of lines (issue 9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group<'a> {
    pub first: &'a Diagnostic,
    /// The others like it, in order.
    pub more: Vec<&'a Diagnostic>,
}

/// Groups `items` (see [`Group`]), in order of first appearance.
pub fn group(items: &[Diagnostic]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index_of: std::collections::HashMap<(Severity, &str, Option<&str>), usize> =
        std::collections::HashMap::new();
    for item in items {
        let key = (item.severity, item.message.as_str(), item.help.as_deref());
        match index_of.get(&key) {
            Some(&index) => groups[index].more.push(item),
            None => {
                index_of.insert(key, groups.len());
                groups.push(Group {
                    first: item,
                    more: Vec::new(),
                });
            }
        }
    }
    groups
}

/// Where a diagnostic points, as `path:line` (or the path alone), for the list of places a
/// group's others are at.
pub fn short_place(diagnostic: &Diagnostic) -> Option<String> {
    match (&diagnostic.location, &diagnostic.path) {
        (Some(at), _) => Some(format!("{}:{}", at.path.display(), at.line)),
        (None, Some(path)) => Some(path.display().to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_diagnostics_are_grouped_under_the_first_in_order() {
        let at = |line: usize| Location {
            path: "a.md".into(),
            line,
            column: 1,
        };
        let items = vec![
            Diagnostic::warning("removed <font> tag").at(at(1)),
            Diagnostic::warning("other").at(at(2)),
            Diagnostic::warning("removed <font> tag").at(at(3)),
            Diagnostic::error("removed <font> tag").at(at(4)),
            Diagnostic::warning("removed <font> tag").at(at(5)),
        ];
        let groups = group(&items);
        let shape: Vec<(usize, usize)> = groups
            .iter()
            .map(|g| (g.first.location.as_ref().unwrap().line, g.more.len()))
            .collect();
        assert_eq!(shape, [(1, 2), (2, 0), (4, 0)]);
        assert_eq!(short_place(groups[0].more[1]).as_deref(), Some("a.md:5"));
    }

    #[test]
    fn offsets_map_to_one_based_line_and_character_column() {
        let text = "first\nsécond line\n";
        let at = Location::at_offset(Path::new("a.md"), text, text.find("line").unwrap());
        assert_eq!((at.line, at.column), (2, 8));
        let start = Location::at_offset(Path::new("a.md"), text, 0);
        assert_eq!((start.line, start.column), (1, 1));
    }

    #[test]
    fn offsets_inside_a_character_or_past_the_end_are_clamped() {
        let text = "é";
        assert_eq!(Location::at_offset(Path::new("a"), text, 1).column, 1);
        assert_eq!(Location::at_offset(Path::new("a"), text, 99).column, 2);
    }

    #[test]
    fn display_puts_location_first_and_help_on_its_own_line() {
        let d = Diagnostic::error("image not found")
            .at(Location {
                path: "book/essay.md".into(),
                line: 3,
                column: 1,
            })
            .with_help("check the path");
        assert_eq!(
            d.to_string(),
            "book/essay.md:3:1: error: image not found\n  help: check the path"
        );
    }
}
