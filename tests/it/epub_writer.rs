//! The EPUB writer end to end: a hand-made `Book` through `epub::assemble` and
//! `package::write_epub_atomically`, checked with epubcheck, an XML parser, the zip reader and
//! golden files.
//!
//! Golden files live in `tests/golden/epub_writer/`, one per produced document, at its path
//! inside the zip. `BINDERY_BLESS=1 cargo test --test it epub_writer` rewrites them (and removes
//! the ones no longer produced).

use crate::support;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use bindery::epub::assemble;
use bindery::error::Error;
use bindery::model::{
    Book, Chapter, Creator, Figure, Heading, Identifier, ImageResource, ImageSettings,
    ListOfIllustrations, Meta, Series,
};
use bindery::package::{Compression, Entry, EntryData, write_epub_atomically};
use bindery::xhtml::dom::{Element, Node};

const COVER_HREF: &str = "images/c0ffee.jpg";
const PNG_HREF: &str = "images/5ea5ide.png";
const JPEG_HREF: &str = "images/deadbeef.jpg";

fn element(name: &str, attrs: &[(&str, &str)], children: Vec<Node>) -> Node {
    let mut element = Element::new(name);
    for (attr, value) in attrs {
        element.set_attr(*attr, *value);
    }
    element.children = children;
    element.into()
}

fn text(text: &str) -> Node {
    Node::Text(text.to_owned())
}

fn figure_node(figure: &Figure) -> Node {
    let mut children = vec![element(
        "img",
        &[("src", &figure.src), ("alt", &figure.alt)],
        vec![],
    )];
    if let Some(caption) = &figure.caption {
        children.push(element("figcaption", &[], vec![text(caption)]));
    }
    element("figure", &[("id", &figure.id)], children)
}

fn heading(level: u8, id: &str, text: &str) -> Heading {
    Heading {
        level,
        id: id.into(),
        text: text.into(),
    }
}

fn heading_node(heading: &Heading) -> Node {
    element(
        &format!("h{}", heading.level),
        &[("id", &heading.id)],
        vec![text(&heading.text)],
    )
}

fn write_image(path: &Path, format: image::ImageFormat) {
    let pixels =
        image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([x as u8 * 10, y as u8 * 15, 128]));
    pixels.save_with_format(path, format).unwrap();
}

fn meta() -> Meta {
    Meta {
        title: "Tides & <Harbours>".into(),
        subtitle: None,
        creators: vec![Creator {
            name: "Ada Lovelace".into(),
            role: "aut".into(),
            file_as: Some("Lovelace, Ada".into()),
        }],
        language: "en".into(),
        date: None,
        modified: "2024-01-02T03:04:05Z".into(),
        identifier: Identifier::Uuid("6f1c3a52-0d1e-5b7a-9c41-2f7e8d9a0b1c".into()),
        publisher: None,
        rights: None,
        description: None,
        subjects: vec![],
        series: None,
        cover: None,
        css: None,
        toc_depth: 3,
        split_level: 0,
        list_of_illustrations: ListOfIllustrations {
            enabled: true,
            title: "Illustrations".into(),
        },
        images: ImageSettings::default(),
        accessibility: Default::default(),
        direction: None,
        writing_mode: None,
        chapters: vec![],
        figures: Default::default(),
        notes: Default::default(),
    }
}

/// Everything the writer can be asked for: cover, subtitle, two creators, series, subjects,
/// extra CSS, a skipped heading level, figures with and without captions, a footnote, a table.
fn full_book(images: &Path) -> Book {
    let cover = images.join("cover.jpg");
    let png = images.join("harbour.png");
    let jpeg = images.join("boat.jpg");
    write_image(&cover, image::ImageFormat::Jpeg);
    write_image(&png, image::ImageFormat::Png);
    write_image(&jpeg, image::ImageFormat::Jpeg);

    let mut meta = meta();
    meta.subtitle = Some("Notes from the \"coast\"".into());
    meta.creators.push(Creator {
        name: "Cy Twombly".into(),
        role: "pht".into(),
        file_as: None,
    });
    meta.date = Some("2016-05-03".into());
    meta.publisher = Some("Salt & Pepper Press".into());
    meta.rights = Some("© 2016 Ada Lovelace".into());
    meta.description = Some("Essays on <water> & light.".into());
    meta.subjects = vec!["Sea".into(), "Essays".into()];
    meta.series = Some(Series {
        name: "Coastlines".into(),
        index: Some("2".into()),
    });
    meta.cover = Some(cover.clone());
    meta.css = Some(images.join("extra.css"));

    let arrival = heading(1, "arrival", "Arrival");
    let low_tide = heading(3, "low-tide", "Low tide");
    let pier = heading(2, "the-pier", "The pier & the <sea>");
    let harbour = Figure {
        id: "fig-1".into(),
        src: format!("../{PNG_HREF}"),
        alt: "A harbour at dawn".into(),
        caption: Some("The harbour, \"before\" the boats".into()),
        number: None,
        credit: None,
    };
    let uncaptioned = Figure {
        id: "fig-2".into(),
        src: format!("../{JPEG_HREF}"),
        alt: "A boat on the sand".into(),
        caption: None,
        number: None,
        credit: None,
    };
    let chapter_one = Chapter {
        source: "essay/01-arrival.md".into(),
        file_name: "chapter-001.xhtml".into(),
        title: "Arrival".into(),
        body: vec![
            heading_node(&arrival),
            text("\n"),
            element(
                "p",
                &[],
                vec![
                    text("We came by the "),
                    element("em", &[], vec![text("night")]),
                    text(" train.\u{a0}It was late"),
                    element(
                        "a",
                        &[
                            ("epub:type", "noteref"),
                            ("href", "#fn-1"),
                            ("id", "fnref-1"),
                        ],
                        vec![text("1")],
                    ),
                    text("."),
                ],
            ),
            figure_node(&harbour),
            heading_node(&low_tide),
            figure_node(&uncaptioned),
            heading_node(&pier),
            element(
                "table",
                &[],
                vec![element(
                    "tbody",
                    &[],
                    vec![element(
                        "tr",
                        &[],
                        vec![
                            element("td", &[("class", "align-left")], vec![text("Tide")]),
                            element("td", &[("class", "align-right")], vec![text("1.5 m")]),
                        ],
                    )],
                )],
            ),
            element(
                "aside",
                &[("epub:type", "footnote"), ("id", "fn-1")],
                vec![element("p", &[], vec![text("Very late.")])],
            ),
        ],
        headings: vec![arrival, low_tide, pier],
        figures: vec![harbour, uncaptioned],
    };

    let departure = heading(1, "departure", "Departure");
    let boats = Figure {
        id: "fig-3".into(),
        src: format!("../{JPEG_HREF}"),
        alt: "Boats leaving".into(),
        caption: Some("Leaving".into()),
        number: None,
        credit: None,
    };
    let chapter_two = Chapter {
        source: "essay/02-departure.md".into(),
        file_name: "chapter-002.xhtml".into(),
        title: "Departure".into(),
        body: vec![
            heading_node(&departure),
            element("p", &[], vec![text("And then we left.")]),
            figure_node(&boats),
        ],
        headings: vec![departure],
        figures: vec![boats],
    };

    Book {
        meta,
        chapters: vec![chapter_one, chapter_two],
        images: vec![
            ImageResource {
                href: COVER_HREF.into(),
                media_type: "image/jpeg",
                data: cover,
                width: 24,
                height: 16,
                is_cover: true,
            },
            ImageResource {
                href: PNG_HREF.into(),
                media_type: "image/png",
                data: png,
                width: 24,
                height: 16,
                is_cover: false,
            },
            ImageResource {
                href: JPEG_HREF.into(),
                media_type: "image/jpeg",
                data: jpeg,
                width: 24,
                height: 16,
                is_cover: false,
            },
        ],
        extra_css: Some("p { text-indent: 1em; }\n".into()),
        stylesheet_resources: Vec::new(),
    }
}

/// The least a book can be: one chapter without headings, no figures, no cover, no extras.
fn minimal_book() -> Book {
    Book {
        meta: meta(),
        chapters: vec![Chapter {
            source: "essay.md".into(),
            file_name: "chapter-001.xhtml".into(),
            title: "Tides & <Harbours>".into(),
            headings: vec![],
            figures: vec![],
            body: vec![element("p", &[], vec![text("Only words.")])],
        }],
        images: vec![],
        extra_css: None,
        stylesheet_resources: Vec::new(),
    }
}

fn build(book: &Book, output: &Path) -> u64 {
    write_epub_atomically(assemble(book), output).unwrap()
}

/// Every entry of the zip, in order: name, compression, contents.
fn read_zip(path: &Path) -> Vec<(String, zip::CompressionMethod, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).unwrap();
            let mut contents = Vec::new();
            file.read_to_end(&mut contents).unwrap();
            (
                file.name().unwrap().into_owned(),
                file.compression(),
                contents,
            )
        })
        .collect()
}

fn assert_valid(report: &support::EpubcheckReport, allow_warnings: bool) {
    assert!(report.errors().is_empty(), "epubcheck errors:\n{report}");
    if !allow_warnings {
        assert!(
            report.warnings().is_empty(),
            "epubcheck warnings:\n{report}"
        );
    }
}

#[test]
fn full_book_passes_epubcheck_without_errors_or_warnings() {
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("tides.epub");
    build(&full_book(folder.path()), &output);
    if let Some(report) = support::epubcheck(&output) {
        assert_valid(&report, false);
    }
}

#[test]
fn minimal_book_passes_epubcheck() {
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("minimal.epub");
    build(&minimal_book(), &output);
    if let Some(report) = support::epubcheck(&output) {
        assert_valid(&report, false);
    }
}

/// XHTML documents carry `<!DOCTYPE html>`, which roxmltree refuses unless told.
fn xml_options() -> roxmltree::ParsingOptions {
    roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    }
}

#[test]
fn every_xml_document_parses() {
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("tides.epub");
    build(&full_book(folder.path()), &output);
    let mut checked = Vec::new();
    for (name, _, contents) in read_zip(&output) {
        if [".xml", ".opf", ".xhtml", ".ncx"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            let text = String::from_utf8(contents).unwrap();
            roxmltree::Document::parse_with_options(&text, xml_options())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            checked.push(name);
        }
    }
    assert_eq!(
        checked,
        [
            "META-INF/container.xml",
            "OEBPS/content.opf",
            "OEBPS/nav.xhtml",
            "OEBPS/toc.ncx",
            "OEBPS/text/cover.xhtml",
            "OEBPS/text/title.xhtml",
            "OEBPS/text/chapter-001.xhtml",
            "OEBPS/text/chapter-002.xhtml",
            "OEBPS/text/illustrations.xhtml",
        ]
    );
}

#[test]
fn mimetype_is_the_first_entry_stored_and_images_are_not_recompressed() {
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("tides.epub");
    build(&full_book(folder.path()), &output);
    let entries = read_zip(&output);
    let (name, method, contents) = &entries[0];
    assert_eq!(
        (name.as_str(), *method, contents.as_slice()),
        (
            "mimetype",
            zip::CompressionMethod::Stored,
            b"application/epub+zip".as_slice()
        )
    );
    let raw = std::fs::read(&output).unwrap();
    assert_eq!(&raw[28..30], [0, 0], "mimetype has no extra field");
    assert_eq!(&raw[30..58], b"mimetypeapplication/epub+zip");
    for (name, method, _) in &entries[1..] {
        let expected = if name.starts_with("OEBPS/images/") {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        assert_eq!(*method, expected, "{name}");
    }
}

#[test]
fn writing_twice_gives_identical_bytes_whatever_the_folder_or_mtimes() {
    let first_folder = tempfile::tempdir().unwrap();
    let second_folder = tempfile::tempdir().unwrap();
    let book = full_book(first_folder.path());
    let first = first_folder.path().join("tides.epub");
    build(&book, &first);
    // Touch the source images: their timestamps must not leak into the zip.
    for image in &book.images {
        File::options()
            .write(true)
            .open(&image.data)
            .unwrap()
            .set_modified(
                std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30),
            )
            .unwrap();
    }
    let second = second_folder.path().join("other-name.epub");
    build(&book, &second);
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );
}

fn folder_listing(folder: &Path) -> Vec<PathBuf> {
    let mut names: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    names.sort();
    names
}

#[test]
fn a_failed_write_leaves_the_previous_book_and_no_temporary_file() {
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("tides.epub");
    std::fs::write(&output, b"the previous book").unwrap();
    let before = folder_listing(folder.path());

    let mut entries = assemble(&minimal_book());
    entries.push(Entry {
        path: "OEBPS/images/gone.jpg".into(),
        data: EntryData::File(folder.path().join("gone.jpg")),
        compression: Compression::Stored,
    });
    let error = write_epub_atomically(entries, &output).unwrap_err();

    assert!(
        matches!(error, Error::Io { action: "open", .. }),
        "{error:?}"
    );
    assert_eq!(std::fs::read(&output).unwrap(), b"the previous book");
    assert_eq!(folder_listing(folder.path()), before);
}

#[test]
fn an_output_path_that_is_a_folder_is_refused_and_left_alone() {
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("book.epub");
    std::fs::create_dir(&output).unwrap();
    let error = write_epub_atomically(assemble(&minimal_book()), &output).unwrap_err();
    let Error::Input(diagnostics) = error else {
        panic!("expected an input error, got {error:?}");
    };
    assert!(diagnostics[0].help.is_some());
    assert_eq!(folder_listing(folder.path()), vec![output.clone()]);
    assert_eq!(folder_listing(&output), Vec::<PathBuf>::new());
}

#[test]
fn documents_match_golden_files() {
    let folder = tempfile::tempdir().unwrap();
    let produced: BTreeMap<String, Vec<u8>> = assemble(&full_book(folder.path()))
        .into_iter()
        .filter_map(|entry| match entry.data {
            EntryData::Bytes(bytes) => Some((entry.path, bytes)),
            EntryData::File(_) => None, // Images: made by this test, not by the writer.
        })
        .collect();
    support::check_golden(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/epub_writer"),
        &produced,
        "cargo test --test it epub_writer",
    );
}

/// A second, independent reader: pandoc must find the chapters in spine order, with headings,
/// figures and captions where the writer put them.
#[test]
fn pandoc_reads_the_book_in_reading_order() {
    let Some(pandoc) = support::pandoc() else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("tides.epub");
    build(&full_book(folder.path()), &output);
    let converted = std::process::Command::new(pandoc)
        .arg(&output)
        .args(["--from", "epub", "--to", "markdown_strict", "--wrap=none"])
        .output()
        .unwrap();
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let text = String::from_utf8(converted.stdout).unwrap();
    // pandoc's exact Markdown changes between versions; the structure it found must not.
    let structure: Vec<&str> = text
        .lines()
        .filter(|line| {
            line.starts_with('#')
                || line.starts_with("<figure id=")
                || line.starts_with("<figcaption>")
                || line.starts_with("[1]")
        })
        .collect();
    assert_eq!(
        structure,
        [
            "# Arrival",
            "<figure id=\"fig-1\">",
            "<figcaption>The harbour, \"before\" the boats</figcaption>",
            "### Low tide",
            "<figure id=\"fig-2\">",
            "## The pier & the &lt;sea&gt;",
            "# Departure",
            "<figure id=\"fig-3\">",
            "<figcaption>Leaving</figcaption>",
            "# Illustrations",
            "[1] Very late.",
        ],
        "pandoc read:\n{text}"
    );
}
