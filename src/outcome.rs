//! What a run made, as plain data for whoever prints it: the build's and the check's
//! reports, each image's bytes in and out, and how long each stage took. The binary turns
//! these into terminal lines and the `--report json` document.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use crate::images::ProcessedImage;

/// What a successful build made.
#[derive(Debug, Clone)]
pub struct Report {
    pub output: PathBuf,
    pub warnings: Vec<Diagnostic>,
    pub chapters: usize,
    pub figures: usize,
    /// Image files in the EPUB, the cover's included.
    pub images: usize,
    /// Whether the EPUB has a cover image (given, or generated from the title).
    pub has_cover: bool,
    pub image_bytes_in: u64,
    pub image_bytes_out: u64,
    /// Each source image and what it became, in the order of the book (`-v` and `--report
    /// json` show them).
    pub image_sizes: Vec<ImageSize>,
    pub epub_bytes: u64,
    pub elapsed: Duration,
    /// How long each stage took, in order (`-v` and `--report json` show them).
    pub stages: Vec<StageTime>,
    /// What `-v` adds: cache entries found damaged and rebuilt, one line each.
    pub notes: Vec<String>,
}

impl Report {
    /// One line for the terminal: what went in, what came out, how long it took. Counts
    /// say what they count: chapters (content documents), figures, and the image files
    /// beside the cover.
    pub fn summary(&self) -> String {
        let photos = self.images - usize::from(self.has_cover);
        format!(
            "built {}: {}, {}, {}{} ({} → {}), EPUB {} in {:.2} s",
            self.output.display(),
            count(self.chapters, "chapter", "chapters"),
            count(self.figures, "figure", "figures"),
            count(photos, "image", "images"),
            if self.has_cover { " + cover" } else { "" },
            human_bytes(self.image_bytes_in),
            human_bytes(self.image_bytes_out),
            human_bytes(self.epub_bytes),
            self.elapsed.as_secs_f64()
        )
    }
}

/// `1 chapter`, `2 chapters`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Sizes for people, in decimal units everywhere (1 kB = 1000 bytes, 1 MB = 1000 kB): the
/// units of `--max-size`, of stores' published limits and of file managers.
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} kB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

/// One source image and the file it became in the EPUB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSize {
    pub source: PathBuf,
    /// The file's name in the EPUB's `images/` folder.
    pub output: String,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub cache_hit: bool,
}

impl ImageSize {
    pub(crate) fn of(image: &ProcessedImage) -> Self {
        ImageSize {
            source: image.source.clone(),
            output: image.file_name.clone(),
            bytes_in: image.bytes_in,
            bytes_out: image.bytes_out,
            cache_hit: image.cache_hit,
        }
    }

    /// The source as the user knows it: relative to the working folder when inside it.
    pub fn source_shown(&self) -> PathBuf {
        std::env::current_dir()
            .ok()
            .and_then(|here| self.source.strip_prefix(here).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| self.source.clone())
    }

    /// `book/images/a.jpg 527 kB → 212 kB (-60 %)` for `-v`.
    pub fn line(&self) -> String {
        let change = if self.bytes_in == 0 {
            String::new()
        } else {
            let percent = (self.bytes_out as f64 / self.bytes_in as f64 - 1.0) * 100.0;
            format!(" ({percent:+.0} %)")
        };
        let cached = if self.cache_hit { ", cached" } else { "" };
        format!(
            "{} {} → {}{change}{cached}",
            self.source_shown().display(),
            human_bytes(self.bytes_in),
            human_bytes(self.bytes_out)
        )
    }
}

/// What `bindery check` found in a manuscript that has no errors.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub warnings: Vec<Diagnostic>,
    pub files: usize,
    pub images: usize,
    pub elapsed: Duration,
}

impl CheckReport {
    pub fn summary(&self) -> String {
        format!(
            "checked {} and {}: {} in {:.2} s",
            count(self.files, "file", "files"),
            count(self.images, "image", "images"),
            count(self.warnings.len(), "warning", "warnings"),
            self.elapsed.as_secs_f64()
        )
    }
}

/// How long one stage of a build took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTime {
    pub stage: &'static str,
    pub elapsed: Duration,
}

/// Records the end of each stage of a run. Cheap enough to be always on: one clock read per
/// stage.
#[derive(Debug, Clone)]
pub struct Timings {
    started: Instant,
    last: Instant,
    stages: Vec<StageTime>,
}

impl Timings {
    pub fn start() -> Self {
        let now = Instant::now();
        Timings {
            started: now,
            last: now,
            stages: Vec::new(),
        }
    }

    /// Ends `stage`: the time since the previous mark (or the start) is its time.
    pub fn mark(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push(StageTime {
            stage,
            elapsed: now - self.last,
        });
        self.last = now;
    }

    pub fn total(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn into_stages(self) -> Vec<StageTime> {
        self.stages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_record_each_stage_in_order() {
        let mut timings = Timings::start();
        timings.mark("read");
        timings.mark("write");
        let stages: Vec<_> = timings.into_stages().iter().map(|s| s.stage).collect();
        assert_eq!(stages, ["read", "write"]);
    }
}
