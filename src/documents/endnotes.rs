//! `notes: end` (issue 14): every chapter's footnotes moved into one "Notes" document at the
//! end of the book, under a heading per chapter, with the links both ways rewritten.
//!
//! Runs on the finished documents, after links were resolved, so every link to a note is
//! already `#fn-1` (same document) or `chapter-002.xhtml#fn-1`. The notes keep their
//! `aside epub:type="footnote"` structure, so readers that pop notes up still do; the section
//! around them is `epub:type="endnotes"` / `role="doc-endnotes"`.

use std::collections::HashMap;

use crate::documents::{Document, percent_decode};
use crate::xhtml::dom::{self, Element, Node};

/// The endnotes document's file name in the text folder.
pub const FILE_NAME: &str = "endnotes.xhtml";

/// Moves the notes into a document appended to `documents`; does nothing when no document
/// has notes. `title` heads the new document.
pub fn collect(documents: &mut Vec<Document>, title: &str) {
    // (document, old id) → new id, and the moved notes per document, in reading order.
    let mut moved: Moved = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for document in documents.iter_mut() {
        let mut notes = take_notes(document);
        if notes.is_empty() {
            continue;
        }
        let stem = document.file_name.trim_end_matches(".xhtml").to_string();
        for aside in &mut notes {
            if let Some(id) = aside.attr("id").map(str::to_string) {
                let fresh = format!("{stem}-{id}");
                moved.insert((document.file_name.clone(), id), fresh.clone());
                aside.set_attr("id", fresh);
            }
        }
        let heading = first_heading(&document.nodes).unwrap_or_else(|| stem.clone());
        groups.push((document.file_name.clone(), heading, notes));
    }
    if groups.is_empty() {
        return;
    }
    let Some(last_file) = documents.last().map(|d| d.file) else {
        return;
    };

    // Links in the text that led to a note now lead to the notes document.
    for document in documents.iter_mut() {
        let here = document.file_name.clone();
        dom::for_each_element_mut(&mut document.nodes, &mut |a| {
            retarget(a, &here, &moved, false);
        });
    }

    let section = notes_section(title, groups, &moved);
    documents.push(Document {
        file: last_file,
        file_name: FILE_NAME.to_string(),
        nodes: vec![section.into()],
    });
}

/// (document, old id) → the note's id in the notes document.
type Moved = HashMap<(String, String), String>;

/// One chapter's notes: its file name, the heading they go under, the notes.
type Group = (String, String, Vec<Element>);

/// Takes the footnote sections out of `document` and returns their notes, in order.
fn take_notes(document: &mut Document) -> Vec<Element> {
    let mut notes: Vec<Element> = Vec::new();
    document.nodes.retain_mut(|node| match node {
        Node::Element(e) if is_footnote_section(e) => {
            for child in std::mem::take(&mut e.children) {
                if let Node::Element(aside) = child
                    && aside.name == "aside"
                {
                    notes.push(aside);
                }
            }
            false
        }
        _ => true,
    });
    notes
}

/// The notes document's one section: `title`, then each chapter's notes under its heading.
fn notes_section(title: &str, groups: Vec<Group>, moved: &Moved) -> Element {
    let mut section = Element::new("section")
        .with_attr("epub:type", "endnotes")
        .with_attr("role", "doc-endnotes")
        .with_attr("class", "endnotes");
    section.children.push(
        Element::new("h1")
            .with_attr("id", "notes")
            .with_text(title)
            .into(),
    );
    for (file_name, heading, notes) in groups {
        let stem = file_name.trim_end_matches(".xhtml");
        section.children.push(
            Element::new("h2")
                .with_attr("id", format!("notes-{stem}"))
                .with_text(heading)
                .into(),
        );
        for aside in notes {
            // Inside a note, `#x` meant its own chapter; now it means that chapter's file.
            let mut note = [Node::Element(aside)];
            dom::for_each_element_mut(&mut note, &mut |a| {
                retarget(a, &file_name, moved, true);
            });
            section.children.extend(note);
        }
    }
    section
}

fn is_footnote_section(element: &Element) -> bool {
    element.name == "section"
        && element
            .attr("epub:type")
            .is_some_and(|t| t.split_whitespace().any(|t| t == "footnotes"))
}

/// Points `a` at the note's new home when it led to a moved note; with `moved_from_here`,
/// a link within the old document (`#x`) gets that document's name.
fn retarget(a: &mut Element, here: &str, moved: &Moved, moved_from_here: bool) {
    if a.name != "a" {
        return;
    }
    let Some(href) = a.attr("href") else {
        return;
    };
    let Some((document, fragment)) = href.split_once('#') else {
        return;
    };
    if document.contains(':') || document.contains('/') {
        return;
    }
    let document = if document.is_empty() { here } else { document };
    let key = (document.to_string(), percent_decode(fragment));
    let new = match moved.get(&key) {
        Some(id) => format!("{FILE_NAME}#{}", dom::encode_fragment(id)),
        None if moved_from_here && href.starts_with('#') => format!("{here}{href}"),
        None => return,
    };
    a.set_attr("href", new);
}

/// The text of the first heading among `nodes`, for the chapter's heading in the notes.
fn first_heading(nodes: &[Node]) -> Option<String> {
    let mut found = None;
    dom::for_each_element(nodes, &mut |e| {
        if found.is_none() && matches!(e.name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
            let text = e
                .text_content()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !text.is_empty() {
                found = Some(text);
            }
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xhtml(nodes: &[Node]) -> String {
        let mut out = String::new();
        dom::write_xhtml(nodes, &mut out);
        out
    }

    fn chapter(file: usize, name: &str, heading: &str, note: &str) -> Document {
        let noteref = Element::new("a")
            .with_attr("id", "fnref-1")
            .with_attr("href", "#fn-1")
            .with_text("1");
        let back = Element::new("a")
            .with_attr("href", "#fnref-1")
            .with_text("1");
        let aside = Element::new("aside")
            .with_attr("id", "fn-1")
            .with_attr("epub:type", "footnote")
            .with_child(
                Element::new("p")
                    .with_child(back.into())
                    .with_text(note)
                    .into(),
            );
        let section = Element::new("section")
            .with_attr("epub:type", "footnotes")
            .with_child(aside.into());
        Document {
            file,
            file_name: name.into(),
            nodes: vec![
                Element::new("h1").with_text(heading).into(),
                Element::new("p").with_child(noteref.into()).into(),
                section.into(),
            ],
        }
    }

    #[test]
    fn notes_move_to_one_document_under_chapter_headings_with_links_both_ways() {
        let mut docs = vec![
            chapter(0, "chapter-001.xhtml", "Arrival", "First."),
            Document {
                file: 1,
                file_name: "chapter-002.xhtml".into(),
                nodes: vec![Element::new("p").with_text("No notes.").into()],
            },
            chapter(2, "chapter-003.xhtml", "Departure", "Second."),
        ];
        collect(&mut docs, "Notes");
        assert_eq!(docs.len(), 4);
        assert_eq!(
            xhtml(&docs[0].nodes),
            "<h1>Arrival</h1><p><a id=\"fnref-1\" href=\"endnotes.xhtml#chapter-001-fn-1\">1</a></p>"
        );
        assert_eq!(docs[3].file_name, FILE_NAME);
        assert_eq!(docs[3].file, 2);
        assert_eq!(
            xhtml(&docs[3].nodes),
            "<section epub:type=\"endnotes\" role=\"doc-endnotes\" class=\"endnotes\"><h1 id=\"notes\">Notes</h1>\
             <h2 id=\"notes-chapter-001\">Arrival</h2><aside id=\"chapter-001-fn-1\" epub:type=\"footnote\"><p><a href=\"chapter-001.xhtml#fnref-1\">1</a>First.</p></aside>\
             <h2 id=\"notes-chapter-003\">Departure</h2><aside id=\"chapter-003-fn-1\" epub:type=\"footnote\"><p><a href=\"chapter-003.xhtml#fnref-1\">1</a>Second.</p></aside></section>"
        );
    }

    #[test]
    fn a_book_without_notes_gets_no_notes_document() {
        let mut docs = vec![Document {
            file: 0,
            file_name: "chapter-001.xhtml".into(),
            nodes: vec![Element::new("p").with_text("x").into()],
        }];
        collect(&mut docs, "Notes");
        assert_eq!(docs.len(), 1);
    }
}
