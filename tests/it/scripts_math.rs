//! Right-to-left and vertical scripts, math, and CJK kepub spans (issue 9, items 7, 8, 11), end
//! to end: the real binary builds a book, the tests read the EPUB it wrote and run epubcheck.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{bindery, epub_entries, epub_entry_text};

/// Builds `book/essay.md` (with the given text) into `book.epub`; returns the EPUB and stderr.
fn build(dir: &Path, essay: &str, extra_args: &[&str]) -> (PathBuf, String) {
    let book = dir.join("book");
    fs::create_dir_all(&book).unwrap();
    fs::write(book.join("essay.md"), essay).unwrap();
    let output = dir.join("book.epub");
    let result = bindery(dir)
        .args(["build", "book", "-o"])
        .arg(&output)
        .args(extra_args)
        .output()
        .expect("the bindery binary runs");
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "build failed:\n{stderr}");
    (output, stderr)
}

fn assert_epubcheck_clean(epub: &Path) {
    if let Some(report) = support::epubcheck(epub) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "epubcheck found problems in {}:\n{report}",
            epub.display()
        );
    }
}

/// The start tag of the root element of every XHTML document in the EPUB.
fn html_start_tags(epub: &Path) -> Vec<(String, String)> {
    epub_entries(epub)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".xhtml"))
        .map(|(name, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            let start = text.find("<html").expect("an html element");
            let end = start + text[start..].find('>').unwrap();
            (name, text[start..=end].to_string())
        })
        .collect()
}

fn spine_start_tag(epub: &Path) -> String {
    let opf = epub_entry_text(epub, "OEBPS/content.opf");
    let start = opf.find("<spine").unwrap();
    let end = start + opf[start..].find('>').unwrap();
    opf[start..=end].to_string()
}

const ARABIC: &str = "---
title: دروس في العربية
author: معلم
language: ar
---

# الدرس الأول

هذا نص عربي. فيه كلمة <span dir=\"ltr\" lang=\"en\">English</span> وكلمة <bdi>HTML5</bdi>
و<bdo dir=\"ltr\">abc</bdo>.

![صورة](missing.jpg \"شرح الصورة\")
";

#[test]
fn an_arabic_book_is_right_to_left_in_every_document_and_in_the_spine() {
    let dir = tempfile::tempdir().unwrap();
    let (epub, _) = build(dir.path(), ARABIC, &["--allow-missing-images"]);
    let tags = html_start_tags(&epub);
    // Cover, title page, navigation, the chapter.
    assert!(tags.len() >= 4, "{tags:?}");
    for (name, tag) in &tags {
        assert!(tag.contains(" dir=\"rtl\""), "{name}: {tag}");
        assert!(
            tag.contains(" lang=\"ar\" xml:lang=\"ar\""),
            "{name}: {tag}"
        );
    }
    assert_eq!(
        spine_start_tag(&epub),
        "<spine toc=\"ncx\" page-progression-direction=\"rtl\">"
    );
    let chapter = epub_entry_text(&epub, "OEBPS/text/chapter-001.xhtml");
    assert!(
        chapter.contains("<span dir=\"ltr\" lang=\"en\" xml:lang=\"en\">English</span>"),
        "{chapter}"
    );
    assert!(chapter.contains("<bdi>HTML5</bdi>"), "{chapter}");
    assert!(chapter.contains("<bdo dir=\"ltr\">abc</bdo>"), "{chapter}");
    assert_epubcheck_clean(&epub);
}

#[test]
fn direction_in_front_matter_overrides_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let auto = ARABIC.replace("language: ar\n", "language: ar\ndirection: auto\n");
    let (epub, _) = build(dir.path(), &auto, &["--allow-missing-images"]);
    for (name, tag) in html_start_tags(&epub) {
        assert!(!tag.contains(" dir="), "{name}: {tag}");
    }
    assert_eq!(spine_start_tag(&epub), "<spine toc=\"ncx\">");

    let dir = tempfile::tempdir().unwrap();
    let essay = "---\ntitle: Mirror\nlanguage: en\ndirection: rtl\n---\n\nText.\n";
    let (epub, _) = build(dir.path(), essay, &[]);
    for (name, tag) in html_start_tags(&epub) {
        assert!(tag.contains(" dir=\"rtl\""), "{name}: {tag}");
    }
    assert!(spine_start_tag(&epub).contains("page-progression-direction=\"rtl\""));
    assert_epubcheck_clean(&epub);
}

#[test]
fn an_english_book_is_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (epub, _) = build(dir.path(), "---\ntitle: Plain\n---\n\nText.\n", &[]);
    for (name, tag) in html_start_tags(&epub) {
        assert!(!tag.contains(" dir="), "{name}: {tag}");
    }
    assert_eq!(spine_start_tag(&epub), "<spine toc=\"ncx\">");
    let css = epub_entry_text(&epub, "OEBPS/css/bindery.css");
    assert!(!css.contains("writing-mode"), "{css}");
}

const JAPANESE: &str = "---
title: 吾輩は猫である
author: 夏目漱石
language: ja
writing-mode: vertical
---

# 一

吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。
";

#[test]
fn a_japanese_book_may_be_set_vertically() {
    let dir = tempfile::tempdir().unwrap();
    let (epub, _) = build(dir.path(), JAPANESE, &[]);
    let css = epub_entry_text(&epub, "OEBPS/css/bindery.css");
    for declaration in [
        "-epub-writing-mode: vertical-rl;",
        "-webkit-writing-mode: vertical-rl;",
        "  writing-mode: vertical-rl;",
    ] {
        assert!(css.contains(declaration), "{declaration} in\n{css}");
    }
    assert_eq!(
        spine_start_tag(&epub),
        "<spine toc=\"ncx\" page-progression-direction=\"rtl\">"
    );
    for (name, tag) in html_start_tags(&epub) {
        assert!(!tag.contains(" dir="), "{name}: {tag}");
    }
    assert_epubcheck_clean(&epub);
}

#[test]
fn kepub_spans_split_japanese_at_its_full_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (epub, _) = build(dir.path(), JAPANESE, &["--format", "kepub"]);
    let chapter = epub_entry_text(&epub, "OEBPS/text/chapter-001.xhtml");
    assert!(
        chapter.contains(
            "<span class=\"koboSpan\" id=\"kobo.2.1\">吾輩は猫である。</span>\
             <span class=\"koboSpan\" id=\"kobo.2.2\">名前はまだ無い。</span>\
             <span class=\"koboSpan\" id=\"kobo.2.3\">どこで生れたかとんと見当がつかぬ。</span>"
        ),
        "{chapter}"
    );
    assert_epubcheck_clean(&epub);
}

/// The formulas of the math corpus, as written (display and inline).
fn corpus_formulas(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|line| {
            if let Some(display) = line.strip_prefix("$$") {
                return display.strip_suffix("$$").map(str::to_string);
            }
            let (_, inline) = line.strip_prefix("Line ")?.split_once(": $")?;
            inline.strip_suffix("$.").map(str::to_string)
        })
        .collect()
}

fn escaped_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn every_real_formula_becomes_mathml_with_its_tex_as_alttext() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/math/sympy-formulas.md");
    let markdown = fs::read_to_string(corpus).unwrap();
    let formulas = corpus_formulas(&markdown);
    assert_eq!(formulas.len(), 131);
    let dir = tempfile::tempdir().unwrap();
    // One document, so that one chapter holds every formula.
    let essay = markdown.replacen("language: en\n", "language: en\nsplit-level: 0\n", 1);
    let (epub, stderr) = build(dir.path(), &essay, &[]);
    assert!(!stderr.contains("warning"), "{stderr}");
    let chapter = epub_entry_text(&epub, "OEBPS/text/chapter-001.xhtml");
    assert_eq!(
        chapter
            .matches("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" alttext=\"")
            .count(),
        formulas.len(),
        "{chapter}"
    );
    for tex in &formulas {
        let alttext = format!("alttext=\"{}\"", escaped_attribute(tex));
        assert!(chapter.contains(&alttext), "{alttext} missing");
    }
    assert_eq!(chapter.matches(" display=\"block\"").count(), 99);
    assert!(!chapter.contains("class=\"math"), "{chapter}");
    let opf = epub_entry_text(&epub, "OEBPS/content.opf");
    assert!(
        opf.contains("href=\"text/chapter-001.xhtml\" media-type=\"application/xhtml+xml\" properties=\"mathml\""),
        "{opf}"
    );
    assert!(
        opf.contains("<meta property=\"schema:accessibilityFeature\">MathML</meta>"),
        "{opf}"
    );
    assert_epubcheck_clean(&epub);
}

#[test]
fn tex_is_never_read_as_markdown_and_a_bad_formula_is_a_located_warning() {
    let essay = "---\ntitle: T\n---\n\nStars $a^* + b^*$ stay, $$x \\\\ y$$ keeps both slashes.\n\nBroken: $\\left( x$ and $\\nosuchcommand{x}$; prices $5 and $10 are text.\n";
    let dir = tempfile::tempdir().unwrap();
    let (epub, stderr) = build(dir.path(), essay, &[]);
    assert!(
        stderr.contains("essay.md:7:"),
        "the warnings name the line:\n{stderr}"
    );
    assert_eq!(
        stderr
            .matches("warning: this formula could not be converted to MathML")
            .count(),
        2,
        "{stderr}"
    );
    let chapter = epub_entry_text(&epub, "OEBPS/text/chapter-001.xhtml");
    assert!(!chapter.contains("<em>"), "{chapter}");
    assert!(chapter.contains("alttext=\"a^* + b^*\""), "{chapter}");
    assert!(chapter.contains("alttext=\"x \\\\ y\""), "{chapter}");
    assert!(
        chapter.contains("<code class=\"math\">\\left( x</code>"),
        "{chapter}"
    );
    assert!(
        chapter.contains("<code class=\"math\">\\nosuchcommand{x}</code>"),
        "{chapter}"
    );
    assert!(
        chapter.contains("; prices $5 and $10 are text."),
        "{chapter}"
    );
    assert_epubcheck_clean(&epub);
}

#[test]
fn raw_mathml_from_the_author_is_kept_and_declared() {
    let essay = "---\ntitle: T\n---\n\nEuler: <math><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn></math>.\n";
    let dir = tempfile::tempdir().unwrap();
    let (epub, stderr) = build(dir.path(), essay, &["--format", "kepub"]);
    assert!(!stderr.contains("warning"), "{stderr}");
    let chapter = epub_entry_text(&epub, "OEBPS/text/chapter-001.xhtml");
    assert!(
        chapter.contains("<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn></math>"),
        "{chapter}"
    );
    let opf = epub_entry_text(&epub, "OEBPS/content.opf");
    assert!(opf.contains("properties=\"mathml\""), "{opf}");
    assert_epubcheck_clean(&epub);
}
