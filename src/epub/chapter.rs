//! One chapter's XHTML document: the cleaned body inside a `chapter` section.
//!
//! The body was cleaned and its links rewritten upstream; this only wraps and serializes it.
//! Block elements at the top level go on their own line for readable output. Anything else
//! (inline elements, text) is written exactly as it came, because adding whitespace between
//! inline content would change what the reader sees.

use crate::model::Chapter;
use crate::xhtml::dom::{Node, write_xhtml};

use super::layout::TEXT_TO_ROOT;
use super::xml::XmlWriter;
use super::{PackagePlan, xhtml_document};

pub(super) fn chapter_document(plan: &PackagePlan, chapter: &Chapter) -> String {
    let title = if chapter.title.trim().is_empty() {
        &plan.book.meta.title
    } else {
        &chapter.title
    };
    xhtml_document(plan, title, TEXT_TO_ROOT, &[], |xml| {
        let mut attrs = vec![("epub:type", "chapter"), ("role", "doc-chapter")];
        // Names the section for assistive technology by its first heading.
        if let Some(heading) = chapter.headings.first() {
            attrs.push(("aria-labelledby", heading.id.as_str()));
        }
        if plan.kobo_spans {
            // Kobo's pagination expects these two wrappers right inside the body.
            xml.open("div", &[("id", "book-columns")]);
            xml.open("div", &[("id", "book-inner")]);
            xml.open("section", &attrs);
            write_body(xml, &super::kepub::with_kobo_spans(&chapter.body));
            xml.close("section");
            xml.close("div");
            xml.close("div");
        } else {
            xml.open("section", &attrs);
            write_body(xml, &chapter.body);
            xml.close("section");
        }
    })
}

fn write_body(xml: &mut XmlWriter, body: &[Node]) {
    let mut inline_run = String::new();
    for (index, node) in body.iter().enumerate() {
        if is_block(node) {
            flush(xml, &mut inline_run);
            let mut markup = String::new();
            write_xhtml(std::slice::from_ref(node), &mut markup);
            xml.raw_line(&markup);
        } else if is_blank_text(node) && separates_blocks(body, index) {
            // Whitespace between two blocks is not rendered; the line break replaces it.
        } else {
            write_xhtml(std::slice::from_ref(node), &mut inline_run);
        }
    }
    flush(xml, &mut inline_run);
}

fn flush(xml: &mut XmlWriter, inline_run: &mut String) {
    if !inline_run.is_empty() {
        xml.raw_line(inline_run);
        inline_run.clear();
    }
}

fn is_block(node: &Node) -> bool {
    matches!(node, Node::Element(element) if crate::xhtml::BLOCK_ELEMENTS.contains(&element.name.as_str()))
}

fn is_blank_text(node: &Node) -> bool {
    matches!(node, Node::Text(text) if text.trim().is_empty())
}

/// Whether the node at `index` has a block (or the start/end of the body) on both sides.
fn separates_blocks(body: &[Node], index: usize) -> bool {
    let before = index == 0 || body.get(index - 1).is_some_and(is_block);
    let after = body.get(index + 1).is_none_or(is_block);
    before && after
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xhtml::dom::Element;

    #[test]
    fn blocks_get_their_own_lines_and_inline_runs_stay_intact() {
        let body: Vec<Node> = vec![
            Node::Text("\n".into()),
            Element::new("p").with_text("one").into(),
            Node::Text("\n".into()),
            Element::new("p").with_text("two").into(),
            Node::Text("loose ".into()),
            Element::new("em").with_text("inline").into(),
            Node::Text(" ".into()),
            Element::new("hr").into(),
        ];
        let mut xml = XmlWriter::new();
        write_body(&mut xml, &body);
        assert_eq!(
            xml.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <p>one</p>\n<p>two</p>\nloose <em>inline</em> \n<hr/>\n"
        );
    }
}
