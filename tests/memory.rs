//! Peak memory of a build fed decompression bombs stays under 300 MiB (issue 4).
//!
//! A bomb is a small file that decodes to a huge image. Two are tried: one whose header alone
//! is over the limits (8000×8000 RGBA, 245 MiB decoded; refused before any pixel buffer is
//! allocated), and the largest PNG the limits accept (4896×4896 RGBA, 96 MiB decoded, a
//! 100 kB file), which is decoded, converted and resized. The peak is the children's maximum
//! resident set size from `getrusage`, so this file holds a single test: no other test's
//! children may run in this process.

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
