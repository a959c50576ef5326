//! One image from source bytes to output file: the stages in order, the cache around them,
//! and every failure turned into a diagnostic that names the image.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::metadata::Orientation;

use super::animation::{self, Animation};
use super::budget::{self, Budget, OverBudget};
use super::colour::ColourOutcome;
use super::decode::{self, DecodeError, SourceFormat};
use super::encode::{self, EncodeError, OutputFormat};
use super::plan::PlannedJob;
use super::quality::JpegQuality;
use super::resize::{self, ResizeError};
use super::strip::{self, Keep, StripError};
use super::svg::{self, SvgError};
use super::{PipelineSettings, ProcessedImage, cache, orient};
use crate::diagnostics::Diagnostic;
use crate::source::{self, InputKind};

/// The output of the pixel stages for one image.
#[derive(Debug)]
pub struct Transformed {
    pub format: OutputFormat,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The source went through unchanged (already small, clean, and not larger re-encoded).
    pub copied: bool,
    pub timings: StageTimes,
    /// For the author (an animation kept as its first frame).
    pub warning: Option<String>,
}

/// Wall time of each stage, to know where an image's time goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Including the scaled JPEG decode, when it applies.
    pub decode: Duration,
    /// Orientation, conversion to 8-bit/grey, and the resize.
    pub resize: Duration,
    pub encode: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum TransformError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Resize(#[from] ResizeError),
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error(transparent)]
    Svg(#[from] SvgError),
    #[error(transparent)]
    Strip(#[from] StripError),
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// Decode, orient, fit into `fit_box`, encode: the pure part of the pipeline. SVG is
/// sanitised instead (it scales by itself; `grayscale` does not apply to it). Animations are
/// kept when affordable ([`animation`]). One image on its own: the memory budget is this
/// image's alone.
pub fn transform(
    source: &[u8],
    fit_box: (u32, u32),
    quality: impl Into<JpegQuality>,
    grayscale: bool,
) -> Result<Transformed, TransformError> {
    transform_within(
        source,
        fit_box,
        quality.into(),
        grayscale,
        Animation::Keep,
        &Budget::default(),
    )
}

/// [`transform`], with the choice `images.animation` makes, taking the image's memory from
/// `budget` (shared with the other workers) for as long as its pixels are held.
pub fn transform_within(
    source: &[u8],
    fit_box: (u32, u32),
    quality: JpegQuality,
    grayscale: bool,
    animation_choice: Animation,
    budget: &Budget,
) -> Result<Transformed, TransformError> {
    let started = Instant::now();
    if decode::sniff(source) == Err(DecodeError::Svg) {
        return transform_svg(source, started);
    }
    // The rebuilt copy (ICC profile capped, text chunks dropped) and the memory budget come
    // first: animations are decoded from that copy too, never from the file as it came.
    let quality_search = matches!(quality, JpegQuality::Target(_));
    let prepared = prepare(source, fit_box, quality_search)?;
    let _memory = budget.acquire(prepared.estimate);
    // Grey animations are not worth a special case: an animated GIF stays in colour.
    let warning = match animation::transform(
        &prepared.for_decoding,
        decode::sniff(&prepared.for_decoding)?,
        fit_box,
        animation_choice,
    )? {
        animation::Outcome::Animated {
            bytes,
            width,
            height,
            canvas,
            ..
        } => {
            let gif = (bytes, (width, height), canvas);
            return Ok(transform_animated(&prepared.for_decoding, gif, started));
        }
        animation::Outcome::Flattened { reason } => Some(animation::flattened_warning(&reason)),
        animation::Outcome::Still => None,
    };
    let still = Still {
        source,
        fit_box,
        quality,
        grayscale,
        started,
    };
    let mut transformed = still.transform(prepared.for_decoding)?;
    transformed.warning = warning;
    Ok(transformed)
}

/// An SVG is sanitised, not decoded: it scales by itself.
fn transform_svg(source: &[u8], started: Instant) -> Result<Transformed, TransformError> {
    let clean = svg::sanitize(source)?;
    Ok(Transformed {
        format: OutputFormat::Svg,
        bytes: clean.bytes,
        width: clean.width,
        height: clean.height,
        copied: false,
        timings: StageTimes {
            encode: started.elapsed(),
            ..StageTimes::default()
        },
        warning: None,
    })
}

/// The GIF bindery made of an animation (`bytes`, its `size`, the source's `canvas`), or
/// the animation's own frames when it needed no resizing and they are not larger.
fn transform_animated(
    for_decoding: &[u8],
    (bytes, size, canvas): (Vec<u8>, (u32, u32), (u32, u32)),
    started: Instant,
) -> Transformed {
    // Never bigger (issue 11): an animation that needed no resizing goes in as its own
    // frames, rebuilt without metadata, when that is smaller than the GIF bindery made (a
    // 208 kB animated WebP became an 878 kB GIF; a GIF grew by a quarter).
    let copy = if canvas == size {
        animation_copy(for_decoding).filter(|copy| copy.1.len() <= bytes.len())
    } else {
        None
    };
    let copied = copy.is_some();
    let (format, bytes) = copy.unwrap_or((OutputFormat::Gif, bytes));
    Transformed {
        format,
        bytes,
        width: size.0,
        height: size.1,
        copied,
        timings: StageTimes {
            encode: started.elapsed(),
            ..StageTimes::default()
        },
        warning: None,
    }
}

/// A still image's settings, from its source to its encoded bytes.
struct Still<'a> {
    /// The file as it came: the copy candidate is rebuilt from it.
    source: &'a [u8],
    fit_box: (u32, u32),
    quality: JpegQuality,
    grayscale: bool,
    started: Instant,
}

/// A decoded image oriented, normalised and fitted into its box, with what the encoder and
/// the copy decision need to know about its source.
struct Fitted {
    image: image::DynamicImage,
    size: (u32, u32),
    /// Scaled to another size than the upright source's.
    resized: bool,
    /// The source's palette, when a scaled-down PNG or GIF may quantise back to it.
    palette: Option<Vec<[u8; 4]>>,
    /// Nothing about the pixels changed: not resized, rotated, converted or made grey.
    unchanged: bool,
    icc_profile: Option<Vec<u8>>,
    format: SourceFormat,
}

impl Still<'_> {
    fn transform(&self, for_decoding: Cow<'_, [u8]>) -> Result<Transformed, TransformError> {
        let decoded = decode::decode(&for_decoding, self.fit_box)?;
        drop(for_decoding);
        let decoded_at = Instant::now();
        let fitted = self.fit(decoded)?;
        let resized_at = Instant::now();
        let size = fitted.size;
        let (format, bytes, copied) = self.encode_or_copy(fitted)?;
        let encoded_at = Instant::now();
        Ok(Transformed {
            format,
            bytes,
            width: size.0,
            height: size.1,
            copied,
            timings: StageTimes {
                decode: decoded_at - self.started,
                resize: resized_at - decoded_at,
                encode: encoded_at - resized_at,
            },
            warning: None,
        })
    }

    fn fit(&self, decoded: decode::Decoded) -> Result<Fitted, TransformError> {
        let source_has_color = decoded.image.color().has_color();
        let mut image = decoded.image;
        orient::apply(&mut image, decoded.orientation);
        let image = encode::normalize(image, self.grayscale);
        let upright = if orient::swaps_axes(decoded.orientation) {
            (decoded.stored_size.1, decoded.stored_size.0)
        } else {
            decoded.stored_size
        };
        let size = resize::fit(upright, self.fit_box);
        let resized = size != upright;
        let palette = if !resized {
            None
        } else {
            encode::source_palette(&image, decoded.format)
        };
        let unchanged = size == decoded.stored_size
            && decoded.orientation == Orientation::NoTransforms
            && decoded.colour != ColourOutcome::Converted
            && !(self.grayscale && source_has_color);
        Ok(Fitted {
            image: resize::resize(image, size)?,
            size,
            resized,
            palette,
            unchanged,
            icc_profile: decoded.icc_profile,
            format: decoded.format,
        })
    }

    /// Bindery's encoding of the fitted image, or the source's own image data when nothing
    /// changed and that is not larger. Returns the format, the bytes, and whether they are
    /// the copy.
    fn encode_or_copy(
        &self,
        fitted: Fitted,
    ) -> Result<(OutputFormat, Vec<u8>, bool), TransformError> {
        // Scaled down, a truecolour PNG may grow past its source: the quantised palette is
        // one more candidate then (issue 11, never bigger).
        let encode_at_size = if fitted.resized {
            encode::encode_scaled_down
        } else {
            encode::encode_scaled
        };
        let encoded = encode_at_size(
            &fitted.image,
            fitted.icc_profile.as_deref(),
            self.quality,
            fitted.format,
            fitted.palette.as_deref(),
        )?;
        drop(fitted.image);
        // Never bigger (issue 11): an image that needs no change at all may go in as its own
        // image data, rebuilt without metadata, when that is not larger than what bindery
        // makes.
        let copy = if fitted.unchanged {
            copy_candidate(self.source, fitted.format)?
                .filter(|copy| copy.len() <= encoded.bytes.len())
        } else {
            None
        };
        Ok(match (copy, fitted.format) {
            (Some(copy), SourceFormat::Png) => (OutputFormat::Png, copy, true),
            (Some(copy), SourceFormat::WebP) => (OutputFormat::WebP, copy, true),
            (Some(copy), _) => (OutputFormat::Jpeg, copy, true),
            (None, _) => (encoded.format, encoded.bytes, false),
        })
    }
}

/// A source made ready for its decoder.
struct Prepared<'a> {
    /// The source rebuilt from its parsed blocks (JPEG, PNG: see `strip`), as it is for the
    /// other formats.
    for_decoding: Cow<'a, [u8]>,
    /// What decoding it will cost, by `budget::estimate`.
    estimate: u64,
}

/// Parses the source whole, with the caps on its metadata, and estimates its cost: all
/// before any decoder allocates.
fn prepare(
    source: &[u8],
    fit_box: (u32, u32),
    quality_search: bool,
) -> Result<Prepared<'_>, TransformError> {
    let format = decode::sniff(source)?;
    let (for_decoding, frame) = match format {
        SourceFormat::Jpeg => {
            let rebuilt = strip::rebuild_jpeg(source, Keep::Decoding)?;
            (Cow::Owned(rebuilt.bytes), rebuilt.frame)
        }
        SourceFormat::Png => (
            Cow::Owned(strip::rebuild_png(source, Keep::Decoding)?.bytes),
            None,
        ),
        SourceFormat::WebP => (
            Cow::Owned(strip::rebuild_webp(source, Keep::Decoding)?.bytes),
            None,
        ),
        _ => (Cow::Borrowed(source), None),
    };
    let estimate = budget::estimate(source, format, frame.as_ref(), fit_box, quality_search)?;
    Ok(Prepared {
        for_decoding,
        estimate,
    })
}

/// The source's own image data, rebuilt with nothing but the pixels, the ICC profile and
/// colour facts, when it is in a form every reader takes: a JPEG with a common frame
/// (8-bit, grey or YCbCr, baseline or progressive), a still PNG, a still WebP (a core media
/// type since EPUB 3.3; without its ICC profile, so only when its pixels were sRGB already).
/// GIF is always re-encoded.
fn copy_candidate(source: &[u8], format: SourceFormat) -> Result<Option<Vec<u8>>, TransformError> {
    Ok(match format {
        SourceFormat::Jpeg => {
            let rebuilt = strip::rebuild_jpeg(source, Keep::Output)?;
            rebuilt
                .frame
                .is_some_and(|frame| frame.is_common())
                .then_some(rebuilt.bytes)
        }
        SourceFormat::Png => {
            let rebuilt = strip::rebuild_png(source, Keep::Output)?;
            (!rebuilt.animated).then_some(rebuilt.bytes)
        }
        SourceFormat::WebP => {
            let rebuilt = strip::rebuild_webp(source, Keep::Output)?;
            (!rebuilt.animated).then_some(rebuilt.bytes)
        }
        _ => None,
    })
}

/// An animation's own frames without its metadata, in a format readers animate: a GIF as its
/// LZW data, an animated WebP as its frame chunks. An APNG is not copied: readers that do not
/// animate PNG show its default image, which need not be a frame of the animation. A file
/// that decoded but cannot be rebuilt (a GIF frame with no palette at all, say) is not
/// copied either: the GIF bindery made from its pixels stands.
fn animation_copy(source: &[u8]) -> Option<(OutputFormat, Vec<u8>)> {
    match decode::sniff(source).ok()? {
        SourceFormat::Gif => Some((OutputFormat::Gif, strip::rebuild_gif(source).ok()?)),
        SourceFormat::WebP => Some((
            OutputFormat::WebP,
            strip::rebuild_webp(source, Keep::Output).ok()?.bytes,
        )),
        _ => None,
    }
}

/// `<first 80 bits of blake3, hex>.<ext>`: stable across builds, distinct for distinct bytes.
pub fn output_file_name(bytes: &[u8], format: OutputFormat) -> String {
    let hash = blake3::hash(bytes).to_hex();
    format!("{}.{}", &hash.as_str()[..20], format.extension())
}

pub(super) fn process_one(
    planned: &PlannedJob<'_>,
    settings: &PipelineSettings,
    scratch: &Path,
    budget: &Budget,
) -> Result<ProcessedImage, Diagnostic> {
    let path = &planned.job.source;
    let source = read_source(path)?;
    // Read from the source, not the output: the pipeline strips these blocks.
    let mut processed = ProcessedImage {
        source: path.clone(),
        bytes_in: source.len() as u64,
        embedded_caption: super::embedded::caption(&source),
        embedded_credit: super::embedded::credit(&source),
        ..ProcessedImage::default()
    };
    let fit_box = settings.fit_box(planned.job.purpose);
    let key = cache::key(&source, fit_box, settings);

    if let Some(cache_dir) = &settings.cache_dir {
        match cache::lookup(cache_dir, &key) {
            cache::Lookup::Hit(entry) => {
                processed.path = cache::pin(&entry.path, &entry.bytes, scratch, &entry.file_name)
                    .map_err(|error| write_diagnostic(path, scratch, &error, false))?;
                processed.file_name = entry.file_name;
                processed.media_type = entry.format.media_type();
                (processed.width, processed.height) = (entry.width, entry.height);
                processed.bytes_out = entry.len;
                processed.cache_hit = true;
                return Ok(processed);
            }
            cache::Lookup::Miss => {}
            cache::Lookup::Damaged(why) => {
                processed.cache_note =
                    Some(format!("the cached result was not used: {why}; rebuilt"));
            }
        }
    }

    let transformed = transform_within(
        &source,
        fit_box,
        settings.quality,
        settings.grayscale,
        settings.animation,
        budget,
    )
    .map_err(|error| transform_diagnostic(path, &error))?;
    drop(source);
    let file_name = output_file_name(&transformed.bytes, transformed.format);
    processed.path = write_output(settings, &key, &transformed, path, scratch, &file_name)?;
    processed.file_name = file_name;
    processed.media_type = transformed.format.media_type();
    (processed.width, processed.height) = (transformed.width, transformed.height);
    processed.bytes_out = transformed.bytes.len() as u64;
    processed.warning = transformed.warning;
    Ok(processed)
}

/// Puts a transformed image where the zip will stream it from: into the cache and pinned
/// in `scratch`, or straight into `scratch` without a cache. Returns that path.
fn write_output(
    settings: &PipelineSettings,
    key: &str,
    transformed: &Transformed,
    source: &Path,
    scratch: &Path,
    file_name: &str,
) -> Result<PathBuf, Diagnostic> {
    // An image with a warning is not cached, so the warning comes back on every build.
    let cache_dir = settings
        .cache_dir
        .as_ref()
        .filter(|_| transformed.warning.is_none());
    let bytes = &transformed.bytes;
    match cache_dir {
        Some(cache_dir) => {
            let size = (transformed.width, transformed.height);
            let object = cache::store(cache_dir, key, transformed.format, bytes, size)
                .map_err(|(at, error)| write_diagnostic(source, &at, &error, true))?;
            cache::pin(&object, bytes, scratch, file_name)
                .map_err(|error| write_diagnostic(source, scratch, &error, false))
        }
        None => {
            let at = scratch.join(file_name);
            fs::create_dir_all(scratch)
                .and_then(|()| cache::write_file_atomically(&at, bytes))
                .map_err(|error| write_diagnostic(source, &at, &error, false))?;
            Ok(at)
        }
    }
}

/// Reads and decodes one image as [`process_one`] would, and keeps nothing: `bindery check`.
pub(super) fn validate_one(job: &super::ImageJob, budget: &Budget) -> Result<(), Diagnostic> {
    let path = &job.source;
    let source = read_source(path)?;
    // An SVG is checked as a build would use it: sanitised (issue 9: `check` refused every
    // SVG by handing it to the pixel decoder).
    if decode::sniff(&source) == Err(DecodeError::Svg) {
        return svg::sanitize(&source)
            .map(drop)
            .map_err(|error| transform_diagnostic(path, &TransformError::Svg(error)));
    }
    // A 1×1 box asks for the cheapest decode that still reads the whole file; the limits,
    // the metadata caps and the memory budget are those of a build.
    let check = || -> Result<(), TransformError> {
        let prepared = prepare(&source, (1, 1), false)?;
        let _memory = budget.acquire(prepared.estimate);
        decode::decode(&prepared.for_decoding, (1, 1))?;
        Ok(())
    };
    check().map_err(|error| transform_diagnostic(path, &error))
}

/// The image's bytes, read as every input is ([`source::read_input`]): the file may have
/// been replaced by a device or grown past the limit since it was planned.
fn read_source(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    source::read_input(path, InputKind::Image).map_err(|problem| {
        Diagnostic::error(format!(
            "cannot read the image: {}",
            problem.reason(InputKind::Image)
        ))
        .in_file(path)
    })
}

fn transform_diagnostic(path: &Path, error: &TransformError) -> Diagnostic {
    let diagnostic = Diagnostic::error(error.to_string()).in_file(path);
    match error {
        TransformError::Decode(DecodeError::Svg) | TransformError::Svg(_) => diagnostic.with_help(
            "fix the file, or convert it to PNG (for example `rsvg-convert -w 1600 in.svg -o out.png`)",
        ),
        TransformError::Decode(DecodeError::Unsupported(format)) => {
            diagnostic.with_help(format.help())
        }
        TransformError::Decode(DecodeError::UnknownFormat) => {
            diagnostic.with_help("bindery reads JPEG, PNG, GIF and WebP images")
        }
        TransformError::Decode(DecodeError::TooLarge { .. }) => diagnostic.with_help(format!(
            "scale it down first; bindery stores images at most {} pixels a side anyway",
            super::PipelineSettings::default().cover_box.1
        )),
        TransformError::Decode(DecodeError::TooMuchMemory { .. }) => diagnostic.with_help(
            "scale it down first, or save a photo as JPEG (which bindery decodes at reduced size)",
        ),
        TransformError::Decode(DecodeError::Corrupt(_)) => {
            diagnostic.with_help("the file may be cut short; export or download it again")
        }
        TransformError::Strip(StripError::IccTooLarge) => diagnostic.with_help(
            "re-save the image without its colour profile, or with an sRGB one",
        ),
        TransformError::Strip(StripError::Malformed(_)) => {
            diagnostic.with_help("the file may be cut short; export or download it again")
        }
        TransformError::OverBudget(_) => diagnostic.with_help(
            "scale it down first, or save it as a baseline (not progressive) JPEG",
        ),
        TransformError::Resize(_) | TransformError::Encode(_) => diagnostic,
    }
}

fn write_diagnostic(source: &Path, at: &Path, error: &std::io::Error, cached: bool) -> Diagnostic {
    let diagnostic = Diagnostic::error(format!(
        "cannot write the processed image to {}: {error}",
        at.display()
    ))
    .in_file(source);
    if cached {
        diagnostic.with_help("check the cache folder (--cache-dir), or build with --no-cache")
    } else {
        diagnostic
    }
}
