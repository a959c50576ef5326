//! `bindery serve` end to end: the real binary serves the sample book (`book/`), and
//! headless Chromium (tools/render/serve-check.mjs, puppeteer-core driving Debian's chromium)
//! reads it the way an author does — first chapter shown, every device frame, text size and
//! night mode, an edit picked up without reloading the page, a broken build shown over the
//! last good book.

use crate::support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The first words of the sample book's first chapter: the page the reader must reach, and
/// the text the edit replaces.
const FIRST_WORDS: &str = "A daring photographer";

/// A copy of the sample book (`book/`: the essay and its fourteen photos) in `dir/book`.
fn sample_book(dir: &Path) -> std::path::PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("images")).unwrap();
    std::fs::copy(source.join("essay.md"), book.join("essay.md")).unwrap();
    for entry in std::fs::read_dir(source.join("images")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, book.join("images").join(path.file_name().unwrap())).unwrap();
    }
    book.join("essay.md")
}

/// Stops the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dir: &Path) -> (Server, String) {
    let mut child = support::bindery(dir)
        .args([
            "serve",
            "book",
            "-o",
            "out/book.epub",
            "--cache-dir",
            "cache",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start bindery serve");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout);
    let mut first = String::new();
    lines
        .read_line(&mut first)
        .expect("read the preview's address");
    // Keep reading (each rebuild prints the EPUB's path), as a script would.
    std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
    let url = first.trim().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "the first line is the preview's address on the loopback interface: {url:?}"
    );
    (Server(child), url)
}

#[test]
fn the_preview_shows_the_book_switches_devices_and_follows_edits() {
    let Some((node, _)) = support::render_check() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let essay = sample_book(dir.path());
    // The author has built the book before: the preview starts from a warm image cache, as
    // it would, and its builds stay quick however busy the machine running the tests is.
    let built = support::bindery(dir.path())
        .args([
            "build",
            "book",
            "-o",
            "out/first.epub",
            "--cache-dir",
            "cache",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(0), "{built:?}");
    let (_server, url) = start(dir.path());

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    let script = support::tools_folder().join("render/serve-check.mjs");
    let output = Command::new(node)
        .arg(&script)
        .arg(&url)
        .arg(&essay)
        .arg(&shots)
        .args([FIRST_WORDS, FIRST_WORDS])
        .current_dir(support::tools_folder().join("render"))
        .output()
        .expect("run serve-check.mjs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "serve-check.mjs printed no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let steps = &report["steps"];
    assert_eq!(report["errors"], Value::Array(vec![]), "{report:#}");

    let first = &steps["firstChapter"];
    assert_eq!(first["opened"], true, "{report:#}");
    let text = first["text"].as_str().unwrap_or_default();
    assert!(
        text.contains(FIRST_WORDS),
        "the first chapter is on screen: {text:?}"
    );

    // Each frame has its size (CSS pixels: the screens at their usual device-pixel ratios);
    // only e-ink is grey.
    for (device, size) in [
        ("phone", (390, 844)),
        ("colour", (632, 840)),
        ("tablet", (820, 1180)),
    ] {
        let frame = &steps["devices"][device];
        assert_eq!(frame["device"], device, "{report:#}");
        assert_eq!(
            (frame["width"].as_u64(), frame["height"].as_u64()),
            (Some(size.0), Some(size.1)),
            "{device}: {frame}"
        );
        assert!(
            !frame["filter"]
                .as_str()
                .unwrap_or_default()
                .contains("grayscale"),
            "{device} is in colour: {frame}"
        );
        assert_eq!(frame["bookShown"], true, "{device}: {frame}");
    }
    let eink = &steps["devices"]["eink"];
    assert_eq!(eink["device"], "eink");
    assert_eq!(
        (eink["width"].as_u64(), eink["height"].as_u64()),
        (Some(536), Some(724))
    );
    assert!(
        eink["filter"]
            .as_str()
            .unwrap_or_default()
            .contains("grayscale"),
        "the e-ink frame is grey: {eink}"
    );
    assert_eq!(eink["bookShown"], true);

    let theme = &steps["theme"];
    assert_eq!(theme["fontSize"], 120);
    assert_eq!(
        theme["bodyFontSize"], "120%",
        "text size reaches the book: {theme}"
    );
    assert_eq!(
        theme["bodyBackground"], "rgb(18, 18, 18)",
        "night mode reaches the book: {theme}"
    );

    let rebuild = &steps["rebuild"];
    assert_eq!(rebuild["reloaded"], true, "the edit is shown: {report:#}");
    assert_eq!(rebuild["sameDevice"], "eink", "the page was not reloaded");
    println!(
        "serve: an edit was on screen {} ms after the save",
        rebuild["milliseconds"]
    );

    let failure = &steps["failure"];
    assert_eq!(failure["noticed"], true, "{report:#}");
    assert_eq!(failure["errorsShown"], true);
    assert!(
        failure["errors"]
            .as_str()
            .unwrap_or_default()
            .contains("essay.md"),
        "the errors name the file: {failure}"
    );
    assert_eq!(failure["bookStillShown"], true);
}

#[test]
fn the_vendored_reader_is_the_version_tools_render_pins() {
    let folder = support::tools_folder().join("render/node_modules");
    if !folder.join("epubjs").is_dir() {
        let _ = support::render_check();
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (vendored, installed) in [
        ("assets/reader/epub.min.js", "epubjs/dist/epub.min.js"),
        ("assets/reader/jszip.min.js", "jszip/dist/jszip.min.js"),
    ] {
        let vendored_bytes = std::fs::read(repo.join(vendored)).unwrap();
        let installed_bytes = std::fs::read(folder.join(installed)).unwrap();
        assert!(
            vendored_bytes == installed_bytes,
            "{vendored} differs from tools/render's pinned {installed}: copy it again"
        );
    }
}
