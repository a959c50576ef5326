//! Any HTML in, a well-formed, safe, EPUB-valid XHTML tree out.
//!
//! Markdown lets authors write raw HTML, and pulldown-cmark passes it through verbatim, so the
//! HTML this module receives can be anything: unclosed tags, scripts, forms, `<center>`, a `<div>`
//! inside a `<span>`. Reading systems are strict XML parsers and epubcheck validates against the
//! EPUB 3 XHTML schema, so "what a browser would tolerate" is not good enough.
//!
//! The work happens in three passes, each simple on its own:
//!
//! 1. **Parse and filter** (`filter.rs`, with `attributes.rs`, `urls.rs`, `vocabulary.rs`): html5ever parses the fragment exactly as a browser
//!    would (in a `<body>` context), which settles well-formedness and resolves entities. The
//!    parser's tree is converted into our own [`Node`] tree, keeping only an allowlist of
//!    elements and attributes. Dangerous elements go with their content; unknown or obsolete
//!    ones are unwrapped (their content kept). URLs with script-capable or local schemes are
//!    removed. The Markdown stage's `data-bindery-origin` attribute becomes [`Element::origin`].
//! 2. **Repair the content model** (`repair.rs`): the HTML parser accepts nestings the schema
//!    rejects (`<li>` outside a list, a `<div>` inside a `<span>`, a link inside a link, a
//!    `<figcaption>` in the middle of a figure). Each class of problem is fixed by one general
//!    rule — rename, unwrap or wrap — rather than per example; the rules were found by running
//!    epubcheck over the CommonMark spec and pulldown-cmark's test suite (see `tests/corpus/`).
//! 3. **Make ids unique** (`ids.rs`): later duplicates are renamed, never dropped, so every heading keeps
//!    an anchor for the table of contents.
//!
//! Everything taken out or rewritten is listed in [`Sanitized::removed`], with the Markdown
//! offset of the nearest element that has one, so the build can warn the author precisely.

mod attributes;
pub mod dom;
mod filter;
mod ids;
pub mod nesting;
mod repair;
mod urls;
mod vocabulary;

use std::collections::HashSet;

use html5ever::tendril::TendrilSink;
use html5ever::tree_builder::TreeBuilderOpts;
use html5ever::{ParseOpts, QualName, local_name, ns, parse_fragment};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use crate::xhtml::dom::{Element, Node, VOID_ELEMENTS};

pub use attributes::is_xml_ncname;
// The passes are one namespace split into files: each file sees the others' items through
// `use super::*`, and nothing outside `xhtml` sees them.
use attributes::*;
use filter::*;
use ids::*;
use repair::*;
pub use urls::url_scheme;
use urls::*;
pub use vocabulary::BLOCK_ELEMENTS;
use vocabulary::*;

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

#[cfg(test)]
mod tests;
