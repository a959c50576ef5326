//! Stylesheets made safe to ship: the user's `css:` file and the CSS inside SVG drawings.
//!
//! CSS can load other files (`@import`, `url(…)`), and in old engines run code
//! (`expression()`, `behavior:`, `-moz-binding`). A pattern match on the text is easy to get
//! past: `u\72l(…)` is `url(…)` and `@\69mport` is `@import` once CSS escapes are decoded
//! (issue 10, item 4). So the text goes through `cssparser`, the tokenizer Servo and Firefox
//! use: every check runs on decoded tokens, and the output is written back from those tokens,
//! never copied from the input, so nothing the checks did not see can reach a reader.
//!
//! The walk is over *statements*: tokens up to a `;` or a `{…}` block, at each level of
//! nesting. That is what a rule, an at-rule and a declaration all are, so one rule serves
//! them all: a statement holding anything unsafe is dropped whole (a declaration, or a rule
//! with its block), with a finding that says why and where.
//!
//! - `@import` is dropped (bindery packages one stylesheet; the imported rules belong in it).
//! - `url(…)`, `src(…)` and `image-set(…)` targets: `#fragment` stays; a target with a scheme
//!   (`https:`, `javascript:`, `data:`, …) or `//host` is dropped; a relative path is a
//!   [`Reference`] the caller resolves (inside the book folder only) and rewrites through
//!   [`UrlFate`]. Inside an SVG every target but `#fragment` is dropped.
//! - `expression()`, `behavior`/`-ms-behavior`/`-moz-binding` and `@-moz-document` are dropped.
//! - Comments and `<!--`/`-->` are dropped; strings are written with `<` and `>` escaped, so
//!   the output can never contain `</style>` (it may be embedded in a `<style>` element).
//! - Nesting deeper than [`MAX_DEPTH`] blocks is dropped with a finding: the walk recurses
//!   once per block, so the depth is cut well before the stack could be at risk.

pub mod stylesheet;

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

use cssparser::{ParseError, Parser, ToCss, Token, TokenSerializationType};

use crate::diagnostics::{Diagnostic, Location};

/// Deepest nesting of `{}`, `()` and `[]` blocks kept. Real stylesheets nest a handful deep
/// (`@media` › `@supports` › rule › `calc(…)`); `cssparser` itself stops at 75.
pub const MAX_DEPTH: usize = 32;

/// Where the CSS comes from; it decides what a relative `url(…)` may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The user's stylesheet (`css:`): relative targets are book files to package.
    Stylesheet,
    /// An SVG `<style>` element or `style` attribute: the drawing must stand alone.
    Svg,
}

/// What to do with a relative `url(…)` target, decided by the caller after resolving it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlFate {
    /// Write this URL instead (the packaged file's path, relative to the stylesheet).
    Rewrite(String),
    /// Drop the declaration that uses it; the text says why, in the author's words.
    Drop(String),
}

/// A relative `url(…)` target in the stylesheet, as written (escapes decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub url: String,
    /// Byte offset of the token in the input, for messages.
    pub offset: usize,
}

/// Something the sanitizer removed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub message: String,
    pub help: Option<String>,
    /// Byte offset in the input where the removed statement's offending token starts.
    pub offset: usize,
}

impl Finding {
    /// A warning located in `text`, read from `path`.
    pub fn to_diagnostic(&self, path: &Path, text: &str) -> Diagnostic {
        let diagnostic =
            Diagnostic::warning(&self.message).at(Location::at_offset(path, text, self.offset));
        match &self.help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

/// The cleaned CSS, what was removed, and the relative targets it refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sanitized {
    pub css: String,
    pub findings: Vec<Finding>,
    /// Relative targets that `fates` did not decide, in order of appearance, each once.
    pub references: Vec<Reference>,
    /// How many statements were dropped, reported or not (inside an SVG, drops are quiet).
    pub dropped: usize,
}

/// Cleans a stylesheet (or a declaration list: a `style` attribute) — see the module docs.
/// A relative target found in `fates` is rewritten or dropped as it says; one not found is
/// kept as written and listed in [`Sanitized::references`], so a caller resolves them from a
/// first pass and calls again with the answers.
pub fn sanitize(css: &str, context: Context, fates: &HashMap<String, UrlFate>) -> Sanitized {
    let mut parser = Parser::new(css);
    let mut walker = Walker {
        context,
        fates,
        out: Sanitized::default(),
        cut_for_depth: false,
    };
    let mut css_out = String::with_capacity(css.len());
    walker.statements(&mut parser, 0, &mut css_out);
    walker.out.css = css_out;
    walker.out
}

struct Walker<'f> {
    context: Context,
    fates: &'f HashMap<String, UrlFate>,
    out: Sanitized,
    /// A block was cut for depth; every enclosing rule goes too, up to the top level.
    cut_for_depth: bool,
}

/// The tokens of one statement, written out as they are checked.
#[derive(Default)]
struct Statement {
    text: String,
    last: Option<TokenSerializationType>,
    /// Significant (non-whitespace) tokens seen so far at the statement's own level.
    significant: usize,
    /// The first token was this identifier: a declaration's property, once a `:` follows.
    first_ident: Option<String>,
    property: Option<String>,
    at_rule: Option<String>,
    dropped: bool,
}

impl Statement {
    fn write(&mut self, token: &Token<'_>) {
        let kind = token.serialization_type();
        if let Some(last) = self.last
            && last.needs_separator_when_before(kind)
        {
            self.text.push_str("/**/");
        }
        match token {
            Token::QuotedString(value) => write_string(&mut self.text, value),
            _ => {
                // `<` followed by `/` or `!` could spell `</style>` or `<!--`: keep them apart.
                let mut piece = String::new();
                let _ = token.to_css(&mut piece);
                if self.text.ends_with('<') && piece.starts_with(['/', '!']) {
                    self.text.push(' ');
                }
                self.text.push_str(&piece);
            }
        }
        self.last = Some(kind);
    }

    fn write_raw(&mut self, text: &str, kind: TokenSerializationType) {
        self.text.push_str(text);
        self.last = Some(kind);
    }
}

/// How a statement ended.
enum End {
    Semicolon,
    Block(String),
    Input,
}

/// The enclosing function, which decides whether a string in it is a URL.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Enclosing {
    None,
    Url,
    ImageSet,
    Other,
}

impl Walker<'_> {
    /// Statements until the end of `parser`'s input (the whole sheet, or one `{}` block).
    fn statements(&mut self, parser: &mut Parser<'_>, depth: usize, out: &mut String) {
        loop {
            let mut statement = Statement::default();
            let end = self.one_statement(parser, depth, &mut statement);
            let at_end = matches!(end, End::Input);
            if depth == 0 {
                self.cut_for_depth = false;
            }
            if statement.dropped {
                self.out.dropped += 1;
            } else {
                match end {
                    // `;;` and whitespace between rules: nothing to keep.
                    End::Semicolon if statement.significant == 0 => {}
                    End::Semicolon => {
                        out.push_str(&statement.text);
                        out.push(';');
                    }
                    End::Block(inner) => {
                        out.push_str(&statement.text);
                        out.push('{');
                        out.push_str(&inner);
                        out.push('}');
                    }
                    End::Input => out.push_str(&statement.text),
                }
            }
            if at_end {
                return;
            }
        }
    }

    fn one_statement(
        &mut self,
        parser: &mut Parser<'_>,
        depth: usize,
        statement: &mut Statement,
    ) -> End {
        loop {
            let offset = parser.position().byte_index();
            let token = match parser.next_including_whitespace_and_comments() {
                Ok(token) => token.clone(),
                Err(_) => return End::Input,
            };
            match token {
                Token::Semicolon => return End::Semicolon,
                Token::CurlyBracketBlock => {
                    let mut inner = String::new();
                    let dropped_before = self.out.dropped;
                    if depth + 1 > MAX_DEPTH {
                        self.drop_too_deep(statement, offset);
                    } else {
                        let _ = parser.parse_nested_block(|nested| {
                            self.statements(nested, depth + 1, &mut inner);
                            Ok::<(), ParseError<()>>(())
                        });
                    }
                    // An `@font-face` that lost a declaration (its `src`, most likely) names
                    // no usable font; epubcheck flags one left empty.
                    if statement.at_rule.as_deref() == Some("font-face")
                        && self.out.dropped > dropped_before
                    {
                        statement.dropped = true;
                    }
                    // A rule holding a block cut for depth goes whole: what is left of it
                    // would be half a rule.
                    if self.cut_for_depth {
                        statement.dropped = true;
                        if depth == 0 {
                            self.cut_for_depth = false;
                        }
                    }
                    return End::Block(inner);
                }
                Token::CloseCurlyBracket => {
                    // A stray `}` at the top level closes nothing; writing it back could
                    // change how the next rule is read.
                }
                token => self.component(parser, depth, statement, &token, offset, Enclosing::None),
            }
        }
    }

    /// One component value of a statement: a token, or a function or block with its contents.
    fn component(
        &mut self,
        parser: &mut Parser<'_>,
        depth: usize,
        statement: &mut Statement,
        token: &Token<'_>,
        offset: usize,
        enclosing: Enclosing,
    ) {
        let top = enclosing == Enclosing::None;
        let significant = !matches!(token, Token::WhiteSpace(_) | Token::Comment(_));
        if top && significant {
            statement.significant += 1;
            self.note_statement_shape(statement, token, offset);
        }
        // Inside `url(…)` only a string is an address; anything else is a trick or a mistake.
        if enclosing == Enclosing::Url
            && !matches!(
                token,
                Token::WhiteSpace(_) | Token::Comment(_) | Token::QuotedString(_)
            )
        {
            self.drop(
                statement,
                offset,
                "a `url(…)` holding something other than one address was dropped",
                None,
            );
        }
        match token {
            Token::Comment(_) | Token::CDO | Token::CDC => {}
            Token::UnquotedUrl(url) => self.url(statement, url, offset, true),
            Token::QuotedString(value)
                if matches!(enclosing, Enclosing::Url | Enclosing::ImageSet)
                    || (top && statement.at_rule.as_deref() == Some("import")) =>
            {
                self.url(statement, value, offset, false);
            }
            Token::BadUrl(_) | Token::BadString(_) => self.drop(
                statement,
                offset,
                "a malformed `url(…)` or a string that is not closed was dropped",
                Some("close the quote, and quote an address holding spaces or parentheses: url(\"…\")"),
            ),
            Token::Function(name) => self.function(parser, depth, statement, token, name, offset),
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                statement.write(token);
                let inner = if enclosing == Enclosing::ImageSet {
                    Enclosing::ImageSet
                } else {
                    Enclosing::Other
                };
                self.nested(parser, depth, statement, offset, inner);
                let close = match token {
                    Token::ParenthesisBlock => ")",
                    Token::SquareBracketBlock => "]",
                    _ => "}",
                };
                statement.write_raw(close, TokenSerializationType::Nothing);
            }
            // Unmatched closing tokens inside a block close nothing; leave them out.
            Token::CloseParenthesis | Token::CloseSquareBracket | Token::CloseCurlyBracket => {}
            _ => statement.write(token),
        }
    }

    /// A function (`url(`, `image-set(`, `calc(`…) and its arguments; `expression(` is dropped.
    fn function(
        &mut self,
        parser: &mut Parser<'_>,
        depth: usize,
        statement: &mut Statement,
        token: &Token<'_>,
        name: &str,
        offset: usize,
    ) {
        let name = name.to_ascii_lowercase();
        if name == "expression" {
            self.drop(
                statement,
                offset,
                "`expression(…)` (script in old Internet Explorer) was dropped",
                None,
            );
        }
        let inner = match name.as_str() {
            "url" | "src" => Enclosing::Url,
            "image-set" | "-webkit-image-set" | "image" => Enclosing::ImageSet,
            _ => Enclosing::Other,
        };
        statement.write(token);
        self.nested(parser, depth, statement, offset, inner);
        statement.write_raw(")", TokenSerializationType::Nothing);
    }

    fn nested(
        &mut self,
        parser: &mut Parser<'_>,
        depth: usize,
        statement: &mut Statement,
        offset: usize,
        enclosing: Enclosing,
    ) {
        if depth + 1 > MAX_DEPTH {
            self.drop_too_deep(statement, offset);
            return;
        }
        let _ = parser.parse_nested_block(|nested| {
            loop {
                let offset = nested.position().byte_index();
                let token = match nested.next_including_whitespace_and_comments() {
                    Ok(token) => token.clone(),
                    Err(_) => break,
                };
                self.component(nested, depth + 1, statement, &token, offset, enclosing);
            }
            Ok::<(), ParseError<()>>(())
        });
    }

    /// Records what kind of statement this is from its first tokens, and drops the ones
    /// whose kind alone makes them unsafe.
    fn note_statement_shape(
        &mut self,
        statement: &mut Statement,
        token: &Token<'_>,
        offset: usize,
    ) {
        match (statement.significant, token) {
            (1, Token::Ident(name)) => statement.first_ident = Some(name.to_ascii_lowercase()),
            (1, Token::AtKeyword(name)) => {
                let name = name.to_ascii_lowercase();
                match name.as_str() {
                    "import" => self.drop(
                        statement,
                        offset,
                        "`@import` was dropped: bindery packages one stylesheet",
                        Some("paste the imported rules into this stylesheet"),
                    ),
                    // The EPUB's CSS is UTF-8 whatever this says.
                    "charset" => statement.dropped = true,
                    "-moz-document" | "document" => self.drop(
                        statement,
                        offset,
                        "`@-moz-document` (rules for other web pages) was dropped",
                        None,
                    ),
                    _ => {}
                }
                statement.at_rule = Some(name);
            }
            (2, Token::Colon) => {
                statement.property = statement.first_ident.take();
                if let Some(property) = &statement.property
                    && matches!(
                        property.as_str(),
                        "behavior" | "-ms-behavior" | "-moz-binding" | "binding"
                    )
                {
                    let message = format!(
                        "the `{property}` property (code that runs in the reading system) was dropped"
                    );
                    self.drop(statement, offset, &message, None);
                }
            }
            _ => {}
        }
    }

    /// A `url(…)` target (`wrap`: an unquoted `url(…)` token), or a string standing for one.
    fn url(&mut self, statement: &mut Statement, url: &str, offset: usize, wrap: bool) {
        if statement.dropped {
            return;
        }
        let target = url.trim();
        // `@namespace svg url(http://www.w3.org/2000/svg)` names a namespace; nothing loads.
        if statement.at_rule.as_deref() == Some("namespace") {
            write_url(statement, target, wrap);
            return;
        }
        if target.is_empty() || target.starts_with('#') {
            write_url(statement, target, wrap);
            return;
        }
        if let Some(scheme) = crate::xhtml::url_scheme(target) {
            let (message, help) = if scheme == "data" {
                (
                    "a `data:` URL in the stylesheet was dropped".to_string(),
                    "save the file into the book folder and refer to it by its path",
                )
            } else {
                (
                    format!(
                        "`{}` points outside the book and was dropped",
                        shorten(target)
                    ),
                    "an EPUB must carry everything it shows: put the file in the book folder and refer to it by its path",
                )
            };
            self.drop(statement, offset, &message, Some(help));
            return;
        }
        if target.starts_with("//") || target.starts_with('\\') {
            let message = format!(
                "`{}` points outside the book and was dropped",
                shorten(target)
            );
            self.drop(
                statement,
                offset,
                &message,
                Some("put the file in the book folder and refer to it by its path"),
            );
            return;
        }
        if self.context == Context::Svg {
            // An SVG is an image of its own; it may not load other files.
            statement.dropped = true;
            return;
        }
        match self.fates.get(target) {
            Some(UrlFate::Rewrite(new)) => write_url(statement, new, wrap),
            Some(UrlFate::Drop(why)) => {
                let why = why.clone();
                self.drop(statement, offset, &why, None);
            }
            None => {
                if !self.out.references.iter().any(|r| r.url == target) {
                    self.out.references.push(Reference {
                        url: target.to_string(),
                        offset,
                    });
                }
                write_url(statement, target, wrap);
            }
        }
    }

    /// Drops the statement; only the first reason for it is reported.
    fn drop(
        &mut self,
        statement: &mut Statement,
        offset: usize,
        message: &str,
        help: Option<&str>,
    ) {
        if statement.dropped {
            return;
        }
        statement.dropped = true;
        self.out.findings.push(Finding {
            message: message.to_string(),
            help: help.map(str::to_string),
            offset,
        });
    }

    fn drop_too_deep(&mut self, statement: &mut Statement, offset: usize) {
        self.cut_for_depth = true;
        let message = format!("blocks nested more than {MAX_DEPTH} deep were dropped");
        self.drop(statement, offset, &message, None);
    }
}

/// `url("…")` (or the bare string inside `url(…)`), escaped like every string written.
fn write_url(statement: &mut Statement, url: &str, wrap: bool) {
    let mut text = String::from(if wrap { "url(" } else { "" });
    write_string(&mut text, url);
    if wrap {
        text.push(')');
    }
    statement.write_raw(&text, TokenSerializationType::Nothing);
}

/// A double-quoted CSS string. Besides what CSS needs escaped (`"`, `\`, line breaks,
/// controls), `<`, `>` and `&` are escaped too: the string may end up inside an XML element.
fn write_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' | '<' | '>' | '&' | '\u{0}'..='\u{1f}' | '\u{7f}' => {
                let _ = write!(out, "\\{:x} ", u32::from(c));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

fn shorten(url: &str) -> String {
    if url.chars().count() <= 60 {
        url.to_string()
    } else {
        let head: String = url.chars().take(57).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(css: &str) -> Sanitized {
        sanitize(css, Context::Stylesheet, &HashMap::new())
    }

    fn svg(css: &str) -> String {
        sanitize(css, Context::Svg, &HashMap::new()).css
    }

    #[test]
    fn ordinary_css_comes_back_unchanged() {
        let css = "@media (min-width: 30em) {\n  p.lead > em { color: #c00; margin: 0 auto 1.5em; }\n}\n\
                   h1::before { content: \"§ \"; }\n@font-face { font-family: X; src: url(\"#f\"); }\n";
        let out = clean(css);
        assert_eq!(out.css, css);
        assert!(out.findings.is_empty());
    }

    #[test]
    fn escapes_are_decoded_before_the_checks() {
        let out = clean(
            "@\\69mport 'https://evil.example/x.css';\np { background: u\\72l(https://evil.example/t.png); color: red }",
        );
        assert_eq!(out.css, "\np { color: red }");
        assert_eq!(out.findings.len(), 2);
        assert!(out.findings[0].message.contains("@import"));
        assert!(
            out.findings[1]
                .message
                .contains("https://evil.example/t.png")
        );
    }

    #[test]
    fn script_hooks_are_dropped() {
        let out = clean(
            "a { width: expression(alert(1)); behavior: url(x.htc); -moz-binding: url(x.xml#b); b\\65havior: url(y.htc); color: blue }",
        );
        assert_eq!(out.css, "a { color: blue }");
        assert_eq!(out.findings.len(), 4);
        assert!(out.references.is_empty());
    }

    #[test]
    fn style_closing_tags_cannot_be_spelled() {
        let out = svg("text { font-family: \"</style><script>alert(1)</script>\" } a</style>{}");
        assert!(!out.contains("</"), "{out}");
        let out = svg("p { x: 1 }<!-- --></style>");
        assert!(!out.contains("</") && !out.contains("<!--"), "{out}");
    }

    #[test]
    fn relative_targets_are_reported_then_rewritten_or_dropped() {
        let css = "@font-face { font-family: B; src: url(fonts/b.woff2) format(\"woff2\"); }\n\
                   body { background: url('img/paper.png') }\n.x { cursor: url(x.txt), auto }";
        let first = clean(css);
        let urls: Vec<&str> = first.references.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["fonts/b.woff2", "img/paper.png", "x.txt"]);
        let fates = HashMap::from([
            (
                "fonts/b.woff2".to_string(),
                UrlFate::Rewrite("../fonts/1.woff2".into()),
            ),
            (
                "img/paper.png".to_string(),
                UrlFate::Rewrite("../images/2.png".into()),
            ),
            (
                "x.txt".to_string(),
                UrlFate::Drop("not a font or image".into()),
            ),
        ]);
        let second = sanitize(css, Context::Stylesheet, &fates);
        assert_eq!(
            second.css,
            "@font-face { font-family: B; src: url(\"../fonts/1.woff2\") format(\"woff2\"); }\n\
             body { background: url(\"../images/2.png\") }\n.x {}"
        );
        assert!(second.references.is_empty());
        assert_eq!(second.findings.len(), 1);
    }

    #[test]
    fn svg_css_keeps_only_fragments() {
        assert_eq!(
            svg("fill: url(#g); stroke: url(other.svg#g); filter: url( 'http://x/y' )"),
            "fill: url(\"#g\");"
        );
    }

    #[test]
    fn deep_nesting_is_cut_not_recursed() {
        let deep = format!("{}x{}", "a{".repeat(100_000), "}".repeat(100_000));
        let out = clean(&format!("{deep} p {{ color: red }}"));
        assert_eq!(out.css, " p { color: red }");
        assert_eq!(out.findings.len(), 1);
        let parens = format!(
            "a {{ width: {}1{} }}",
            "calc(".repeat(50_000),
            ")".repeat(50_000)
        );
        assert_eq!(clean(&parens).findings.len(), 1);
    }

    #[test]
    fn namespaces_are_names_not_files() {
        let out = clean("@namespace epub url(http://www.idpf.org/2007/ops);\n");
        assert_eq!(
            out.css,
            "@namespace epub url(\"http://www.idpf.org/2007/ops\");\n"
        );
        assert!(out.findings.is_empty() && out.references.is_empty());
    }

    #[test]
    fn an_escaped_url_function_is_still_a_url() {
        for css in [
            "p { background: \\75rl(https://e.example/a) }",
            "p { background: \\75 rl(https://e.example/a) }",
            "p { background: u\\rl(https://e.example/a) }",
            "p { background: \\55\\52\\4c(https://e.example/a) }",
            "p { background: url(\\68ttps://e.example/a) }",
        ] {
            let out = clean(css);
            assert!(!out.css.contains("e.example"), "{css} gave {}", out.css);
            assert_eq!(out.findings.len(), 1, "{css}");
        }
    }
}
