//! A scene for one hostile case: a temporary folder with a good book, an output folder with a
//! previous EPUB, a folder outside the book with a secret, a private TMPDIR and cache; and the
//! runner that checks what every case must keep.

#![allow(dead_code)] // Helpers for every area's table; each uses a subset.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support;

/// One row of a table.
pub(super) struct Case {
    pub name: &'static str,
    /// Plants the case's files; `good` is the plain book.
    pub setup: fn(&Scene),
    pub args: &'static [&'static str],
    pub exit: i32,
    /// Must appear in stderr (or stdout); empty to expect nothing in particular.
    pub message: &'static str,
    /// Extra checks after the common ones; `ok` when there are none.
    pub check: fn(&Scene, &Output),
}

impl Case {
    pub(super) const fn new(
        name: &'static str,
        setup: fn(&Scene),
        args: &'static [&'static str],
        exit: i32,
        message: &'static str,
        check: fn(&Scene, &Output),
    ) -> Self {
        Case {
            name,
            setup,
            args,
            exit,
            message,
            check,
        }
    }
}

pub(super) const GOOD_ESSAY: &str = "---
title: Tides
author: Ada Lovelace
language: en
---

# Harbour

![A harbour at dawn](images/photo.jpg \"The harbour.\")

Boats come in.
";

/// The folders of one case. `book/` holds `essay.md` and `images/photo.jpg`; `out/book.epub`
/// is a previous EPUB (any bytes: it must survive a failed run); `outside/secret.txt` is a
/// file the book must never read.
pub(super) struct Scene {
    dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Self {
        let scene = Scene {
            dir: tempfile::tempdir().expect("a temporary folder for the scene"),
        };
        for folder in ["book/images", "out", "outside", "tmp", "cache", "home"] {
            fs::create_dir_all(scene.root().join(folder)).expect("scene folders");
        }
        scene.write("out/book.epub", b"previous EPUB, must survive a failed run");
        scene.write("outside/secret.txt", b"SECRET-OUTSIDE-THE-BOOK");
        scene
    }

    pub(super) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(super) fn book(&self) -> PathBuf {
        self.root().join("book")
    }

    pub(super) fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    /// Writes a file relative to the scene's root, creating its folders.
    pub(super) fn write(&self, relative: &str, bytes: &[u8]) {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("parent folder");
        }
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// The good essay with `from` replaced by `to` (the front matter or body edited).
    pub(super) fn edit_essay(&self, from: &str, to: &str) {
        let text = fs::read_to_string(self.path("book/essay.md")).expect("essay");
        assert!(text.contains(from), "the essay has no `{from}` to edit");
        self.write("book/essay.md", text.replacen(from, to, 1).as_bytes());
    }

    /// Adds a front-matter line to the good essay.
    pub(super) fn front(&self, line: &str) {
        self.edit_essay("language: en\n", &format!("language: en\n{line}\n"));
    }

    /// Appends Markdown to the good essay's body.
    pub(super) fn append(&self, markdown: &str) {
        let mut text = fs::read_to_string(self.path("book/essay.md")).expect("essay");
        text.push_str(markdown);
        self.write("book/essay.md", text.as_bytes());
    }

    #[cfg(unix)]
    pub(super) fn symlink(&self, target: &str, link: &str) {
        let target = if target.starts_with('/') {
            PathBuf::from(target)
        } else {
            self.path(target)
        };
        std::os::unix::fs::symlink(target, self.path(link)).expect("symlink");
    }

    /// The EPUB the case wrote at `relative`, as (entry name, bytes).
    pub(super) fn epub(&self, relative: &str) -> Vec<(String, Vec<u8>)> {
        support::epub_entries(&self.path(relative))
    }

    fn expand(&self, arg: &str) -> String {
        let at = |folder: &str| self.path(folder).display().to_string();
        arg.replace("{book}", &at("book"))
            .replace("{out}", &at("out"))
            .replace("{outside}", &at("outside"))
            .replace("{cache}", &at("cache"))
            .replace("{root}", &at(""))
    }

    /// Every regular file in the scene except the output and temporary folders, with its
    /// bytes: what a failed (or any) run must leave alone.
    fn inputs(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        for folder in ["book", "outside"] {
            collect(&self.path(folder), &mut files);
        }
        files
    }

    fn leftovers(&self) -> Vec<String> {
        let mut found = Vec::new();
        for folder in ["out", "tmp", "book"] {
            let Ok(entries) = fs::read_dir(self.path(folder)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(".bindery-") || name.ends_with(".part") {
                    found.push(format!("{folder}/{name}"));
                }
            }
        }
        found
    }
}

fn collect(folder: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = fs::symlink_metadata(&path) else {
            continue;
        };
        if kind.is_dir() {
            collect(&path, files);
        } else if kind.is_file()
            && let Ok(bytes) = fs::read(&path)
        {
            files.insert(path, bytes);
        }
    }
}

/// The plain good book.
pub(super) fn good(scene: &Scene) {
    scene.write("book/essay.md", GOOD_ESSAY.as_bytes());
    scene.write("book/images/photo.jpg", &small_jpeg(40, 30));
}

/// No check beyond the common ones.
pub(super) fn ok(_: &Scene, _: &Output) {}

/// A small RGB JPEG with a gradient, as a camera-less editor writes it.
pub(super) fn small_jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 6) as u8, (y * 8) as u8, 120])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    pixels
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .expect("encode a JPEG");
    bytes.into_inner()
}

/// Runs every case of a table; reports all failures together.
pub(super) fn run_table(area: &str, cases: &[Case]) {
    let mut failures = Vec::new();
    let mut skipped = 0;
    for case in cases {
        match std::panic::catch_unwind(|| run_case(case)) {
            Ok(Outcome::Checked) => {}
            Ok(Outcome::EpubcheckSkipped) => skipped += 1,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("[{area}] {}: {why}", case.name));
            }
        }
    }
    println!(
        "hostile {area}: {} case(s), {} failed, epubcheck skipped on {skipped}",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} case(s) failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

enum Outcome {
    Checked,
    EpubcheckSkipped,
}

fn run_case(case: &Case) -> Outcome {
    let scene = Scene::new();
    good(&scene);
    (case.setup)(&scene);
    let before = scene.inputs();
    let args: Vec<String> = case.args.iter().map(|a| scene.expand(a)).collect();
    let output = support::bindery(scene.root())
        .args(&args)
        .env("TMPDIR", scene.path("tmp"))
        .env("HOME", scene.path("home"))
        .env("BINDERY_CACHE_DIR", scene.path("cache"))
        .output()
        .expect("run bindery");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let said = format!("{stderr}{stdout}");
    assert_eq!(
        output.status.code(),
        Some(case.exit),
        "exit status (expected {}), args {args:?}:\n{said}",
        case.exit
    );
    assert!(
        said.contains(case.message),
        "expected `{}` in the output:\n{said}",
        case.message
    );
    assert_eq!(
        scene.inputs().keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the set of input files changed"
    );
    for (path, bytes) in &before {
        let now = fs::read(path).unwrap_or_default();
        assert!(&now == bytes, "input {} was changed", path.display());
    }
    assert_eq!(
        scene.leftovers(),
        Vec::<String>::new(),
        "temporary files left"
    );
    if case.exit != 0 {
        assert_eq!(
            fs::read(scene.path("out/book.epub")).unwrap_or_default(),
            b"previous EPUB, must survive a failed run",
            "a failed run changed the previous EPUB"
        );
    }
    (case.check)(&scene, &output);
    if case.exit == 0 && case.args.first() == Some(&"build") {
        return epubcheck_outputs(&scene);
    }
    Outcome::Checked
}

/// epubcheck on every EPUB the case wrote in `out/` (the previous one aside).
fn epubcheck_outputs(scene: &Scene) -> Outcome {
    let mut outcome = Outcome::Checked;
    for entry in fs::read_dir(scene.path("out"))
        .expect("out folder")
        .flatten()
    {
        let path = entry.path();
        let bytes = fs::read(&path).unwrap_or_default();
        if !bytes.starts_with(b"PK") {
            continue;
        }
        match support::epubcheck(&path) {
            Some(report) => assert!(
                report.errors().is_empty() && report.warnings().is_empty(),
                "epubcheck on {}:\n{report}",
                path.display()
            ),
            None => outcome = Outcome::EpubcheckSkipped,
        }
    }
    outcome
}

// ---- helpers for the paths, outputs, cache and process tables -------------------------------

/// Runs bindery in the scene as a case would (same TMPDIR, HOME and cache), for setups that
/// need a build first (a filled cache) and for tests that are not table rows.
pub(super) fn command(scene: &Scene, args: &[&str]) -> std::process::Command {
    let args: Vec<String> = args.iter().map(|a| scene.expand(a)).collect();
    let mut command = support::bindery(scene.root());
    command
        .args(&args)
        .env("TMPDIR", scene.path("tmp"))
        .env("HOME", scene.path("home"))
        .env("BINDERY_CACHE_DIR", scene.path("cache"));
    command
}

/// A build of the scene's book that must succeed, written outside `out/`: fills the cache.
pub(super) fn prebuild(scene: &Scene) {
    let output = command(scene, &["build", "{book}", "-o", "{root}/first.epub"])
        .output()
        .expect("run bindery");
    assert!(
        output.status.success(),
        "the first build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A named pipe at `relative` (reading it would block until a writer comes).
#[cfg(unix)]
pub(super) fn mkfifo(scene: &Scene, relative: &str) {
    let status = std::process::Command::new("mkfifo")
        .arg(scene.path(relative))
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {relative}");
}

/// The files in `cache/<layout>/<kind>` (`objects` or `entries`), sorted.
pub(super) fn cache_files(scene: &Scene, kind: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for layout in fs::read_dir(scene.path("cache"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for entry in fs::read_dir(layout.path().join(kind))
            .into_iter()
            .flatten()
            .flatten()
        {
            found.push(entry.path());
        }
    }
    found.sort();
    found
}

/// The EPUB at `out/new.epub`: no entry holds `needle`.
pub(super) fn epub_lacks(scene: &Scene, needle: &[u8]) {
    for (name, bytes) in scene.epub("out/new.epub") {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{name} holds {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

/// Every image of `out/new.epub` is named by the hash of its bytes, as a fresh build names
/// it: what came from the cache is what the pipeline made.
pub(super) fn images_match_their_names(scene: &Scene, _: &Output) {
    for (name, bytes) in scene.epub("out/new.epub") {
        let Some(file) = name.strip_prefix("OEBPS/images/") else {
            continue;
        };
        let hash = blake3::hash(&bytes).to_hex();
        assert!(
            file.starts_with(&hash.as_str()[..20]),
            "{name} does not hold the bytes its name promises"
        );
    }
}

/// Temporary files left in `out/`, `tmp/` (TMPDIR) or `book/`, as the runner checks them.
pub(super) fn leftovers(scene: &Scene) -> Vec<String> {
    scene.leftovers()
}

impl Scene {
    /// A fresh scene (no book yet) for tests that are not table rows.
    pub(super) fn new_for_test() -> Self {
        Scene::new()
    }
}

/// A setup that plants nothing beyond the good book.
pub(super) fn plain(_: &Scene) {}

/// The text of every entry of `out/book.epub` whose name ends with `suffix`, joined.
pub(super) fn epub_text(scene: &Scene, suffix: &str) -> String {
    scene
        .epub("out/book.epub")
        .into_iter()
        .filter(|(name, _)| name.ends_with(suffix))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

/// Asserts that no entry of `out/book.epub` whose name ends with `suffix` contains `text`.
pub(super) fn epub_entry_lacks(scene: &Scene, suffix: &str, text: &str) {
    let entries = scene.epub("out/book.epub");
    assert!(
        entries.iter().any(|(name, _)| name.ends_with(suffix)),
        "no `*{suffix}` entry in the EPUB"
    );
    let found = epub_text(scene, suffix);
    assert!(
        !found.contains(text),
        "`{text}` reached the EPUB's {suffix}:\n{found}"
    );
}
