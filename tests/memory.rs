//! Peak memory of a build fed decompression bombs, or the most Markdown a book may have, stays
//! under 300 MiB (issues 4 and 10).
//!
//! A bomb is a small file that decodes to a huge image. Two are tried: one whose header alone
//! is over the limits (8000×8000 RGBA, 245 MiB decoded; refused before any pixel buffer is
//! allocated), and the largest PNG the limits accept (4896×4896 RGBA, 96 MiB decoded, a
//! 100 kB file), which is decoded, converted and resized. The peak is the children's maximum
//! resident set size from `getrusage`, which counts every child of this process: the only other
//! test here measures its own children with `wait4`, and they too must stay under the limit,
//! so they cannot make the bombs' figure wrong by more than the limit allows.

#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::Command;

const LIMIT_MIB: i64 = 300;

#[test]
fn decompression_bombs_are_handled_in_under_300_mib() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(book.join("images")).unwrap();
    fs::write(book.join("images/refused.png"), blank_rgba_png(8000, 8000)).unwrap();
    fs::write(book.join("images/accepted.png"), blank_rgba_png(4896, 4896)).unwrap();
    assert!(
        fs::metadata(book.join("images/accepted.png"))
            .unwrap()
            .len()
            < 200_000
    );

    let refused = build(dir.path(), "![A bomb](images/refused.png)");
    assert_eq!(refused.0, Some(1), "{}", refused.1);
    assert!(
        refused
            .1
            .contains("the image would take 245 MiB of memory once decoded (8000×8000 pixels)"),
        "{}",
        refused.1
    );
    let accepted = build(dir.path(), "![A large blank](images/accepted.png)");
    assert_eq!(accepted.0, Some(0), "{}", accepted.1);

    let peak_mib = children_peak_kib() / 1024;
    eprintln!("peak resident memory of the builds: {peak_mib} MiB");
    assert!(peak_mib > 0, "getrusage reported the children");
    assert!(
        peak_mib < LIMIT_MIB,
        "a build took {peak_mib} MiB; the limit is {LIMIT_MIB} MiB"
    );
}

/// Builds `book/` (its essay shows `image`), returns the exit code and stderr.
fn build(root: &Path, image: &str) -> (Option<i32>, String) {
    let essay = format!("---\ntitle: Bomb\nlanguage: en\n---\n\n{image}\n");
    fs::write(root.join("book/essay.md"), essay).unwrap();
    // Only the image in use; the other would be warned about as unused, which is fine.
    let output = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .current_dir(root)
        .env_clear()
        .env("HOME", root)
        .env("TMPDIR", root)
        .env("NO_COLOR", "1")
        .args(["build", "book", "-o", "bomb.epub", "--no-cache"])
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The largest resident set of any waited-for child of this process, in KiB (Linux and the
/// BSDs report `ru_maxrss` in KiB; macOS in bytes, where this overstates, never understates).
fn children_peak_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole `rusage` into the pointer it is given.
    let status = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(status, 0, "getrusage succeeds");
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    #[allow(clippy::unnecessary_cast)] // c_long is i64 on 64-bit targets only
    let peak = usage.ru_maxrss as i64;
    peak
}

/// An all-white, fully opaque RGBA PNG: it compresses about a thousandfold. Written a row at
/// a time, so this process stays small: a child started with `posix_spawn` shares this
/// process's memory until it executes, and its peak as `getrusage` reports it starts from ours.
fn blank_rgba_png(width: u32, height: u32) -> Vec<u8> {
    use std::io::Write;
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(std::io::Cursor::new(&mut png), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    {
        let mut writer = encoder.write_header().unwrap();
        let mut stream = writer.stream_writer().unwrap();
        let row = vec![0xff_u8; width as usize * 4];
        for _ in 0..height {
            stream.write_all(&row).unwrap();
        }
        stream.finish().unwrap();
        writer.finish().unwrap();
    }
    png
}

/// Markdown input memory (issue 10): the largest book the limit accepts, written as densely
/// with links, emphasis and code as prose gets, builds in under 300 MiB; 50 MB of Markdown is
/// refused as too large, having read no more than the limit. Each build's peak is its own,
/// from `wait4`, so this test does not disturb the one above (nor it this one).
#[test]
fn markdown_at_the_size_limit_builds_in_under_300_mib_and_more_is_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(&book).unwrap();
    // Just under 6 MiB, the limit (`source::MAX_MARKDOWN_BYTES`), written a paragraph at a
    // time so this process stays small.
    let limit = 6 * 1024 * 1024;
    let paragraph = "The boats come in at *dawn* and **leave** with `nets` full of fish, \
                     [a link](https://example.org/harbour) and [another](#harbour) later.\n\n";
    {
        let mut essay = std::io::BufWriter::new(fs::File::create(book.join("essay.md")).unwrap());
        let head = "---\ntitle: Big\nlanguage: en\n---\n\n# Harbour\n\n";
        essay.write_all(head.as_bytes()).unwrap();
        let mut written = head.len();
        while written + paragraph.len() < limit {
            essay.write_all(paragraph.as_bytes()).unwrap();
            written += paragraph.len();
        }
    }
    let (code, stderr, peak_kib) = measured(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    let peak_mib = peak_kib / 1024;
    eprintln!("peak resident memory, 6 MiB of dense Markdown: {peak_mib} MiB");
    assert!(
        peak_mib < LIMIT_MIB,
        "a build took {peak_mib} MiB; the limit is {LIMIT_MIB} MiB"
    );

    {
        let mut essay = std::io::BufWriter::new(fs::File::create(book.join("essay.md")).unwrap());
        essay.write_all(b"---\ntitle: Huge\n---\n\n").unwrap();
        for _ in 0..(50_000_000 / paragraph.len()) {
            essay.write_all(paragraph.as_bytes()).unwrap();
        }
    }
    let (code, stderr, peak_kib) = measured(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("this file is too large"), "{stderr}");
    let peak_mib = peak_kib / 1024;
    eprintln!("peak resident memory, 50 MB of Markdown refused: {peak_mib} MiB");
    assert!(peak_mib < 64, "refusing took {peak_mib} MiB");
}

/// Builds `root/book`; its exit code, stderr and peak resident set in KiB, from `wait4`.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which std's `Child` cannot do
fn measured(root: &Path) -> (Option<i32>, String, i64) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .current_dir(root)
        .env_clear()
        .env("HOME", root)
        .env("TMPDIR", root)
        .env("NO_COLOR", "1")
        .args(["build", "book", "-o", "big.epub", "--no-cache"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    });
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: waits for our own child, writing its status and a whole `rusage`; std's
    // `Child` is not waited on afterwards (dropping it does not wait).
    let waited = unsafe {
        libc::wait4(
            child.id() as libc::pid_t,
            &mut status,
            0,
            usage.as_mut_ptr(),
        )
    };
    assert_eq!(waited, child.id() as libc::pid_t, "wait4 reaps the build");
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    #[allow(clippy::unnecessary_cast)] // c_long is i64 on 64-bit targets only
    let peak = usage.ru_maxrss as i64;
    (code, reader.join().unwrap(), peak)
}
