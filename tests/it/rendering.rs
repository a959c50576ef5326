//! Does the book read well in a real reading system? `tools/render/render-check.mjs` opens it
//! in epub.js, in headless Chromium, at a phone size and an e-reader size, pages through it
//! and follows its links the way a reader does; this test builds the book and judges what the
//! script measured. A screenshot of each size is kept in `target/test-artifacts/rendering/`
//! for a person to look at.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The note the test adds to the sample book, which has none of its own.
const NOTE: &str = "The photographs were taken on a guided trip in 2015.";

/// The sample book (fourteen photos, a list of illustrations) plus a closing paragraph with a
/// footnote, in `dir`.
fn sample_book_with_a_footnote(dir: &Path) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
    let book = dir.join("book");
    fs::create_dir_all(book.join("images")).unwrap();
    for entry in fs::read_dir(sample.join("images")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, book.join("images").join(path.file_name().unwrap())).unwrap();
    }
    let essay = fs::read_to_string(sample.join("essay.md")).unwrap();
    fs::write(
        book.join("essay.md"),
        format!("{essay}\nA closing remark, with its source.[^source]\n\n[^source]: {NOTE}\n"),
    )
    .unwrap();
    book
}

/// Each photo of the sample book, in order: its figure id (`fig:` and the file name, or the
/// id its attribute block gives) and its title, where its Markdown gives one.
fn expected_figures() -> Vec<(String, Option<String>)> {
    let essay =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("book/essay.md")).unwrap();
    essay
        .lines()
        .filter(|line| line.starts_with("!["))
        .map(|line| {
            let (image, attributes) = line.rsplit_once("){").unwrap_or((line, ""));
            let destination = &image[image.find("](").unwrap() + 2..];
            let destination = destination.trim_end_matches(')');
            let (path, title) = match destination.split_once(" \"") {
                Some((path, title)) => (path, Some(title.trim_end_matches('"').to_owned())),
                None => (destination, None),
            };
            let id = match attributes.split_whitespace().find(|a| a.starts_with('#')) {
                Some(id) => id[1..].trim_end_matches('}').to_owned(),
                None => format!("fig:{}", &path["images/".len()..path.len() - ".jpg".len()]),
            };
            (id, title)
        })
        .collect()
}

/// Builds `book` into `<dir>/book.epub` with the binary under test, in an environment that
/// cannot see this machine's settings.
fn build(dir: &Path, book: &Path) -> PathBuf {
    let epub = dir.join("book.epub");
    let cache = support::sample_book_cache();
    let result = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("BINDERY_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .arg("build")
        .arg(book)
        .arg("-o")
        .arg(&epub)
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    epub
}

/// `target/test-artifacts/rendering/`, emptied.
fn artifacts_folder() -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts/rendering");
    let _ = fs::remove_dir_all(&folder);
    fs::create_dir_all(&folder).unwrap();
    folder
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_sample_book_reads_well_in_epub_js_on_a_phone_and_an_e_reader() {
    let Some((node, script)) = support::render_check() else {
        return;
    };
    let chromium = support::chromium().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let book = sample_book_with_a_footnote(dir.path());
    let epub = build(dir.path(), &book);
    let screenshots = artifacts_folder();

    let output = Command::new(node)
        .arg(&script)
        .arg(&epub)
        .arg(&screenshots)
        .env("PUPPETEER_EXECUTABLE_PATH", chromium)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "render-check.mjs failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();

    let expected = expected_figures();
    assert_eq!(expected.len(), 14, "the sample book's photos");
    let sizes = report["sizes"].as_array().unwrap();
    let names: Vec<_> = sizes
        .iter()
        .map(|size| size["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["phone", "ereader"]);

    for size in sizes {
        let name = size["name"].as_str().unwrap();
        let whole = serde_json::to_string_pretty(size).unwrap();
        let context = format!("at the {name} size; everything measured:\n{whole}");

        assert_eq!(strings(&size["errors"]), Vec::<String>::new(), "{context}");
        // Every page, the cover to the list of illustrations, shows something.
        assert_eq!(
            strings(&size["sections"]),
            [
                "text/cover.xhtml",
                "text/title.xhtml",
                "text/chapter-001.xhtml",
                "text/illustrations.xhtml"
            ],
            "{context}"
        );
        assert!(size["pages"].as_u64().unwrap() >= 10, "{context}");
        assert_eq!(
            strings(&size["blankPages"]),
            Vec::<String>::new(),
            "{context}"
        );
        // Reflow: nothing wider than a page.
        assert_eq!(
            strings(&size["overflow"]),
            Vec::<String>::new(),
            "{context}"
        );

        // The cover and the fourteen photos all load and fit the page.
        let images = size["images"].as_array().unwrap();
        assert_eq!(images.len(), 15, "{context}");
        for image in images {
            assert_eq!(image["loaded"], true, "{} {context}", image["src"]);
            assert_eq!(image["fits"], true, "{} {context}", image["src"]);
        }

        // Each figure shows whole, photo and caption on one screen, with its caption: its
        // number as a plate, the photo's title, else the caption embedded in the photo
        // (korea-04.jpg has one), and only the number for the two photos that have neither.
        // The row holds two of them and is no figure of its own.
        let figures: Vec<&Value> = size["figures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|figure| figure["row"].is_null() && figure["id"] != "text/chapter-001.xhtml#")
            .collect();
        let ids: Vec<_> = figures
            .iter()
            .map(|figure| figure["id"].as_str().unwrap())
            .collect();
        let expected_ids: Vec<_> = expected
            .iter()
            .map(|(id, _)| format!("text/chapter-001.xhtml#{id}"))
            .collect();
        assert_eq!(ids, expected_ids, "{context}");
        for (n, (figure, (id, title))) in figures.iter().zip(&expected).enumerate() {
            let caption = figure["caption"].as_str();
            let number = format!("Plate {}.", n + 1);
            match (id.as_str(), title) {
                ("fig:customs-form", Some(title)) => assert_eq!(
                    caption,
                    Some(format!("{number} {title} Photo: Michal Huniewicz").as_str()),
                    "{context}"
                ),
                (_, Some(title)) => {
                    assert_eq!(
                        caption,
                        Some(format!("{number} {title}").as_str()),
                        "{context}"
                    )
                }
                ("fig:korea-04", None) => assert_eq!(
                    caption,
                    Some(
                        format!("{number} Farm workers in the fields outside the capital.")
                            .as_str()
                    ),
                    "{context}"
                ),
                (_, None) => assert_eq!(caption, Some(number.as_str()), "{context}"),
            }
            assert_eq!(figure["shownWhole"], true, "{} {context}", figure["id"]);
        }

        // The row: side by side, one height, on the e-reader; one under the other on the
        // phone (issue 14).
        let rows: Vec<&Value> = size["figures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|figure| !figure["row"].is_null())
            .collect();
        assert_eq!(rows.len(), 1, "{context}");
        let row = &rows[0]["row"];
        assert_eq!(row["images"], 2, "{context}");
        match name {
            "phone" => assert_eq!(
                (&row["stacked"], &row["sideBySide"]),
                (&Value::Bool(true), &Value::Bool(false)),
                "{context}"
            ),
            _ => assert_eq!(row["sideBySide"], true, "{context}"),
        }

        // The plate: image and caption on one screen (checked above with every figure), the
        // image filling the page's width or height nearly to the edge.
        let plate = figures
            .iter()
            .find(|figure| figure["plate"] == true)
            .expect("the plate");
        assert_eq!(
            plate["id"], "text/chapter-001.xhtml#fig:korea-09",
            "{context}"
        );
        assert!(plate["fill"].as_f64().unwrap() > 0.9, "{context}");

        // Each list-of-illustrations link lands with its figure's photo on screen.
        let links = size["loiLinks"].as_array().unwrap();
        let hrefs: Vec<_> = links
            .iter()
            .map(|link| link["href"].as_str().unwrap())
            .collect();
        let expected_hrefs: Vec<_> = expected
            .iter()
            .map(|(id, _)| format!("chapter-001.xhtml#{id}"))
            .collect();
        assert_eq!(hrefs, expected_hrefs, "{context}");
        for link in links {
            assert_eq!(link["landed"], true, "{} {context}", link["href"]);
        }

        // The footnote reference opens its note, on screen.
        // The sample book's own note and the one added here, in the structure that pops up:
        // a noteref, an aside footnote, and the note led by its number as the way back.
        let notes = size["footnotes"].as_array().unwrap();
        assert_eq!(notes.len(), 2, "{context}");
        assert_eq!(notes[1]["href"], "text/chapter-001.xhtml#fn-2", "{context}");
        for note in notes {
            assert_eq!(note["shown"], true, "{context}");
            // A link within its document: epub.js lands it at once, so no second try is allowed.
            assert_eq!(note["firstTry"], true, "{context}");
            let markup = &note["markup"];
            assert_eq!(markup["noteref"], "noteref", "{context}");
            assert_eq!(markup["tag"], "aside", "{context}");
            assert_eq!(markup["epubType"], "footnote", "{context}");
            assert_eq!(markup["role"], "doc-footnote", "{context}");
            assert_eq!(markup["backlinkFirst"], true, "{context}");
        }
        assert_eq!(notes[1]["markup"]["backlink"], "#fnref-2", "{context}");
        assert_eq!(notes[1]["text"], format!("2 {NOTE}"), "{context}");

        for shot in ["figure", "footnote"] {
            let png = fs::read(screenshots.join(format!("{name}-{shot}.png"))).unwrap();
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}-{shot}.png");
        }
    }
}
