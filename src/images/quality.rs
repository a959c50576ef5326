//! Choosing a photo's JPEG quality by how the result looks (issue 12).
//!
//! A fixed quality makes the bytes follow the photo's content, not its look: measured with
//! SSIMULACRA2 against the resized image, quality 80 gave scores from 67 to 88 on real photos,
//! too low for some and more than needed for most. So by default each JPEG is encoded at the
//! lowest quality whose result scores at least a target (70, "high quality": artefacts hard to
//! notice without the original beside it; 90 is visually lossless) against the very pixels it
//! was encoded from. `--jpeg-quality` / `images.quality` turn the search off and give exactly
//! the bytes of a fixed quality, as before.
//!
//! The metric is the `ssimulacra2` crate (rust-av), scored on the decoded trial JPEG
//! (`jpeg-decoder`, the decoder bindery already trusts with `jpeg-encoder`'s files). The
//! source side is converted to linear light once and reused by every trial. Scoring dominates
//! the cost (several times an encode), so the number of scored trials is bounded
//! ([`MAX_TRIALS`]): a first guess at the quality most photos need, then steps along the
//! secant of the score curve, kept inside the bracket of qualities known to fail and to pass.
//! The search stops once the lowest passing quality is known to within [`TOLERANCE`].
//!
//! Same bytes on every machine: the search is a pure function of the pixels (no timing, no
//! thread count: the metric's own rayon use splits rows, each computed alone), and every
//! decision compares a score with the target. The scores come from `f32`/`f64` arithmetic
//! that Rust evaluates the same way on every x86-64 build; a score would have to fall within
//! rounding of the target for another architecture's maths library to change a choice.
//! Measurements and what was tried: docs/benchmarks.md, "Quality target".

use image::DynamicImage;
use ssimulacra2::{LinearRgb, compute_frame_ssimulacra2};

use super::encode::{EncodeError, encode_jpeg};

/// The SSIMULACRA2 target the documentation suggests: "high quality" on the metric's own scale.
pub const SUGGESTED_TARGET: u8 = 70;

/// The JPEG quality when neither a quality nor a target is asked for.
pub const DEFAULT_QUALITY: u8 = 80;

/// How a JPEG's quality is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JpegQuality {
    /// Exactly this quality, 1–100 (`--jpeg-quality`, `images.quality`): the search is off.
    Fixed(u8),
    /// The lowest quality whose result scores at least this on SSIMULACRA2 against the image
    /// it was encoded from (`--quality-target`, `images.quality-target`).
    Target(u8),
}

/// The search is opt-in: scoring a 1.6 MP image costs about 0.9 s of CPU (docs/benchmarks.md,
/// "Quality target"), so the default stays a fixed quality. Its memory is counted by
/// `budget::estimate`.
impl Default for JpegQuality {
    fn default() -> Self {
        JpegQuality::Fixed(DEFAULT_QUALITY)
    }
}

/// A bare number is a fixed quality, as callers passed it before the search existed.
impl From<u8> for JpegQuality {
    fn from(quality: u8) -> Self {
        JpegQuality::Fixed(quality)
    }
}

/// The lowest quality the search tries. Below about 20 the IJG tables quantise so coarsely
/// (steps 2.5× the base table at 20, 5× at 10) that a build should not bet a figure on the
/// metric alone.
pub const MIN_QUALITY: u8 = 20;
/// The highest: a target out of reach ends here.
pub const MAX_QUALITY: u8 = 95;
/// Scored trials at most per image (each is one encode, one decode and one score).
pub const MAX_TRIALS: usize = 4;
/// The search stops when the lowest passing quality is known to within this many steps.
pub const TOLERANCE: u8 = 2;
/// The first guess: where photos at 1600 px met a target of 70 (quality 60–65, see
/// docs/benchmarks.md), moved by the target at [`SLOPE`].
const FIRST_GUESS_AT_70: f64 = 63.0;
/// Score points gained per quality step around the answer (measured 0.5–0.6 on photos
/// between quality 55 and 70); used until two trials give a secant.
const SLOPE: f64 = 0.55;

/// The result of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub quality: u8,
    pub bytes: Vec<u8>,
    /// The score of `bytes`; `None` when the image is too small to score (under 8×8 pixels:
    /// then it is encoded at the target's first guess) or the trial budget ran out before any
    /// trial passed (then it is encoded at [`MAX_QUALITY`]).
    pub score: Option<f64>,
    /// Scored trials made.
    pub trials: usize,
}

/// The JPEG of `image` (8-bit grey or RGB, already resized) at the lowest quality whose
/// SSIMULACRA2 score against `image` is at least `target`, found within [`MAX_TRIALS`]
/// scored trials; see the module docs.
pub fn search(
    image: &DynamicImage,
    icc_profile: Option<&[u8]>,
    target: u8,
) -> Result<Chosen, EncodeError> {
    let target_score = f64::from(target);
    let first_guess = first_guess(target);
    let Some(reference) = to_linear(image) else {
        // SSIMULACRA2 needs 8×8 pixels; a smaller image costs nothing whatever its quality.
        return Ok(Chosen {
            quality: first_guess,
            bytes: encode_jpeg(image, icc_profile, first_guess)?,
            score: None,
            trials: 0,
        });
    };
    // `failing` and `passing` bracket the answer: the highest quality known to fail and the
    // lowest known to pass (one past the range when none is known yet).
    let mut failing = MIN_QUALITY - 1;
    let mut passing = MAX_QUALITY + 1;
    let mut best: Option<(u8, Vec<u8>, f64)> = None;
    let mut last: Option<(u8, f64)> = None;
    let mut quality = first_guess;
    let mut trials = 0;
    while trials < MAX_TRIALS {
        let bytes = encode_jpeg(image, icc_profile, quality)?;
        let score = score_jpeg(&reference, &bytes, image)?;
        trials += 1;
        if score >= target_score {
            passing = quality;
            best = Some((quality, bytes, score));
        } else {
            failing = quality;
        }
        if passing - failing <= TOLERANCE {
            break;
        }
        let slope = match last {
            // A curve that is flat or dips between two trials (it is not strictly monotonic)
            // still points the right way, with a step at most four times the usual.
            Some((q, s)) if q != quality => {
                ((score - s) / (f64::from(quality) - f64::from(q))).max(SLOPE / 4.0)
            }
            _ => SLOPE,
        };
        last = Some((quality, score));
        quality = next_guess(quality, score, target_score, slope, failing, passing);
    }
    Ok(match best {
        Some((quality, bytes, score)) => Chosen {
            quality,
            bytes,
            score: Some(score),
            trials,
        },
        None => Chosen {
            quality: MAX_QUALITY,
            bytes: encode_jpeg(image, icc_profile, MAX_QUALITY)?,
            score: None,
            trials,
        },
    })
}

/// Where the search starts for `target`.
fn first_guess(target: u8) -> u8 {
    let guess = FIRST_GUESS_AT_70 + (f64::from(target) - 70.0) / SLOPE;
    clamp_quality(guess.round(), MIN_QUALITY, MAX_QUALITY)
}

/// The next quality to try: along the secant to the target, rounded up (a pass ends the search
/// sooner than a fail), strictly inside the bracket. Every tried quality is an end of the
/// bracket or outside it, so none is tried twice.
fn next_guess(quality: u8, score: f64, target: f64, slope: f64, failing: u8, passing: u8) -> u8 {
    let step = ((target - score) / slope).ceil();
    clamp_quality(f64::from(quality) + step, failing + 1, passing - 1)
}

fn clamp_quality(value: f64, low: u8, high: u8) -> u8 {
    let clamped = value.clamp(f64::from(low), f64::from(high.max(low)));
    // In 0..=255 after the clamp.
    clamped as u8
}

/// The score of `jpeg` (encoded from `like`) against `reference` (`like` in linear light).
fn score_jpeg(reference: &LinearRgb, jpeg: &[u8], like: &DynamicImage) -> Result<f64, EncodeError> {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder
        .decode()
        .map_err(|e| EncodeError::new(format!("cannot check the trial JPEG: {e}")))?;
    let channels = match like {
        DynamicImage::ImageLuma8(_) => 1,
        _ => 3,
    };
    let distorted = linear_from_samples(&pixels, channels, like.width(), like.height())
        .ok_or_else(|| EncodeError::new("the trial JPEG decoded to another size".into()))?;
    compute_frame_ssimulacra2(reference.clone(), distorted)
        .map_err(|e| EncodeError::new(format!("cannot score the trial JPEG: {e}")))
}

/// `image` (grey or RGB, sRGB-encoded) in linear light; `None` when it is too small to score.
fn to_linear(image: &DynamicImage) -> Option<LinearRgb> {
    if image.width() < 8 || image.height() < 8 {
        return None;
    }
    match image {
        DynamicImage::ImageLuma8(grey) => {
            linear_from_samples(grey.as_raw(), 1, image.width(), image.height())
        }
        DynamicImage::ImageRgb8(rgb) => {
            linear_from_samples(rgb.as_raw(), 3, image.width(), image.height())
        }
        other => {
            let rgb = other.to_rgb8();
            linear_from_samples(rgb.as_raw(), 3, image.width(), image.height())
        }
    }
}

/// 8-bit sRGB samples (1 channel: grey, repeated into R, G and B; 3: RGB) in linear light,
/// through a table of the 256 values (the sRGB curve, IEC 61966-2-1).
fn linear_from_samples(
    samples: &[u8],
    channels: usize,
    width: u32,
    height: u32,
) -> Option<LinearRgb> {
    let (width, height) = (usize::try_from(width).ok()?, usize::try_from(height).ok()?);
    if samples.len() != width.checked_mul(height)?.checked_mul(channels)? {
        return None;
    }
    let table = srgb_to_linear_table();
    let data: Vec<[f32; 3]> = match channels {
        1 => samples
            .iter()
            .map(|&v| {
                let l = table[usize::from(v)];
                [l, l, l]
            })
            .collect(),
        _ => samples
            .chunks_exact(3)
            .map(|p| {
                [
                    table[usize::from(p[0])],
                    table[usize::from(p[1])],
                    table[usize::from(p[2])],
                ]
            })
            .collect(),
    };
    LinearRgb::new(data, width, height).ok()
}

fn srgb_to_linear_table() -> [f32; 256] {
    let mut table = [0.0f32; 256];
    for (value, entry) in (0u8..=255).zip(table.iter_mut()) {
        let c = f64::from(value) / 255.0;
        let linear = if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        };
        *entry = linear as f32;
    }
    table
}

/// The SSIMULACRA2 score of `jpeg` against `image`, as the search computes it: for tests and
/// the measurements in docs/benchmarks.md.
pub fn score(image: &DynamicImage, jpeg: &[u8]) -> Result<f64, EncodeError> {
    let reference =
        to_linear(image).ok_or_else(|| EncodeError::new("too small to score".into()))?;
    score_jpeg(&reference, jpeg, image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_guess_follows_the_target_within_the_range() {
        assert_eq!(first_guess(70), 63);
        assert!(first_guess(80) > first_guess(70));
        assert_eq!(first_guess(100), MAX_QUALITY);
        assert_eq!(first_guess(1), MIN_QUALITY);
    }

    #[test]
    fn next_guesses_stay_strictly_inside_the_bracket() {
        // A fail far below the target points up, but not past a known pass.
        assert_eq!(next_guess(63, 50.0, 70.0, 0.55, 63, 70), 69);
        // A pass far above points down, but not to a known fail.
        assert_eq!(next_guess(63, 90.0, 70.0, 0.55, 40, 63), 41);
        // A pass just over the target still steps down, off the tried quality.
        assert_eq!(next_guess(60, 70.001, 70.0, 100.0, 50, 60), 59);
        // A fail just under it steps up by one.
        assert_eq!(next_guess(60, 69.99, 70.0, 100.0, 60, 70), 61);
    }

    #[test]
    fn srgb_table_ends_and_midpoint() {
        let table = srgb_to_linear_table();
        assert_eq!(table[0], 0.0);
        assert_eq!(table[255], 1.0);
        assert!((table[128] - 0.2158605).abs() < 1e-6);
    }
}
