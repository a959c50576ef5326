//! `content.opf`, the package document (version 3.0, EPUB 3.3 rules) with the EPUB 2
//! fallbacks that older readers still use: `<meta name="cover">`, `toc="ncx"` and `<guide>`.
//!
//! Manifest ids come from positions and fixed names (`chapter-1`, `image-2`), never from user
//! text, so they are always valid XML names and stable across rebuilds.

use crate::model::{Identifier, Meta};
use crate::xhtml::dom::{Node, for_each_element};

use super::accessibility::CONFORMS_TO;
use super::xml::XmlWriter;
use super::{
    COVER_PAGE, EXTRA_STYLESHEET, ILLUSTRATIONS_PAGE, NAV, NCX, PackagePlan, STYLESHEET,
    TITLE_PAGE, chapter_href,
};

const XHTML: &str = "application/xhtml+xml";
const BOOK_ID: &str = "book-id";
const COVER_IMAGE_ID: &str = "cover-image";
const COVER_PAGE_ID: &str = "cover-page";
const TITLE_PAGE_ID: &str = "title-page";
const ILLUSTRATIONS_ID: &str = "illustrations";

pub(super) fn package_document(plan: &PackagePlan) -> String {
    let mut xml = XmlWriter::new();
    xml.open(
        "package",
        &[
            ("xmlns", "http://www.idpf.org/2007/opf"),
            ("version", "3.0"),
            ("unique-identifier", BOOK_ID),
            ("xml:lang", plan.language()),
        ],
    );
    write_metadata(&mut xml, plan);
    write_manifest(&mut xml, plan);
    write_spine(&mut xml, plan);
    write_guide(&mut xml, plan);
    xml.close("package");
    xml.finish()
}

fn write_metadata(xml: &mut XmlWriter, plan: &PackagePlan) {
    let meta = &plan.book.meta;
    xml.open(
        "metadata",
        &[("xmlns:dc", "http://purl.org/dc/elements/1.1/")],
    );
    xml.leaf(
        "dc:identifier",
        &[("id", BOOK_ID)],
        &meta.identifier.as_dc_value(),
    );
    if let Identifier::Isbn(_) = meta.identifier {
        // ONIX code list 5, code 15: ISBN-13. Lets stores read the number without parsing it.
        refine(
            xml,
            BOOK_ID,
            "identifier-type",
            Some("onix:codelist5"),
            "15",
        );
    }
    xml.leaf("dc:title", &[("id", "title")], &meta.title);
    refine(xml, "title", "title-type", None, "main");
    if let Some(subtitle) = &meta.subtitle {
        xml.leaf("dc:title", &[("id", "subtitle")], subtitle);
        refine(xml, "subtitle", "title-type", None, "subtitle");
    }
    write_creators(xml, meta);
    xml.leaf("dc:language", &[], &meta.language);
    let optional = [
        ("dc:date", &meta.date),
        ("dc:publisher", &meta.publisher),
        ("dc:rights", &meta.rights),
        ("dc:description", &meta.description),
    ];
    for (element, value) in optional {
        if let Some(value) = value {
            xml.leaf(element, &[], value);
        }
    }
    for subject in &meta.subjects {
        xml.leaf("dc:subject", &[], subject);
    }
    if let Some(series) = &meta.series {
        xml.leaf(
            "meta",
            &[("property", "belongs-to-collection"), ("id", "series")],
            &series.name,
        );
        refine(xml, "series", "collection-type", None, "series");
        if let Some(index) = &series.index {
            refine(xml, "series", "group-position", None, index);
        }
    }
    xml.leaf("meta", &[("property", "dcterms:modified")], &meta.modified);
    write_accessibility(xml, plan);
    if plan.cover.is_some() {
        // EPUB 2 readers (and Kindle conversion) find the cover only this way.
        xml.empty("meta", &[("name", "cover"), ("content", COVER_IMAGE_ID)]);
    }
    xml.close("metadata");
}

/// Schema.org accessibility properties and the conformance claim, from what the book holds.
fn write_accessibility(xml: &mut XmlWriter, plan: &PackagePlan) {
    let facts = &plan.accessibility;
    let settings = &plan.book.meta.accessibility;
    let property = |xml: &mut XmlWriter, name: &str, value: &str| {
        xml.leaf("meta", &[("property", name)], value);
    };
    for mode in facts.access_modes() {
        property(xml, "schema:accessMode", mode);
    }
    for modes in facts.access_modes_sufficient() {
        property(xml, "schema:accessModeSufficient", modes);
    }
    for feature in facts.features() {
        property(xml, "schema:accessibilityFeature", feature);
    }
    // Text and still images only: no flashing, motion or sound.
    property(xml, "schema:accessibilityHazard", "none");
    let summary = match &settings.summary {
        Some(summary) => summary.clone(),
        None => facts.summary(),
    };
    property(xml, "schema:accessibilitySummary", &summary);
    if facts.conforms() {
        property(xml, "dcterms:conformsTo", CONFORMS_TO);
        if let Some(certifier) = &settings.certified_by {
            property(xml, "a11y:certifiedBy", certifier);
        }
    }
}

fn write_creators(xml: &mut XmlWriter, meta: &Meta) {
    for (index, creator) in meta.creators.iter().enumerate() {
        let id = format!("creator-{}", index + 1);
        xml.leaf("dc:creator", &[("id", &id)], &creator.name);
        refine(xml, &id, "role", Some("marc:relators"), &creator.role);
        if let Some(file_as) = &creator.file_as {
            refine(xml, &id, "file-as", None, file_as);
        }
    }
}

/// A `<meta refines="#id">` that qualifies an earlier element.
fn refine(xml: &mut XmlWriter, id: &str, property: &str, scheme: Option<&str>, value: &str) {
    let target = format!("#{id}");
    let mut attrs = vec![("refines", target.as_str()), ("property", property)];
    if let Some(scheme) = scheme {
        attrs.push(("scheme", scheme));
    }
    xml.leaf("meta", &attrs, value);
}

fn write_manifest(xml: &mut XmlWriter, plan: &PackagePlan) {
    let book = plan.book;
    xml.open("manifest", &[]);
    item(xml, "nav", NAV, XHTML, Some("nav"));
    item(xml, "ncx", NCX, "application/x-dtbncx+xml", None);
    item(xml, "css", STYLESHEET, "text/css", None);
    if book.extra_css.is_some() {
        item(xml, "css-extra", EXTRA_STYLESHEET, "text/css", None);
    }
    for (index, resource) in book.stylesheet_resources.iter().enumerate() {
        let id = format!("css-file-{}", index + 1);
        let href = super::stylesheet_resource_href(&resource.href);
        item(xml, &id, &href, resource.media_type, None);
    }
    if plan.cover.is_some() {
        item(xml, COVER_PAGE_ID, COVER_PAGE, XHTML, None);
    }
    item(xml, TITLE_PAGE_ID, TITLE_PAGE, XHTML, None);
    for (index, chapter) in book.chapters.iter().enumerate() {
        let properties = content_properties(&chapter.body);
        item(
            xml,
            &chapter_id(index),
            &chapter_href(chapter),
            XHTML,
            properties.as_deref(),
        );
    }
    if plan.has_illustrations_page {
        item(xml, ILLUSTRATIONS_ID, ILLUSTRATIONS_PAGE, XHTML, None);
    }
    for (index, image) in book.images.iter().enumerate() {
        if image.is_cover {
            item(
                xml,
                COVER_IMAGE_ID,
                &image.href,
                image.media_type,
                Some("cover-image"),
            );
        } else {
            let id = format!("image-{}", index + 1);
            item(xml, &id, &image.href, image.media_type, None);
        }
    }
    xml.close("manifest");
}

fn item(xml: &mut XmlWriter, id: &str, href: &str, media_type: &str, properties: Option<&str>) {
    let mut attrs = vec![("id", id), ("href", href), ("media-type", media_type)];
    if let Some(properties) = properties {
        attrs.push(("properties", properties));
    }
    xml.empty("item", &attrs);
}

/// Manifest properties a content document must declare for what it holds: epubcheck rejects
/// an undeclared inline SVG or MathML (raw HTML in Markdown can bring either).
fn content_properties(body: &[Node]) -> Option<String> {
    let (mut svg, mut mathml) = (false, false);
    for_each_element(body, &mut |element| match element.name.as_str() {
        "svg" => svg = true,
        "math" => mathml = true,
        _ => {}
    });
    let properties: Vec<&str> = [(mathml, "mathml"), (svg, "svg")]
        .into_iter()
        .filter_map(|(present, name)| present.then_some(name))
        .collect();
    (!properties.is_empty()).then(|| properties.join(" "))
}

fn chapter_id(index: usize) -> String {
    format!("chapter-{}", index + 1)
}

fn write_spine(xml: &mut XmlWriter, plan: &PackagePlan) {
    let mut attrs = vec![("toc", "ncx")];
    if let Some(progression) = plan.layout.page_progression {
        attrs.push(("page-progression-direction", progression));
    }
    xml.open("spine", &attrs);
    if plan.cover.is_some() {
        xml.empty("itemref", &[("idref", COVER_PAGE_ID)]);
    }
    xml.empty("itemref", &[("idref", TITLE_PAGE_ID)]);
    // The landmarks (and a reader's "go to contents") link to the navigation document, and
    // links may only point at spine items. Non-linear: readers paging through the book skip
    // it, as they have their own contents view.
    xml.empty("itemref", &[("idref", "nav"), ("linear", "no")]);
    for index in 0..plan.book.chapters.len() {
        xml.empty("itemref", &[("idref", &chapter_id(index))]);
    }
    if plan.has_illustrations_page {
        xml.empty("itemref", &[("idref", ILLUSTRATIONS_ID)]);
    }
    xml.close("spine");
}

/// The EPUB 2 guide: deprecated in EPUB 3 but still how some readers find where to open the
/// book and where its cover is.
fn write_guide(xml: &mut XmlWriter, plan: &PackagePlan) {
    let book = plan.book;
    xml.open("guide", &[]);
    if plan.cover.is_some() {
        reference(xml, "cover", "Cover", COVER_PAGE);
    }
    reference(xml, "title-page", "Title page", TITLE_PAGE);
    if let Some(chapter) = book.chapters.first() {
        reference(xml, "text", "Start of content", &chapter_href(chapter));
    }
    reference(xml, "toc", "Table of contents", NAV);
    if let Some(href) = plan.list_of_illustrations_href() {
        reference(xml, "loi", &book.meta.list_of_illustrations.title, href);
    }
    xml.close("guide");
}

fn reference(xml: &mut XmlWriter, kind: &str, title: &str, href: &str) {
    xml.empty(
        "reference",
        &[("type", kind), ("title", title), ("href", href)],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xhtml::dom::Element;

    #[test]
    fn declares_inline_svg_and_mathml_wherever_they_are() {
        let body: Vec<Node> = vec![
            Element::new("p")
                .with_child(Element::new("math").into())
                .with_child(
                    Element::new("span")
                        .with_child(Element::new("svg").into())
                        .into(),
                )
                .into(),
        ];
        assert_eq!(content_properties(&body).as_deref(), Some("mathml svg"));
        assert_eq!(content_properties(&[Element::new("p").into()]), None);
    }
}
