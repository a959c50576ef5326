//! How messages look on a terminal: the `error:`/`warning:`/`help:` labels in colour.
//!
//! The text is the same as [`Diagnostic`]'s `Display` (editors and CI log viewers parse that
//! shape); only ANSI styles are added around the labels. Print the result through
//! `anstream`, which strips the styles when stderr is not a terminal, when `NO_COLOR` is set
//! (<https://no-color.org>), or when `CLICOLOR=0`, and keeps them with `CLICOLOR_FORCE`.

use anstyle::{AnsiColor, Style};

use crate::diagnostics::{Diagnostic, Severity};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();
const DONE: Style = AnsiColor::Green.on_default().bold();

/// `diagnostic` as its `Display` gives it, with the severity and help labels styled.
pub fn diagnostic(diagnostic: &Diagnostic) -> String {
    let plain = diagnostic.to_string();
    let (label, style) = match diagnostic.severity {
        Severity::Error => ("error:", ERROR),
        Severity::Warning => ("warning:", WARNING),
    };
    // The first line holds `[place: ]label: message`; the place is a path and may itself
    // contain "error:", so the label is found right after it.
    let place_len = plain.find(&format!("{label} ")).unwrap_or(0);
    let (place, rest) = plain.split_at(place_len);
    let styled = match rest.strip_prefix(label) {
        Some(after) => format!("{place}{style}{label}{style:#}{after}"),
        None => plain.clone(),
    };
    styled.replace("\n  help:", &format!("\n  {HELP}help:{HELP:#}"))
}

/// `error: <message>` with the label styled.
pub fn error(message: &str) -> String {
    format!("{ERROR}error:{ERROR:#} {message}")
}

/// A line saying something finished, its first word styled (`built`, `created`, …).
pub fn done(word: &str, rest: &str) -> String {
    format!("{DONE}{word}{DONE:#}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Location;

    #[test]
    fn styles_only_the_labels_and_keeps_the_text() {
        let d = Diagnostic::warning("unknown key")
            .at(Location {
                path: "error: odd/essay.md".into(),
                line: 2,
                column: 1,
            })
            .with_help("did you mean `title`?");
        let styled = diagnostic(&d);
        assert_eq!(
            styled,
            "error: odd/essay.md:2:1: \u{1b}[1m\u{1b}[33mwarning:\u{1b}[0m unknown key\n  \u{1b}[1m\u{1b}[36mhelp:\u{1b}[0m did you mean `title`?"
        );
        let stripped = anstream::adapter::strip_str(&styled).to_string();
        assert_eq!(stripped, d.to_string());
    }
}
