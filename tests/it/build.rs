//! End-to-end: run the `bindery` binary on real books and check what it made with the real
//! validators (epubcheck) and a real reader (pandoc's EPUB reader).

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::bindery;

fn run(command: &mut Command) -> Output {
    command.output().expect("the bindery binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sample_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book")
}

/// Copies a folder tree (the tests never build inside the repository).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

use support::{epub_entries as entries, epub_entry_text as entry_text};

fn assert_epubcheck_clean(epub: &Path) {
    if let Some(report) = support::epubcheck(epub) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "epubcheck found problems in {}:\n{report}",
            epub.display()
        );
    }
}

/// The sample book's captions, in reading order, as its Markdown gives them.
fn sample_captions() -> Vec<String> {
    let essay = fs::read_to_string(sample_book().join("essay.md")).unwrap();
    essay
        .lines()
        .filter(|line| line.starts_with("!["))
        .filter_map(|line| {
            // An attribute block after the image (`{#fig:x .full}`) is not part of the title.
            let line = match line.rsplit_once("){") {
                Some((image, _)) => image,
                None => line,
            };
            let title = line.rsplit_once(" \"")?.1;
            Some(
                title
                    .trim_end_matches(")")
                    .trim_end_matches('"')
                    .to_string(),
            )
        })
        .collect()
}

/// Builds the sample book into `dir/essay.epub`, asserting success.
fn build_sample_book(dir: &Path) -> (PathBuf, Output) {
    let output = dir.join("essay.epub");
    let result = run(bindery(dir)
        .args(["build", "--no-cache", "-o"])
        .arg(&output)
        .arg(sample_book()));
    assert!(result.status.success(), "stderr:\n{}", text(&result.stderr));
    (output, result)
}

#[test]
fn the_sample_book_builds_into_a_valid_epub_with_every_figure() {
    let dir = tempfile::tempdir().unwrap();
    let (output, result) = build_sample_book(dir.path());
    assert_eq!(text(&result.stdout).trim(), output.display().to_string());

    assert_epubcheck_clean(&output);

    let chapter = entry_text(&output, "OEBPS/text/chapter-001.xhtml");
    // Fourteen figures, two of them side by side in a row (issue 14).
    assert_eq!(chapter.matches("<figure id=").count(), 14, "{chapter}");
    assert_eq!(
        chapter.matches("<figure class=\"row\">").count(),
        1,
        "{chapter}"
    );
    // The book numbers its figures as plates, so every figure has a caption with its number:
    // 11 captions from the Markdown, one read from the photo's own IPTC/XMP caption.
    assert_eq!(chapter.matches("<figcaption>").count(), 14, "{chapter}");
    for caption in sample_captions() {
        let escaped = caption.replace('&', "&amp;");
        assert!(
            chapter.contains(&format!("</span> {escaped}")),
            "caption missing: {caption}"
        );
    }
    for expected in [
        "<figcaption><span class=\"figure-number\">Plate 1.</span> Customs form",
        "<small class=\"credit\">Photo: Michal Huniewicz</small></figcaption>",
        "<figure id=\"fig:korea-09\" class=\"full\">",
        "<figure id=\"fig:korea-05\" style=\"flex: 1.3333 1 0\">",
        "A photograph of a customs form (<a href=\"#fig:customs-form\">Plate 1</a>)",
        "<aside id=\"fn-1\" epub:type=\"footnote\" role=\"doc-footnote\">\n<p><a href=\"#fnref-1\" class=\"footnote-back\" role=\"doc-backlink\">1</a> <em>The Interview</em>",
    ] {
        assert!(
            chapter.contains(expected),
            "{expected} missing in {chapter}"
        );
    }

    let nav = entry_text(&output, "OEBPS/nav.xhtml");
    let loi = nav.split("epub:type=\"loi\"").nth(1).expect("a loi nav");
    let loi = loi.split("</nav>").next().unwrap();
    assert_eq!(loi.matches("<li>").count(), 14, "{loi}");
    // Numbers and credits in the list; each image of the row is listed by itself.
    assert!(
        loi.contains("Plate 1. Customs form")
            && loi.contains(" \u{2014} Photo: Michal Huniewicz</a>"),
        "{loi}"
    );
    assert!(
        loi.contains(">Plate 11. Farm workers in the fields outside the capital.</a>"),
        "{loi}"
    );
    assert!(nav.contains("epub:type=\"landmarks\""));

    let images: Vec<_> = entries(&output)
        .into_iter()
        .filter(|(n, _)| n.starts_with("OEBPS/images/"))
        .collect();
    // The fourteen photographs and the cover typeset from the title (the book names none).
    assert_eq!(images.len(), 15);
    let photos: Vec<_> = images
        .iter()
        .filter(|(n, _)| chapter.contains(&n["OEBPS/".len()..]))
        .collect();
    assert_eq!(photos.len(), 14);
    for (name, bytes) in &photos {
        let (width, height) = image_size(bytes);
        assert!(width.max(height) <= 1600, "{name} is {width}×{height}");
        // No EXIF (which holds GPS, camera serial numbers), XMP or IPTC block survives.
        for marker in [
            &b"Exif\0\0"[..],
            b"http://ns.adobe.com/xap/1.0/",
            b"Photoshop 3.0",
        ] {
            assert!(
                !contains(bytes, marker),
                "{name} still carries {:?}",
                text(marker)
            );
        }
    }
    // korea-13 is stored sideways with EXIF orientation 6: in the book it stands upright.
    let rotated = chapter
        .split("<figure id=\"fig:korea-13\"><img src=\"../")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("figure 2's image");
    let (_, rotated_bytes) = images.iter().find(|(n, _)| n.ends_with(rotated)).unwrap();
    let (width, height) = image_size(rotated_bytes);
    assert!(
        height > width,
        "korea-13 should be upright (portrait), is {width}×{height}"
    );
}

fn image_size(bytes: &[u8]) -> (u32, u32) {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .unwrap()
        .into_dimensions()
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn pandoc_reads_every_caption_back_in_order() {
    let Some(pandoc) = support::pandoc() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (output, _) = build_sample_book(dir.path());

    let read = Command::new(pandoc)
        .args(["--from", "epub", "--to", "plain", "--wrap", "none"])
        .arg(&output)
        .output()
        .expect("pandoc runs");
    assert!(
        read.status.success(),
        "pandoc failed: {}",
        text(&read.stderr)
    );
    let plain = text(&read.stdout);
    let mut position = 0;
    for caption in sample_captions() {
        let found = plain[position..].find(&caption).unwrap_or_else(|| {
            panic!("pandoc did not read caption {caption:?} after byte {position}:\n{plain}")
        });
        position += found + caption.len();
    }
}

#[test]
fn builds_are_byte_reproducible_whatever_the_folder_and_mtimes() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    copy_tree(&sample_book(), &first.path().join("book"));
    copy_tree(&sample_book(), &second.path().join("elsewhere"));
    // Different modification times on every file of the second copy.
    for entry in fs::read_dir(second.path().join("elsewhere/images")).unwrap() {
        let file = fs::File::options()
            .write(true)
            .open(entry.unwrap().path())
            .unwrap();
        file.set_modified(
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000),
        )
        .unwrap();
    }
    let a = first.path().join("a.epub");
    let b = second.path().join("b.epub");
    assert!(
        run(bindery(first.path())
            .args(["build", "book", "--no-cache", "-o"])
            .arg(&a))
        .status
        .success()
    );
    assert!(
        run(bindery(second.path())
            .args(["build", "elsewhere", "--no-cache", "-o"])
            .arg(&b))
        .status
        .success()
    );
    assert!(
        fs::read(&a).unwrap() == fs::read(&b).unwrap(),
        "the two builds differ"
    );
}

#[test]
fn the_output_defaults_to_the_title_slug_in_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("essay.md"),
        "---\ntitle: Hello, Wörld!\n---\n\nText.\n",
    )
    .unwrap();
    let result = run(bindery(dir.path()).args(["build", "essay.md"]));
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(dir.path().join("hello-wörld.epub").is_file());
    assert_eq!(text(&result.stdout).trim(), "hello-wörld.epub");
}

#[test]
fn a_failed_build_leaves_the_previous_epub_untouched_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.epub");
    fs::write(
        dir.path().join("essay.md"),
        "---\ntitle: Good\n---\n\nText.\n",
    )
    .unwrap();
    assert!(
        run(bindery(dir.path()).args(["build", "essay.md", "-o", "out.epub"]))
            .status
            .success()
    );
    let before = fs::read(&output).unwrap();

    fs::write(
        dir.path().join("essay.md"),
        "---\ntitle: Bad\n---\n\n![gone](images/missing.jpg)\n",
    )
    .unwrap();
    let result = run(bindery(dir.path()).args(["build", "essay.md", "-o", "out.epub"]));
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("error: image `images/missing.jpg` not found\n --> essay.md:5:1\n"),
        "{stderr}"
    );
    assert_eq!(fs::read(&output).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "essay.md" && n != "out.epub")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn chapters_link_to_each_other_and_broken_links_are_dropped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(&book).unwrap();
    fs::write(book.join("01-one.md"), "---\ntitle: Links\n---\n\n# One\n\nSee [two](02-two.md#second-part) and [nowhere](03-none.md).\n").unwrap();
    fs::write(
        book.join("02-two.md"),
        "# Two\n\n## Second part\n\nBack to [one](01-one.md#one).[^n]\n\n[^n]: A note.\n",
    )
    .unwrap();
    let output = dir.path().join("links.epub");
    let result = run(bindery(dir.path())
        .args(["build", "book", "-o"])
        .arg(&output));
    assert!(result.status.success(), "{}", text(&result.stderr));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains(
            "warning: link to `03-none.md` removed: `03-none.md` is not one of the book's Markdown files\n --> book/01-one.md:7:38\n"
        ),
        "{stderr}"
    );
    let one = entry_text(&output, "OEBPS/text/chapter-001.xhtml");
    assert!(
        one.contains("<a href=\"chapter-002.xhtml#second-part\""),
        "{one}"
    );
    assert!(one.contains(" and nowhere."), "{one}");
    let two = entry_text(&output, "OEBPS/text/chapter-002.xhtml");
    assert!(two.contains("<a href=\"chapter-001.xhtml#one\""), "{two}");
    assert!(two.contains("epub:type=\"noteref\""), "{two}");
    assert!(two.contains("epub:type=\"footnote\""), "{two}");
    assert_epubcheck_clean(&output);
}

#[test]
fn every_commonmark_example_builds_into_one_valid_epub() {
    corpus_builds_clean("commonmark-spec.json");
}

#[test]
fn tricky_markdown_extensions_build_into_one_valid_epub() {
    corpus_builds_clean("extensions.json");
}

/// Writes each example of a corpus file as its own chapter and builds them into one EPUB.
fn corpus_builds_clean(corpus: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(corpus);
    let examples: Vec<serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    assert!(examples.len() > 10);
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(&book).unwrap();
    fs::write(
        book.join("0000-front.md"),
        "---\ntitle: Corpus\n---\n\nEvery example, one chapter each.\n",
    )
    .unwrap();
    for (index, example) in examples.iter().enumerate() {
        let markdown = example["markdown"].as_str().unwrap();
        fs::write(book.join(format!("{:04}.md", index + 1)), markdown).unwrap();
    }
    let output = dir.path().join("corpus.epub");
    let result = run(bindery(dir.path())
        .args(["build", "book", "--allow-missing-images", "-o"])
        .arg(&output));
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert_epubcheck_clean(&output);
    for (name, bytes) in entries(&output) {
        if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
            let document = text(&bytes);
            if let Err(error) = roxmltree::Document::parse_with_options(
                &document,
                roxmltree::ParsingOptions {
                    allow_dtd: true,
                    ..Default::default()
                },
            ) {
                panic!("{name} is not well-formed: {error}\n{document}");
            }
        }
    }
}

#[test]
fn every_gfm_spec_example_builds_into_one_valid_epub() {
    corpus_builds_clean("gfm-spec.json");
}

/// The GFM spec's extension examples (tables, strikethrough, autolinks, task lists, the tag
/// filter) each keep their text: the words of the spec's expected HTML are the words of the
/// chapter bindery made, once smart punctuation is undone and task-list marks (which bindery
/// shows as ☑/☐ instead of a form control) are set aside. The tag filter's example is the one
/// exception, by design: the spec shows `<title>` and friends as text, bindery parses them as
/// a browser does and removes them, with a warning that says what they held.
#[test]
fn gfm_extension_examples_keep_their_text() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/gfm-spec.json");
    let examples: Vec<serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let extensions: Vec<&serde_json::Value> = examples
        .iter()
        .filter(|e| !e["extension"].as_str().unwrap().is_empty())
        .collect();
    assert_eq!(extensions.len(), 24);
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(&book).unwrap();
    fs::write(
        book.join("0000-front.md"),
        "---\ntitle: GFM extensions\n---\n\nThe GFM spec's extension examples.\n",
    )
    .unwrap();
    for (index, example) in extensions.iter().enumerate() {
        let name = example["name"].as_str().unwrap();
        let markdown = example["markdown"].as_str().unwrap();
        fs::write(
            book.join(format!("{:04}.md", index + 1)),
            format!("# {name}\n\n{markdown}"),
        )
        .unwrap();
    }
    let output = dir.path().join("gfm.epub");
    let result = run(bindery(dir.path())
        .args(["build", "book", "-o"])
        .arg(&output));
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert_epubcheck_clean(&output);

    let mut chapters: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (name, bytes) in entries(&output) {
        if !name.ends_with(".xhtml") {
            continue;
        }
        let document = text(&bytes);
        let xml = roxmltree::Document::parse_with_options(
            &document,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        let Some(heading) = xml.descendants().find(|n| n.has_tag_name("h1")) else {
            continue;
        };
        let title: String = heading
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        let body = xml.descendants().find(|n| n.has_tag_name("body")).unwrap();
        let mut words = String::new();
        xml_text(body, &mut words);
        chapters.insert(title, words_of(&words));
    }
    let mut lost = Vec::new();
    for example in &extensions {
        let name = example["name"].as_str().unwrap();
        let expected = words_of(&html_text(example["html"].as_str().unwrap()));
        let got = chapters.get(name).cloned().unwrap_or_default();
        let kept = if example["extension"] == "tagfilter" {
            // `<title>` reads everything after it as its text, as in a browser; it is
            // removed, and the warning says what it held.
            text(&result.stderr).contains("removed <title> element with its content: ")
        } else {
            got == expected
        };
        if !kept {
            lost.push(format!("{name}: expected {expected:?}\n  got {got:?}"));
        }
    }
    assert!(lost.is_empty(), "text changed:\n{}", lost.join("\n"));
}

/// Words, with smart punctuation turned back into what the spec writes and task-list marks
/// dropped.
fn words_of(text: &str) -> Vec<String> {
    let plain = text
        .replace(['\u{2018}', '\u{2019}'], "'")
        .replace(['\u{201c}', '\u{201d}'], "\"")
        .replace('\u{2014}', "---")
        .replace('\u{2013}', "--")
        .replace('\u{2026}', "...");
    plain
        .split_whitespace()
        .filter(|w| !matches!(*w, "\u{2611}" | "\u{2610}"))
        .map(str::to_string)
        .collect()
}

/// Elements whose edges separate words.
const BLOCKS: &[&str] = &[
    "p",
    "li",
    "td",
    "th",
    "tr",
    "table",
    "thead",
    "tbody",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "div",
    "h1",
    "h2",
    "h3",
    "br",
    "section",
    "aside",
];

/// The text of a chapter's body (its `h1`, the example's name, left out), with a space at the
/// edges of block elements.
fn xml_text(node: roxmltree::Node<'_, '_>, out: &mut String) {
    for child in node.children() {
        if child.is_text() {
            out.push_str(child.text().unwrap_or_default());
        } else if child.is_element() && !child.has_tag_name("h1") {
            let block = BLOCKS.contains(&child.tag_name().name());
            if block {
                out.push(' ');
            }
            xml_text(child, out);
            if block {
                out.push(' ');
            }
        }
    }
}

/// The text of an HTML fragment from the spec: tags dropped (block ones leave a space), the
/// usual entities decoded.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(name), '>') => {
                let name = name.trim_start_matches('/');
                let name = name.split_whitespace().next().unwrap_or_default();
                if BLOCKS.contains(&name) {
                    out.push(' ');
                }
                tag = None;
            }
            (Some(name), c) => name.push(c),
            (None, c) => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}
