//! Does the EPUB work for real readers? Accessibility checked by Ace by DAISY, the metadata
//! that tells readers what the book offers, and the things Kobo and Kindle refuse or get wrong.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};

use support::bindery;

fn sample_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book")
}

/// Builds `input` into `<dir>/<name>` with `extra` flags; panics with stderr on failure.
fn build(dir: &Path, input: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let output = dir.join(name);
    let result = bindery(dir)
        .arg("build")
        .arg(input)
        .arg("-o")
        .arg(&output)
        .arg("--cache-dir")
        .arg(support::sample_book_cache())
        .args(extra)
        .output()
        .expect("the bindery binary runs");
    assert!(
        result.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    output
}

use support::{epub_entries as entries, epub_entry_text as entry_text};

/// The `<meta property="…">` lines of the package document, trimmed, in order.
fn accessibility_metadata(opf: &str) -> Vec<String> {
    opf.lines()
        .map(str::trim)
        .filter(|line| {
            ["schema:", "dcterms:conformsTo", "a11y:"]
                .iter()
                .any(|p| line.starts_with(&format!("<meta property=\"{p}")))
        })
        .map(str::to_owned)
        .collect()
}

/// A one-chapter book in `dir/book` with one figure; `alt` is its alt text.
fn book_with_one_figure(dir: &Path, alt: &str, extra_front_matter: &str) -> PathBuf {
    let book = dir.join("book");
    fs::create_dir_all(book.join("images")).unwrap();
    let pixels =
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 120]));
    pixels.save(book.join("images/harbour.png")).unwrap();
    fs::write(
        book.join("essay.md"),
        format!(
            "---\ntitle: Harbours\nauthor: Ann Author\n{extra_front_matter}---\n\n\
             # The harbour\n\nBoats come in.\n\n\
             ![{alt}](images/harbour.png \"The harbour at dawn.\")\n\nAnd go out.\n"
        ),
    )
    .unwrap();
    book
}

#[test]
fn ace_finds_no_violation_in_the_sample_book() {
    let dir = tempfile::tempdir().unwrap();
    let epub = build(dir.path(), &sample_book(), "essay.epub", &[]);
    if let Some(violations) = support::ace(&epub) {
        assert_eq!(violations, vec![], "Ace found accessibility violations");
    }
}

#[test]
fn the_sample_book_claims_wcag_aa_with_metadata_from_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let epub = build(dir.path(), &sample_book(), "essay.epub", &[]);
    let opf = entry_text(&epub, "OEBPS/content.opf");
    assert_eq!(
        accessibility_metadata(&opf),
        [
            r#"<meta property="schema:accessMode">textual</meta>"#,
            r#"<meta property="schema:accessMode">visual</meta>"#,
            r#"<meta property="schema:accessModeSufficient">textual</meta>"#,
            r#"<meta property="schema:accessModeSufficient">textual,visual</meta>"#,
            r#"<meta property="schema:accessibilityFeature">alternativeText</meta>"#,
            r#"<meta property="schema:accessibilityFeature">displayTransformability</meta>"#,
            r#"<meta property="schema:accessibilityFeature">readingOrder</meta>"#,
            r#"<meta property="schema:accessibilityFeature">tableOfContents</meta>"#,
            r#"<meta property="schema:accessibilityHazard">none</meta>"#,
            "<meta property=\"schema:accessibilitySummary\">This publication has a table of \
             contents and a logical reading order; its text can be resized and restyled. Every \
             image has a text description. Footnotes link to their notes and back. It meets \
             WCAG 2.1 Level AA.</meta>",
            r#"<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>"#,
        ]
    );
}

#[test]
fn an_image_without_alt_text_means_no_conformance_claim() {
    let dir = tempfile::tempdir().unwrap();
    let book = book_with_one_figure(dir.path(), "", "");
    // Empty alt text marks an image as decorative to a screen reader, which a captioned
    // photograph is not; raw HTML can also leave `alt` out altogether.
    let essay = book.join("essay.md");
    let mut text = fs::read_to_string(&essay).unwrap();
    text.push_str("\n<p><img src=\"images/harbour.png\"/></p>\n");
    fs::write(&essay, text).unwrap();
    let epub = build(dir.path(), &book, "harbours.epub", &[]);
    let opf = entry_text(&epub, "OEBPS/content.opf");
    assert_eq!(
        accessibility_metadata(&opf),
        [
            r#"<meta property="schema:accessMode">textual</meta>"#,
            r#"<meta property="schema:accessMode">visual</meta>"#,
            r#"<meta property="schema:accessModeSufficient">textual,visual</meta>"#,
            r#"<meta property="schema:accessibilityFeature">displayTransformability</meta>"#,
            r#"<meta property="schema:accessibilityFeature">readingOrder</meta>"#,
            r#"<meta property="schema:accessibilityFeature">structuralNavigation</meta>"#,
            r#"<meta property="schema:accessibilityFeature">tableOfContents</meta>"#,
            r#"<meta property="schema:accessibilityHazard">none</meta>"#,
            "<meta property=\"schema:accessibilitySummary\">This publication has a table of \
             contents, a logical reading order and headings for navigation; its text can be \
             resized and restyled. 2 images have no text description.</meta>",
        ]
    );
    // And Ace agrees that the book falls short: the claim was rightly left out.
    if let Some(violations) = support::ace(&epub) {
        let rules: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
        assert!(rules.contains(&"image-alt"), "{violations:#?}");
    }
}

#[test]
fn front_matter_overrides_the_summary_and_names_the_certifier() {
    let dir = tempfile::tempdir().unwrap();
    let book = book_with_one_figure(
        dir.path(),
        "Fishing boats at a quay",
        "accessibility:\n  summary: Checked by hand.\n  certified-by: Harbour Press QA\n",
    );
    let epub = build(dir.path(), &book, "harbours.epub", &[]);
    let opf = entry_text(&epub, "OEBPS/content.opf");
    let metadata = accessibility_metadata(&opf);
    assert_eq!(
        metadata[metadata.len() - 3..],
        [
            r#"<meta property="schema:accessibilitySummary">Checked by hand.</meta>"#,
            r#"<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>"#,
            r#"<meta property="a11y:certifiedBy">Harbour Press QA</meta>"#,
        ]
    );
    if let Some(report) = support::epubcheck(&epub) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "{report}"
        );
    }
}

/// Decodes with `jpeg-decoder`, the decoder the image pipeline reads JPEGs with.
fn decode_jpeg(bytes: &[u8]) -> (jpeg_decoder::ImageInfo, Vec<u8>) {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let pixels = decoder.decode().unwrap();
    (decoder.info().unwrap(), pixels)
}

/// The `OEBPS/…` XHTML documents of an EPUB, by name.
fn xhtml_documents(epub: &Path) -> Vec<(String, String)> {
    entries(epub)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".xhtml"))
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn a_book_without_a_cover_gets_a_typeset_one_marked_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let epub = build(dir.path(), &sample_book(), "essay.epub", &[]);
    let opf = entry_text(&epub, "OEBPS/content.opf");
    let cover_item = opf
        .lines()
        .map(str::trim)
        .find(|line| line.contains(r#"properties="cover-image""#))
        .expect("an item with the cover-image property");
    // EPUB 3 readers find the cover by the property, EPUB 2 readers and Kindle by the meta.
    assert!(cover_item.starts_with(r#"<item id="cover-image" href="images/"#));
    assert!(cover_item.ends_with(r#"media-type="image/jpeg" properties="cover-image"/>"#));
    assert!(opf.contains(r#"<meta name="cover" content="cover-image"/>"#));
    assert!(opf.contains(r#"<reference type="cover" title="Cover" href="text/cover.xhtml"/>"#));
    let spine_start = opf.find("<spine").unwrap();
    assert!(
        opf[spine_start..].contains("<spine toc=\"ncx\">\n    <itemref idref=\"cover-page\"/>")
    );

    let href = cover_item.split('"').nth(3).unwrap();
    let bytes = entries(&epub)
        .into_iter()
        .find(|(name, _)| *name == format!("OEBPS/{href}"))
        .unwrap()
        .1;
    let (info, pixels) = decode_jpeg(&bytes);
    assert_eq!((info.width, info.height), (1600, 2560));
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    // Not a blank page: the title is drawn in dark ink on the light paper.
    let dark = pixels
        .chunks(3)
        .filter(|rgb| rgb.iter().all(|&channel| channel < 80))
        .count();
    assert!(dark > 20_000, "only {dark} dark pixels on the cover");

    let page = entry_text(&epub, "OEBPS/text/cover.xhtml");
    assert!(page.contains(&format!(
        r#"<img src="../{href}" alt="What Life Is REALLY Like in a Socialist Dictatorship" role="doc-cover"/>"#
    )));
}

#[test]
fn the_cover_follows_the_metadata_and_grayscale() {
    let dir = tempfile::tempdir().unwrap();
    let book = book_with_one_figure(dir.path(), "Fishing boats", "");
    let colour = build(dir.path(), &book, "colour.epub", &[]);
    let grey = build(dir.path(), &book, "grey.epub", &["--grayscale"]);
    let cover_of = |epub: &Path| {
        let opf = entry_text(epub, "OEBPS/content.opf");
        let line = opf
            .lines()
            .find(|line| line.contains(r#"properties="cover-image""#))
            .unwrap()
            .to_owned();
        let href = line.split('"').nth(3).unwrap().to_owned();
        let bytes = entries(epub)
            .into_iter()
            .find(|(name, _)| *name == format!("OEBPS/{href}"))
            .unwrap()
            .1;
        decode_jpeg(&bytes)
    };
    let (colour_info, colour_pixels) = cover_of(&colour);
    assert_eq!(colour_info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    assert_eq!(
        cover_of(&grey).0.pixel_format,
        jpeg_decoder::PixelFormat::L8
    );
    assert_ne!(
        colour_pixels,
        cover_of(&build(dir.path(), &sample_book(), "essay.epub", &[])).1,
        "another title gives another cover"
    );
}

/// Issue 9 item 11: EB Garamond cannot draw Japanese; the title and the author's name are
/// left off the generated cover (no empty boxes), the title page shows them, and both `build`
/// and `check` say which scripts were left out.
#[test]
fn a_title_the_cover_font_cannot_draw_is_left_off_with_a_warning_naming_its_script() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(&book).unwrap();
    fs::write(
        book.join("neko.md"),
        "---\ntitle: 吾輩は猫である\nsubtitle: A Novel\nauthor: 夏目漱石\nlanguage: ja\n---\n\n\
         吾輩は猫である。名前はまだ無い。\n",
    )
    .unwrap();
    let output = dir.path().join("neko.epub");
    let result = bindery(dir.path())
        .arg("build")
        .arg(&book)
        .arg("-o")
        .arg(&output)
        .arg("--no-cache")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "the generated cover leaves out the title: its font, EB Garamond, cannot draw \
             Han and Hiragana (`吾輩は猫である`)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("the generated cover leaves out the names: its font, EB Garamond, cannot draw Han (`夏目漱石`)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "the title page still shows the title; for a cover that does, set `cover:` to an image"
        ),
        "{stderr}"
    );
    // Each points at its key in the front matter: `title:` on line 2, `author:` on line 4.
    assert!(stderr.contains("neko.md:2:1\n"), "{stderr}");
    assert!(stderr.contains("neko.md:4:1\n"), "{stderr}");

    let opf = entry_text(&output, "OEBPS/content.opf");
    let href = opf
        .lines()
        .find(|line| line.contains(r#"properties="cover-image""#))
        .and_then(|line| line.split('"').nth(3))
        .unwrap()
        .to_owned();
    let bytes = entries(&output)
        .into_iter()
        .find(|(name, _)| *name == format!("OEBPS/{href}"))
        .unwrap()
        .1;
    let (info, pixels) = decode_jpeg(&bytes);
    let dark_rows: Vec<usize> = pixels
        .chunks(3 * usize::from(info.width))
        .enumerate()
        .filter(|(_, row)| row.chunks(3).any(|rgb| rgb.iter().all(|&c| c < 80)))
        .map(|(y, _)| y)
        .collect();
    // The subtitle is drawn (EB Garamond has Latin); nothing else is: above the subtitle
    // (where the title's boxes would be) and at the foot (the byline's) there is no ink.
    assert!(!dark_rows.is_empty(), "the subtitle is on the cover");
    assert!(
        dark_rows.iter().all(|&y| (560..1100).contains(&y)),
        "ink outside the subtitle's place: rows {}..={}",
        dark_rows[0],
        dark_rows[dark_rows.len() - 1]
    );

    let title_page = entry_text(&output, "OEBPS/text/title.xhtml");
    assert!(title_page.contains("吾輩は猫である"), "{title_page}");
    assert!(title_page.contains("夏目漱石"), "{title_page}");

    let check = bindery(dir.path())
        .arg("check")
        .arg(&book)
        .output()
        .unwrap();
    assert!(check.status.success());
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("the generated cover leaves out the title"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Send to Kindle accepts EPUB but refuses a book for known causes; each is checked here on the
/// sample book: UTF-8 declared everywhere, a valid language, no link to a `body` id, no `img`
/// outside the body's content, and the cover marked both ways (above).
#[test]
fn the_sample_book_avoids_what_send_to_kindle_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let epub = build(dir.path(), &sample_book(), "essay.epub", &[]);
    let documents = xhtml_documents(&epub);
    assert!(documents.len() >= 4, "{documents:?}");

    let mut body_ids = Vec::new();
    let mut links = Vec::new();
    for (name, text) in &documents {
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            "{name} does not declare UTF-8 in its XML declaration"
        );
        assert!(
            text.contains("<meta charset=\"UTF-8\"/>"),
            "{name} has no <meta charset>"
        );
        let tree = roxmltree::Document::parse_with_options(
            text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        let html = tree.root_element();
        assert_eq!(html.attribute("lang"), Some("en"), "{name}");
        assert_eq!(
            html.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
            Some("en"),
            "{name}"
        );
        for node in tree.descendants().filter(|n| n.is_element()) {
            match node.tag_name().name() {
                "body" => {
                    if let Some(id) = node.attribute("id") {
                        body_ids.push(format!("{}#{id}", file_name(name)));
                    }
                }
                "img" => {
                    let parent = node.parent_element().unwrap().tag_name().name();
                    assert!(
                        !["html", "head", "body"].contains(&parent),
                        "{name}: an img directly inside <{parent}>"
                    );
                    assert!(
                        node.ancestors().any(|a| a.tag_name().name() == "body"),
                        "{name}: an img outside the body"
                    );
                }
                "a" => {
                    if let Some(href) = node.attribute("href") {
                        links.push(href.to_owned());
                    }
                }
                _ => {}
            }
        }
    }
    for link in &links {
        let target = link.rsplit('/').next().unwrap();
        assert!(
            !body_ids.contains(&target.to_owned()),
            "{link} targets a body id"
        );
    }

    let opf = entry_text(&epub, "OEBPS/content.opf");
    assert!(opf.contains("<dc:language>en</dc:language>"));
    assert!(opf.contains(r#"<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="en">"#));
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

#[test]
fn an_epub_over_the_size_budget_is_built_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let book = book_with_one_figure(dir.path(), "Fishing boats", "");
    let output = dir.path().join("harbours.epub");
    let result = bindery(dir.path())
        .arg("build")
        .arg(&book)
        .arg("-o")
        .arg(&output)
        .arg("--cache-dir")
        .arg(support::sample_book_cache())
        .args(["--max-size", "1"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    // This book is far below 1 MB: no warning, only the summary line.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("built "), "{stderr}");

    // Random noise does not compress: two screens of static make well over 1 MB of JPEG.
    let mut state = 0x2545_f491_u32;
    let essay = book.join("essay.md");
    let mut text = fs::read_to_string(&essay).unwrap();
    for n in 1..=2 {
        let noise = image::RgbImage::from_fn(1600, 1200, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let [a, b, c, _] = state.to_le_bytes();
            image::Rgb([a, b, c])
        });
        noise
            .save(book.join(format!("images/noise-{n}.png")))
            .unwrap();
        text.push_str(&format!("\n![Static on a screen](images/noise-{n}.png)\n"));
    }
    fs::write(&essay, text).unwrap();
    let result = bindery(dir.path())
        .arg("build")
        .arg(&book)
        .arg("-o")
        .arg(&output)
        .arg("--cache-dir")
        .arg(support::sample_book_cache())
        .args(["--max-size", "1"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(result.status.success());
    let size = fs::metadata(&output).unwrap().len();
    assert!(size > 1_000_000, "{size}");
    // The warning, then the summary line (which names the time taken).
    let stderr = String::from_utf8_lossy(&result.stderr);
    let (warning, summary) = stderr.trim_end().rsplit_once('\n').unwrap();
    assert!(summary.starts_with("built "), "{stderr}");
    assert_eq!(
        format!("{warning}\n"),
        format!(
            "warning: the EPUB is {:.1} MB ({size} bytes), over the size budget of 1 MB\n \
             --> {}\n  \
             = help: Send to Kindle refuses books over 50 MB; try a smaller --max-image-size, a \
             lower --jpeg-quality or --grayscale (or raise the budget with --max-size MB)\n\n",
            size as f64 / 1e6,
            output.display(),
        )
    );
}

#[test]
fn a_kepub_has_kobo_spans_and_wrappers_and_passes_epubcheck() {
    let dir = tempfile::tempdir().unwrap();
    let result = bindery(dir.path())
        .arg("build")
        .arg(sample_book())
        .args(["--format", "kepub", "--cache-dir"])
        .arg(support::sample_book_cache())
        .output()
        .unwrap();
    assert!(result.status.success());
    let kepub = dir
        .path()
        .join("what-life-is-really-like-in-a-socialist-dictatorship.kepub.epub");
    assert_eq!(
        String::from_utf8_lossy(&result.stdout).trim(),
        kepub.file_name().unwrap().to_string_lossy()
    );
    if let Some(report) = support::epubcheck(&kepub) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "{report}"
        );
    }

    let chapter = entry_text(&kepub, "OEBPS/text/chapter-001.xhtml");
    assert!(chapter.contains(
        "<body>\n    <div id=\"book-columns\">\n      <div id=\"book-inner\">\n        \
         <section epub:type=\"chapter\" role=\"doc-chapter\">\n          \
         <p><span class=\"koboSpan\" id=\"kobo.1.1\">A daring photographer has risked \
         detention to smuggle a series of stunning images of North Korea out of the \
         secretive state.</span></p>"
    ));
    // The text itself is the plain EPUB's, word for word: only spans and wrappers were added.
    let plain = build(dir.path(), &sample_book(), "plain.epub", &[]);
    let plain_chapter = entry_text(&plain, "OEBPS/text/chapter-001.xhtml");
    let text_of = |xhtml: &str| {
        let tree = roxmltree::Document::parse_with_options(
            xhtml,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        tree.descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(text_of(&chapter), text_of(&plain_chapter));
    // Every paragraph and caption has at least one sentence span.
    let spans = chapter.matches("class=\"koboSpan\"").count();
    let blocks =
        plain_chapter.matches("<p>").count() + plain_chapter.matches("<figcaption>").count();
    assert!(spans >= blocks, "{spans} spans for {blocks} blocks");
}
