//! Animated GIF, WebP and PNG: kept moving when that is affordable, otherwise one frame and a
//! warning — never flattened silently (issue 11, item 4).
//!
//! An author who puts an animation in an essay usually describes it in the alt text; dropping
//! all but its first frame without a word loses what the alt text talks about. EPUB readers
//! that animate (Apple Books, Thorium, most apps) play an animated GIF; e-ink readers show its
//! first frame, which is what they would show anyway. So bindery resizes every frame to fit
//! the box and writes an animated GIF — the one animated format every EPUB reader takes — when
//! the result stays within [`MAX_ANIMATION_BYTES`]. When it does not, or the animation breaks
//! a limit below, the first frame is used (as a still image, through the normal pipeline) and
//! the build warns with the file and the line that uses it. `images.animation: first-frame`
//! asks for the first frame always, without a warning.
//!
//! Memory is counted by frames: frames are decoded one at a time, each resized at once, and
//! only the resized frames are kept, so what is held is the decoder's full-size canvases plus
//! the small frames, each half under half the [`MAX_DECODED_BYTES`] of a still image, and the
//! number of frames and of decoded pixels is capped so that a bomb of thousands of frames
//! costs bounded time too.

use std::io::Cursor;

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::{AnimationDecoder, DynamicImage, Frame, Frames, ImageDecoder, RgbaImage};

use super::decode::{DecodeError, MAX_DECODED_BYTES, SourceFormat, check_size};
use super::resize;

/// Largest animated GIF written; beyond it the first frame is used and the build warns. Two
/// MiB is a tenth of a typical size budget for a whole EPUB sent by e-mail; an animation that
/// needs more is a video, not an illustration.
pub const MAX_ANIMATION_BYTES: usize = 2 * 1024 * 1024;
/// Most frames read from an animation.
pub const MAX_FRAMES: usize = 1000;
/// Most pixels decoded across all frames at full size (a 1000-frame 640×480 GIF is 307
/// million): this bounds the time an animation may cost.
pub const MAX_DECODED_PIXELS: u64 = 400_000_000;
/// GIF quantisation speed for frames with more than 256 colours (1 best, 30 fastest): 10 is
/// the `gif` crate's default balance.
const QUANTIZE_SPEED: i32 = 10;

/// What `images.animation` asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Animation {
    /// Keep animations moving when they fit the size budget; otherwise warn.
    #[default]
    Keep,
    /// Always use the first frame, without a warning.
    FirstFrame,
}

/// What became of a source.
#[derive(Debug)]
pub enum Outcome {
    /// A still image (or `first-frame` was asked for): the normal pipeline takes it.
    Still,
    /// An animated GIF of the resized frames.
    Animated {
        bytes: Vec<u8>,
        width: u32,
        height: u32,
        /// The source's canvas: when it is the output size, nothing was resized.
        canvas: (u32, u32),
        frames: usize,
    },
    /// Animated, but kept as its first frame for `reason`; the build warns.
    Flattened { reason: String },
}

/// Resizes an animated source into `fit_box`, frame by frame, if it is animated and
/// `choice` is [`Animation::Keep`].
pub fn transform(
    source: &[u8],
    format: SourceFormat,
    fit_box: (u32, u32),
    choice: Animation,
) -> Result<Outcome, DecodeError> {
    if choice == Animation::FirstFrame {
        return Ok(Outcome::Still);
    }
    let Some((size, frames)) = frames_of(source, format)? else {
        return Ok(Outcome::Still);
    };
    check_size(size.0, size.1)?;
    // The decoder holds about three canvases (the frame, the composite, the previous one for
    // disposal): a 4000×4000 GIF peaked at 334 MB before this check.
    let canvas_bytes = u64::from(size.0) * u64::from(size.1) * 4;
    if canvas_bytes * 3 > MAX_DECODED_BYTES {
        return Ok(flattened(format!(
            "its frames of {}×{} pixels are too large to animate",
            size.0, size.1
        )));
    }
    let target = resize::fit(size, fit_box);
    let frame_bytes = u64::from(target.0) * u64::from(target.1) * 4;
    let canvas_pixels = u64::from(size.0) * u64::from(size.1);

    let mut resized: Vec<Frame> = Vec::new();
    for frame in frames {
        let frame = frame.map_err(|error| DecodeError::Corrupt(error.to_string()))?;
        let count = resized.len() as u64 + 1;
        if resized.len() >= MAX_FRAMES {
            return Ok(flattened(format!("it has more than {MAX_FRAMES} frames")));
        }
        // The kept frames get half the image budget; the canvases take the other half.
        if count * canvas_pixels > MAX_DECODED_PIXELS || count * frame_bytes > MAX_DECODED_BYTES / 2
        {
            return Ok(flattened(format!(
                "its {count} or more frames of {}×{} pixels are more than bindery decodes for one image",
                size.0, size.1
            )));
        }
        resized.push(resized_frame(frame, size, target)?);
    }
    let frames = resized.len();
    if frames < 2 {
        return Ok(Outcome::Still);
    }
    let bytes = encode_gif(resized)?;
    if bytes.len() > MAX_ANIMATION_BYTES {
        return Ok(flattened(format!(
            "resized, its {frames} frames take {} kB, over the {} kB allowed for an animation",
            bytes.len().div_ceil(1000),
            MAX_ANIMATION_BYTES / 1000
        )));
    }
    Ok(Outcome::Animated {
        bytes,
        width: target.0,
        height: target.1,
        canvas: size,
        frames,
    })
}

/// One frame composited onto the full canvas (frames usually come that way; any other is
/// placed as it would be) and resized to `target`, with its delay.
fn resized_frame(
    frame: Frame,
    canvas: (u32, u32),
    target: (u32, u32),
) -> Result<Frame, DecodeError> {
    let delay = frame.delay();
    let (left, top) = (frame.left(), frame.top());
    let buffer = frame.into_buffer();
    let whole = if (left, top) == (0, 0) && buffer.dimensions() == canvas {
        buffer
    } else {
        let mut whole = RgbaImage::new(canvas.0, canvas.1);
        image::imageops::overlay(&mut whole, &buffer, i64::from(left), i64::from(top));
        whole
    };
    let small = resize::resize(DynamicImage::ImageRgba8(whole), target)
        .map_err(|error| DecodeError::Corrupt(error.to_string()))?
        .into_rgba8();
    Ok(Frame::from_parts(small, 0, 0, delay))
}

/// The frames as a looping GIF, each quantised to its own palette.
fn encode_gif(frames: Vec<Frame>) -> Result<Vec<u8>, DecodeError> {
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut bytes, QUANTIZE_SPEED);
        let encode_error = |error: image::ImageError| DecodeError::Corrupt(error.to_string());
        encoder.set_repeat(Repeat::Infinite).map_err(encode_error)?;
        encoder.encode_frames(frames).map_err(encode_error)?;
    }
    Ok(bytes)
}

/// An animation's canvas size and its frames, decoded lazily.
type Animated<'a> = ((u32, u32), Frames<'a>);

/// The source's canvas size and frames when it is an animation; `None` for a still image
/// (including a PNG or WebP that has no animation).
fn frames_of(source: &[u8], format: SourceFormat) -> Result<Option<Animated<'_>>, DecodeError> {
    let corrupt = |error: image::ImageError| DecodeError::Corrupt(error.to_string());
    Ok(match format {
        SourceFormat::Gif => {
            let decoder = GifDecoder::new(Cursor::new(source)).map_err(corrupt)?;
            Some((decoder.dimensions(), decoder.into_frames()))
        }
        SourceFormat::Png => {
            let decoder = PngDecoder::new(Cursor::new(source)).map_err(corrupt)?;
            if !decoder.is_apng().map_err(corrupt)? {
                return Ok(None);
            }
            let size = decoder.dimensions();
            Some((size, decoder.apng().map_err(corrupt)?.into_frames()))
        }
        SourceFormat::WebP => {
            let decoder = WebPDecoder::new(Cursor::new(source)).map_err(corrupt)?;
            if !decoder.has_animation() {
                return Ok(None);
            }
            Some((decoder.dimensions(), decoder.into_frames()))
        }
        _ => None,
    })
}

fn flattened(reason: String) -> Outcome {
    Outcome::Flattened { reason }
}

/// The warning for a flattened animation.
pub fn flattened_warning(reason: &str) -> String {
    format!(
        "this animation is kept as its first frame only: {reason}; shorten or shrink it, or set `images.animation: first-frame` to use first frames without this warning"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn gif(frames: u32, side: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut bytes);
            encoder.set_repeat(Repeat::Infinite).unwrap();
            encoder
                .encode_frames((0..frames).map(|i| {
                    Frame::new(RgbaImage::from_fn(side, side, |x, _| {
                        Rgba([if x < i * 4 { 255 } else { 0 }, 40, 90, 255])
                    }))
                }))
                .unwrap();
        }
        bytes
    }

    #[test]
    fn an_animated_gif_is_resized_frame_by_frame_and_stays_animated() {
        let source = gif(5, 64);
        let Outcome::Animated {
            bytes,
            width,
            height,
            canvas,
            frames,
        } = transform(&source, SourceFormat::Gif, (32, 32), Animation::Keep).unwrap()
        else {
            panic!("not kept animated");
        };
        assert_eq!((width, height, frames), (32, 32, 5));
        assert_eq!(canvas, (64, 64));
        let decoded = GifDecoder::new(Cursor::new(bytes)).unwrap();
        assert_eq!(decoded.dimensions(), (32, 32));
        assert_eq!(decoded.into_frames().count(), 5);
    }

    #[test]
    fn first_frame_is_honoured_and_stills_are_left_alone() {
        let source = gif(3, 16);
        assert!(matches!(
            transform(&source, SourceFormat::Gif, (8, 8), Animation::FirstFrame).unwrap(),
            Outcome::Still
        ));
        assert!(matches!(
            transform(&gif(1, 16), SourceFormat::Gif, (8, 8), Animation::Keep).unwrap(),
            Outcome::Still
        ));
    }

    #[test]
    fn too_many_frames_flatten_with_a_reason() {
        let source = gif(u32::try_from(MAX_FRAMES).unwrap() + 1, 2);
        let Outcome::Flattened { reason } =
            transform(&source, SourceFormat::Gif, (8, 8), Animation::Keep).unwrap()
        else {
            panic!("not flattened");
        };
        assert!(reason.contains("more than 1000 frames"), "{reason}");
    }
}
