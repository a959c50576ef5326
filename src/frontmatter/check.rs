//! The rules every key follows, whatever its group: where a problem is reported, how a wrong
//! type is told, what happens to unknown and repeated keys (one policy at every depth).

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::Path;

use super::split::Format;
use super::tree::{Entry, Node, Pos, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// The longest value of a one-line key (a title, a name), in characters. Longer is a mistake
/// (a pasted chapter), and would make covers, title pages and reading-app lists unusable.
pub(super) const MAX_LINE_CHARS: usize = 1_000;

/// The longest value of a paragraph key (`description`, `rights`, the accessibility summary).
pub(super) const MAX_PARAGRAPH_CHARS: usize = 20_000;

/// Collects the problems of one front-matter block, located in the Markdown file.
pub(super) struct Checker<'a> {
    path: &'a Path,
    /// The line of the Markdown file where the block starts.
    first_line: usize,
    /// The block's lines, for hints that need the text as written.
    lines: Vec<&'a str>,
    format: Format,
    pub diagnostics: Diagnostics,
}

impl<'a> Checker<'a> {
    pub(super) fn new(path: &'a Path, first_line: usize, block: &'a str, format: Format) -> Self {
        Checker {
            path,
            first_line,
            lines: block.lines().collect(),
            format,
            diagnostics: Diagnostics::new(),
        }
    }

    /// A position in the block as a location in the Markdown file.
    pub(super) fn at(&self, pos: Pos) -> Location {
        Location {
            path: self.path.to_path_buf(),
            line: self.first_line + pos.line.saturating_sub(1),
            column: pos.column.max(1),
        }
    }

    /// The first line of the Markdown file: where a missing key is reported.
    pub(super) fn file_start(&self) -> Location {
        Location {
            path: self.path.to_path_buf(),
            line: 1,
            column: 1,
        }
    }

    pub(super) fn error(&mut self, pos: Pos, message: impl Into<String>, help: Option<String>) {
        let mut diagnostic = Diagnostic::error(message).at(self.at(pos));
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn warning(&mut self, pos: Pos, message: impl Into<String>, help: String) {
        self.diagnostics.push(
            Diagnostic::warning(message)
                .at(self.at(pos))
                .with_help(help),
        );
    }

    /// A value of the wrong kind: "`toc-depth` must be a whole number from 1 to 6, found
    /// `three`", at the value.
    pub(super) fn wrong(&mut self, name: &str, node: &Node, expected: &str) {
        self.error(
            node.pos,
            format!("`{name}` must be {expected}, found {}", node.found()),
            None,
        );
    }

    /// The keys of a map, checked: a repeated key is an error naming both lines, an unknown
    /// one a warning with the closest known key. `known` are the keys this map may hold,
    /// `quiet` keys that are accepted and ignored (those static-site generators write).
    /// `within` names the map in messages (empty at the top level).
    pub(super) fn fields<'n>(
        &mut self,
        entries: &'n [Entry],
        within: &str,
        known: &[&'static str],
        quiet: &[&str],
    ) -> Fields<'n> {
        let mut first: BTreeMap<&str, &'n Entry> = BTreeMap::new();
        for entry in entries {
            if let Some(earlier) = first.get(entry.key.as_str()) {
                let lines = (self.at(earlier.pos).line, self.at(entry.pos).line);
                let place = if within.is_empty() {
                    String::new()
                } else {
                    format!(" in `{within}`")
                };
                self.error(
                    entry.pos,
                    format!(
                        "`{}` is given twice{place} (lines {} and {})",
                        entry.key, lines.0, lines.1
                    ),
                    Some("keep one of them".into()),
                );
                continue;
            }
            first.insert(&entry.key, entry);
            if known.contains(&entry.key.as_str()) || quiet.contains(&entry.key.as_str()) {
                continue;
            }
            let message = if within.is_empty() {
                format!("unknown front matter key `{}`", entry.key)
            } else {
                format!("unknown front matter key `{}` in `{within}`", entry.key)
            };
            let help = match did_you_mean(&entry.key, known) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None if within.is_empty() => {
                    format!("bindery ignores it; known keys: {}", known.join(", "))
                }
                None => format!("bindery ignores it; `{within}` takes: {}", known.join(", ")),
            };
            self.warning(entry.pos, message, help);
        }
        Fields { first }
    }

    /// Free text: any scalar (`title: 1984` is a title), trimmed; `None` when empty or
    /// absent. A list or a map is an error, and so is text longer than `limit` characters.
    pub(super) fn text(
        &mut self,
        name: &str,
        entry: Option<&Entry>,
        limit: usize,
    ) -> Option<String> {
        let entry = entry?;
        let node = &entry.value;
        if matches!(node.value, Value::Null) {
            self.comment_hint(name, entry);
            return None;
        }
        let Some(text) = node.scalar_text() else {
            self.wrong(name, node, "text");
            return None;
        };
        let length = text.chars().count();
        if length > limit {
            self.error(
                node.pos,
                format!("`{name}` is too long ({length} characters; at most {limit})"),
                Some("front matter holds short metadata; put long text in the Markdown".into()),
            );
            return None;
        }
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    /// A YAML value that starts with ` #` is a comment, so the key is silently empty.
    fn comment_hint(&mut self, name: &str, entry: &Entry) {
        if self.format != Format::Yaml {
            return;
        }
        let Some(line) = self.lines.get(entry.pos.line.saturating_sub(1)) else {
            return;
        };
        let Some((_, rest)) = line.split_once(':') else {
            return;
        };
        // `key:    # a note` is an empty key with a comment, as intended (the scaffold is
        // written so); `title: #1 Tides`, one space and no space after the `#`, is a value.
        let looks_like_a_value = rest
            .strip_prefix(" #")
            .is_some_and(|after| after.chars().next().is_some_and(|c| !c.is_whitespace()));
        let value = rest.trim();
        if looks_like_a_value {
            self.warning(
                entry.pos,
                format!("`{name}` is empty: YAML reads everything after ` #` as a comment"),
                format!(
                    "put the {name} in quotes: {name}: \"{}\"",
                    value.replace('"', "\\\"")
                ),
            );
        }
    }

    /// A whole number within `range`; anything else is an error in the author's words.
    pub(super) fn whole_number(
        &mut self,
        name: &str,
        entry: Option<&Entry>,
        range: RangeInclusive<i64>,
    ) -> Option<i64> {
        let node = &entry?.value;
        match node.value {
            Value::Null => None,
            Value::Int(n) if range.contains(&n) => Some(n),
            _ => {
                let expected = format!("a whole number from {} to {}", range.start(), range.end());
                self.wrong(name, node, &expected);
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, name: &str, entry: Option<&Entry>) -> Option<bool> {
        let node = &entry?.value;
        match node.value {
            Value::Null => None,
            Value::Bool(b) => Some(b),
            _ => {
                self.wrong(name, node, "`true` or `false`");
                None
            }
        }
    }

    /// One of a few words (`rtl`, `ltr`, `auto`), in any case.
    pub(super) fn choice(
        &mut self,
        name: &str,
        entry: Option<&Entry>,
        choices: &[&'static str],
    ) -> Option<&'static str> {
        let node = &entry?.value;
        if matches!(node.value, Value::Null) {
            return None;
        }
        let written = node.scalar_text().unwrap_or_default().trim().to_lowercase();
        if let Some(choice) = choices.iter().find(|c| **c == written) {
            return Some(choice);
        }
        let (last, rest) = choices.split_last()?;
        let expected = format!("`{}` or `{last}`", rest.join("`, `"));
        let help = did_you_mean(&written, choices).map(|c| format!("did you mean `{c}`?"));
        self.error(
            node.pos,
            format!("`{name}` must be {expected}, found {}", node.found()),
            help,
        );
        None
    }

    /// A word or a list of words (`subjects`, `tags`), each trimmed, empty ones dropped.
    pub(super) fn text_list(&mut self, name: &str, entry: Option<&Entry>) -> Vec<String> {
        let Some(entry) = entry else {
            return Vec::new();
        };
        let items: Vec<&Node> = match &entry.value.value {
            Value::Null => return Vec::new(),
            Value::List(items) => items.iter().collect(),
            Value::Map(_) => {
                self.wrong(name, &entry.value, "a word or a list of words");
                return Vec::new();
            }
            _ => vec![&entry.value],
        };
        let mut words = Vec::new();
        for item in items {
            match item.scalar_text() {
                Some(word) if word.chars().count() <= MAX_LINE_CHARS => {
                    let word = word.trim();
                    if !word.is_empty() {
                        words.push(word.to_string());
                    }
                }
                Some(_) => self.error(
                    item.pos,
                    format!(
                        "an entry of `{name}` is too long (at most {MAX_LINE_CHARS} characters)"
                    ),
                    None,
                ),
                None if matches!(item.value, Value::Null) => {}
                None => self.wrong(&format!("each entry of `{name}`"), item, "a word"),
            }
        }
        words
    }
}

/// The first entry of each key of a checked map.
pub(super) struct Fields<'n> {
    first: BTreeMap<&'n str, &'n Entry>,
}

impl<'n> Fields<'n> {
    pub(super) fn get(&self, key: &str) -> Option<&'n Entry> {
        self.first.get(key).copied()
    }
}

/// The closest known key within a small edit distance, for "did you mean".
pub fn did_you_mean<'k>(unknown: &str, known: &[&'k str]) -> Option<&'k str> {
    // Nothing is a typo of a key this long; and the distance costs its length squared.
    if unknown.len() > 64 {
        return None;
    }
    let unknown = unknown.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&unknown, k), *k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
