//! Any HTML in, a well-formed, safe, EPUB-valid XHTML tree out.
//!
//! Markdown lets authors write raw HTML, and pulldown-cmark passes it through verbatim, so the
//! HTML this module receives can be anything: unclosed tags, scripts, forms, `<center>`, a `<div>`
//! inside a `<span>`. Reading systems are strict XML parsers and epubcheck validates against the
//! EPUB 3 XHTML schema, so "what a browser would tolerate" is not good enough.
//!
//! The work happens in three passes, each simple on its own:
//!
//! 1. **Parse and filter** (`Filter`): html5ever parses the fragment exactly as a browser
//!    would (in a `<body>` context), which settles well-formedness and resolves entities. The
//!    parser's tree is converted into our own [`Node`] tree, keeping only an allowlist of
//!    elements and attributes. Dangerous elements go with their content; unknown or obsolete
//!    ones are unwrapped (their content kept). URLs with script-capable or local schemes are
//!    removed. The Markdown stage's `data-bindery-origin` attribute becomes [`Element::origin`].
//! 2. **Repair the content model** (`Repair`): the HTML parser accepts nestings the schema
//!    rejects (`<li>` outside a list, a `<div>` inside a `<span>`, a link inside a link, a
//!    `<figcaption>` in the middle of a figure). Each class of problem is fixed by one general
//!    rule — rename, unwrap or wrap — rather than per example; the rules were found by running
//!    epubcheck over the CommonMark spec and pulldown-cmark's test suite (see `tests/corpus/`).
//! 3. **Make ids unique**: later duplicates are renamed, never dropped, so every heading keeps
//!    an anchor for the table of contents.
//!
//! Everything taken out or rewritten is listed in [`Sanitized::removed`], with the Markdown
//! offset of the nearest element that has one, so the build can warn the author precisely.

pub mod dom;
pub mod nesting;

use std::collections::HashSet;

use html5ever::tendril::TendrilSink;
use html5ever::tree_builder::TreeBuilderOpts;
use html5ever::{ParseOpts, QualName, local_name, ns, parse_fragment};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use crate::xhtml::dom::{Element, Node, VOID_ELEMENTS};

/// The attribute through which the Markdown stage tells us where an element came from.
pub const ORIGIN_ATTRIBUTE: &str = "data-bindery-origin";

/// Elements nested deeper than this are flattened to their text. Real books never get close;
/// the limit keeps the recursive passes (and reading systems) safe from pathological input
/// such as thousands of nested block quotes.
pub const MAX_DEPTH: usize = 100;

/// How a [`Removed`] entry for tags cut by [`nesting::bound`] begins.
pub const NESTING_CUT: &str = "tags nested more than";

/// The cleaned fragment and what was changed to get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    pub nodes: Vec<Node>,
    pub removed: Vec<Removed>,
}

/// Something taken out or rewritten, so the build can warn the author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// What it was, e.g. `<script> element`, `onclick attribute`, `javascript: link`.
    pub what: String,
    /// Byte offset in the Markdown source of the nearest element (itself or an ancestor)
    /// that carried one.
    pub origin: Option<usize>,
}

/// Cleans an HTML fragment into nodes that serialize (with [`crate::xhtml::dom::write_xhtml`]) to
/// well-formed, valid EPUB 3 XHTML body content, whatever the input.
pub fn sanitize(html: &str) -> Sanitized {
    // Nesting is bounded before the parse, which is quadratic in it (see `nesting.rs`).
    let bounded = nesting::bound(html);
    let mut removed: Vec<Removed> = bounded
        .cuts
        .into_iter()
        .map(|(name, origin)| Removed {
            what: format!(
                "{NESTING_CUT} {} levels deep (from a <{name}> on; their text is kept)",
                nesting::MAX_NESTING
            ),
            origin,
        })
        .collect();
    let mut nodes = Vec::new();
    for piece in bounded.pieces {
        // One piece's parser tree at a time: it is several times the size of its text.
        let dom = parse(&bounded.html[piece]);
        // A fragment parse puts the content under a synthetic `<html>` root element.
        let document_children = dom.document.children.borrow();
        if let Some(root) = document_children.first() {
            let filtered = Filter {
                removed: &mut removed,
            }
            .children(root, 0, None);
            append_nodes(&mut nodes, filtered);
        }
    }

    Repair {
        removed: &mut removed,
    }
    .children(&mut nodes, "body", Context::FLOW);
    make_ids_unique(&mut nodes, &mut removed);

    Sanitized { nodes, removed }
}

fn parse(html: &str) -> RcDom {
    let context = QualName::new(None, ns!(html), local_name!("body"));
    // Scripting "disabled" makes the parser read `<noscript>` content as markup, the way a
    // reading system without JavaScript would; that content is kept (see `Filter::element`).
    let options = ParseOpts {
        tree_builder: TreeBuilderOpts {
            scripting_enabled: false,
            ..TreeBuilderOpts::default()
        },
        ..ParseOpts::default()
    };
    parse_fragment(RcDom::default(), options, context, Vec::new(), false).one(html)
}

// ---------------------------------------------------------------------------------------------
// Pass 1: parse tree -> our tree, through the element and attribute allowlists.

/// What to do with an HTML element found in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Disposition {
    Keep,
    /// Remove the element and everything in it: it runs code, embeds remote or interactive
    /// content, or only makes sense in `<head>`.
    Drop,
    /// Keep the content, lose the tag: unknown, obsolete or purely presentational.
    Unwrap,
}

/// Elements allowed in the body of an EPUB 3 XHTML document that we keep.
const KEPT_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "main",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements removed together with their content.
const DROPPED_ELEMENTS: &[&str] = &[
    // Code and styling.
    "script", "style", "template", "slot", // Embedded and remote content.
    "iframe", "frame", "frameset", "noframes", "object", "embed", "applet", "param", "audio",
    "video", "source", "track", "canvas", "area", "portal",
    // Forms and their controls.
    "form", "input", "button", "select", "textarea", "option", "optgroup", "datalist", "output",
    "keygen", // Head-only elements.
    "head", "title", "meta", "link", "base",
];

fn disposition(name: &str) -> Disposition {
    if KEPT_ELEMENTS.contains(&name) {
        Disposition::Keep
    } else if DROPPED_ELEMENTS.contains(&name) {
        Disposition::Drop
    } else {
        Disposition::Unwrap
    }
}

/// Elements whose content is phrasing content (text-level markup only).
const PHRASING_ELEMENTS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
    "ins", "kbd", "mark", "q", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr",
];

fn is_phrasing(name: &str) -> bool {
    PHRASING_ELEMENTS.contains(&name)
}

/// Elements that take the content model of their parent.
fn is_transparent(name: &str) -> bool {
    matches!(name, "a" | "ins" | "del")
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn is_sectioning(name: &str) -> bool {
    matches!(name, "article" | "aside" | "nav" | "section")
}

struct Filter<'a> {
    removed: &'a mut Vec<Removed>,
}

impl Filter<'_> {
    fn report(&mut self, what: impl Into<String>, origin: Option<usize>) {
        self.removed.push(Removed {
            what: what.into(),
            origin,
        });
    }

    fn children(&mut self, parent: &Handle, depth: usize, origin: Option<usize>) -> Vec<Node> {
        let mut out = Vec::new();
        for child in parent.children.borrow().iter() {
            match &child.data {
                NodeData::Text { contents } => push_text(&mut out, &contents.borrow()),
                NodeData::Element { name, attrs, .. } => {
                    self.element(child, name, &attrs.borrow(), depth, origin, &mut out)
                }
                // Comments are the author's notes to themselves; the rest cannot occur in a
                // fragment.
                NodeData::Comment { .. }
                | NodeData::ProcessingInstruction { .. }
                | NodeData::Doctype { .. }
                | NodeData::Document => {}
            }
        }
        out
    }

    fn element(
        &mut self,
        handle: &Handle,
        name: &QualName,
        attrs: &[html5ever::Attribute],
        depth: usize,
        inherited_origin: Option<usize>,
        out: &mut Vec<Node>,
    ) {
        let origin = origin_of(attrs).or(inherited_origin);
        let local: &str = &name.local;
        if name.ns == ns!(mathml) && local == "math" {
            // Formulas keep their presentation MathML, vetted by its own vocabulary.
            let math =
                crate::markdown::mathml::filter_math(handle, attrs, depth, origin, self.removed);
            out.push(Node::Element(math));
            return;
        }
        if name.ns != ns!(html) {
            // `<svg>` subtrees (and anything else not HTML or MathML): their namespaces are not
            // declared in our documents, and their content (scripts, remote references) is
            // beyond what we can vet.
            self.report(
                format!("<{local}> element{}", lost_content(local, handle)),
                origin,
            );
            return;
        }
        if local == "noscript" {
            // An EPUB runs no scripts, so what a page shows without them is the content;
            // nothing is lost, so nothing is reported.
            let children = self.children(handle, depth, origin);
            append_nodes(out, children);
            return;
        }
        match disposition(local) {
            Disposition::Drop => {
                if let Some(mark) = checkbox_mark(local, attrs) {
                    // Task-list items: keep the state visible as a character.
                    self.report(format!("checkbox <input> (shown as {mark})"), origin);
                    push_text(out, mark);
                } else {
                    self.report(
                        format!("<{local}> element{}", lost_content(local, handle)),
                        origin,
                    );
                }
            }
            Disposition::Unwrap => {
                self.report(format!("<{local}> tag (its content is kept)"), origin);
                let children = self.children(handle, depth, origin);
                append_nodes(out, children);
            }
            Disposition::Keep if depth >= MAX_DEPTH => {
                self.report(
                    format!("<{local}> element nested more than {MAX_DEPTH} levels deep (only its text is kept)"),
                    origin,
                );
                push_text(out, &text_of_subtree(handle));
            }
            Disposition::Keep => {
                let mut element = Element::new(local);
                element.origin = origin_of(attrs);
                element.attrs = self.attributes(local, attrs, origin);
                element.children = self.children(handle, depth + 1, origin);
                if local == "img" && element.attr("src").is_none() {
                    self.report(
                        "<img> without a usable source (its alt text is kept)",
                        origin,
                    );
                    push_text(out, element.attr("alt").unwrap_or_default());
                } else if local == "data" && element.attr("value").is_none() {
                    self.report("<data> without a value (its content is kept)", origin);
                    append_nodes(out, element.children);
                } else {
                    out.push(Node::Element(element));
                }
            }
        }
    }

    fn attributes(
        &mut self,
        element: &str,
        attrs: &[html5ever::Attribute],
        origin: Option<usize>,
    ) -> Vec<(String, String)> {
        let mut kept: Vec<(String, String)> = Vec::new();
        let mut extra_classes = Vec::new();
        for attr in attrs {
            // On HTML elements the parser leaves every attribute in no namespace, with the
            // name as written (lower-cased), `epub:type` and `xml:lang` included.
            if !attr.name.ns.is_empty() {
                continue;
            }
            let name: &str = &attr.name.local;
            let value: &str = &attr.value;
            if name == ORIGIN_ATTRIBUTE {
                continue;
            }
            if element == "a" && name == "name" {
                // `<a name="x">`, the old way to make a link target: it becomes the id, so
                // links to `#x` still land (an `id` written too wins).
                if !attrs.iter().any(|a| &*a.name.local == "id") {
                    match check_attribute(element, "id", value) {
                        Verdict::Keep(id) => kept.push(("id".into(), id)),
                        _ => self.report(
                            format!(
                                "name=\"{value}\" attribute on <a> (not usable as a link target)"
                            ),
                            origin,
                        ),
                    }
                }
                continue;
            }
            match check_attribute(element, name, value) {
                Verdict::Keep(value) => {
                    if name == "lang" {
                        kept.push(("lang".into(), value.clone()));
                        kept.push(("xml:lang".into(), value));
                    } else {
                        kept.push((name.to_string(), value));
                    }
                }
                Verdict::AddClass(class) => extra_classes.push(class),
                Verdict::Remove(what) => self.report(what, origin),
            }
        }
        if !extra_classes.is_empty() {
            let class = match kept.iter().position(|(n, _)| n == "class") {
                Some(index) => kept.remove(index).1,
                None => String::new(),
            };
            let merged = std::iter::once(class.as_str())
                .chain(extra_classes.iter().map(String::as_str))
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            kept.push(("class".into(), merged));
        }
        kept
    }
}

fn origin_of(attrs: &[html5ever::Attribute]) -> Option<usize> {
    attrs
        .iter()
        .find(|a| a.name.ns.is_empty() && &*a.name.local == ORIGIN_ATTRIBUTE)
        .and_then(|a| a.value.trim().parse().ok())
}

/// `☑`/`☐` for a task-list checkbox, `None` for any other element.
fn checkbox_mark(element: &str, attrs: &[html5ever::Attribute]) -> Option<&'static str> {
    let has = |wanted: &str| attrs.iter().find(|a| &*a.name.local == wanted);
    let is_checkbox =
        element == "input" && has("type").is_some_and(|t| t.value.eq_ignore_ascii_case("checkbox"));
    is_checkbox.then(|| {
        if has("checked").is_some() {
            "☑"
        } else {
            "☐"
        }
    })
}

/// What a reader loses with the removed element `handle`: ` with its content: 12 words
/// ("First words …"), 1 image (a.png)`, or nothing for an element that holds only code or
/// whitespace. Gathered without recursion.
fn lost_content(name: &str, handle: &Handle) -> String {
    if matches!(name, "script" | "style" | "template") {
        return String::new();
    }
    let mut words: Vec<String> = Vec::new();
    let mut word_count = 0usize;
    let mut images: Vec<String> = Vec::new();
    let mut image_count = 0usize;
    let mut stack = vec![handle.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => {
                for word in contents.borrow().split_whitespace() {
                    word_count += 1;
                    if words.len() < 6 {
                        words.push(word.to_string());
                    }
                }
            }
            NodeData::Element { name, attrs, .. } => {
                if matches!(&*name.local, "script" | "style") {
                    continue;
                }
                if matches!(&*name.local, "img" | "image") {
                    image_count += 1;
                    let source = attrs.borrow().iter().find_map(|a| {
                        matches!(&*a.name.local, "src" | "href").then(|| a.value.to_string())
                    });
                    if images.len() < 3
                        && let Some(source) = source
                    {
                        images.push(source);
                    }
                }
                stack.extend(node.children.borrow().iter().rev().cloned());
            }
            _ => {}
        }
    }
    let mut parts = Vec::new();
    if word_count > 0 {
        let more = if word_count > words.len() { " …" } else { "" };
        let plural = if word_count == 1 { "" } else { "s" };
        parts.push(format!(
            "{word_count} word{plural} of text (“{}{more}”)",
            words.join(" ")
        ));
    }
    if image_count > 0 {
        let plural = if image_count == 1 { "" } else { "s" };
        let more = if image_count > images.len() {
            ", …"
        } else {
            ""
        };
        parts.push(format!(
            "{image_count} image{plural} ({}{more})",
            images.join(", ")
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" with its content: {}", parts.join(", "))
    }
}

/// The text a reader would see in `handle`'s subtree, gathered without recursion (the
/// subtree may be arbitrarily deep).
fn text_of_subtree(handle: &Handle) -> String {
    let mut text = String::new();
    let mut stack = vec![handle.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => text.push_str(&contents.borrow()),
            NodeData::Element { name, .. }
                if name.ns != ns!(html) || disposition(&name.local) == Disposition::Drop => {}
            _ => stack.extend(node.children.borrow().iter().rev().cloned()),
        }
    }
    text
}

fn push_text(out: &mut Vec<Node>, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(text),
        _ => out.push(Node::Text(text.to_string())),
    }
}

fn append_nodes(out: &mut Vec<Node>, nodes: Vec<Node>) {
    for node in nodes {
        match node {
            Node::Text(text) => push_text(out, &text),
            element => out.push(element),
        }
    }
}

enum Verdict {
    Keep(String),
    /// The attribute becomes a class (table cell alignment).
    AddClass(String),
    /// Dropped; the text says what, for the author.
    Remove(String),
}

fn check_attribute(element: &str, name: &str, value: &str) -> Verdict {
    let keep = || Verdict::Keep(value.to_string());
    let invalid = || {
        Verdict::Remove(format!(
            "{name}=\"{value}\" attribute on <{element}> (invalid value)"
        ))
    };
    let verdict_if = |ok: bool| if ok { keep() } else { invalid() };
    match name {
        _ if name.starts_with("on") => Verdict::Remove(format!("{name} attribute")),
        "style" => match (element, table_cell_alignment(value)) {
            ("td" | "th", Some(align)) => Verdict::AddClass(format!("align-{align}")),
            _ => Verdict::Remove("style attribute".into()),
        },
        "id" => verdict_if(!value.is_empty() && !value.chars().any(char::is_whitespace)),
        "class" | "title" => keep(),
        "lang" => verdict_if(value.is_empty() || crate::script::is_well_formed_language_tag(value)),
        "dir" => verdict_if(matches!(value, "ltr" | "rtl" | "auto")),
        "epub:type" => verdict_if(!value.trim().is_empty()),
        "role" => verdict_if(
            value
                .split_ascii_whitespace()
                .next()
                .is_some_and(is_known_role),
        ),
        "aria-label"
        | "aria-labelledby"
        | "aria-describedby"
        | "aria-details"
        | "aria-roledescription" => keep(),
        "aria-hidden" => verdict_if(matches!(value, "true" | "false")),
        _ if name.starts_with("data-") => {
            if name.len() > "data-".len() && is_xml_ncname(name) {
                keep()
            } else {
                Verdict::Remove(format!("{name} attribute (not a valid XML name)"))
            }
        }
        "href" if element == "a" => url_verdict(name, value),
        "src" if element == "img" => url_verdict(name, value),
        "cite" if matches!(element, "q" | "blockquote" | "del" | "ins") => url_verdict(name, value),
        "hreflang" if element == "a" => {
            verdict_if(crate::script::is_well_formed_language_tag(value))
        }
        "alt" if element == "img" => keep(),
        "width" | "height" if element == "img" => verdict_if(is_digits(value)),
        "start" if element == "ol" => verdict_if(is_integer(value)),
        "reversed" if element == "ol" => Verdict::Keep("reversed".into()),
        "type" if element == "ol" => verdict_if(matches!(value, "1" | "a" | "A" | "i" | "I")),
        "value" if element == "li" => verdict_if(is_integer(value)),
        "value" if element == "data" => keep(),
        "colspan" | "rowspan" if matches!(element, "td" | "th") => {
            verdict_if(is_positive_integer(value))
        }
        "scope" if element == "th" => {
            verdict_if(matches!(value, "row" | "col" | "rowgroup" | "colgroup"))
        }
        "span" if matches!(element, "col" | "colgroup") => verdict_if(is_positive_integer(value)),
        "datetime" if matches!(element, "time" | "del" | "ins") => verdict_if(is_datetime(value)),
        "open" if element == "details" => Verdict::Keep("open".into()),
        _ => Verdict::Remove(format!("{name} attribute on <{element}>")),
    }
}

/// `left`, `center` or `right` from pulldown-cmark's `text-align: …` cell style.
fn table_cell_alignment(style: &str) -> Option<&'static str> {
    let (property, value) = style.trim().trim_end_matches(';').split_once(':')?;
    if !property.trim().eq_ignore_ascii_case("text-align") {
        return None;
    }
    ["left", "center", "right"]
        .into_iter()
        .find(|align| value.trim().eq_ignore_ascii_case(align))
}

fn url_verdict(name: &str, value: &str) -> Verdict {
    match clean_url(value) {
        Ok(url) => Verdict::Keep(url),
        Err(UrlProblem::Forbidden(scheme)) => Verdict::Remove(match name {
            "href" => format!("{scheme}: link"),
            "src" => format!("{scheme}: image source"),
            _ => format!("{scheme}: URL in {name} attribute"),
        }),
        Err(UrlProblem::Unsupported(scheme)) => Verdict::Remove(format!(
            "{name}=\"{value}\" (reading systems do not support {scheme}: URLs)"
        )),
        Err(UrlProblem::Invalid) => {
            Verdict::Remove(format!("{name}=\"{value}\" (not a valid URL)"))
        }
        Err(UrlProblem::Empty) => Verdict::Remove(format!("empty {name} attribute")),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum UrlProblem {
    /// Script-capable (`javascript:`, `vbscript:`), inline (`data:`, which would bypass the
    /// image pipeline) or local (`file:`).
    Forbidden(&'static str),
    /// A scheme reading systems do not handle (epubcheck warns about unregistered ones).
    Unsupported(String),
    Invalid,
    Empty,
}

/// Schemes a book may link to. An allowlist, as in every HTML sanitizer: new script-capable
/// schemes appear from time to time, useful ones rarely.
const ALLOWED_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "sms", "geo", "urn", "news", "irc", "xmpp",
];

/// Normalizes a URL the way a browser reads it, so the XHTML holds a valid URL, or says why
/// it cannot be kept. Relative URLs stay relative (resolving them is the link stage's job).
///
/// Browsers strip leading and trailing spaces and control characters, remove tabs and line
/// breaks anywhere, and compare schemes case-insensitively, so ` java\tscript:` and
/// `JaVaScRiPt:` are `javascript:`. Characters a URL cannot contain (spaces, backslashes,
/// backticks, …) are percent-encoded, as pulldown-cmark does for Markdown link destinations.
fn clean_url(raw: &str) -> Result<String, UrlProblem> {
    let url: String = raw
        .trim_matches(is_url_space)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if url.is_empty() {
        return Err(UrlProblem::Empty);
    }
    let scheme = url_scheme(&url);
    if let Some(scheme) = &scheme {
        if let Some(forbidden) = ["javascript", "vbscript", "data", "file"]
            .into_iter()
            .find(|f| scheme == f)
        {
            return Err(UrlProblem::Forbidden(forbidden));
        }
        if !ALLOWED_SCHEMES.contains(&scheme.as_str()) {
            return Err(UrlProblem::Unsupported(scheme.clone()));
        }
    }
    let mut out = String::with_capacity(url.len());
    // A colon in the first segment of a relative path would read as a scheme: `./` keeps
    // `foo):bar` a path.
    let first_segment = url.split(['/', '?', '#']).next().unwrap_or_default();
    if scheme.is_none() && first_segment.contains(':') {
        out.push_str("./");
    }
    let mut seen_fragment = false;
    let bytes = url.as_bytes();
    for (index, c) in url.char_indices() {
        let escape = match c {
            '%' => {
                !(bytes.get(index + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(index + 2).is_some_and(u8::is_ascii_hexdigit))
            }
            '#' => std::mem::replace(&mut seen_fragment, true),
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => true,
            c => c.is_ascii_control(),
        };
        if escape {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if scheme.is_some() && !is_valid_absolute_url(&out) {
        return Err(UrlProblem::Invalid);
    }
    Ok(out)
}

/// The lower-cased scheme of `url`, if it starts with one (RFC 3986: a letter, then letters,
/// digits, `+`, `-` or `.`). Controls and spaces inside the would-be scheme are ignored, as
/// browsers do, so obfuscated schemes are still seen. bindery's one URL-scheme classifier:
/// HTML attributes, links and the stylesheet's `url()`s all go through it.
pub fn url_scheme(url: &str) -> Option<String> {
    let (candidate, _) = url.split_once(':')?;
    let scheme: String = candidate
        .chars()
        .filter(|&c| !is_url_space(c) && c != '\u{7f}')
        .flat_map(char::to_lowercase)
        .collect();
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

fn is_valid_absolute_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    // The WHATWG parser the `url` crate implements accepts empty host labels (`https://../`);
    // epubcheck, rightly, does not.
    match parsed.host_str() {
        Some(host) if parsed.scheme().starts_with("http") || parsed.scheme() == "ftp" => {
            let host = host.strip_suffix('.').unwrap_or(host);
            !host.is_empty() && host.split('.').all(|label| !label.is_empty())
        }
        _ => true,
    }
}

fn is_url_space(c: char) -> bool {
    c <= ' '
}

fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

fn is_integer(value: &str) -> bool {
    is_digits(value.strip_prefix('-').unwrap_or(value))
}

fn is_positive_integer(value: &str) -> bool {
    is_digits(value) && value.bytes().any(|b| b != b'0')
}

/// A date, or a date and time, in the forms HTML's `datetime` attributes accept and readers
/// need: `2016`, `2016-05`, `2016-05-03`, `2016-05-03T10:00`, with optional seconds,
/// fraction and zone (`Z`, `+02:00`).
fn is_datetime(value: &str) -> bool {
    fn digits(s: &str, n: usize) -> bool {
        s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
    }
    let (date, time) = match value.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (value, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let date_ok = match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    };
    let Some(time) = time else { return date_ok };
    if parts.len() != 3 || !date_ok {
        return false;
    }
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let zone_ok = match zone {
        "" | "Z" => true,
        _ => zone[1..]
            .split_once(':')
            .is_some_and(|(h, m)| digits(h, 2) && digits(m, 2)),
    };
    let clock_ok = match clock.split(':').collect::<Vec<_>>().as_slice() {
        [h, m] => digits(h, 2) && digits(m, 2),
        [h, m, s] => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
            digits(h, 2) && digits(m, 2) && digits(whole, 2) && is_digits(fraction)
        }
        _ => false,
    };
    zone_ok && clock_ok
}

/// ARIA and DPUB-ARIA roles a book might use.
fn is_known_role(role: &str) -> bool {
    const ROLES: &[&str] = &[
        "article",
        "banner",
        "complementary",
        "contentinfo",
        "definition",
        "directory",
        "doc-abstract",
        "doc-acknowledgments",
        "doc-afterword",
        "doc-appendix",
        "doc-backlink",
        "doc-biblioentry",
        "doc-bibliography",
        "doc-biblioref",
        "doc-chapter",
        "doc-colophon",
        "doc-conclusion",
        "doc-cover",
        "doc-credit",
        "doc-credits",
        "doc-dedication",
        "doc-endnote",
        "doc-endnotes",
        "doc-epigraph",
        "doc-epilogue",
        "doc-errata",
        "doc-example",
        "doc-footnote",
        "doc-foreword",
        "doc-glossary",
        "doc-glossref",
        "doc-index",
        "doc-introduction",
        "doc-noteref",
        "doc-notice",
        "doc-pagebreak",
        "doc-pagelist",
        "doc-part",
        "doc-preface",
        "doc-prologue",
        "doc-pullquote",
        "doc-qna",
        "doc-subtitle",
        "doc-tip",
        "doc-toc",
        "figure",
        "group",
        "heading",
        "img",
        "list",
        "listitem",
        "math",
        "navigation",
        "none",
        "note",
        "presentation",
        "region",
        "separator",
        "table",
        "term",
    ];
    ROLES.contains(&role)
}

/// Whether `name` is an XML name without colons (an NCName), per XML 1.0 fifth edition.
pub fn is_xml_ncname(name: &str) -> bool {
    fn is_start(c: char) -> bool {
        matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
            | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    }
    fn is_continue(c: char) -> bool {
        is_start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    }
    let mut chars = name.chars();
    chars.next().is_some_and(is_start) && chars.all(is_continue)
}

// ---------------------------------------------------------------------------------------------
// Pass 2: content-model repair.

/// What the ancestors of a node allow in it.
#[derive(Debug, Clone, Copy)]
struct Context {
    /// Only phrasing content (text-level elements) is allowed.
    phrasing: bool,
    /// Inside `<a>`: no interactive content (links, `<details>`).
    in_link: bool,
    in_dfn: bool,
    /// Inside `<header>`, `<footer>`, `<address>`, `<dt>` or `<th>`.
    no_header_footer: bool,
    /// Inside `<address>`, `<dt>` or `<th>`: no headings or sectioning elements.
    no_heading_sectioning: bool,
    in_address: bool,
    /// Inside `<caption>`: no tables.
    no_table: bool,
    /// Origin of the nearest ancestor that has one, for reports.
    origin: Option<usize>,
}

impl Context {
    const FLOW: Context = Context {
        phrasing: false,
        in_link: false,
        in_dfn: false,
        no_header_footer: false,
        no_heading_sectioning: false,
        in_address: false,
        no_table: false,
        origin: None,
    };

    fn inside(self, element: &Element) -> Context {
        let name = element.name.as_str();
        let restricts_headers = matches!(name, "header" | "footer" | "address" | "dt" | "th");
        Context {
            phrasing: if is_transparent(name) {
                self.phrasing
            } else {
                is_phrasing(name)
                    || matches!(name, "p" | "pre" | "summary" | "rt" | "rp")
                    || is_heading(name)
            },
            in_link: self.in_link || name == "a",
            in_dfn: self.in_dfn || name == "dfn",
            no_header_footer: self.no_header_footer || restricts_headers,
            no_heading_sectioning: self.no_heading_sectioning
                || matches!(name, "address" | "dt" | "th"),
            in_address: self.in_address || name == "address",
            no_table: self.no_table || name == "caption",
            origin: element.origin.or(self.origin),
        }
    }
}

/// How an element must change to fit where it is.
enum Fix {
    Rename(&'static str),
    Unwrap,
    Drop,
}

/// The required parent of elements that only make sense inside one.
fn misplaced(name: &str, parent: &str) -> bool {
    match name {
        "caption" | "colgroup" | "thead" | "tbody" | "tfoot" => parent != "table",
        "tr" => !matches!(parent, "table" | "thead" | "tbody" | "tfoot"),
        "td" | "th" => parent != "tr",
        "col" => parent != "colgroup",
        "figcaption" => parent != "figure",
        "summary" => parent != "details",
        "rt" | "rp" => parent != "ruby",
        _ => false,
    }
}

/// The first change `element` needs in `parent` under `context`, if any. Applied repeatedly,
/// since one fix can expose another (a misplaced `<tr>` becomes a `<div>`, which inside a
/// `<span>` must become a `<span>`).
fn needed_fix(element: &Element, parent: &str, context: Context) -> Option<Fix> {
    let name = element.name.as_str();
    if misplaced(name, parent) {
        return Some(match name {
            "col" | "colgroup" => Fix::Drop,
            "rt" | "rp" => Fix::Rename("span"),
            _ => Fix::Rename("div"),
        });
    }
    if context.in_link && name == "a" || context.in_dfn && name == "dfn" {
        return Some(Fix::Unwrap);
    }
    if context.in_link && name == "details" {
        return Some(Fix::Rename("div"));
    }
    if context.no_header_footer && matches!(name, "header" | "footer")
        || context.no_heading_sectioning && is_sectioning(name)
        || context.in_address && name == "address"
        || context.no_table && name == "table"
    {
        return Some(Fix::Rename("div"));
    }
    if context.no_heading_sectioning && is_heading(name) {
        return Some(Fix::Rename("p"));
    }
    // `main` must be unique and hierarchically correct in its document; a chapter fragment
    // cannot know that, and reading systems do nothing with it.
    if name == "main" {
        return Some(Fix::Rename("div"));
    }
    if name == "bdo" && element.attr("dir").is_none_or(|dir| dir == "auto") {
        return Some(Fix::Rename("span"));
    }
    if context.phrasing && !is_phrasing(name) && !(parent == "ruby" && matches!(name, "rt" | "rp"))
    {
        return Some(if VOID_ELEMENTS.contains(&name) {
            Fix::Drop
        } else {
            Fix::Rename("span")
        });
    }
    None
}

struct Repair<'a> {
    removed: &'a mut Vec<Removed>,
}

impl Repair<'_> {
    fn report(&mut self, what: impl Into<String>, origin: Option<usize>) {
        self.removed.push(Removed {
            what: what.into(),
            origin,
        });
    }

    fn children(&mut self, nodes: &mut Vec<Node>, parent: &str, context: Context) {
        let old = std::mem::take(nodes);
        for node in old {
            match node {
                Node::Text(text) => push_text(nodes, &text),
                Node::Element(element) => self.element(element, parent, context, nodes),
            }
        }
        if !matches!(parent, "ul" | "ol") {
            self.wrap_runs(
                nodes,
                &["li"],
                "ul",
                "<li> outside a list (wrapped in <ul>)",
                context,
            );
        }
        if parent != "dl" {
            self.wrap_runs(
                nodes,
                &["dt", "dd"],
                "dl",
                "<dt>/<dd> outside a <dl> (wrapped in <dl>)",
                context,
            );
        }
    }

    fn element(
        &mut self,
        mut element: Element,
        parent: &str,
        context: Context,
        out: &mut Vec<Node>,
    ) {
        if element.name == "math" {
            // Phrasing content wherever it is; its inside is MathML, not HTML (see `mathml`).
            out.push(Node::Element(element));
            return;
        }
        let origin = element.origin.or(context.origin);
        while let Some(fix) = needed_fix(&element, parent, context) {
            let from = std::mem::take(&mut element.name);
            match fix {
                Fix::Rename(to) => {
                    self.report(
                        format!("<{from}> not allowed here (changed to <{to}>)"),
                        origin,
                    );
                    element.name = to.to_string();
                    // Keep only the attributes the new element allows (`colspan` on a
                    // former `<td>` would be invalid on a `<div>`).
                    element.attrs.retain(|(name, value)| {
                        matches!(name.as_str(), "xml:lang")
                            || matches!(check_attribute(to, name, value), Verdict::Keep(_))
                    });
                }
                Fix::Unwrap => {
                    self.report(
                        format!("<{from}> not allowed here (its content is kept)"),
                        origin,
                    );
                    let mut children = element.children;
                    self.children(&mut children, parent, context);
                    append_nodes(out, children);
                    return;
                }
                Fix::Drop => {
                    self.report(format!("<{from}> not allowed here"), origin);
                    return;
                }
            }
        }
        let inner = context.inside(&element);
        self.children(&mut element.children, &element.name, inner);
        let name = element.name.clone();
        match name.as_str() {
            "ul" | "ol" => self.wrap_non_items(&mut element, inner),
            "dl" => self.complete_definition_list(&mut element, inner),
            "table" => self.order_table(&mut element, inner),
            "figure" => self.place_figure_caption(&mut element, inner),
            // Moves the summary into place as a side effect; false when there is none.
            "details" if !self.place_summary(&mut element, inner) => {
                self.report(
                    "<details> without <summary> (changed to <div>)",
                    inner.origin,
                );
                element.name = "div".into();
                element.remove_attr("open");
            }
            _ => {}
        }
        out.push(Node::Element(element));
    }

    /// Wraps each run of `names` elements (and the whitespace between them) in a new
    /// `wrapper` element.
    fn wrap_runs(
        &mut self,
        nodes: &mut Vec<Node>,
        names: &[&str],
        wrapper: &str,
        what: &str,
        context: Context,
    ) {
        let is_member =
            |node: &Node| matches!(node, Node::Element(e) if names.contains(&e.name.as_str()));
        if !nodes.iter().any(is_member) {
            return;
        }
        let old = std::mem::take(nodes);
        let mut run: Option<Element> = None;
        let mut pending_space: Vec<Node> = Vec::new();
        for node in old {
            if is_member(&node) {
                let run = run.get_or_insert_with(|| {
                    self.report(what, node_origin(&node).or(context.origin));
                    Element::new(wrapper)
                });
                run.children.append(&mut pending_space);
                run.children.push(node);
            } else if run.is_some() && is_whitespace(&node) {
                pending_space.push(node);
            } else {
                if let Some(done) = run.take() {
                    nodes.push(Node::Element(done));
                }
                nodes.append(&mut pending_space);
                nodes.push(node);
            }
        }
        if let Some(done) = run {
            nodes.push(Node::Element(done));
        }
        nodes.append(&mut pending_space);
    }

    /// Lists hold only `<li>`: anything else (a paragraph the parser let in) is wrapped in one.
    fn wrap_non_items(&mut self, list: &mut Element, context: Context) {
        let old = std::mem::take(&mut list.children);
        let mut item: Option<Element> = None;
        for node in old {
            let is_item = matches!(&node, Node::Element(e) if e.name == "li");
            if is_item || item.is_none() && is_whitespace(&node) {
                if let Some(done) = item.take() {
                    list.children.push(Node::Element(done));
                }
                list.children.push(node);
            } else {
                item.get_or_insert_with(|| {
                    self.report(
                        format!("content directly inside <{}> (wrapped in <li>)", list.name),
                        context.origin,
                    );
                    Element::new("li")
                })
                .children
                .push(node);
            }
        }
        if let Some(done) = item {
            list.children.push(Node::Element(done));
        }
    }

    /// A `<dl>` is groups of one or more `<dt>` followed by one or more `<dd>`. Stray content
    /// goes into a `<dd>`; a definition without a term gets an empty `<dt>`, a term without a
    /// definition an empty `<dd>`.
    fn complete_definition_list(&mut self, list: &mut Element, context: Context) {
        let old = std::mem::take(&mut list.children);
        let mut stray: Option<Element> = None;
        let mut kinds_seen_last: Option<&'static str> = None;
        let mut out = Vec::new();
        for node in old {
            let kind = match &node {
                Node::Element(e) if e.name == "dt" => Some("dt"),
                Node::Element(e) if e.name == "dd" => Some("dd"),
                _ => None,
            };
            match kind {
                Some(kind) => {
                    if let Some(done) = stray.take() {
                        out.push(Node::Element(done));
                        kinds_seen_last = Some("dd");
                    }
                    if kind == "dd" && kinds_seen_last.is_none() {
                        self.report(
                            "definition without a term (empty <dt> added)",
                            context.origin,
                        );
                        out.push(Node::Element(Element::new("dt")));
                    }
                    out.push(node);
                    kinds_seen_last = Some(kind);
                }
                None if is_whitespace(&node) && stray.is_none() => out.push(node),
                None => {
                    if stray.is_none() && kinds_seen_last.is_none() {
                        self.report(
                            "definition without a term (empty <dt> added)",
                            context.origin,
                        );
                        out.push(Node::Element(Element::new("dt")));
                        kinds_seen_last = Some("dt");
                    }
                    stray
                        .get_or_insert_with(|| {
                            self.report(
                                "content directly inside <dl> (wrapped in <dd>)",
                                context.origin,
                            );
                            Element::new("dd")
                        })
                        .children
                        .push(node);
                }
            }
        }
        if let Some(done) = stray.take() {
            out.push(Node::Element(done));
            kinds_seen_last = Some("dd");
        }
        if kinds_seen_last == Some("dt") {
            self.report(
                "term without a definition (empty <dd> added)",
                context.origin,
            );
            out.push(Node::Element(Element::new("dd")));
        }
        list.children = out;
    }

    /// Puts a table's parts in the order the schema requires: one caption, column groups,
    /// one head, bodies, one foot. Extra heads and feet become bodies; rows directly in the
    /// table are wrapped in a body.
    fn order_table(&mut self, table: &mut Element, context: Context) {
        let mut caption: Option<Element> = None;
        let mut colgroups = Vec::new();
        let mut head: Option<Element> = None;
        let mut bodies: Vec<Element> = Vec::new();
        let mut foot: Option<Element> = None;
        // Rows found directly in the table, collected into a body until another part comes.
        let mut loose_rows: Option<Element> = None;
        for node in std::mem::take(&mut table.children) {
            let Node::Element(mut part) = node else {
                continue;
            };
            if part.name == "tr" {
                loose_rows
                    .get_or_insert_with(|| Element::new("tbody"))
                    .children
                    .push(Node::Element(part));
                continue;
            }
            bodies.extend(loose_rows.take());
            match part.name.as_str() {
                "caption" => match &mut caption {
                    Some(first) => {
                        self.report(
                            "second <caption> in a table (merged into the first)",
                            context.origin,
                        );
                        first.children.push(Node::Text(" ".into()));
                        first.children.append(&mut part.children);
                    }
                    None => caption = Some(part),
                },
                "colgroup" => {
                    // A column group is sized either by `span` or by its `<col>`s, not both.
                    if part.children.iter().any(|n| matches!(n, Node::Element(_))) {
                        part.remove_attr("span");
                    }
                    colgroups.push(part)
                }
                "thead" if head.is_none() => head = Some(part),
                "tfoot" if foot.is_none() => foot = Some(part),
                "thead" | "tfoot" => {
                    self.report(
                        format!("second <{}> in a table (changed to <tbody>)", part.name),
                        context.origin,
                    );
                    part.name = "tbody".into();
                    bodies.push(part);
                }
                _ => bodies.push(part),
            }
        }
        bodies.extend(loose_rows);
        let parts = caption
            .into_iter()
            .chain(colgroups)
            .chain(head)
            .chain(bodies)
            .chain(foot);
        table.children = parts.map(Node::Element).collect();
    }

    /// A figure may have one `<figcaption>`, as its first or last child. Others become `<div>`s.
    fn place_figure_caption(&mut self, figure: &mut Element, context: Context) {
        let significant: Vec<usize> = (0..figure.children.len())
            .filter(|&i| !is_whitespace(&figure.children[i]))
            .collect();
        let is_caption =
            |i: usize| matches!(&figure.children[i], Node::Element(e) if e.name == "figcaption");
        let kept = match (significant.first(), significant.last()) {
            (Some(&first), _) if is_caption(first) => Some(first),
            (_, Some(&last)) if is_caption(last) => Some(last),
            _ => None,
        };
        for (index, node) in figure.children.iter_mut().enumerate() {
            if let Node::Element(e) = node
                && e.name == "figcaption"
                && Some(index) != kept
            {
                e.name = "div".into();
                self.removed.push(Removed {
                    what: "<figcaption> not first or last in its <figure>, or not the only one (changed to <div>)".into(),
                    origin: e.origin.or(context.origin),
                });
            }
        }
    }

    /// `<details>` needs a `<summary>` as its first child. The first summary anywhere in it is
    /// moved there (browsers show it first anyway); others become `<div>`s. Returns false when
    /// there is none.
    fn place_summary(&mut self, details: &mut Element, context: Context) -> bool {
        let Some(first) = details
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name == "summary"))
        else {
            return false;
        };
        let summary = details.children.remove(first);
        for node in &mut details.children {
            if let Node::Element(e) = node
                && e.name == "summary"
            {
                e.name = "div".into();
                self.removed.push(Removed {
                    what: "second <summary> in <details> (changed to <div>)".into(),
                    origin: e.origin.or(context.origin),
                });
            }
        }
        details.children.insert(0, summary);
        true
    }
}

fn node_origin(node: &Node) -> Option<usize> {
    match node {
        Node::Element(e) => e.origin,
        Node::Text(_) => None,
    }
}

fn is_whitespace(node: &Node) -> bool {
    matches!(node, Node::Text(text) if text.chars().all(|c| c.is_ascii_whitespace()))
}

// ---------------------------------------------------------------------------------------------
// Pass 3: unique ids.

/// Renames later duplicates of an id to `<id>-2`, `<id>-3`, …, choosing names used nowhere in
/// the fragment. The first keeps its name, so links written against it still work.
fn make_ids_unique(nodes: &mut [Node], removed: &mut Vec<Removed>) {
    let mut used: HashSet<String> = HashSet::new();
    crate::xhtml::dom::for_each_element(nodes, &mut |e| {
        if let Some(id) = e.attr("id") {
            used.insert(id.to_string());
        }
    });
    let mut seen: HashSet<String> = HashSet::new();
    // Per id, the suffix to try next: thousands of copies of one id stay linear.
    let mut next_suffix: std::collections::HashMap<String, usize> = Default::default();
    walk_with_origin(nodes, None, &mut |element, origin| {
        let Some(id) = element.attr("id").map(str::to_string) else {
            return;
        };
        if seen.insert(id.clone()) {
            return;
        }
        let start = next_suffix.get(&id).copied().unwrap_or(2);
        let (n, fresh) = (start..)
            .map(|n| (n, format!("{id}-{n}")))
            .find(|(_, candidate)| !used.contains(candidate))
            .unwrap_or_default();
        next_suffix.insert(id.clone(), n + 1);
        used.insert(fresh.clone());
        seen.insert(fresh.clone());
        removed.push(Removed {
            what: format!("duplicate id \"{id}\" (renamed \"{fresh}\")"),
            origin,
        });
        element.set_attr("id", fresh);
    });
}

fn walk_with_origin(
    nodes: &mut [Node],
    origin: Option<usize>,
    visit: &mut impl FnMut(&mut Element, Option<usize>),
) {
    for node in nodes {
        if let Node::Element(element) = node {
            let origin = element.origin.or(origin);
            visit(element, origin);
            walk_with_origin(&mut element.children, origin, visit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xhtml::dom::write_xhtml;
    use proptest::prelude::*;

    /// The serialized result and the `what` of every report.
    fn clean(html: &str) -> (String, Vec<String>) {
        let sanitized = sanitize(html);
        let mut out = String::new();
        write_xhtml(&sanitized.nodes, &mut out);
        (out, sanitized.removed.into_iter().map(|r| r.what).collect())
    }

    fn body(html: &str) -> String {
        clean(html).0
    }

    #[test]
    fn script_and_style_are_removed_with_their_content() {
        assert_eq!(
            clean("<p>a<script>alert('x')</script>b</p><style>p { color: red }</style>"),
            (
                "<p>ab</p>".to_string(),
                vec![
                    "<script> element".to_string(),
                    "<style> element".to_string()
                ]
            )
        );
    }

    #[test]
    fn embedded_form_and_head_elements_are_removed_with_their_content() {
        let html = "<iframe src=x>i</iframe><object>o</object><form><input type=text><button>b</button>\
                    <textarea>t</textarea></form><video>v</video><title>t</title>\
                    <template><p>t</p></template>kept";
        assert_eq!(body(html), "kept");
    }

    #[test]
    fn noscript_content_is_the_content() {
        assert_eq!(
            clean("<noscript><p>Shown <img src=\"a.png\" alt=\"A\"></p></noscript>"),
            (
                "<p>Shown <img src=\"a.png\" alt=\"A\"/></p>".to_string(),
                vec![]
            )
        );
    }

    #[test]
    fn name_anchors_become_ids() {
        assert_eq!(
            clean(
                "<a name=\"old-style\"></a><a id=\"new\" name=\"other\">x</a><a name=\"a b\">y</a>"
            ),
            (
                "<a id=\"old-style\"></a><a id=\"new\">x</a><a>y</a>".to_string(),
                vec!["name=\"a b\" attribute on <a> (not usable as a link target)".to_string()]
            )
        );
    }

    #[test]
    fn removed_elements_say_what_content_went_with_them() {
        assert_eq!(
            clean("<video controls><img src=\"poster.jpg\" alt=\"\"> Your reader cannot play this clip of the harbour at dawn</video><form><script>x()</script></form>"),
            (
                String::new(),
                vec![
                    "<video> element with its content: 11 words of text (“Your reader cannot play this clip …”), 1 image (poster.jpg)".to_string(),
                    "<form> element".to_string()
                ]
            )
        );
    }

    #[test]
    fn svg_subtrees_are_removed_and_math_is_kept() {
        assert_eq!(
            clean("<p>a<svg><script>x</script><circle/></svg>b<math><mi>x</mi></math>c</p>"),
            (
                "<p>ab<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math>c</p>"
                    .to_string(),
                vec!["<svg> element".to_string()]
            )
        );
    }

    #[test]
    fn task_list_checkboxes_become_marks() {
        assert_eq!(
            body(
                r#"<ul><li><input disabled="" type="checkbox" checked=""/> done</li><li><input type="checkbox"/> todo</li></ul>"#
            ),
            "<ul><li>☑ done</li><li>☐ todo</li></ul>"
        );
    }

    #[test]
    fn event_handlers_are_removed_and_reported() {
        assert_eq!(
            clean(r#"<p onclick="steal()" ONMOUSEOVER="x()" class="k">a</p>"#),
            (
                r#"<p class="k">a</p>"#.to_string(),
                vec![
                    "onclick attribute".to_string(),
                    "onmouseover attribute".to_string()
                ]
            )
        );
    }

    #[test]
    fn script_urls_are_removed_however_obfuscated() {
        for href in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java&#9;script:alert(1)",
            "java&#10;script:alert(1)",
            "&#106;avascript:alert(1)",
            "\u{1}javascript:alert(1)",
        ] {
            let (out, removed) = clean(&format!(r#"<a href="{href}">x</a>"#));
            assert_eq!(out, "<a>x</a>", "{href}");
            assert_eq!(removed, vec!["javascript: link"], "{href}");
        }
        assert_eq!(
            clean(
                r#"<a href="vbscript:x">v</a><a href="data:text/html,x">d</a><a href="file:///etc/passwd">f</a><q cite="javascript:x">q</q>"#
            ),
            (
                "<a>v</a><a>d</a><a>f</a><q>q</q>".to_string(),
                vec![
                    "vbscript: link".to_string(),
                    "data: link".to_string(),
                    "file: link".to_string(),
                    "javascript: URL in cite attribute".to_string()
                ]
            )
        );
    }

    #[test]
    fn an_image_without_a_usable_source_leaves_its_alt_text() {
        assert_eq!(
            clean(r#"<p><img src="javascript:x" alt="a cat"><img src="" alt="dog"></p>"#),
            (
                "<p>a catdog</p>".to_string(),
                vec![
                    "javascript: image source".to_string(),
                    "<img> without a usable source (its alt text is kept)".to_string(),
                    "empty src attribute".to_string(),
                    "<img> without a usable source (its alt text is kept)".to_string(),
                ]
            )
        );
    }

    #[test]
    fn urls_are_made_valid_and_unsupported_schemes_dropped() {
        assert_eq!(
            body(
                r#"<a href=" my file.html#a#b ">1</a><a href="foo):">2</a><a href="x\y`z">3</a><a href="100%">4</a>"#
            ),
            r#"<a href="my%20file.html#a%23b">1</a><a href="./foo):">2</a><a href="x%5Cy%60z">3</a><a href="100%25">4</a>"#
        );
        assert_eq!(
            body(r#"<a href="mailto:a@b.c">m</a><a href="https://example.com/a?q=%20">h</a>"#),
            r#"<a href="mailto:a@b.c">m</a><a href="https://example.com/a?q=%20">h</a>"#
        );
        assert_eq!(
            clean(r#"<a href="localhost:5001/x">l</a><a href="https://../">h</a>"#),
            (
                "<a>l</a><a>h</a>".to_string(),
                vec![
                    r#"href="localhost:5001/x" (reading systems do not support localhost: URLs)"#
                        .to_string(),
                    r#"href="https://../" (not a valid URL)"#.to_string(),
                ]
            )
        );
    }

    #[test]
    fn table_cell_alignment_style_becomes_a_class_and_other_styles_go() {
        assert_eq!(
            clean(r#"<table><tr><th style="text-align: center">a</th><td class="n" style="text-align:right">b</td><td style="color: red">c</td></tr></table><p style="x">d</p>"#),
            (
                r#"<table><tbody><tr><th class="align-center">a</th><td class="n align-right">b</td><td>c</td></tr></tbody></table><p>d</p>"#.to_string(),
                vec!["style attribute".to_string(), "style attribute".to_string()]
            )
        );
    }

    #[test]
    fn duplicate_ids_are_renamed_to_names_unused_in_the_fragment() {
        assert_eq!(
            clean(r#"<h1 id="x">A</h1><h2 id="x">B</h2><h2 id="x-2">C</h2><p id="x">D</p>"#),
            (
                r#"<h1 id="x">A</h1><h2 id="x-3">B</h2><h2 id="x-2">C</h2><p id="x-4">D</p>"#
                    .to_string(),
                vec![
                    r#"duplicate id "x" (renamed "x-3")"#.to_string(),
                    r#"duplicate id "x" (renamed "x-4")"#.to_string()
                ]
            )
        );
    }

    #[test]
    fn empty_ids_and_ids_with_spaces_are_dropped() {
        assert_eq!(
            body(r#"<p id="">a</p><p id="a b">b</p><p id="1">c</p>"#),
            r#"<p>a</p><p>b</p><p id="1">c</p>"#
        );
    }

    #[test]
    fn origin_moves_from_the_attribute_to_the_element_and_reports_inherit_it() {
        let sanitized = sanitize(
            r#"<p data-bindery-origin="12">x <a href="javascript:y">z</a><em onclick="w">e</em></p>"#,
        );
        let mut out = String::new();
        write_xhtml(&sanitized.nodes, &mut out);
        assert_eq!(out, "<p>x <a>z</a><em>e</em></p>");
        let Node::Element(paragraph) = &sanitized.nodes[0] else {
            panic!("not an element")
        };
        assert_eq!(paragraph.origin, Some(12));
        assert_eq!(
            sanitized.removed,
            vec![
                Removed {
                    what: "javascript: link".into(),
                    origin: Some(12)
                },
                Removed {
                    what: "onclick attribute".into(),
                    origin: Some(12)
                },
            ]
        );
    }

    #[test]
    fn the_nearest_origin_wins() {
        let sanitized = sanitize(
            r#"<div data-bindery-origin="1"><p data-bindery-origin="7"><blink>x</blink></p><marquee>y</marquee></div>"#,
        );
        let origins: Vec<_> = sanitized.removed.iter().map(|r| r.origin).collect();
        assert_eq!(origins, vec![Some(7), Some(1)]);
    }

    #[test]
    fn entities_are_resolved_and_text_is_stored_unescaped() {
        let sanitized = sanitize("<p>&amp; &lt;b&gt; &copy; &#x41;&#66; &bogus;</p>");
        let Node::Element(paragraph) = &sanitized.nodes[0] else {
            panic!("not an element")
        };
        assert_eq!(
            paragraph.children,
            vec![Node::Text("& <b> © AB &bogus;".into())]
        );
        assert_eq!(body("<p>&amp; &lt;b&gt;</p>"), "<p>&amp; &lt;b&gt;</p>");
    }

    #[test]
    fn unknown_and_obsolete_elements_are_unwrapped() {
        assert_eq!(
            clean(
                "<center><font color=red>old</font></center><custom-element>new</custom-element>"
            ),
            (
                "oldnew".to_string(),
                vec![
                    "<center> tag (its content is kept)".to_string(),
                    "<font> tag (its content is kept)".to_string(),
                    "<custom-element> tag (its content is kept)".to_string()
                ]
            )
        );
    }

    #[test]
    fn attributes_are_allowlisted_and_validated() {
        assert_eq!(
            body(
                r#"<p lang="fr" dir="rtl" class="c" title="t" role="note" aria-label="l" data-x="1" epub:type="footnote" align="left">a</p>"#
            ),
            r#"<p lang="fr" xml:lang="fr" dir="rtl" class="c" title="t" role="note" aria-label="l" data-x="1" epub:type="footnote">a</p>"#
        );
        assert_eq!(
            body(
                r#"<img src="a.png" alt="x" width="10" height="20%" srcset="b.png 2x"><ol start="-3" reversed type="a"><li value="7">x</li></ol><ol type="q"></ol>"#
            ),
            r#"<img src="a.png" alt="x" width="10"/><ol start="-3" reversed="reversed" type="a"><li value="7">x</li></ol><ol></ol>"#
        );
        assert_eq!(
            body(
                r#"<td colspan="0"></td><table><tr><td colspan="2" rowspan="0">c</td><th scope="row" scope2="x">h</th></tr></table><time datetime="2016-05-03T10:00:00Z">t</time><time datetime="soon">s</time>"#
            ),
            r#"<table><tbody><tr><td colspan="2">c</td><th scope="row">h</th></tr></tbody></table><time datetime="2016-05-03T10:00:00Z">t</time><time>s</time>"#
        );
    }

    #[test]
    fn repair_list_items_outside_lists_are_wrapped_in_a_list() {
        assert_eq!(
            body("<li>a</li>\n<li>b</li><p>c</p><li>d</li>"),
            "<ul><li>a</li>\n<li>b</li></ul><p>c</p><ul><li>d</li></ul>"
        );
    }

    #[test]
    fn repair_content_directly_in_a_list_is_wrapped_in_an_item() {
        assert_eq!(
            body("<ul> <p>p</p>text<li>ok</li></ul>"),
            "<ul> <li><p>p</p>text</li><li>ok</li></ul>"
        );
    }

    #[test]
    fn repair_terms_and_definitions_outside_a_definition_list_are_wrapped_in_one() {
        assert_eq!(
            body("<dt>t</dt><dd>d</dd>"),
            "<dl><dt>t</dt><dd>d</dd></dl>"
        );
    }

    #[test]
    fn repair_definition_lists_get_terms_and_definitions_in_pairs() {
        assert_eq!(
            body(
                "<dl><dd>no term</dd><dt>no def</dt></dl><dl><p>stray</p><dt>a</dt><dd>b</dd></dl>"
            ),
            "<dl><dt></dt><dd>no term</dd><dt>no def</dt><dd></dd></dl><dl><dt></dt><dd><p>stray</p></dd><dt>a</dt><dd>b</dd></dl>"
        );
    }

    #[test]
    fn repair_block_content_inside_phrasing_becomes_spans() {
        assert_eq!(
            body(
                "<span><div>d</div><p>p</p><ul><li>x</li></ul><hr></span><pre><div>in pre</div></pre><h1><span><h2>h</h2></span></h1>"
            ),
            "<span><span>d</span><span>p</span><span><span>x</span></span></span><pre><span>in pre</span></pre><h1><span><span>h</span></span></h1>"
        );
    }

    #[test]
    fn repair_links_inside_links_are_unwrapped() {
        // Most nestings never reach us: the parser closes the outer link itself.
        assert_eq!(
            body(r##"<a href="#x"><span><a href="#y">inner</a></span></a>"##),
            r##"<a href="#x"><span></span></a><a href="#y">inner</a>"##
        );
        assert_eq!(
            body(r#"<a href="x"><table><tr><td><a href="y">cell</a></td></tr></table></a>"#),
            r#"<a href="x"><table><tbody><tr><td>cell</td></tr></tbody></table></a>"#
        );
    }

    #[test]
    fn repair_details_inside_a_link_becomes_a_div() {
        assert_eq!(
            body(r#"<a href="x"><details><summary>s</summary>d</details></a>"#),
            r#"<a href="x"><div><div>s</div>d</div></a>"#
        );
    }

    #[test]
    fn repair_a_figure_keeps_one_caption_at_an_edge() {
        assert_eq!(
            body(
                r#"<figure><img src="a.png" alt="a"><figcaption>1</figcaption><figcaption>2</figcaption></figure><figure><p>x</p><figcaption>mid</figcaption><p>y</p></figure><figcaption>orphan</figcaption>"#
            ),
            r#"<figure><img src="a.png" alt="a"/><div>1</div><figcaption>2</figcaption></figure><figure><p>x</p><div>mid</div><p>y</p></figure><div>orphan</div>"#
        );
    }

    #[test]
    fn repair_details_gets_its_summary_first_or_becomes_a_div() {
        assert_eq!(
            body(
                "<details open><p>b</p><summary>s</summary><summary>t</summary></details><details open><p>none</p></details><summary>orphan</summary>"
            ),
            r#"<details open="open"><summary>s</summary><p>b</p><div>t</div></details><div><p>none</p></div><div>orphan</div>"#
        );
    }

    #[test]
    fn repair_table_parts_are_put_in_schema_order() {
        assert_eq!(
            body(
                "<table><caption>c1</caption><tbody><tr><td>x</td></tr></tbody><caption>c2</caption><thead><tr><th>h</th></tr></thead><thead><tr><th>h2</th></tr></thead><tfoot><tr><td>f</td></tr></tfoot><tfoot><tr><td>f2</td></tr></tfoot></table>"
            ),
            "<table><caption>c1 c2</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>x</td></tr></tbody><tbody><tr><th>h2</th></tr></tbody><tbody><tr><td>f2</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>"
        );
        assert_eq!(
            body(
                r#"<table><colgroup span="2"><col span="1"></colgroup><tr><td>x</td></tr></table>"#
            ),
            r#"<table><colgroup><col span="1"/></colgroup><tbody><tr><td>x</td></tr></tbody></table>"#
        );
    }

    #[test]
    fn repair_no_table_inside_a_caption() {
        assert_eq!(
            body(
                "<table><caption><table><tr><td>in</td></tr></table></caption><tr><td>out</td></tr></table>"
            ),
            "<table><caption><div><div><div><div>in</div></div></div></div></caption><tbody><tr><td>out</td></tr></tbody></table>"
        );
    }

    #[test]
    fn repair_sectioning_and_headings_where_the_schema_forbids_them() {
        assert_eq!(
            body(
                "<header><header>h</header><footer>f</footer></header><address><h1>h</h1><section>s</section><address>a</address></address>"
            ),
            "<header><div>h</div><div>f</div></header><address><p>h</p><div>s</div><div>a</div></address>"
        );
        assert_eq!(
            body(
                "<dl><dt><h2>t</h2></dt><dd>d</dd></dl><table><tr><th><h3>h</h3><footer>f</footer></th></tr></table><main>m</main>"
            ),
            "<dl><dt><p>t</p></dt><dd>d</dd></dl><table><tbody><tr><th><p>h</p><div>f</div></th></tr></tbody></table><div>m</div>"
        );
    }

    #[test]
    fn repair_dfn_inside_dfn_bdo_without_dir_and_orphan_ruby_text() {
        assert_eq!(
            body(
                r#"<dfn>a <dfn>b</dfn></dfn><bdo>x</bdo><bdo dir="rtl">y</bdo><p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby><rt>o</rt></p><data>n</data><data value="3">3</data>"#
            ),
            r#"<dfn>a b</dfn><span>x</span><bdo dir="rtl">y</bdo><p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby><span>o</span></p>n<data value="3">3</data>"#
        );
    }

    #[test]
    fn pathological_nesting_is_flattened_to_text() {
        let (out, removed) = clean(&format!("{}deep<script>x</script>", "<div>".repeat(5000)));
        assert_eq!(
            out,
            format!(
                "{}deep{}",
                "<div>".repeat(MAX_DEPTH),
                "</div>".repeat(MAX_DEPTH)
            )
        );
        assert_eq!(
            removed,
            vec![
                format!(
                    "{NESTING_CUT} {MAX_DEPTH} levels deep (from a <div> on; their text is kept)"
                ),
                "<script> element".to_string()
            ]
        );
    }

    #[test]
    fn footnotes_from_pulldown_cmark_pass_unchanged() {
        let html = r##"<p>x<sup class="footnote-reference"><a href="#1">1</a></sup></p>
<div class="footnote-definition" id="1"><sup class="footnote-definition-label">1</sup>
<p>note</p>
</div>
"##;
        assert_eq!(clean(html), (html.to_string(), vec![]));
    }

    /// Strings made of HTML pieces likely to interact badly, plus arbitrary text.
    fn html_ish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            prop::sample::select(vec![
                "<p>", "</p>", "<div>", "</div>", "<span>", "</span>", "<a href=\"x\">", "</a>", "<li>", "</li>",
                "<ul>", "</ul>", "<ol>", "<dl>", "<dt>", "<dd>", "</dl>", "<table>", "<tr>", "<td>", "<th>",
                "</table>", "<caption>", "<thead>", "<tfoot>", "<colgroup>", "<col>", "<figure>", "<figcaption>",
                "</figure>", "<details>", "<summary>", "</details>", "<h1 id=\"a\">", "<h2 id=\"a\">", "</h1>",
                "<em>", "</em>", "<pre>", "<ruby>", "<rt>", "<rp>", "<dfn>", "<header>", "<footer>", "<address>",
                "<main>", "<bdo>", "<data>", "<time datetime=\"x\">", "<img src=\"a\" alt=\"b\">", "<img>",
                "<br>", "<hr>", "<script>", "</script>", "<style>", "<svg>", "<math>", "<foo:bar>", "<x-y>",
                "<p onclick=\"x\" a:b=\"c\" data-é=\"1\" epub:type=\"t\" xml:lang=\"en\" xmlns=\"q\">",
                "<a href=\"java\tscript:x\">", "<select>", "<option>", "<template>", "<table><tr><td>",
                "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#xD800;", "&", "<", ">", "\"", "'",
                "\u{0}", "\u{1b}", "\u{FFFE}", "<plaintext>", "<noscript>", "<textarea>", "<title>",
                "<frameset>", "<body>", "<html>", "<head>", "<sub>", "<q cite=\"x\">",
            ])
            .prop_map(str::to_string),
            "[a-z <>/=\"'&;#-]{0,8}",
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_input_serializes_to_well_formed_xml_with_allowed_markup_and_unique_ids(html in html_ish()) {
            let sanitized = sanitize(&html);
            let mut out = String::new();
            write_xhtml(&sanitized.nodes, &mut out);
            let document = format!(
                r#"<root xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">{out}</root>"#
            );
            let parsed = roxmltree::Document::parse(&document);
            prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed.err(), document);
            let mut ids = HashSet::new();
            crate::xhtml::dom::for_each_element(&sanitized.nodes, &mut |e| {
                assert!(KEPT_ELEMENTS.contains(&e.name.as_str()) || crate::markdown::mathml::is_mathml_element(&e.name), "{}", e.name);
                for (name, _) in &e.attrs {
                    assert!(!name.starts_with("on") && name != ORIGIN_ATTRIBUTE && name != "style", "{name}");
                }
                if let Some(id) = e.attr("id") {
                    assert!(ids.insert(id.to_string()), "duplicate id {id}");
                }
            });
        }
    }
}
