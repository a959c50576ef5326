//! `nav.xhtml`, the EPUB 3 navigation document: the table of contents, the list of
//! illustrations and the landmarks.
//!
//! It lives in the OEBPS folder, so its links are `text/<file>#<id>`. It is in the spine as a
//! non-linear item only so the landmarks may link to it (epubcheck RSC-011); reading systems
//! build their own contents view from it.

use crate::model::Book;

use super::toc::{TocEntry, table_of_contents};
use super::xml::XmlWriter;
use super::{COVER_PAGE, NAV, PackagePlan, TITLE_PAGE, chapter_href, figure_label, xhtml_document};

pub(super) fn navigation_document(plan: &PackagePlan) -> String {
    let book = plan.book;
    xhtml_document(plan, &book.meta.title, "", &[], |xml| {
        xml.open(
            "nav",
            &[("epub:type", "toc"), ("id", "toc"), ("role", "doc-toc")],
        );
        write_entries(xml, &table_of_contents(book));
        xml.close("nav");
        if plan.has_figures {
            write_list_of_illustrations(xml, book);
        }
        write_landmarks(xml, plan);
    })
}

fn write_entries(xml: &mut XmlWriter, entries: &[TocEntry]) {
    xml.open("ol", &[]);
    for entry in entries {
        xml.open("li", &[]);
        xml.leaf("a", &[("href", &entry.href)], &entry.label);
        if !entry.children.is_empty() {
            write_entries(xml, &entry.children);
        }
        xml.close("li");
    }
    xml.close("ol");
}

/// Every figure in reading order. Only called when there is at least one: an empty `ol` is
/// invalid in a navigation document.
fn write_list_of_illustrations(xml: &mut XmlWriter, book: &Book) {
    xml.open("nav", &[("epub:type", "loi"), ("id", "loi")]);
    xml.leaf("h2", &[], &book.meta.list_of_illustrations.title);
    xml.open("ol", &[]);
    for (number, (chapter, figure)) in book.figures().enumerate() {
        let href = format!(
            "{}#{}",
            chapter_href(chapter),
            crate::xhtml::dom::encode_fragment(&figure.id)
        );
        xml.open("li", &[]);
        xml.leaf("a", &[("href", &href)], &figure_label(figure, number + 1));
        xml.close("li");
    }
    xml.close("ol");
    xml.close("nav");
}

fn write_landmarks(xml: &mut XmlWriter, plan: &PackagePlan) {
    let book = plan.book;
    let toc_href = format!("{NAV}#toc");
    let mut landmarks: Vec<(&str, &str, &str)> = Vec::new();
    if plan.cover.is_some() {
        landmarks.push(("cover", COVER_PAGE, "Cover"));
    }
    landmarks.push(("titlepage", TITLE_PAGE, "Title page"));
    let first_chapter = book.chapters.first().map(chapter_href);
    if let Some(href) = &first_chapter {
        landmarks.push(("bodymatter", href, "Start of content"));
    }
    landmarks.push(("toc", &toc_href, "Table of contents"));
    if let Some(href) = plan.list_of_illustrations_href() {
        landmarks.push(("loi", href, &book.meta.list_of_illustrations.title));
    }

    xml.open(
        "nav",
        &[
            ("epub:type", "landmarks"),
            ("id", "landmarks"),
            ("hidden", ""),
        ],
    );
    xml.open("ol", &[]);
    for (kind, href, label) in landmarks {
        xml.open("li", &[]);
        xml.leaf("a", &[("epub:type", kind), ("href", href)], label);
        xml.close("li");
    }
    xml.close("ol");
    xml.close("nav");
}
