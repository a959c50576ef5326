//! Every document of the EPUB, as bytes ready for the zip.
//!
//! Input is a fully resolved [`Book`]; nothing here parses Markdown, reads a manuscript or
//! decodes an image. Each output document has its own file: `container.rs`, `opf.rs`,
//! `nav.rs`, `ncx.rs`, `chapter.rs`, `cover.rs`, `title_page.rs`, `illustrations.rs`, and
//! the default stylesheet `bindery.css`. [`assemble`] decides which optional documents exist
//! (through its `PackagePlan`) so the manifest, spine, navigation and guide always agree.
//!
//! Where each document goes inside the zip (after `mimetype`, which `package.rs` writes) is
//! spelled in `layout.rs` alone.
//!
//! Everything is a function of the book alone: no clock, no environment, ids derived from
//! positions, so rebuilding a book gives the same bytes.

mod accessibility;
mod chapter;
mod container;
mod cover;
mod illustrations;
mod kepub;
pub(crate) mod layout;
mod nav;
mod ncx;
mod opf;
mod title_page;
mod toc;
mod xml;

use crate::config::OutputFormat;
use crate::model::{Book, Chapter, Figure, ImageResource};
use crate::package::{Compression, Entry, EntryData};

use crate::script::{self, Layout};
use layout::{
    CONTAINER, COVER_PAGE, EXTRA_STYLESHEET, ILLUSTRATIONS_PAGE, NAV, NCX, OPF, STYLESHEET,
    TITLE_PAGE, in_root, stylesheet_resource_href,
};
use xml::XmlWriter;

/// The default stylesheet, always included; a user's `css:` is linked after it.
const DEFAULT_CSS: &str = include_str!("bindery.css");

/// Every entry of the EPUB after `mimetype`, in the order they are written.
pub fn assemble(book: &Book) -> Vec<Entry> {
    assemble_as(book, OutputFormat::Epub)
}

/// [`assemble`] in the given flavour: a kepub differs only in its chapter bodies.
pub fn assemble_as(book: &Book, format: OutputFormat) -> Vec<Entry> {
    let mut plan = PackagePlan::new(book);
    plan.kobo_spans = format == OutputFormat::Kepub;
    let mut entries = vec![
        Entry::text(CONTAINER, container::container_xml()),
        Entry::text(in_root(OPF), opf::package_document(&plan)),
        Entry::text(in_root(NAV), nav::navigation_document(&plan)),
        Entry::text(in_root(NCX), ncx::ncx(&plan)),
        Entry::text(in_root(STYLESHEET), stylesheet(&plan)),
    ];
    if let Some(css) = &book.extra_css {
        entries.push(Entry::text(in_root(EXTRA_STYLESHEET), css.clone()));
    }
    for resource in &book.stylesheet_resources {
        entries.push(Entry {
            path: in_root(&stylesheet_resource_href(&resource.href)),
            data: EntryData::Bytes(resource.data.clone()),
            compression: if resource.media_type.starts_with("font/") {
                Compression::Deflated
            } else {
                Compression::Stored
            },
        });
    }
    if let Some(cover) = plan.cover {
        entries.push(Entry::text(
            in_root(COVER_PAGE),
            cover::cover_page(&plan, cover),
        ));
    }
    entries.push(Entry::text(
        in_root(TITLE_PAGE),
        title_page::title_page(&plan),
    ));
    for chapter in &book.chapters {
        entries.push(Entry::text(
            in_root(&chapter_href(chapter)),
            chapter::chapter_document(&plan, chapter),
        ));
    }
    if plan.has_illustrations_page {
        entries.push(Entry::text(
            in_root(ILLUSTRATIONS_PAGE),
            illustrations::illustrations_page(&plan),
        ));
    }
    for image in &book.images {
        entries.push(Entry {
            path: in_root(&image.href),
            data: EntryData::File(image.data.clone()),
            // Images arrive encoded (JPEG, PNG, WebP); deflate would gain nothing.
            compression: Compression::Stored,
        });
    }
    entries
}

/// What the book's documents have to agree on: which optional documents exist.
struct PackagePlan<'a> {
    book: &'a Book,
    cover: Option<&'a ImageResource>,
    /// The list-of-illustrations page is in the spine: asked for, and there is something to list.
    has_illustrations_page: bool,
    has_figures: bool,
    accessibility: accessibility::Accessibility,
    /// Write chapters with Kobo's sentence spans and wrappers (kepub).
    kobo_spans: bool,
    /// Text direction, page progression and writing mode, from the language and front matter.
    layout: Layout,
}

impl<'a> PackagePlan<'a> {
    fn new(book: &'a Book) -> Self {
        let has_figures = book.figures().next().is_some();
        PackagePlan {
            book,
            cover: book.cover(),
            has_illustrations_page: book.meta.list_of_illustrations.enabled && has_figures,
            has_figures,
            accessibility: accessibility::Accessibility::of(book),
            kobo_spans: false,
            layout: script::layout(
                &book.meta.language,
                book.meta.direction,
                book.meta.writing_mode,
            ),
        }
    }

    fn language(&self) -> &str {
        &self.book.meta.language
    }

    /// Where "the list of illustrations" landmark points: the page when there is one, else the
    /// `loi` nav. `None` when the book has no figures.
    fn list_of_illustrations_href(&self) -> Option<&'static str> {
        match (self.has_illustrations_page, self.has_figures) {
            (true, _) => Some(ILLUSTRATIONS_PAGE),
            (false, true) => Some("nav.xhtml#loi"),
            (false, false) => None,
        }
    }
}

/// The chapter's path relative to the OEBPS folder.
fn chapter_href(chapter: &Chapter) -> String {
    layout::chapter_href(&chapter.file_name)
}

/// The text a list shows for a figure. A figure with neither caption nor alt text would give an
/// empty link, which EPUB navigation forbids, so it is numbered instead.
/// A figure as lists name it: its number when the book numbers figures ("Plate 3. "), its
/// caption (else its alt text, else "Figure n"), and its credit after a dash (issue 14).
fn figure_label(figure: &Figure, number: usize) -> String {
    let label = figure.label().trim();
    let mut text = match (&figure.number, label.is_empty()) {
        (Some(name), true) => name.clone(),
        (Some(name), false) => format!("{name}. {label}"),
        (None, true) => format!("Figure {number}"),
        (None, false) => label.to_owned(),
    };
    if let Some(credit) = &figure.credit {
        text.push_str(" \u{2014} ");
        text.push_str(credit);
    }
    text
}

/// The default stylesheet, with the book's writing mode when its text runs vertically. The
/// `-epub-` form is the one EPUB 3.0 reading systems (older Kobo and Apple Books among them)
/// read; the `-webkit-` one serves WebKit-based readers of that time.
fn stylesheet(plan: &PackagePlan) -> String {
    let mut css = DEFAULT_CSS.to_owned();
    if let Some(mode) = plan.layout.writing_mode {
        css.push_str(&format!(
            "\n/* The book's text runs vertically (front matter `writing-mode: vertical`). */\n\
             html {{\n  -epub-writing-mode: {mode};\n  -webkit-writing-mode: {mode};\n  writing-mode: {mode};\n}}\n"
        ));
    }
    css
}

/// An XHTML content document around `write_body`.
///
/// `to_root` is the way from the document's folder to OEBPS (`""` or `"../"`), for the
/// stylesheet links.
fn xhtml_document(
    plan: &PackagePlan,
    title: &str,
    to_root: &str,
    body_attrs: &[(&str, &str)],
    write_body: impl FnOnce(&mut XmlWriter),
) -> String {
    let mut xml = XmlWriter::new();
    xml.raw_line("<!DOCTYPE html>");
    let language = plan.language();
    let mut html_attrs = vec![
        ("xmlns", "http://www.w3.org/1999/xhtml"),
        ("xmlns:epub", "http://www.idpf.org/2007/ops"),
        ("lang", language),
        ("xml:lang", language),
    ];
    // On the root element, so it holds for the title page, the navigation and the cover too.
    if let Some(dir) = plan.layout.dir {
        html_attrs.push(("dir", dir));
    }
    xml.open("html", &html_attrs);
    xml.open("head", &[]);
    xml.empty("meta", &[("charset", "UTF-8")]);
    xml.leaf("title", &[], title);
    let mut stylesheets = vec![format!("{to_root}{STYLESHEET}")];
    if plan.book.extra_css.is_some() {
        stylesheets.push(format!("{to_root}{EXTRA_STYLESHEET}"));
    }
    for href in &stylesheets {
        xml.empty(
            "link",
            &[("rel", "stylesheet"), ("type", "text/css"), ("href", href)],
        );
    }
    xml.close("head");
    xml.open("body", body_attrs);
    write_body(&mut xml);
    xml.close("body");
    xml.close("html");
    xml.finish()
}
