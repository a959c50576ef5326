//! Memory budgets: one for each decoded image, one for all images in flight (issue 10,
//! item 6).
//!
//! Header limits ([`super::decode::MAX_PIXELS`]) bound the pixels of one image but not what
//! decoding it costs: a progressive JPEG keeps every DCT coefficient of the whole image until
//! its last scan (two bytes a coefficient, 64 a block, whatever scale it is decoded at), so
//! four 8000×8000 progressive JPEGs of 700 kB each, decoded on two threads at once, took
//! 850 MiB. So before an image is decoded its cost is estimated from its header
//! ([`estimate`]): an image over [`MAX_IMAGE_BYTES`] is refused with a message that says
//! why, and the others take their estimate from a shared [`Budget`] of
//! [`IN_FLIGHT_BYTES`], waiting while other workers hold it. Large images then decode one
//! at a time and small ones side by side, and peak memory stays under 300 MiB whatever the
//! book holds (measured by `tests/it/memory.rs`).

use std::io::Cursor;
use std::sync::{Condvar, Mutex};

use super::decode::{MAX_DECODED_BYTES, MAX_PIXELS, MAX_SIDE, SourceFormat};
use super::resize;
use super::strip::{JpegFrame, MAX_ICC_BYTES};

/// The most one image may cost to decode, resize and encode, by [`estimate`]. An 8000×8000
/// (64 MP) progressive JPEG with 4:2:0 chroma fits (183 MiB of coefficients); the same with
/// full-resolution chroma (4:4:4, 366 MiB) does not, and nor does a larger one.
pub const MAX_IMAGE_BYTES: u64 = 256 << 20;

/// The most all workers together may hold, by [`estimate`]. Equal to the per-image budget:
/// one image at the limit runs alone, and images of a tenth of it run ten at a time.
pub const IN_FLIGHT_BYTES: u64 = MAX_IMAGE_BYTES;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error(
    "decoding this {kind} ({width}×{height} pixels) would take about {} MiB of memory; the limit is {} MiB",
    bytes.div_ceil(1 << 20),
    MAX_IMAGE_BYTES >> 20
)]
pub struct OverBudget {
    pub kind: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// What decoding, resizing and encoding one image will cost at most, in bytes, from its
/// header; refused when over [`MAX_IMAGE_BYTES`]. An estimate errs on the high side: it
/// counts the decoder's own buffers, the decoded pixels and the working copies the pipeline
/// makes (orientation, 8-bit conversion, the resized image and the encoder's output).
///
/// `frame` is the JPEG frame header when `format` is JPEG. A header the estimate cannot read
/// counts as small: the decoder reports the real problem. With `quality_search`, the image
/// needs the larger of its decoding and its search ([`QUALITY_SEARCH_BYTES_PER_PIXEL`]); the
/// search is never a reason to refuse an image, since one that needs more than
/// [`IN_FLIGHT_BYTES`] runs alone.
pub fn estimate(
    source: &[u8],
    format: SourceFormat,
    frame: Option<&JpegFrame>,
    fit_box: (u32, u32),
    quality_search: bool,
) -> Result<u64, OverBudget> {
    let (kind, (width, height), bytes) = match (format, frame) {
        (SourceFormat::Jpeg, Some(frame)) => jpeg_cost(frame, fit_box),
        (SourceFormat::Png, _) => png_cost(source, fit_box),
        _ => other_cost(source, fit_box),
    };
    let pixels = u64::from(width) * u64::from(height);
    if width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        // The decoder refuses it from its header, before allocating, with its own message.
        return Ok(0);
    }
    // The ICC profile is read once by the decoder and once more for the output.
    let bytes = bytes + 2 * MAX_ICC_BYTES as u64;
    if bytes > MAX_IMAGE_BYTES {
        return Err(OverBudget {
            kind,
            width,
            height,
            bytes,
        });
    }
    let search = if quality_search {
        // Either way up: the box need not be square, and the estimate must not fall short.
        let upright = output_pixels((width, height), fit_box);
        let turned = output_pixels((height, width), fit_box);
        upright.max(turned) * QUALITY_SEARCH_BYTES_PER_PIXEL
    } else {
        0
    };
    Ok(bytes.max(search))
}

/// What the JPEG quality search (issue 12) holds while it scores one image: SSIMULACRA2's
/// planes at every scale for the image and a trial, about 150 bytes an output pixel
/// (measured: a 4000×3000 photo out at 1600×1200 peaked 275 MB higher with the search,
/// 143 bytes a pixel). It runs after the decoder's buffers are freed, so it counts instead of
/// them, not beside them.
pub const QUALITY_SEARCH_BYTES_PER_PIXEL: u64 = 150;

/// Working copies beside the decoder's output: one converted copy of the decoded pixels
/// (orientation, 8-bit RGB or grey) at 4 bytes a pixel, and the resized image with the
/// encoder's output at 4 bytes an output pixel each.
fn working_copies(decoded_pixels: u64, output_pixels: u64) -> u64 {
    decoded_pixels * 4 + output_pixels * 8
}

fn output_pixels(size: (u32, u32), fit_box: (u32, u32)) -> u64 {
    let (w, h) = resize::fit(size, fit_box);
    u64::from(w) * u64::from(h)
}

fn jpeg_cost(frame: &JpegFrame, fit_box: (u32, u32)) -> (&'static str, (u32, u32), u64) {
    let (width, height) = (frame.width, frame.height);
    let components = usize::from(frame.components.clamp(1, 4));
    let sampling = &frame.sampling[..components];
    let h_max = u64::from(sampling.iter().map(|s| s.0).max().unwrap_or(1));
    let v_max = u64::from(sampling.iter().map(|s| s.1).max().unwrap_or(1));
    let mcus_x = u64::from(width).div_ceil(8 * h_max);
    let mcus_y = u64::from(height).div_ceil(8 * v_max);
    let blocks: u64 = sampling
        .iter()
        .map(|&(h, v)| mcus_x * u64::from(h) * mcus_y * u64::from(v))
        .sum();
    // Progressive: 64 coefficients of 2 bytes for every block, held to the last scan.
    let coefficients = if frame.is_progressive() {
        blocks * 64 * 2
    } else {
        0
    };
    // The decoder's output at the DCT scale it will be asked for (either orientation), and
    // its per-component planes, as large again.
    let eighths = [fit_box, (fit_box.1, fit_box.0)]
        .into_iter()
        .map(|b| dct_eighths((width, height), resize::fit((width, height), b)))
        .max()
        .unwrap_or(8);
    let scaled = u64::from(width).div_ceil(8)
        * u64::from(eighths)
        * (u64::from(height).div_ceil(8) * u64::from(eighths));
    // The decoder's output and its per-component planes.
    let decoded = scaled * components as u64 * 2;
    let kind = if frame.is_progressive() {
        "progressive JPEG"
    } else {
        "JPEG"
    };
    (
        kind,
        (width, height),
        coefficients + decoded + working_copies(scaled, output_pixels((width, height), fit_box)),
    )
}

/// The smallest DCT scale, in eighths, whose result still covers `target` (as
/// `decode::decode` asks `jpeg-decoder` for).
fn dct_eighths(stored: (u32, u32), target: (u32, u32)) -> u32 {
    let scaled = |len: u32, eighths: u32| (u64::from(len) * u64::from(eighths)).div_ceil(8);
    [1, 2, 4]
        .into_iter()
        .find(|&e| {
            scaled(stored.0, e) >= u64::from(target.0) && scaled(stored.1, e) >= u64::from(target.1)
        })
        .unwrap_or(8)
}

fn png_cost(source: &[u8], fit_box: (u32, u32)) -> (&'static str, (u32, u32), u64) {
    // IHDR is the first chunk: width, height, bit depth, colour type.
    let Some(header) = source.get(16..26) else {
        return ("PNG", (0, 0), 0);
    };
    let width = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let height = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
    let samples: u64 = match header[9] {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        _ => 4,
    };
    let bytes_per_sample = if header[8] == 16 { 2 } else { 1 };
    let pixels = u64::from(width) * u64::from(height);
    let cost = decoded_cost(
        (width, height),
        pixels * samples * bytes_per_sample,
        fit_box,
    );
    ("PNG", (width, height), cost)
}

fn other_cost(source: &[u8], fit_box: (u32, u32)) -> (&'static str, (u32, u32), u64) {
    let Ok((width, height)) = image::ImageReader::new(Cursor::new(source))
        .with_guessed_format()
        .map_err(drop)
        .and_then(|reader| reader.into_dimensions().map_err(drop))
    else {
        return ("image", (0, 0), 0);
    };
    let pixels = u64::from(width) * u64::from(height);
    let cost = decoded_cost((width, height), pixels * 4, fit_box);
    ("image", (width, height), cost)
}

/// Formats decoded at full size. Over the decoder's own limit, the decoder refuses the file
/// from its header with its own message, before allocating: that costs nothing here.
fn decoded_cost(size: (u32, u32), decoded: u64, fit_box: (u32, u32)) -> u64 {
    if decoded > MAX_DECODED_BYTES {
        return 0;
    }
    let pixels = u64::from(size.0) * u64::from(size.1);
    decoded + working_copies(pixels, output_pixels(size, fit_box))
}

/// Memory shared by the workers: each takes its image's estimate before decoding and gives it
/// back when the image is done.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

impl Budget {
    pub fn new(limit: u64) -> Self {
        Budget {
            limit,
            used: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Takes `bytes`, waiting until others have given back enough. An image larger than the
    /// whole budget still runs once nothing else does, so no worker waits forever.
    pub fn acquire(&self, bytes: u64) -> Grant<'_> {
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while *used > 0 && *used + bytes > self.limit {
            used = self
                .freed
                .wait(used)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *used += bytes;
        Grant {
            budget: self,
            bytes,
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(IN_FLIGHT_BYTES)
    }
}

/// Memory taken from a [`Budget`]; given back when dropped (a panicking worker included).
#[derive(Debug)]
pub struct Grant<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Drop for Grant<'_> {
    fn drop(&mut self) {
        let mut used = self
            .budget
            .used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *used = used.saturating_sub(self.bytes);
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn frame(sof: u8, side: u32, sampling: (u8, u8)) -> JpegFrame {
        JpegFrame {
            sof,
            precision: 8,
            width: side,
            height: side,
            sampling: [sampling, (1, 1), (1, 1), (1, 1)],
            components: 3,
        }
    }

    #[test]
    fn the_quality_search_counts_instead_of_decoding_when_larger() {
        let box_ = (1600, 1600);
        let photo = frame(0xC0, 4000, (2, 2));
        let decoding = estimate(&[], SourceFormat::Jpeg, Some(&photo), box_, false).unwrap();
        let searched = estimate(&[], SourceFormat::Jpeg, Some(&photo), box_, true).unwrap();
        // A 4000×4000 photo out at 1600×1600: the search's planes outweigh the decode.
        assert_eq!(searched, 1600 * 1600 * QUALITY_SEARCH_BYTES_PER_PIXEL);
        assert!(searched > decoding, "{searched} {decoding}");
        // Over the in-flight budget, yet not refused: it runs alone.
        assert!(searched > IN_FLIGHT_BYTES);
        // A small image's search stays under its decode's estimate, which then stands.
        let small = frame(0xC0, 64, (2, 2));
        let small_decoding = estimate(&[], SourceFormat::Jpeg, Some(&small), box_, false).unwrap();
        let small_searched = estimate(&[], SourceFormat::Jpeg, Some(&small), box_, true).unwrap();
        assert_eq!(
            small_searched,
            small_decoding.max(64 * 64 * QUALITY_SEARCH_BYTES_PER_PIXEL)
        );
    }

    #[test]
    fn progressive_jpegs_cost_their_coefficients_at_any_scale() {
        let box_ = (1600, 1600);
        let baseline = estimate(
            &[],
            SourceFormat::Jpeg,
            Some(&frame(0xC0, 8000, (2, 2))),
            box_,
            false,
        );
        let progressive = estimate(
            &[],
            SourceFormat::Jpeg,
            Some(&frame(0xC2, 8000, (2, 2))),
            box_,
            false,
        );
        let baseline = baseline.unwrap();
        let progressive = progressive.unwrap();
        assert!(baseline < 100 << 20, "{baseline}");
        assert_eq!(progressive - baseline, 192_000_000);
        let full_chroma = estimate(
            &[],
            SourceFormat::Jpeg,
            Some(&frame(0xC2, 8000, (1, 1))),
            box_,
            false,
        );
        assert!(matches!(
            full_chroma,
            Err(OverBudget {
                kind: "progressive JPEG",
                ..
            })
        ));
    }

    #[test]
    fn workers_wait_for_memory_and_one_large_image_runs_alone() {
        let budget = Arc::new(Budget::new(100));
        let peak = Arc::new(AtomicU64::new(0));
        let held = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = [60u64, 60, 30, 30, 150]
            .into_iter()
            .map(|bytes| {
                let (budget, peak, held) = (budget.clone(), peak.clone(), held.clone());
                std::thread::spawn(move || {
                    let _grant = budget.acquire(bytes);
                    let now = held.fetch_add(bytes, Ordering::SeqCst) + bytes;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    held.fetch_sub(bytes, Ordering::SeqCst);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        // 150 alone; never two of 60 together.
        assert_eq!(peak.load(Ordering::SeqCst), 150);
        assert_eq!(*budget.used.lock().unwrap(), 0);
    }
}
