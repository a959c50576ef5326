//! Bad input, end to end (issue 4): for each kind of mistake, the real binary must exit 1 with
//! a message that says where (file:line:column) and what, leave a previous EPUB byte-for-byte
//! as it was, and leave no temporary file behind. Warnings must not stop a build unless
//! `--deny-warnings` asks, and `bindery check` must find the same problems without writing.

use crate::support;

use support::crc32;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A small good book in a temporary folder, built once so there is a previous EPUB to protect.
///
/// Layout: `book/essay.md`, `book/images/photo.jpg`, `out/book.epub`; `tmp/` is the binary's
/// TMPDIR, so its scratch folders can be checked for leftovers.
struct Fixture {
    dir: tempfile::TempDir,
    previous: Vec<u8>,
}

const GOOD_ESSAY: &str = "---
title: Tides
author: Ada Lovelace
language: en
---

# Harbour

![A harbour at dawn](images/photo.jpg \"The harbour.\")

Boats come in.
";

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("book/images")).unwrap();
        fs::create_dir_all(root.join("out")).unwrap();
        fs::create_dir_all(root.join("tmp")).unwrap();
        fs::write(root.join("book/essay.md"), GOOD_ESSAY).unwrap();
        write_jpeg(&root.join("book/images/photo.jpg"), 40, 30);
        let mut fixture = Fixture {
            dir,
            previous: Vec::new(),
        };
        let first = fixture.build(&[]);
        assert_eq!(
            first.status.code(),
            Some(0),
            "the good book builds:\n{}",
            stderr(&first)
        );
        assert_eq!(
            stderr_warnings(&first),
            0,
            "the good book has no warnings:\n{}",
            stderr(&first)
        );
        fixture.previous = fs::read(fixture.epub()).unwrap();
        fixture
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn book(&self) -> PathBuf {
        self.root().join("book")
    }

    fn epub(&self) -> PathBuf {
        self.root().join("out/book.epub")
    }

    fn write_essay(&self, text: &str) {
        fs::write(self.book().join("essay.md"), text).unwrap();
    }

    /// The good essay with `from` replaced by `to` (which must change it).
    fn edit_essay(&self, from: &str, to: &str) {
        assert!(GOOD_ESSAY.contains(from), "{from:?} is in the essay");
        self.write_essay(&GOOD_ESSAY.replacen(from, to, 1));
    }

    /// The binary with a cleared environment, run in the fixture's folder.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bindery"));
        command
            .current_dir(self.root())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root())
            .env("TMPDIR", self.root().join("tmp"))
            .env("NO_COLOR", "1")
            .args(args);
        command
    }

    /// `bindery build book -o out/book.epub --no-cache <extra>`.
    fn build(&self, extra: &[&str]) -> Output {
        let mut args = vec!["build", "book", "-o", "out/book.epub", "--no-cache"];
        args.extend_from_slice(extra);
        self.command(&args).output().unwrap()
    }

    fn check(&self, extra: &[&str]) -> Output {
        let mut args = vec!["check", "book"];
        args.extend_from_slice(extra);
        self.command(&args).output().unwrap()
    }

    /// Exit 1, every `expected` piece in stderr, the previous EPUB unchanged, nothing left over.
    fn assert_refused(&self, output: &Output, expected: &[&str]) {
        let stderr = stderr(output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "exit status; stderr:\n{stderr}"
        );
        for piece in expected {
            assert!(stderr.contains(piece), "stderr lacks {piece:?}:\n{stderr}");
        }
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "no panic:\n{stderr}"
        );
        assert!(
            fs::read(self.epub()).unwrap() == self.previous,
            "the previous EPUB is unchanged"
        );
        self.assert_no_leftovers();
    }

    fn assert_no_leftovers(&self) {
        let out: Vec<_> = names_in(&self.root().join("out"));
        assert_eq!(out, ["book.epub"], "only the EPUB is in the output folder");
        let tmp = names_in(&self.root().join("tmp"));
        assert!(tmp.is_empty(), "no temporary files left: {tmp:?}");
        let stray: Vec<_> = names_in(self.root())
            .into_iter()
            .filter(|n| n.ends_with(".epub") || n.starts_with(".bindery"))
            .collect();
        assert!(
            stray.is_empty(),
            "nothing written beside the book: {stray:?}"
        );
    }
}

fn names_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stderr_warnings(output: &Output) -> usize {
    stderr(output).matches("warning: ").count()
}

fn write_jpeg(path: &Path, width: u32, height: u32) {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 6) as u8, (y * 8) as u8, 120])
    });
    pixels
        .save_with_format(path, image::ImageFormat::Jpeg)
        .unwrap();
}

// ---- front matter ------------------------------------------------------------------------

#[test]
fn malformed_yaml_is_located_in_the_markdown_file() {
    let book = Fixture::new();
    book.edit_essay("title: Tides", "title: [Tides");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: front matter:",
            "--> book/essay.md:2:8",
            "help: the `[` that starts the value of `title` is never closed",
            "2 | title: [Tides",
        ],
    );
}

#[test]
fn an_author_of_the_wrong_type_is_refused() {
    let book = Fixture::new();
    book.edit_essay("author: Ada Lovelace", "author: 3");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: `author` must be a name, a list of names, or a list of {name, role, file-as}, found `3`",
            "--> book/essay.md:3:9",
        ],
    );
}

#[test]
fn a_missing_title_is_refused() {
    let book = Fixture::new();
    book.edit_essay("title: Tides\n", "");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: the book has no title",
            "--> book/essay.md:1:1",
            "title: My Book",
        ],
    );
}

#[test]
fn an_invalid_language_tag_is_refused() {
    let book = Fixture::new();
    book.edit_essay("language: en", "language: english_UK");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: `english_UK` is not a BCP 47 language tag",
            "--> book/essay.md:4:1",
        ],
    );
}

#[test]
fn an_isbn_with_a_wrong_check_digit_is_refused() {
    let book = Fixture::new();
    book.edit_essay(
        "language: en",
        "language: en\nidentifier: isbn:978-3-16-148410-1",
    );
    book.assert_refused(
        &book.build(&[]),
        &["its check digit is wrong", "--> book/essay.md:5:1"],
    );
}

#[test]
fn an_unparsable_date_is_refused() {
    let book = Fixture::new();
    book.edit_essay("language: en", "language: en\ndate: 2020-13-45");
    book.assert_refused(
        &book.build(&[]),
        &["error: `2020-13-45` is not a date", "--> book/essay.md:5:1"],
    );
}

#[test]
fn a_yaml_alias_bomb_is_refused_within_limits() {
    let book = Fixture::new();
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (name, previous) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e")] {
        let items = vec![format!("*{previous}"); 9].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{items}]\n"));
    }
    book.edit_essay("language: en\n", &format!("language: en\n{bomb}"));
    let started = std::time::Instant::now();
    let output = book.build(&[]);
    book.assert_refused(
        &output,
        &["(a YAML alias bomb?); refused", "--> book/essay.md:"],
    );
    assert!(started.elapsed().as_secs() < 20, "refused quickly");
}

#[test]
fn unknown_keys_warn_with_a_suggestion() {
    let book = Fixture::new();
    book.edit_essay("language: en", "language: en\npublishr: Ink & Co");
    let output = book.build(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(
        stderr.contains("warning: unknown front matter key `publishr`"),
        "{stderr}"
    );
    assert!(stderr.contains("--> book/essay.md:5:1"), "{stderr}");
    assert!(
        stderr.contains("help: did you mean `publisher`?"),
        "{stderr}"
    );
}

// ---- the Markdown ------------------------------------------------------------------------

#[test]
fn markdown_that_is_not_utf8_is_refused_at_the_line_of_the_first_bad_byte() {
    let book = Fixture::new();
    let mut bytes = GOOD_ESSAY.as_bytes().to_vec();
    bytes.extend_from_slice(b"\nCaf\xe9 au lait.\n");
    fs::write(book.book().join("essay.md"), bytes).unwrap();
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: this file is not UTF-8 text",
            "--> book/essay.md:13:4",
        ],
    );
}

// ---- images ------------------------------------------------------------------------------

#[test]
fn a_missing_image_is_named_with_the_line_that_uses_it() {
    let book = Fixture::new();
    book.edit_essay("images/photo.jpg", "images/fhoto.jpg");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `images/fhoto.jpg` not found",
            "--> book/essay.md:9:1",
        ],
    );
}

#[test]
fn an_image_path_leaving_the_book_folder_is_refused() {
    let book = Fixture::new();
    book.edit_essay("images/photo.jpg", "../../../../etc/passwd");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `../../../../etc/passwd` is outside the book folder",
            "--> book/essay.md:9:1",
        ],
    );
}

#[test]
fn an_absolute_image_path_is_refused() {
    let book = Fixture::new();
    book.edit_essay("images/photo.jpg", "/etc/passwd");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `/etc/passwd` is outside the book folder",
            "--> book/essay.md:9:1",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_pointing_out_of_the_book_is_refused() {
    let book = Fixture::new();
    write_jpeg(&book.root().join("secret.jpg"), 8, 8);
    std::os::unix::fs::symlink(
        book.root().join("secret.jpg"),
        book.book().join("images/link.jpg"),
    )
    .unwrap();
    book.edit_essay("images/photo.jpg", "images/link.jpg");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `images/link.jpg` is outside the book folder",
            "--> book/essay.md:9:1",
        ],
    );
}

#[test]
fn a_file_that_is_not_an_image_is_refused() {
    let book = Fixture::new();
    fs::write(book.book().join("images/photo.jpg"), "not a photo at all\n").unwrap();
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `images/photo.jpg`: not an image format bindery can read",
            "--> book/essay.md:9:1",
        ],
    );
}

#[test]
fn a_truncated_jpeg_is_refused() {
    let book = Fixture::new();
    let path = book.book().join("images/photo.jpg");
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `images/photo.jpg`: the image file is damaged or incomplete",
            "--> book/essay.md:9:1",
            "help: the file may be cut short",
        ],
    );
}

#[test]
fn a_corrupt_png_is_refused() {
    let book = Fixture::new();
    let path = book.book().join("images/photo.png");
    image::RgbImage::from_pixel(32, 32, image::Rgb([200, 10, 10]))
        .save_with_format(&path, image::ImageFormat::Png)
        .unwrap();
    let mut bytes = fs::read(&path).unwrap();
    // Scribble over the compressed pixel data, past the header.
    let data = bytes.len() - 40;
    for byte in &mut bytes[data..data + 20] {
        *byte ^= 0x5a;
    }
    fs::write(&path, bytes).unwrap();
    book.edit_essay("images/photo.jpg", "images/photo.png");
    fs::remove_file(book.book().join("images/photo.jpg")).unwrap();
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `images/photo.png`: the image file is damaged or incomplete",
            "--> book/essay.md:9:1",
        ],
    );
}

#[test]
fn a_decompression_bomb_is_refused_by_its_header() {
    let book = Fixture::new();
    fs::write(
        book.book().join("images/photo.png"),
        png_header_only(100_000, 100_000),
    )
    .unwrap();
    fs::remove_file(book.book().join("images/photo.jpg")).unwrap();
    book.edit_essay("images/photo.jpg", "images/photo.png");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `images/photo.png`: the image is too large (100000×100000 pixels)",
            "--> book/essay.md:9:1",
        ],
    );
}

#[test]
fn an_unsupported_image_format_is_named() {
    let book = Fixture::new();
    let path = book.book().join("images/photo.bmp");
    // A 1×1 BMP: the "BM" header the format sniffer knows, and one pixel.
    let mut bmp = Vec::new();
    bmp.extend_from_slice(b"BM");
    bmp.extend_from_slice(&58u32.to_le_bytes());
    bmp.extend_from_slice(&[0, 0, 0, 0]);
    bmp.extend_from_slice(&54u32.to_le_bytes());
    bmp.extend_from_slice(&40u32.to_le_bytes());
    bmp.extend_from_slice(&1i32.to_le_bytes());
    bmp.extend_from_slice(&1i32.to_le_bytes());
    bmp.extend_from_slice(&1u16.to_le_bytes());
    bmp.extend_from_slice(&24u16.to_le_bytes());
    bmp.extend_from_slice(&[0; 24]);
    bmp.extend_from_slice(&[0, 0, 255, 0]);
    fs::write(&path, bmp).unwrap();
    book.edit_essay("images/photo.jpg", "images/photo.bmp");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: image `images/photo.bmp`: this is a BMP (Windows bitmap) image, a format bindery does not read",
            "--> book/essay.md:9:1",
            "help: convert it to PNG, for example `magick in.bmp out.png`",
        ],
    );
}

#[test]
fn a_remote_image_is_refused() {
    let book = Fixture::new();
    book.edit_essay("images/photo.jpg", "https://example.org/harbour.jpg");
    book.assert_refused(
        &book.build(&[]),
        &[
            "error: `https://example.org/harbour.jpg` is a remote image; an EPUB must carry its images",
            "--> book/essay.md:9:1",
        ],
    );
}

// ---- output ------------------------------------------------------------------------------

#[test]
fn an_output_path_that_is_a_folder_is_refused() {
    let book = Fixture::new();
    let output = book
        .command(&["build", "book", "-o", "out", "--no-cache"])
        .output()
        .unwrap();
    book.assert_refused(&output, &["error: the output path is a folder\n --> out\n"]);
}

#[test]
fn an_output_path_in_a_folder_that_is_a_file_is_refused() {
    let book = Fixture::new();
    let output = book
        .command(&[
            "build",
            "book",
            "-o",
            "out/book.epub/inner.epub",
            "--no-cache",
        ])
        .output()
        .unwrap();
    book.assert_refused(
        &output,
        &["error: cannot write the EPUB here: out/book.epub is not a folder"],
    );
}

/// Permissions do not stop root, which CI containers often are; `/proc` refuses everyone.
#[cfg(target_os = "linux")]
#[test]
fn an_output_folder_that_is_not_writable_is_refused() {
    let book = Fixture::new();
    let output = book
        .command(&["build", "book", "-o", "/proc/book.epub", "--no-cache"])
        .output()
        .unwrap();
    book.assert_refused(
        &output,
        &[
            "error: cannot write the EPUB here: folder /proc is not writable",
            "--> /proc/book.epub",
            "help: choose a folder you can write to with -o",
        ],
    );
}

#[test]
fn an_output_path_that_is_an_input_is_refused() {
    let book = Fixture::new();
    let output = book
        .command(&["build", "book", "-o", "book/essay.md", "--no-cache"])
        .output()
        .unwrap();
    book.assert_refused(
        &output,
        &["error: the output would overwrite an input file"],
    );
    assert_eq!(
        fs::read_to_string(book.book().join("essay.md")).unwrap(),
        GOOD_ESSAY
    );
}

// ---- everything at once, warnings, check ---------------------------------------------------

#[test]
fn every_error_of_a_run_is_reported_together() {
    let book = Fixture::new();
    book.write_essay(
        "---\ntitle: Tides\nlanguage: english_UK\n---\n\n![a](images/gone.jpg)\n\n![b](https://example.org/b.jpg)\n\n![c](images/photo.txt)\n",
    );
    fs::write(book.book().join("images/photo.txt"), "text").unwrap();
    let output = book.build(&[]);
    book.assert_refused(
        &output,
        &[
            "--> book/essay.md:3:1",
            "--> book/essay.md:6:1",
            "--> book/essay.md:8:1",
            "--> book/essay.md:10:1",
            "error: build failed: 4 error(s) in the input; no EPUB was written",
        ],
    );
}

const ESSAY_WITH_WARNINGS: &str = "---
title: Tides
language: en
---

# Harbour

### Boats

![](images/photo.jpg)

[the map](map.md)

<p onclick=\"steal()\">Hello<script>alert(1)</script></p>
";

#[test]
fn warnings_do_not_stop_a_build() {
    let book = Fixture::new();
    book.write_essay(ESSAY_WITH_WARNINGS);
    write_jpeg(&book.book().join("images/unused.jpg"), 8, 8);
    let output = book.build(&[]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for piece in [
        "warning: heading level skipped: h1 is followed by h3\n --> book/essay.md:8:1",
        "warning: image `images/photo.jpg` has no alt text\n  --> book/essay.md:10:1",
        "warning: link to `map.md` removed",
        "--> book/essay.md:12:1",
        "warning: removed <script> element from the HTML\n  --> book/essay.md:14:1",
        "warning: removed onclick attribute",
        "warning: this image is in the book folder but nothing uses it\n --> book/images/unused.jpg",
    ] {
        assert!(stderr.contains(piece), "stderr lacks {piece:?}:\n{stderr}");
    }
    assert_eq!(stderr_warnings(&output), 6, "{stderr}");
    assert_ne!(
        fs::read(book.epub()).unwrap(),
        book.previous,
        "the EPUB was rebuilt"
    );
}

#[test]
fn deny_warnings_turns_warnings_into_errors() {
    let book = Fixture::new();
    book.write_essay(ESSAY_WITH_WARNINGS);
    let output = book.build(&["--deny-warnings"]);
    book.assert_refused(
        &output,
        &[
            "error: heading level skipped: h1 is followed by h3",
            "(a warning, denied by --deny-warnings)",
            "error: build failed: 5 error(s) in the input; no EPUB was written",
        ],
    );
    assert!(
        !stderr(&output).contains("warning: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_passes_a_good_book_and_writes_nothing() {
    let book = Fixture::new();
    fs::remove_file(book.epub()).unwrap();
    let output = book.check(&[]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with("checked 1 file and 1 image: 0 warnings in "),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    assert!(
        names_in(&book.root().join("out")).is_empty(),
        "no EPUB written"
    );
    assert!(
        names_in(&book.root().join("tmp")).is_empty(),
        "no temporary files"
    );
}

#[test]
fn check_finds_what_a_build_finds() {
    let book = Fixture::new();
    book.edit_essay("author: Ada Lovelace", "author: 3");
    let path = book.book().join("images/photo.jpg");
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let output = book.check(&[]);
    book.assert_refused(
        &output,
        &[
            "--> book/essay.md:3:9",
            "error: image `images/photo.jpg`: the image file is damaged or incomplete",
            "--> book/essay.md:9:1",
            "error: check failed: 2 error(s) in the input",
        ],
    );
}

#[test]
fn check_with_deny_warnings_fails_on_warnings() {
    let book = Fixture::new();
    book.write_essay(ESSAY_WITH_WARNINGS);
    let lenient = book.check(&[]);
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    assert_eq!(stderr_warnings(&lenient), 5, "{}", stderr(&lenient));
    let strict = book.check(&["--deny-warnings"]);
    book.assert_refused(&strict, &["error: check failed: 5 error(s) in the input"]);
}

/// A PNG signature and IHDR chunk claiming `width`×`height` RGB pixels, with a few bytes of
/// image data: a decoder that believed the header would allocate width×height×3 bytes.
pub(crate) fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&[0; 64], 9),
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn unsafe_html_and_links_are_removed_with_their_lines() {
    let book = Fixture::new();
    book.edit_essay(
        "Boats come in.\n",
        "Boats come in. [x](#nowhere) [j](javascript:alert(1)) [d](data:text/html,hi)\n\n<iframe src=\"x\"></iframe><form><input></form><object data=\"x\"></object>\n",
    );
    let output = book.build(&["--deny-warnings"]);
    book.assert_refused(
        &output,
        &[
            "error: removed javascript: link from the HTML\n  --> book/essay.md:11:30",
            "error: removed data: link from the HTML\n  --> book/essay.md:11:55",
            "error: removed <iframe> element from the HTML\n  --> book/essay.md:13:1",
            "error: removed <form> element from the HTML\n  --> book/essay.md:13:1",
            "error: removed <object> element from the HTML\n  --> book/essay.md:13:1",
            "error: link to `#nowhere` removed: there is no `#nowhere` in book/essay.md\n  --> book/essay.md:11:16",
            "error: build failed: 6 error(s) in the input; no EPUB was written",
        ],
    );
}

// ---- regressions found by fuzzing (docs/fuzzing.md) -----------------------------------------

/// pulldown-cmark 0.13.6 panics on this input (a slice out of range at parse.rs:2327 in release
/// builds, a failed assertion with debug assertions on): the
/// build must report it as an error on the file, with no panic message or backtrace.
#[test]
fn regression_markdown_parser_panic_is_an_error_not_a_crash() {
    let book = Fixture::new();
    let body = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pulldown-cmark-slice-panic.md"),
    )
    .unwrap();
    let mut essay = GOOD_ESSAY.as_bytes().to_vec();
    essay.extend_from_slice(&body);
    fs::write(book.book().join("essay.md"), essay).unwrap();
    let output = book.build(&[]);
    book.assert_refused(
        &output,
        &[
            "error: the Markdown parser failed on this file (",
            "--> book/essay.md",
            "help: this is a bug in pulldown-cmark, not in your text",
        ],
    );
    let stderr = stderr(&output);
    assert!(!stderr.contains("parse.rs"), "no panic location:\n{stderr}");
}

#[test]
fn an_image_cache_inside_the_book_folder_is_not_reported_as_unused_images() {
    let book = Fixture::new();
    let args = [
        "build",
        "book",
        "-o",
        "out/book.epub",
        "--cache-dir",
        "book/cache",
    ];
    let first = book.command(&args).output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        !names_in(&book.book().join("cache")).is_empty(),
        "the cache was filled"
    );
    let second = book.command(&args).output().unwrap();
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(stderr_warnings(&second), 0, "{}", stderr(&second));
}
