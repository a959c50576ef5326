//! Photo-essay layouts end to end (issue 14): one two-chapter book with numbered plates, a
//! row, credits from the Markdown and from the photo's own XMP/IPTC creator, cross-references
//! within and across chapters, a reference to a missing figure, and endnotes; built once as
//! an EPUB (checked by epubcheck) and once as a kepub.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};

const ESSAY: &str = "---
title: Harbour Days
language: en
figures: {numbering: true, label: Plate, credits: embedded}
notes: end
---

# Arrival

We came in at dawn.[^dawn] The harbour ([](#fig:harbour)) and the pier
([](#fig:pier)) are the first things one sees; see also [the last plate](#fig:pier).

![Boats at rest](images/harbour.png \"The harbour\"){#fig:harbour .full credit=\"Ann Lee\"}

![A portrait](images/hopper.jpg \"Left\")
![A street](images/credited-creator.jpg \"Right\")

A plate that is not there: [](#fig:nowhere).

[^dawn]: Five in the morning, by the harbour clock.
";

const DEPARTURE: &str = "# Departure

We left by the pier.[^pier] Back to [](#fig:harbour).

![The pier](images/credited-creator.jpg \"The pier\"){#fig:pier}

[^pier]: It was raining.
";

fn photos() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/photos")
}

fn book(dir: &Path) -> PathBuf {
    let book = dir.join("book");
    fs::create_dir_all(book.join("images")).unwrap();
    for (from, to) in [
        ("hopper.png", "harbour.png"),
        ("hopper.jpg", "hopper.jpg"),
        ("credited-creator.jpg", "credited-creator.jpg"),
    ] {
        fs::copy(photos().join(from), book.join("images").join(to)).unwrap();
    }
    fs::write(book.join("01-essay.md"), ESSAY).unwrap();
    fs::write(book.join("02-departure.md"), DEPARTURE).unwrap();
    book
}

#[test]
fn numbered_plates_rows_credits_cross_references_and_endnotes() {
    let dir = tempfile::tempdir().unwrap();
    let book = book(dir.path());
    let output = support::bindery(dir.path())
        .args(["build", "--no-cache", "-o", "harbour.epub"])
        .arg(&book)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    // The missing figure: a warning at its line and column, in the author's file.
    let missing_line = ESSAY
        .lines()
        .position(|l| l.contains("#fig:nowhere"))
        .unwrap()
        + 1;
    let column = ESSAY
        .lines()
        .nth(missing_line - 1)
        .unwrap()
        .find("[](")
        .unwrap()
        + 1;
    assert!(
        stderr.contains("warning: link to `#fig:nowhere` removed: there is no `#fig:nowhere` in"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("01-essay.md:{missing_line}:{column}\n")),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");

    let epub = dir.path().join("harbour.epub");
    let one = support::epub_entry_text(&epub, "OEBPS/text/chapter-001.xhtml");
    let two = support::epub_entry_text(&epub, "OEBPS/text/chapter-002.xhtml");
    for expected in [
        // Numbers in reading order, ids from the attribute or the file name; credits from
        // the Markdown and, asked for, from the photo's XMP creator.
        "<figure id=\"fig:harbour\" class=\"full\"><img src=\"../images/",
        "<figcaption><span class=\"figure-number\">Plate 1.</span> The harbour <small class=\"credit\">Ann Lee</small></figcaption>",
        "<figure class=\"row\"><figure id=\"fig:hopper\" style=\"flex: 1.0000 1 0\">",
        "<figcaption><span class=\"figure-number\">Plate 2.</span> Left</figcaption>",
        "<figure id=\"fig:credited-creator\" style=\"flex: 1.5000 1 0\">",
        "<figcaption><span class=\"figure-number\">Plate 3.</span> Right <small class=\"credit\">JOE STEMMER PHOTO</small></figcaption>",
        // Empty links name their figure, across chapters too; text links keep their text.
        "The harbour (<a href=\"#fig:harbour\">Plate 1</a>) and the pier\n(<a href=\"chapter-002.xhtml#fig:pier\">Plate 4</a>)",
        "<a href=\"chapter-002.xhtml#fig:pier\">the last plate</a>",
        "A plate that is not there: .",
        // The note reference leads to the notes at the end of the book.
        "<a id=\"fnref-1\" href=\"endnotes.xhtml#chapter-001-fn-1\" class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\">1</a>",
    ] {
        assert!(one.contains(expected), "{expected}\nnot in\n{one}");
    }
    assert!(!one.contains("<aside"), "{one}");
    assert!(
        two.contains("Back to <a href=\"chapter-001.xhtml#fig:harbour\">Plate 1</a>."),
        "{two}"
    );
    assert!(
        two.contains("<figcaption><span class=\"figure-number\">Plate 4.</span> The pier <small class=\"credit\">JOE STEMMER PHOTO</small></figcaption>"),
        "{two}"
    );

    let notes = support::epub_entry_text(&epub, "OEBPS/text/endnotes.xhtml");
    for expected in [
        "<section epub:type=\"endnotes\" role=\"doc-endnotes\" class=\"endnotes\"><h1 id=\"notes\">Notes</h1>",
        "<h2 id=\"notes-chapter-001\">Arrival</h2><aside id=\"chapter-001-fn-1\" epub:type=\"footnote\" role=\"doc-footnote\">",
        "<p><a href=\"chapter-001.xhtml#fnref-1\" class=\"footnote-back\" role=\"doc-backlink\">1</a> Five in the morning",
        "<h2 id=\"notes-chapter-002\">Departure</h2><aside id=\"chapter-002-fn-1\" epub:type=\"footnote\" role=\"doc-footnote\">",
        "<a href=\"chapter-002.xhtml#fnref-1\" class=\"footnote-back\" role=\"doc-backlink\">1</a> It was raining.",
    ] {
        assert!(notes.contains(expected), "{expected}\nnot in\n{notes}");
    }
    let opf = support::epub_entry_text(&epub, "OEBPS/content.opf");
    assert!(opf.contains("href=\"text/endnotes.xhtml\""), "{opf}");
    let nav = support::epub_entry_text(&epub, "OEBPS/nav.xhtml");
    assert!(nav.contains("text/endnotes.xhtml"), "{nav}");

    // The list of illustrations: every image of the row on its own, numbers and credits.
    let loi = support::epub_entry_text(&epub, "OEBPS/text/illustrations.xhtml");
    for expected in [
        ">Plate 1. The harbour \u{2014} Ann Lee</a>",
        ">Plate 2. Left</a>",
        ">Plate 3. Right \u{2014} JOE STEMMER PHOTO</a>",
        ">Plate 4. The pier \u{2014} JOE STEMMER PHOTO</a>",
    ] {
        assert!(loi.contains(expected), "{expected}\nnot in\n{loi}");
    }

    if let Some(report) = support::epubcheck(&epub) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "{report}"
        );
    }

    // The kepub carries the same structure, with Kobo's spans inside it.
    let output = support::bindery(dir.path())
        .args([
            "build",
            "--no-cache",
            "-o",
            "harbour.kepub.epub",
            "--target",
            "kobo",
        ])
        .arg(&book)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let kepub = dir.path().join("harbour.kepub.epub");
    let one = support::epub_entry_text(&kepub, "OEBPS/text/chapter-001.xhtml");
    let notes = support::epub_entry_text(&kepub, "OEBPS/text/endnotes.xhtml");
    assert!(one.contains("koboSpan"), "{one}");
    for expected in [
        "<figure class=\"row\"><figure id=\"fig:hopper\" style=\"flex: 1.0000 1 0\">",
        "<figure id=\"fig:harbour\" class=\"full\">",
        "class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\">",
        "<small class=\"credit\">",
    ] {
        assert!(one.contains(expected), "{expected}\nnot in kepub\n{one}");
    }
    assert!(
        notes.contains(
            "<aside id=\"chapter-001-fn-1\" epub:type=\"footnote\" role=\"doc-footnote\">"
        ),
        "{notes}"
    );
}
