//! Does the EPUB work for real readers? Accessibility checked by Ace by DAISY, the metadata
//! that tells readers what the book offers, and the things Kobo and Kindle refuse or get wrong.

mod support;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary under test, with an environment that cannot see this machine's settings.
fn bindery(current_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bindery"));
    command
        .current_dir(current_dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("BINDERY_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", current_dir)
        .env("NO_COLOR", "1");
    command
}

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
        .arg("--no-cache")
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

fn entries(epub: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(fs::File::open(epub).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn entry_text(epub: &Path, name: &str) -> String {
    let found = entries(epub).into_iter().find(|(n, _)| n == name);
    String::from_utf8(found.unwrap_or_else(|| panic!("{name} is in the EPUB")).1).unwrap()
}

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
             image has a text description. It meets WCAG 2.1 Level AA.</meta>",
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
