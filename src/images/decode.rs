//! Decoding under limits, at the smallest size the result still needs.
//!
//! Limits first: a file's header is checked against [`MAX_PIXELS`] and [`MAX_SIDE`] before any
//! pixel buffer is allocated, so a decompression bomb or a 60000×60000 header is refused at
//! once with little memory.
//!
//! JPEGs (nearly every photo) are decoded with `jpeg-decoder`, which can run its inverse DCT at
//! 1/2, 1/4 or 1/8 scale: a 4000×3000 photo bound for a 1600 px box is decoded straight to
//! 2000×1500, a quarter of the pixels, which is the single largest saving in the pipeline
//! (measure with `examples/image_timing.rs`). `image`'s own JPEG decoder (zune-jpeg) has no
//! scaled decoding and misreads some valid files (see `decode_jpeg_scaled`), so it gets only
//! the 16-bit JPEGs jpeg-decoder cannot return as RGB, with every other format. CMYK JPEGs stay
//! with `jpeg-decoder`, the one that returns their ink values, which [`colour`] converts to
//! sRGB by their profile.
//!
//! Every result leaves here in sRGB (see [`colour`]); formats bindery does not read are named,
//! with what to do, by [`formats`].

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use super::colour::{self, ColourOutcome};
use super::formats::{self, Unreadable};
use super::metadata;
use super::orient;
use super::resize;

/// Largest image accepted, in pixels: a 61 MP full-frame camera fits; a decoded RGBA image of
/// this size is 256 MB, the most one worker may hold.
pub const MAX_PIXELS: u64 = 64_000_000;
/// Longest side accepted, in pixels (long panoramas within the pixel budget pass).
pub const MAX_SIDE: u32 = 30_000;
/// Backstop for the decoders' own allocations (buffers beyond the final pixels).
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// Largest decoded size, in bytes, of an image that is not a JPEG. JPEGs are decoded scaled
/// down (see above), but PNG, GIF and WebP decode at full size, and the pipeline may hold one
/// converted copy beside the decoded pixels: 96 MiB keeps a build under 300 MiB even for a
/// 60 kB PNG that claims 8000×8000 RGBA (a decompression bomb within the pixel limits, which
/// took 560 MiB before this limit). It still admits a 24-megapixel RGBA or 32-megapixel RGB
/// PNG.
pub const MAX_DECODED_BYTES: u64 = 96 * 1024 * 1024;

/// The file formats the pipeline tells apart; they matter for the copy-as-is decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Gif,
    WebP,
    /// HEIC/HEIF or AVIF, read only in builds with the `heif` feature.
    Heif,
    Other,
}

impl SourceFormat {
    /// The name an author knows the format by, for messages.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "JPEG",
            SourceFormat::Png => "PNG",
            SourceFormat::Gif => "GIF",
            SourceFormat::WebP => "WebP",
            SourceFormat::Heif => "HEIC/AVIF",
            SourceFormat::Other => "such",
        }
    }
}

/// Pixels with what the file said about them.
#[derive(Debug)]
pub struct Decoded {
    /// Not yet oriented; possibly already reduced by a scaled JPEG decode.
    pub image: DynamicImage,
    /// Width and height written in the file, before orientation or scaled decoding.
    pub stored_size: (u32, u32),
    pub orientation: Orientation,
    /// What the source's profile was; `None` once the pixels are converted to sRGB (always,
    /// after [`decode`]): kept for the encoder's sake only when a caller decodes without the
    /// colour stage.
    pub icc_profile: Option<Vec<u8>>,
    pub format: SourceFormat,
    /// Whether the pixels were converted to sRGB from another colour space: such a source is
    /// never copied into the book as it is.
    pub colour: ColourOutcome,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// SVG is a document, not pixels: the pipeline sanitises it instead (`svg.rs`).
    #[error("this is an SVG file, which has no pixels to decode")]
    Svg,
    #[error("not an image format bindery can read")]
    UnknownFormat,
    /// A format recognised by its first bytes, which this build does not read.
    #[error("{}", .0.message())]
    Unsupported(Unreadable),
    #[error(
        "the image is too large ({width}×{height} pixels); the limit is {} megapixels and {MAX_SIDE} pixels a side",
        MAX_PIXELS / 1_000_000
    )]
    TooLarge { width: u32, height: u32 },
    #[error(
        "the image would take {} MiB of memory once decoded ({width}×{height} pixels); the limit for {format} images is {} MiB",
        bytes.div_ceil(1 << 20),
        MAX_DECODED_BYTES >> 20
    )]
    TooMuchMemory {
        width: u32,
        height: u32,
        bytes: u64,
        /// The source's format as the author knows it ("PNG", "JPEG", …): the limit is quoted
        /// for that format only.
        format: &'static str,
    },
    #[error("the image file is damaged or incomplete: {0}")]
    Corrupt(String),
}

/// Decodes `bytes`, reducing on the way when the image will be shrunk to fit `fit_box`
/// (width, height, in upright orientation) anyway.
pub fn decode(bytes: &[u8], fit_box: (u32, u32)) -> Result<Decoded, DecodeError> {
    let mut decoded = decode_pixels(bytes, fit_box)?;
    if decoded.colour == ColourOutcome::AlreadySrgb {
        let (image, outcome) = colour::to_srgb(decoded.image, decoded.icc_profile.as_deref());
        decoded.image = image;
        decoded.colour = outcome;
    }
    // The pixels are sRGB now, which needs no profile (see `colour`).
    decoded.icc_profile = None;
    Ok(decoded)
}

fn decode_pixels(bytes: &[u8], fit_box: (u32, u32)) -> Result<Decoded, DecodeError> {
    match sniff(bytes)? {
        SourceFormat::Jpeg if !metadata::jpeg_is_complete(bytes) => Err(DecodeError::Corrupt(
            "the file ends before the image data does".into(),
        )),
        SourceFormat::Jpeg => match decode_jpeg_scaled(bytes, fit_box)? {
            Some(decoded) => Ok(decoded),
            None => decode_with_image_crate(bytes, SourceFormat::Jpeg),
        },
        #[cfg(feature = "heif")]
        SourceFormat::Heif => super::heif::decode(bytes),
        format => decode_with_image_crate(bytes, format),
    }
}

/// The format, from the file's first bytes (never its name).
pub fn sniff(bytes: &[u8]) -> Result<SourceFormat, DecodeError> {
    if looks_like_svg(bytes) {
        return Err(DecodeError::Svg);
    }
    if cfg!(feature = "heif") && formats::heif_family(bytes).is_some() {
        return Ok(SourceFormat::Heif);
    }
    if let Some(unreadable) = formats::recognise(bytes) {
        return Err(DecodeError::Unsupported(unreadable));
    }
    let format = image::guess_format(bytes).map_err(|_| DecodeError::UnknownFormat)?;
    Ok(match format {
        ImageFormat::Jpeg => SourceFormat::Jpeg,
        ImageFormat::Png => SourceFormat::Png,
        ImageFormat::Gif => SourceFormat::Gif,
        ImageFormat::WebP => SourceFormat::WebP,
        // Recognised, but the decoders for it are not built in (ICO, TGA, …): say so rather
        // than calling the file damaged.
        other => {
            return Err(DecodeError::Unsupported(Unreadable::Other(
                other.extensions_str().first().copied().unwrap_or("unknown"),
            )));
        }
    })
}

/// An XML file whose first element is `<svg`: after an optional XML declaration, comments,
/// processing instructions and a DOCTYPE, as drawing tools write them (issue 9).
fn looks_like_svg(bytes: &[u8]) -> bool {
    // Tools put licence headers and long DOCTYPEs first; 64 kB covers them.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let prolog_start = ["<?xml", "<!--", "<!DOCTYPE", "<svg", "<?"];
    if !prolog_start.iter().any(|start| text.starts_with(start)) {
        return false;
    }
    // The first element (a `<` followed by a name) must be `svg` or `prefix:svg`.
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with("!DOCTYPE") {
            // Its internal subset may hold markup in quotes: skip it whole.
            let Some(len) = super::svg::prolog::doctype_len(&rest[1..]) else {
                return false;
            };
            rest = &rest[1 + len..];
            continue;
        }
        if rest.starts_with(['?', '!', '/']) {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/'))
            .collect();
        return name == "svg" || name.ends_with(":svg");
    }
    false
}

pub(super) fn check_size(width: u32, height: u32) -> Result<(), DecodeError> {
    let too_large =
        width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS;
    if too_large || width == 0 || height == 0 {
        return Err(DecodeError::TooLarge { width, height });
    }
    Ok(())
}

/// `Ok(None)` when this JPEG is better left to the general decoder: 16-bit samples, which
/// `jpeg-decoder` cannot return as RGB. CMYK JPEGs always decode here: their inks go to
/// [`colour::cmyk_to_srgb`].
fn decode_jpeg_scaled(bytes: &[u8], fit_box: (u32, u32)) -> Result<Option<Decoded>, DecodeError> {
    let corrupt = |error: jpeg_decoder::Error| match error {
        jpeg_decoder::Error::Unsupported(feature) => {
            DecodeError::Unsupported(formats::jpeg_feature(&feature))
        }
        other => DecodeError::Corrupt(other.to_string()),
    };
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(MAX_ALLOC as usize);
    decoder.read_info().map_err(corrupt)?;
    let Some(info) = decoder.info() else {
        return Err(DecodeError::Corrupt("no frame header".into()));
    };
    let stored_size = (u32::from(info.width), u32::from(info.height));
    check_size(stored_size.0, stored_size.1)?;
    let cmyk = info.pixel_format == jpeg_decoder::PixelFormat::CMYK32;
    if !cmyk
        && !matches!(
            info.pixel_format,
            jpeg_decoder::PixelFormat::RGB24 | jpeg_decoder::PixelFormat::L8
        )
    {
        return Ok(None);
    }
    // APP1 (EXIF) always precedes the scan, so `read_info` has seen it.
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);

    let stored_box = orient::stored_box(fit_box, orientation);
    let target = resize::fit(stored_size, stored_box);
    let (request_w, request_h) = dct_scaled_request(stored_size, target);
    // Even with no reduction to gain, RGB and grey JPEGs stay with jpeg-decoder: zune-jpeg
    // 0.5.15 (faster at full size, 5.9 against 8.4 ms for a 1400×1000 photo) decodes JPEGs
    // with optimized Huffman tables as jpeg-encoder writes them to wrong colours (every
    // sample off by up to 255, where jpeg-decoder and libjpeg agree), and such files are
    // what bindery itself writes and what `jpegtran -optimize` and mozjpeg make.
    decoder.scale(request_w, request_h).map_err(corrupt)?;
    let pixels = decoder.decode().map_err(corrupt)?;
    let Some(info) = decoder.info() else {
        return Err(DecodeError::Corrupt("no frame header".into()));
    };
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let incomplete = || DecodeError::Corrupt("fewer pixels than the header promised".into());
    let icc_profile = decoder.icc_profile();
    if cmyk {
        if pixels.len() as u64 != u64::from(width) * u64::from(height) * 4 {
            return Err(incomplete());
        }
        let inks = cmyk_inks(bytes, pixels);
        let (rgb, colour) = colour::cmyk_to_srgb(&inks, width, height, icc_profile.as_deref());
        return Ok(Some(Decoded {
            image: DynamicImage::ImageRgb8(rgb),
            stored_size,
            orientation,
            icc_profile: None,
            format: SourceFormat::Jpeg,
            colour,
        }));
    }
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => DynamicImage::ImageLuma8(
            GrayImage::from_raw(width, height, pixels).ok_or_else(incomplete)?,
        ),
        _ => DynamicImage::ImageRgb8(
            RgbImage::from_raw(width, height, pixels).ok_or_else(incomplete)?,
        ),
    };
    Ok(Some(Decoded {
        image,
        stored_size,
        orientation,
        icc_profile,
        format: SourceFormat::Jpeg,
        colour: ColourOutcome::AlreadySrgb,
    }))
}

/// The ink amounts (0 = none) of a CMYK JPEG's pixels as `jpeg-decoder` returns them.
///
/// Photoshop, which writes nearly every CMYK JPEG, stores inverted values and marks the file
/// with an Adobe (APP14) segment; `jpeg-decoder` always undoes that inversion (and the YCCK
/// transform). A CMYK JPEG without the Adobe segment stores plain values, so the inversion is
/// undone again here, as LittleCMS-based tools (Pillow) read it.
fn cmyk_inks(bytes: &[u8], mut pixels: Vec<u8>) -> Vec<u8> {
    let adobe = metadata::jpeg_segments(bytes).is_some_and(|segments| {
        segments
            .iter()
            .any(|&(marker, payload)| marker == 0xEE && payload.starts_with(b"Adobe"))
    });
    if !adobe {
        pixels.iter_mut().for_each(|sample| *sample = 255 - *sample);
    }
    pixels
}

/// The size to ask `jpeg-decoder` for: the smallest DCT scale (8/8, 4/8, 2/8, 1/8) whose result
/// still covers `target` on both axes, so the final resize only ever shrinks.
fn dct_scaled_request(stored: (u32, u32), target: (u32, u32)) -> (u16, u16) {
    let scaled = |len: u32, eighths: u32| (len * eighths).div_ceil(8);
    let eighths = [1, 2, 4]
        .into_iter()
        .find(|&eighths| {
            scaled(stored.0, eighths) >= target.0 && scaled(stored.1, eighths) >= target.1
        })
        .unwrap_or(8);
    // Both fit in u16: JPEG sides are u16 and scaling only shrinks.
    let to_u16 = |len: u32| u16::try_from(len).unwrap_or(u16::MAX);
    (
        to_u16(scaled(stored.0, eighths)),
        to_u16(scaled(stored.1, eighths)),
    )
}

fn decode_with_image_crate(bytes: &[u8], format: SourceFormat) -> Result<Decoded, DecodeError> {
    let corrupt = |error: image::ImageError| DecodeError::Corrupt(error.to_string());
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| DecodeError::UnknownFormat)?;
    // Read the header without limits so a refusal can say how large the image claims to be,
    // then decode under them.
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let stored_size = decoder.dimensions();
    check_size(stored_size.0, stored_size.1)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    decoder
        .set_limits(limits)
        .map_err(|_| DecodeError::TooLarge {
            width: stored_size.0,
            height: stored_size.1,
        })?;
    let decoded_bytes = decoder.total_bytes();
    if decoded_bytes > MAX_DECODED_BYTES {
        return Err(DecodeError::TooMuchMemory {
            width: stored_size.0,
            height: stored_size.1,
            bytes: decoded_bytes,
            format: format.name(),
        });
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc_profile = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok(Decoded {
        image,
        stored_size,
        orientation,
        icc_profile,
        format,
        colour: ColourOutcome::AlreadySrgb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dct_scale_is_the_smallest_that_still_covers_the_target() {
        assert_eq!(dct_scaled_request((4000, 3000), (1600, 1200)), (2000, 1500));
        assert_eq!(dct_scaled_request((4000, 3000), (800, 600)), (1000, 750));
        assert_eq!(dct_scaled_request((4000, 3000), (400, 300)), (500, 375));
        assert_eq!(dct_scaled_request((4000, 3000), (2001, 1500)), (4000, 3000));
        assert_eq!(dct_scaled_request((1000, 10), (125, 2)), (125, 2));
    }

    #[test]
    fn svg_as_tools_write_it_is_recognised() {
        for head in [
            "<!-- Generator: Adobe Illustrator 24.0.0 -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\" [<!ENTITY a \"<b>\">]>\n<svg/>",
            "\u{feff}  <svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"/>",
        ] {
            assert_eq!(sniff(head.as_bytes()), Err(DecodeError::Svg), "{head}");
        }
        assert_ne!(
            sniff(b"<?xml version=\"1.0\"?><html><svg/></html>"),
            Err(DecodeError::Svg)
        );
    }

    #[test]
    fn svg_and_unknown_bytes_are_told_apart() {
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Err(DecodeError::Svg)
        );
        assert_eq!(sniff(b"hello"), Err(DecodeError::UnknownFormat));
    }

    #[test]
    fn the_memory_limit_is_quoted_for_the_source_format() {
        let error = DecodeError::TooMuchMemory {
            width: 9000,
            height: 9000,
            bytes: 243_000_000,
            format: SourceFormat::Jpeg.name(),
        };
        assert!(
            error
                .to_string()
                .contains("the limit for JPEG images is 96 MiB")
        );
    }

    #[test]
    fn oversized_and_empty_headers_are_refused() {
        assert_eq!(
            check_size(60_000, 60_000),
            Err(DecodeError::TooLarge {
                width: 60_000,
                height: 60_000
            })
        );
        assert!(check_size(9504, 6336).is_ok());
        assert!(check_size(0, 10).is_err());
    }
}
