//! Where an image's time goes: decode, resize (with orientation and conversion) and encode, in
//! milliseconds, for each file given, with the default settings (1600 px box, quality 80).
//!
//! ```text
//! cargo run --release --example image_timing -- photos/*.jpg
//! ```
//!
//! One image at a time on one thread, so the numbers are per-core costs; the build runs one
//! image per core. For JPEGs a last column gives, for comparison, a full-size decode with the
//! `image` crate's own decoder (zune-jpeg), which cannot decode at a reduced scale.
//!
//! With `--all` first, the files are instead processed as one build does it (in parallel,
//! largest first, no cache) and only the wall time is printed: run it under
//! `/usr/bin/time -v` to see peak memory.
//!
//! With `--scales` first, each JPEG is decoded by `jpeg-decoder` at every DCT scale (8/8, 4/8,
//! 2/8, 1/8) and the milliseconds of each are printed: what the reduced-scale decode saves, and
//! what a smaller scale would save if the box allowed it.

use std::process::ExitCode;
use std::time::Instant;

use bindery::images::work::transform;
use bindery::images::{ImageJob, PipelineSettings, Purpose, process};

fn main() -> ExitCode {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    let whole_build = files.first().is_some_and(|first| first == "--all");
    if whole_build {
        files.remove(0);
    }
    if files.is_empty() {
        eprintln!("usage: image_timing [--all] FILE...");
        return ExitCode::FAILURE;
    }
    let settings = PipelineSettings::default();
    if files.first().is_some_and(|first| first == "--scales") {
        return print_decode_scales(&files[1..]);
    }
    if whole_build {
        return run_whole_build(&files, &settings);
    }
    let fit_box = (settings.max_size, settings.max_size);
    let mut failed = false;
    println!(
        "{:<40} {:>11} {:>11} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>10}",
        "file",
        "in",
        "out",
        "decode",
        "resize",
        "encode",
        "total",
        "bytes in",
        "bytes out",
        "zune full"
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
                    "{:<40} {:>11} {:>11} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9} {:>9} {:>10}",
                    file,
                    dimensions,
                    format!("{}×{}", out.width, out.height),
                    ms(t.decode),
                    ms(t.resize),
                    ms(t.encode),
                    ms(started.elapsed()),
                    bytes.len(),
                    out.bytes.len(),
                    full_size_image_crate_decode_ms(&bytes)
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

/// Milliseconds for `image` to decode a JPEG at full size; blank for other formats.
fn full_size_image_crate_decode_ms(bytes: &[u8]) -> String {
    if image::guess_format(bytes).ok() != Some(image::ImageFormat::Jpeg) {
        return String::new();
    }
    let started = Instant::now();
    match image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg) {
        Ok(_) => format!("{:.1}", started.elapsed().as_secs_f64() * 1000.0),
        Err(error) => error.to_string(),
    }
}

fn print_decode_scales(files: &[String]) -> ExitCode {
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9}",
        "file", "8/8 ms", "4/8 ms", "2/8 ms", "1/8 ms"
    );
    let mut failed = false;
    for file in files {
        let Ok(bytes) = std::fs::read(file) else {
            eprintln!("{file}: cannot read");
            failed = true;
            continue;
        };
        if image::guess_format(&bytes).ok() != Some(image::ImageFormat::Jpeg) {
            continue;
        }
        let mut row = format!("{file:<40}");
        for eighths in [8u32, 4, 2, 1] {
            let started = Instant::now();
            let mut decoder = jpeg_decoder::Decoder::new(bytes.as_slice());
            let decoded = decoder.read_info().and_then(|()| {
                let (width, height) = decoder.info().map_or((0, 0), |info| {
                    (u32::from(info.width), u32::from(info.height))
                });
                let scaled = |len: u32| u16::try_from((len * eighths).div_ceil(8)).unwrap_or(0);
                decoder.scale(scaled(width), scaled(height))?;
                decoder.decode()
            });
            match decoded {
                Ok(_) => row += &format!(" {:>9.1}", started.elapsed().as_secs_f64() * 1000.0),
                Err(error) => {
                    eprintln!("{file}: {error}");
                    failed = true;
                }
            }
        }
        println!("{row}");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run_whole_build(files: &[String], settings: &PipelineSettings) -> ExitCode {
    let jobs: Vec<ImageJob> = files
        .iter()
        .map(|file| ImageJob {
            source: file.into(),
            purpose: Purpose::Figure,
        })
        .collect();
    let Ok(scratch) = tempfile::tempdir() else {
        eprintln!("cannot create a scratch folder");
        return ExitCode::FAILURE;
    };
    let started = Instant::now();
    match process(&jobs, settings, scratch.path(), &bindery::progress::Silent) {
        Ok(images) => {
            let bytes_in: u64 = images.iter().map(|image| image.bytes_in).sum();
            let bytes_out: u64 = images.iter().map(|image| image.bytes_out).sum();
            println!(
                "{} images, {bytes_in} → {bytes_out} bytes, {:.0} ms on {} threads",
                images.len(),
                started.elapsed().as_secs_f64() * 1000.0,
                rayon::current_num_threads()
            );
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
            ExitCode::FAILURE
        }
    }
}
