//! What the quality search (issue 12, `src/images/quality.rs`) does on each photo given:
//! the quality it picks, its score, the scored trials, bytes against a fixed quality 80, and
//! the CPU time of the search against one encode at 80.
//!
//! ```text
//! cargo run --release --example quality_search -- photos/*.jpg
//! BOX=400 DUMP=/tmp/pairs cargo run --release --example quality_search -- tests/photos/*.jpg
//! ```
//!
//! With `DUMP`, each resized image is written there as `<n>.png` and its chosen JPEG as
//! `<n>.jpg`, to score them with a reference implementation (docs/benchmarks.md).
//! CPU time is the process's (`CLOCK_PROCESS_CPUTIME_ID`): meaningful on a busy machine,
//! where wall time is not.

use std::process::ExitCode;

use bindery::images::quality::{self, SUGGESTED_TARGET};
use bindery::images::{decode, encode, resize};

fn cpu_ms() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    now.tv_sec as f64 * 1e3 + now.tv_nsec as f64 / 1e6
}

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let side: u32 = std::env::var("BOX")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1600);
    let target: u8 = std::env::var("TARGET")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SUGGESTED_TARGET);
    let dump = std::env::var_os("DUMP").map(std::path::PathBuf::from);
    println!(
        "{:<34} {:>9} {:>3} {:>6} {:>6} {:>8} {:>8} {:>6} {:>9} {:>8}",
        "file", "size", "q", "score", "trials", "bytes", "q80", "q80 sc", "search ms", "q80 ms"
    );
    let (mut total, mut total80) = (0, 0);
    for (n, file) in files.iter().enumerate() {
        let Ok(bytes) = std::fs::read(file) else {
            eprintln!("{file}: cannot read");
            return ExitCode::FAILURE;
        };
        let Ok(decoded) = decode::decode(&bytes, (side, side)) else {
            eprintln!("{file}: cannot decode");
            return ExitCode::FAILURE;
        };
        let image = encode::normalize(decoded.image, false);
        let size = resize::fit((image.width(), image.height()), (side, side));
        let Ok(image) = resize::resize(image, size) else {
            return ExitCode::FAILURE;
        };
        let started = cpu_ms();
        let Ok(chosen) = quality::search(&image, None, target) else {
            return ExitCode::FAILURE;
        };
        let search_ms = cpu_ms() - started;
        let started = cpu_ms();
        let Ok(at80) = encode::encode_jpeg(&image, None, 80) else {
            return ExitCode::FAILURE;
        };
        let q80_ms = cpu_ms() - started;
        let score80 = quality::score(&image, &at80).unwrap_or(f64::NAN);
        total += chosen.bytes.len();
        total80 += at80.len();
        let name = std::path::Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "{name:<34} {:>9} {:>3} {:>6.2} {:>6} {:>8} {:>8} {:>6.2} {:>9.0} {:>8.0}",
            format!("{}x{}", size.0, size.1),
            chosen.quality,
            chosen.score.unwrap_or(f64::NAN),
            chosen.trials,
            chosen.bytes.len(),
            at80.len(),
            score80,
            search_ms,
            q80_ms
        );
        if let Some(dir) = &dump {
            let _ = std::fs::create_dir_all(dir);
            let _ = image.save(dir.join(format!("{n}.png")));
            let _ = std::fs::write(dir.join(format!("{n}.jpg")), &chosen.bytes);
        }
    }
    println!(
        "total {total} bytes against {total80} at quality 80 ({:+.1} %)",
        (total as f64 / total80.max(1) as f64 - 1.0) * 100.0
    );
    ExitCode::SUCCESS
}
