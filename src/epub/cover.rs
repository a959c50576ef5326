//! `text/cover.xhtml`: the cover image alone on a page, scaled to fit whatever screen it is
//! shown on. Sizes are left to the stylesheet (`.cover`), never fixed in pixels.

use crate::model::ImageResource;

use super::layout::TEXT_TO_ROOT;
use super::{PackagePlan, xhtml_document};

pub(super) fn cover_page(plan: &PackagePlan, cover: &ImageResource) -> String {
    let title = &plan.book.meta.title;
    let src = format!("{TEXT_TO_ROOT}{}", cover.href);
    xhtml_document(plan, title, TEXT_TO_ROOT, &[("class", "cover")], |xml| {
        xml.open("section", &[("epub:type", "cover"), ("class", "cover")]);
        xml.empty(
            "img",
            &[("src", &src), ("alt", title), ("role", "doc-cover")],
        );
        xml.close("section");
    })
}
