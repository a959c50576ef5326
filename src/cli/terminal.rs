//! How messages look on a terminal: diagnostics with their source line, labels in colour.
//!
//! Styles are ANSI codes. Print the result through
//! `anstream`, which strips the styles when stderr is not a terminal, when `NO_COLOR` is set
//! (<https://no-color.org>), or when `CLICOLOR=0`, and keeps them with `CLICOLOR_FORCE`.

use anstyle::{AnsiColor, Style};

use crate::cli::snippets::SnippetRenderer;
use bindery::diagnostics::{self, Diagnostic};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const DONE: Style = AnsiColor::Green.on_default().bold();

/// `diagnostic` drawn as cargo draws one: the message, an arrow to the place, the source
/// line underlined, the help (see `snippets.rs`), then a blank line.
pub(crate) fn diagnostic(diagnostic: &Diagnostic) -> String {
    format!("{}\n", SnippetRenderer::new(true).render(diagnostic))
}

/// Every diagnostic of a run, drawn as [`diagnostic`] draws one, identical ones grouped
/// (see [`diagnostics::group`]): the first in full, then one line with how many more and
/// where, unless `verbose` asks for each in full. When some were grouped, a last line gives
/// the totals.
pub(crate) fn diagnostics(items: &[Diagnostic], verbose: bool) -> String {
    let groups = diagnostics::group(items);
    let mut out = String::new();
    let mut grouped = false;
    for group in &groups {
        out.push_str(&diagnostic(group.first));
        if group.more.is_empty() || verbose {
            out.push('\n');
            for other in &group.more {
                out.push_str(&diagnostic(other));
                out.push('\n');
            }
            continue;
        }
        grouped = true;
        // The first three distinct places (many may be on one line).
        let mut places: Vec<String> = Vec::new();
        let mut all_listed = true;
        for place in group
            .more
            .iter()
            .filter_map(|d| diagnostics::short_place(d))
        {
            if places.contains(&place) {
                continue;
            }
            if places.len() == 3 {
                all_listed = false;
                break;
            }
            places.push(place);
        }
        let etc = if all_listed { "" } else { ", …" };
        let at = if places.is_empty() {
            String::new()
        } else {
            format!(" (at {}{etc})", places.join(", "))
        };
        out.push_str(&format!(
            "  … and {} more like this{at}; -v lists them all\n\n",
            group.more.len()
        ));
    }
    if grouped {
        let warnings = items.iter().filter(|d| !d.is_error()).count();
        let errors = items.len() - warnings;
        let mut totals = Vec::new();
        if errors > 0 {
            totals.push(format!("{errors} error(s)"));
        }
        if warnings > 0 {
            totals.push(format!("{warnings} warning(s)"));
        }
        out.push_str(&format!(
            "{} in all, {} different\n",
            totals.join(" and "),
            groups.len()
        ));
    }
    out
}

/// `error: <message>` with the label styled.
pub(crate) fn error(message: &str) -> String {
    format!("{ERROR}error:{ERROR:#} {message}")
}

/// A line saying something finished, its first word styled (`built`, `created`, …).
pub(crate) fn done(word: &str, rest: &str) -> String {
    format!("{DONE}{word}{DONE:#}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_warnings_are_shown_once_with_a_count_unless_verbose() {
        let at = |line: usize| bindery::diagnostics::Location {
            path: "a.md".into(),
            line,
            column: 1,
        };
        let items: Vec<Diagnostic> = (1..=6)
            .map(|line| Diagnostic::warning("removed <font> tag").at(at(line)))
            .collect();
        let short = anstream::adapter::strip_str(&diagnostics(&items, false)).to_string();
        assert_eq!(short.matches("removed <font> tag").count(), 1, "{short}");
        assert!(
            short.contains(
                "  … and 5 more like this (at a.md:2, a.md:3, a.md:4, …); -v lists them all\n"
            ),
            "{short}"
        );
        assert!(
            short.ends_with("6 warning(s) in all, 1 different\n"),
            "{short}"
        );
        let long = anstream::adapter::strip_str(&diagnostics(&items, true)).to_string();
        assert_eq!(long.matches("removed <font> tag").count(), 6, "{long}");
        assert!(!long.contains("more like this"), "{long}");
    }

    #[test]
    fn diagnostics_keep_their_text_once_styles_are_stripped() {
        let d = Diagnostic::warning("unknown key").with_help("did you mean `title`?");
        let shown = anstream::adapter::strip_str(&diagnostic(&d)).to_string();
        assert_eq!(
            shown,
            "warning: unknown key\n  |\n  = help: did you mean `title`?\n"
        );
    }
}
