//! Peak memory of builds and checks fed decompression bombs, or the most Markdown a book may
//! have, stays under 300 MiB (issues 4 and 10).
//!
//! A bomb is a small file that decodes to something huge:
//! - a PNG whose header alone is over the limits (8000×8000 RGBA, 245 MiB decoded; refused
//!   before any pixel buffer is allocated), and the largest PNG the limits accept
//!   (4896×4896 RGBA, 96 MiB decoded, a 100 kB file), which is decoded, converted and resized;
//! - a 1 MB PNG whose ICC profile inflates to 1 GiB (refused after 1 MiB of inflation);
//! - four 8000×8000 progressive JPEGs of 190 kB each: progressive decoding holds every DCT
//!   coefficient, 183 MiB an image, so they must not decode side by side.
//!
//! Each build or check is measured on its own: the peak is the child's maximum resident set
//! size from `wait4`. A child started with `posix_spawn` shares this process's memory until it
//! executes, and its peak as the kernel reports it starts from ours (Linux keeps the larger of
//! the two across `exec`), so this process never holds a large buffer: the bombs are written
//! a piece at a time. And since every integration test shares one binary, which is large by
//! the time these run, each test here runs again alone in a fresh copy of it ([`alone`]).

#![cfg(unix)]

use crate::support;

use std::fs;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

const LIMIT_MIB: i64 = 300;

/// Set in the fresh copy of the test binary that [`alone`] starts.
const ALONE: &str = "BINDERY_MEMORY_TEST_ALONE";

/// Whether this is the copy of the test binary that runs `test` on its own; if not, runs that
/// copy, asserts it passed and returns false, and the caller returns: its builds are then
/// measured from a process as small as a test binary gets, not from the whole suite's.
fn alone(test: &str) -> bool {
    if std::env::var_os(ALONE).is_some() {
        return true;
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(ALONE, "1")
        .status()
        .unwrap();
    assert!(status.success(), "{test} failed in its own process");
    false
}

#[test]
fn decompression_bombs_are_handled_in_under_300_mib() {
    if !alone("memory::decompression_bombs_are_handled_in_under_300_mib") {
        return;
    }
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

    let refused = run(dir.path(), "build", "![A bomb](images/refused.png)");
    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("the image would take 245 MiB of memory once decoded (8000×8000 pixels)"),
        "{}",
        refused.stderr
    );
    let accepted = run(dir.path(), "build", "![A large blank](images/accepted.png)");
    assert_eq!(accepted.code, Some(0), "{}", accepted.stderr);
    for outcome in [refused, accepted] {
        outcome.assert_under_limit();
    }
}

#[test]
fn an_icc_profile_that_inflates_to_a_gibibyte_is_refused_in_under_300_mib() {
    if !alone("memory::an_icc_profile_that_inflates_to_a_gibibyte_is_refused_in_under_300_mib") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("book/images")).unwrap();
    let bomb = icc_bomb_png(1 << 30);
    assert!(bomb.len() < 1_200_000, "{} bytes", bomb.len());
    fs::write(dir.path().join("book/images/icc.png"), bomb).unwrap();
    for command in ["build", "check"] {
        let outcome = run(dir.path(), command, "![A bomb](images/icc.png)");
        assert_eq!(outcome.code, Some(1), "{command}: {}", outcome.stderr);
        assert!(
            outcome
                .stderr
                .contains("ICC colour profile is larger than 1 MiB once decompressed"),
            "{command}: {}",
            outcome.stderr
        );
        outcome.assert_under_limit();
    }
}

#[test]
fn four_8000_pixel_progressive_jpegs_decode_in_under_300_mib() {
    if !alone("memory::four_8000_pixel_progressive_jpegs_decode_in_under_300_mib") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("book/images")).unwrap();
    let jpeg = flat_progressive_jpeg(8000, 8000);
    let mut figures = String::new();
    for i in 0..4 {
        // Distinct bytes (a comment), so four images are decoded, not one.
        let mut bytes = jpeg.clone();
        let comment = [0xFF, 0xFE, 0x00, 0x03, b'0' + i];
        bytes.splice(2..2, comment);
        fs::write(dir.path().join(format!("book/images/p{i}.jpg")), bytes).unwrap();
        figures.push_str(&format!("![Progressive {i}](images/p{i}.jpg)\n\n"));
    }
    for command in ["build", "check"] {
        let outcome = run(dir.path(), command, &figures);
        assert_eq!(outcome.code, Some(0), "{command}: {}", outcome.stderr);
        outcome.assert_under_limit();
    }
}

struct Outcome {
    what: String,
    code: Option<i32>,
    stderr: String,
    peak_mib: i64,
}

impl Outcome {
    fn assert_under_limit(&self) {
        eprintln!(
            "peak resident memory of {}: {} MiB",
            self.what, self.peak_mib
        );
        assert!(self.peak_mib > 0, "wait4 reported the child");
        assert!(
            self.peak_mib < LIMIT_MIB,
            "{} took {} MiB; the limit is {LIMIT_MIB} MiB",
            self.what,
            self.peak_mib
        );
    }
}

/// Runs `bindery <command>` on `book/` (its essay shows `body`), and measures its peak.
// The child is reaped by `wait4`, which std's `Child::wait` cannot do with its rusage.
#[allow(clippy::zombie_processes)]
fn run(root: &Path, command: &str, body: &str) -> Outcome {
    let essay = format!("---\ntitle: Bomb\nlanguage: en\n---\n\n{body}\n");
    fs::write(root.join("book/essay.md"), essay).unwrap();
    let mut args = vec![command, "book"];
    if command == "build" {
        args.extend(["-o", "bomb.epub", "--no-cache"]);
    }
    // Only the images in use; others are warned about as unused, which is fine.
    let mut child = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .current_dir(root)
        .env_clear()
        .env("HOME", root)
        .env("TMPDIR", root)
        .env("NO_COLOR", "1")
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let (status, peak_kib) = wait_measured(child.id());
    Outcome {
        what: format!("`bindery {command}` of {}", short(body)),
        code: std::process::ExitStatus::from_raw(status).code(),
        stderr,
        peak_mib: peak_kib / 1024,
    }
}

fn short(body: &str) -> String {
    body.lines().next().unwrap_or_default().to_owned()
}

/// Waits for the child `pid`; returns its wait status and its peak resident set in KiB (Linux
/// and the BSDs report `ru_maxrss` in KiB; macOS in bytes, where this overstates, never
/// understates).
fn wait_measured(pid: u32) -> (i32, i64) {
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: wait4 writes the status and a whole `rusage` into the pointers it is given; the
    // child is ours and not yet waited for (std's `Child` is never waited on after this).
    let waited = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(waited, pid, "wait4 returns our child");
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    #[allow(clippy::unnecessary_cast)] // c_long is i64 on 64-bit targets only
    let peak = usage.ru_maxrss as i64;
    (status, peak)
}

/// An all-white, fully opaque RGBA PNG: it compresses about a thousandfold. Written a row at
/// a time, so this process stays small.
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

/// A 16×16 grey PNG with an `iCCP` chunk whose profile inflates to `inflated` bytes of
/// zeros, compressed a mebibyte at a time.
fn icc_bomb_png(inflated: usize) -> Vec<u8> {
    use miniz_oxide::deflate::core::CompressorOxide;
    use miniz_oxide::deflate::stream::deflate;
    use miniz_oxide::{DataFormat, MZFlush, MZStatus};

    let mut compressor = CompressorOxide::default();
    compressor.set_format_and_level(DataFormat::Zlib, 9);
    let zeros = vec![0u8; 1 << 20];
    let mut compressed = Vec::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut left = inflated;
    loop {
        let input = &zeros[..left.min(zeros.len())];
        let flush = if left <= zeros.len() {
            MZFlush::Finish
        } else {
            MZFlush::None
        };
        let result = deflate(&mut compressor, input, &mut buffer, flush);
        compressed.extend_from_slice(&buffer[..result.bytes_written]);
        left -= result.bytes_consumed;
        if result.status == Ok(MZStatus::StreamEnd) {
            break;
        }
        result.status.unwrap();
    }
    let mut icc = b"bomb\0\0".to_vec();
    icc.extend_from_slice(&compressed);

    let mut grey = Vec::new();
    let mut encoder = png::Encoder::new(&mut grey, 16, 16);
    encoder.set_color(png::ColorType::Grayscale);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&[128; 256])
        .unwrap();
    // The iCCP chunk goes right after IHDR (8 + 25 bytes), where the specification puts it.
    let mut png = grey[..33].to_vec();
    png.extend_from_slice(&chunk(b"iCCP", &icc));
    png.extend_from_slice(&grey[33..]);
    png
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    let mut bytes = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    bytes.extend_from_slice(&body);
    bytes.extend_from_slice(&support::crc32(&body).to_be_bytes());
    bytes
}

/// A valid progressive JPEG, 4:2:0, of one flat grey: every DC difference is 0 and every block
/// ends at once, so the whole image is a few bits a block (190 kB at 8000×8000), yet a decoder
/// must hold all of its coefficients until the last scan. Written by hand, bit by bit, because
/// an encoder would need the whole image in memory first.
fn flat_progressive_jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    let mut segment = |marker: u8, payload: &[u8]| {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
    };
    segment(0xDB, &[&[0u8][..], &[1; 64]].concat());
    let [h0, h1] = height.to_be_bytes();
    let [w0, w1] = width.to_be_bytes();
    segment(
        0xC2,
        &[8, h0, h1, w0, w1, 3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0],
    );
    // DC table 0: one code, "0", for "difference 0".
    let mut dc = vec![0x00, 1];
    dc.extend_from_slice(&[0; 15]);
    dc.push(0);
    segment(0xC4, &dc);
    // AC table 0: the end-of-band runs EOB0..EOB14, 4-bit codes 0000..1110 in that order.
    let mut ac = vec![0x10, 0, 0, 0, 15];
    ac.extend_from_slice(&[0; 12]);
    ac.extend((0..15u8).map(|r| r << 4));
    segment(0xC4, &ac);

    let mcus = u64::from(width).div_ceil(16) * u64::from(height).div_ceil(16);
    // The DC scan, all components interleaved: 4 Y + Cb + Cr blocks a unit, one bit each.
    segment(0xDA, &[3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0x00]);
    let mut bits = BitWriter::default();
    for _ in 0..mcus * 6 {
        bits.put(0, 1);
    }
    out.extend(bits.finish());
    // One AC scan a component, each block ending at once, in runs of up to 32767 blocks.
    let blocks = |w: u64, h: u64| w.div_ceil(8) * h.div_ceil(8);
    let (w, h) = (u64::from(width), u64::from(height));
    for (id, count) in [
        (1u8, blocks(w, h)),
        (2, blocks(w.div_ceil(2), h.div_ceil(2))),
        (3, blocks(w.div_ceil(2), h.div_ceil(2))),
    ] {
        out.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, id, 0x00, 1, 63, 0]);
        let mut bits = BitWriter::default();
        let mut left = count;
        while left > 0 {
            let run = left.min(32767);
            let r = 63 - run.leading_zeros();
            bits.put(u64::from(r), 4);
            bits.put(run - (1 << r), r);
            left -= run;
        }
        out.extend(bits.finish());
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// Entropy-coded bits, most significant first, with 0xFF bytes stuffed.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitWriter {
    fn put(&mut self, value: u64, bits: u32) {
        self.acc = (self.acc << bits) | value;
        self.count += bits;
        while self.count >= 8 {
            let byte = (self.acc >> (self.count - 8)) as u8;
            self.count -= 8;
            self.bytes.push(byte);
            if byte == 0xFF {
                self.bytes.push(0);
            }
        }
        self.acc &= (1 << self.count) - 1;
    }

    /// Pads the last byte with 1 bits.
    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            let pad = 8 - self.count;
            self.put((1 << pad) - 1, pad);
        }
        self.bytes
    }
}

/// Markdown input memory (issue 10): the largest book the limit accepts, written as densely
/// with links, emphasis and code as prose gets, builds in under 300 MiB; 50 MB of Markdown is
/// refused as too large, having read no more than the limit. Each build's peak is its own,
/// from `wait4`, so this test does not disturb the one above (nor it this one).
#[test]
fn markdown_at_the_size_limit_builds_in_under_300_mib_and_more_is_refused() {
    use std::io::Write;
    if !alone("memory::markdown_at_the_size_limit_builds_in_under_300_mib_and_more_is_refused") {
        return;
    }
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
    assert!(
        stderr.contains("is larger than the 6 MiB limit"),
        "{stderr}"
    );
    let peak_mib = peak_kib / 1024;
    eprintln!("peak resident memory, 50 MB of Markdown refused: {peak_mib} MiB");
    assert!(peak_mib < 64, "refusing took {peak_mib} MiB");
}

/// Builds `root/book`; its exit code, stderr and peak resident set in KiB, from `wait4`.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which std's `Child` cannot do
fn measured(root: &Path) -> (Option<i32>, String, i64) {
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
    let (status, peak) = wait_measured(child.id());
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, reader.join().unwrap(), peak)
}
