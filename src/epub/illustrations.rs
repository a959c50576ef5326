//! `text/illustrations.xhtml`: a list of illustrations readers can page to, with a link to
//! every figure in reading order. Only written when asked for and there is a figure to list.

use super::layout::TEXT_TO_ROOT;
use super::{PackagePlan, figure_label, xhtml_document};

pub(super) fn illustrations_page(plan: &PackagePlan) -> String {
    let book = plan.book;
    let title = &book.meta.list_of_illustrations.title;
    xhtml_document(plan, title, TEXT_TO_ROOT, &[], |xml| {
        xml.open("section", &[("epub:type", "loi"), ("class", "loi")]);
        xml.leaf("h1", &[], title);
        xml.open("ol", &[]);
        for (number, (chapter, figure)) in book.figures().enumerate() {
            // Chapters live in the same folder as this page.
            let href = format!(
                "{}#{}",
                chapter.file_name,
                crate::xhtml::dom::encode_fragment(&figure.id)
            );
            xml.open("li", &[]);
            xml.leaf("a", &[("href", &href)], &figure_label(figure, number + 1));
            xml.close("li");
        }
        xml.close("ol");
        xml.close("section");
    })
}
