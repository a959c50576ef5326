//! `toc.ncx`, the table of contents for EPUB 2 reading systems (older Kindles and Kobos still
//! read it). Same tree as the navigation document's `toc`.

use super::PackagePlan;
use super::toc::{TocEntry, depth, table_of_contents};
use super::xml::XmlWriter;

pub(super) fn ncx(plan: &PackagePlan) -> String {
    let meta = &plan.book.meta;
    let entries = table_of_contents(plan.book);
    let uid = meta.identifier.as_dc_value();
    let depth = depth(&entries).to_string();

    let mut xml = XmlWriter::new();
    xml.open(
        "ncx",
        &[
            ("xmlns", "http://www.daisy.org/z3986/2005/ncx/"),
            ("version", "2005-1"),
            ("xml:lang", &meta.language),
        ],
    );
    xml.open("head", &[]);
    // Must equal the package's unique identifier, or EPUB 2 readers treat them as two books.
    xml.empty("meta", &[("name", "dtb:uid"), ("content", &uid)]);
    xml.empty("meta", &[("name", "dtb:depth"), ("content", &depth)]);
    xml.empty("meta", &[("name", "dtb:totalPageCount"), ("content", "0")]);
    xml.empty("meta", &[("name", "dtb:maxPageNumber"), ("content", "0")]);
    xml.close("head");
    xml.open("docTitle", &[]);
    xml.leaf("text", &[], &meta.title);
    xml.close("docTitle");
    xml.open("navMap", &[]);
    let mut play_order = 0;
    write_points(&mut xml, &entries, &mut play_order);
    xml.close("navMap");
    xml.close("ncx");
    xml.finish()
}

/// `playOrder` counts navPoints in document order, which is reading order here.
fn write_points(xml: &mut XmlWriter, entries: &[TocEntry], play_order: &mut usize) {
    for entry in entries {
        *play_order += 1;
        let id = format!("navpoint-{play_order}");
        let order = play_order.to_string();
        xml.open("navPoint", &[("id", &id), ("playOrder", &order)]);
        xml.open("navLabel", &[]);
        xml.leaf("text", &[], &entry.label);
        xml.close("navLabel");
        xml.empty("content", &[("src", &entry.href)]);
        write_points(xml, &entry.children, play_order);
        xml.close("navPoint");
    }
}
