//! Where an image's time goes: decode, resize (with orientation and conversion) and encode, in
//! milliseconds, for each file given, with the default settings (1600 px box, quality 80).
//!
//! ```text
//! cargo run --release --example image_timing -- photos/*.jpg
//! ```
//!
//! One image at a time on one thread, so the numbers are per-core costs; the build runs one
//! image per core.

use std::process::ExitCode;
use std::time::Instant;

use bindery::images::PipelineSettings;
use bindery::images::work::transform;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: image_timing FILE...");
        return ExitCode::FAILURE;
    }
    let settings = PipelineSettings::default();
    let fit_box = (settings.max_size, settings.max_size);
    let mut failed = false;
    println!(
        "{:<40} {:>11} {:>11} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "file", "in", "out", "decode", "resize", "encode", "total", "bytes in", "bytes out"
    );
    let (mut decode_ms, mut resize_ms, mut encode_ms) = (0.0, 0.0, 0.0);
    for file in &files {
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{file}: {error}");
                failed = true;
                continue;
            }
        };
        let dimensions = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .ok()
            .and_then(|reader| reader.into_dimensions().ok())
            .map_or_else(|| "?".to_owned(), |(w, h)| format!("{w}×{h}"));
        let started = Instant::now();
        match transform(&bytes, fit_box, settings.quality, settings.grayscale) {
            Ok(out) => {
                let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
                let t = out.timings;
                decode_ms += ms(t.decode);
                resize_ms += ms(t.resize);
                encode_ms += ms(t.encode);
                println!(
                    "{:<40} {:>11} {:>11} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9} {:>9}",
                    file,
                    dimensions,
                    format!("{}×{}", out.width, out.height),
                    ms(t.decode),
                    ms(t.resize),
                    ms(t.encode),
                    ms(started.elapsed()),
                    bytes.len(),
                    out.bytes.len()
                );
            }
            Err(error) => {
                eprintln!("{file}: {error}");
                failed = true;
            }
        }
    }
    println!(
        "{:<40} {:>11} {:>11} {decode_ms:>8.1} {resize_ms:>8.1} {encode_ms:>8.1} {:>8.1}",
        "sum",
        "",
        "",
        decode_ms + resize_ms + encode_ms
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
