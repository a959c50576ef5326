//! The image pipeline: every picture the book uses, made e-reader sized, upright, private and
//! small, and cached so a rebuild where nothing changed decodes nothing (issue 3).
//!
//! Camera photos straight into an EPUB make a book of tens of megabytes that e-mail and Send to
//! Kindle refuse, keep their GPS position, and lie on their side on readers that ignore EXIF.
//! So each image is decoded under limits ([`decode`]), turned upright ([`orient`]), fitted into
//! a box without ever being enlarged ([`resize`]), converted to sRGB ([`colour`]) and re-encoded
//! with no metadata at all ([`encode`]). SVG drawings are not rasterised but sanitised ([`svg`]). The output is named
//! by a hash of its bytes, so names are stable across builds.
//!
//! Work is planned first (cheap: file sizes only, [`plan`]) and done second, on rayon threads
//! taking the largest job first (`schedule`); each worker holds one decoded image at a time,
//! so memory does not grow with the number of images, and every image first takes its
//! estimated cost from a memory budget shared by the workers ([`budget`]), so large images
//! wait for each other instead of decoding all at once. Sources are parsed whole before any
//! decoder sees them, and rebuilt from their image blocks only ([`strip`]). Results go to a content-addressed
//! [`cache`] keyed by the source bytes, the settings and [`PIPELINE_VERSION`].

pub mod animation;
pub mod budget;
pub mod cache;
pub mod cache_admin;
pub mod colour;
pub mod cover_text;
pub mod decode;
pub mod embedded;
pub mod encode;
pub mod formats;
pub mod generated_cover;
#[cfg(feature = "heif")]
pub mod heif;
pub mod metadata;
pub mod orient;
pub mod plan;
pub mod quality;
pub mod quantise;
pub mod resize;
mod schedule;
pub mod strip;
pub mod svg;
pub mod uses;
pub mod work;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::progress::Progress;

/// Bump whenever a change here would change output bytes, so old cache entries are not reused.
/// 2: pixels converted to sRGB and written without a profile (`colour.rs`).
/// 3: SVG sanitised through `css` and `svg::prolog`, so SVGs cached before are not reused.
/// 4: a WebP that fits the box goes in as its own image data (`strip::rebuild_webp`); a
///    scaled truecolour PNG may become a quantised palette PNG (`quantise`).
/// 5: an animation that fits the box goes in as its own frames when smaller (`rebuild_gif`).
pub const PIPELINE_VERSION: u32 = 5;

/// What an image is for; it decides the box the image must fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Figure,
    Cover,
}

/// One image to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageJob {
    /// A readable file inside the book folder (the caller has checked it).
    pub source: PathBuf,
    pub purpose: Purpose,
}

/// How images are processed; resolved from front matter and flags by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineSettings {
    /// Longest edge of a figure, in pixels.
    pub max_size: u32,
    /// The cover fits this box (width, height).
    pub cover_box: (u32, u32),
    /// JPEG quality: fixed, or searched for by a perceptual target ([`quality`]).
    pub quality: quality::JpegQuality,
    /// Store every image in shades of grey (smaller books for e-ink readers).
    pub grayscale: bool,
    /// Where results are kept between builds; `None` writes them into the scratch folder.
    pub cache_dir: Option<PathBuf>,
    /// Keep animations moving, or use their first frames (`images.animation`).
    pub animation: animation::Animation,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            // A current 300 ppi e-reader screen is about 1264×1680.
            max_size: 1600,
            cover_box: (1600, 2560),
            quality: quality::JpegQuality::default(),
            grayscale: false,
            cache_dir: None,
            animation: animation::Animation::Keep,
        }
    }
}

impl PipelineSettings {
    /// The box (width, height) an image for `purpose` must fit.
    pub fn fit_box(&self, purpose: Purpose) -> (u32, u32) {
        match purpose {
            Purpose::Figure => (self.max_size, self.max_size),
            Purpose::Cover => self.cover_box,
        }
    }
}

/// One image after the pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessedImage {
    pub source: PathBuf,
    /// `<hash of the output bytes>.jpg|png|svg`: stable across builds, distinct for distinct
    /// bytes.
    pub file_name: String,
    pub media_type: &'static str,
    /// The output bytes on disk (a cache entry or a scratch file); the zip streams from here.
    pub path: PathBuf,
    /// Dimensions after orientation and resizing.
    pub width: u32,
    pub height: u32,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// A caption written into the file by the photographer (IPTC or XMP), read from the
    /// source before its metadata is stripped.
    pub embedded_caption: Option<String>,
    /// Who the file says made it (IPTC/XMP creator, credit line or copyright notice), for
    /// `figures: {credits: embedded}` (issue 14); placeholders already left out.
    pub embedded_credit: Option<String>,
    pub cache_hit: bool,
    /// Why a cached result was found but not used (damaged, edited): shown with `-v`.
    pub cache_note: Option<String>,
    /// Something the author should know about this image (an animation kept as one frame);
    /// the caller reports it at the Markdown line that uses the image.
    pub warning: Option<String>,
}

/// Processes every job, in parallel, and returns the results in the order of `jobs`.
///
/// Jobs are expected to name distinct sources. Every problem becomes a diagnostic naming the
/// image (the caller adds the Markdown line that used it); all of them are collected, so one
/// run reports every broken image.
pub fn process(
    jobs: &[ImageJob],
    settings: &PipelineSettings,
    scratch: &Path,
    progress: &dyn Progress,
) -> Result<Vec<ProcessedImage>, Vec<Diagnostic>> {
    let planned = plan::plan(jobs);
    let budget = budget::Budget::default();
    let outcomes = schedule::run_largest_first(&planned, progress, |job| {
        work::process_one(job, settings, scratch, &budget)
    });
    let mut processed = Vec::with_capacity(jobs.len());
    let mut diagnostics = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(image) => processed.push(image),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    if diagnostics.is_empty() {
        Ok(processed)
    } else {
        Err(diagnostics)
    }
}

/// Checks that every job's file is an image bindery can use: read, sniffed, and decoded under
/// the limits (JPEGs at the smallest scale their decoder offers, which still reads every
/// block), with nothing resized, encoded or written. Returns every problem, as [`process`]
/// would report it.
pub fn validate(jobs: &[ImageJob]) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let budget = budget::Budget::default();
    jobs.par_iter()
        .filter_map(|job| {
            std::panic::catch_unwind(|| work::validate_one(job, &budget))
                .unwrap_or_else(|_| {
                    Err(
                        Diagnostic::error("this image could not be checked (internal error)")
                            .in_file(&job.source),
                    )
                })
                .err()
        })
        .collect()
}
