//! How messages look on a terminal: diagnostics with their source line, labels in colour.
//!
//! Styles are ANSI codes. Print the result through
//! `anstream`, which strips the styles when stderr is not a terminal, when `NO_COLOR` is set
//! (<https://no-color.org>), or when `CLICOLOR=0`, and keeps them with `CLICOLOR_FORCE`.

use anstyle::{AnsiColor, Style};

use crate::diagnostics::Diagnostic;
use crate::snippets::SnippetRenderer;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const DONE: Style = AnsiColor::Green.on_default().bold();

/// `diagnostic` drawn as cargo draws one: the message, an arrow to the place, the source
/// line underlined, the help (see `snippets.rs`), then a blank line.
pub fn diagnostic(diagnostic: &Diagnostic) -> String {
    format!("{}\n", SnippetRenderer::new(true).render(diagnostic))
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
