//! Choosing the output format and writing it, with the ICC profile as the only metadata.
//!
//! Photos become baseline JPEG, 4:2:0, optimized Huffman tables (`jpeg-encoder` measured
//! smaller and about 3× faster than `image`'s JPEG encoder; progressive came out larger and
//! some older readers mishandle it); a JPEG source always stays JPEG, and an image whose
//! pixels are all grey is written with one channel. Images with transparency stay PNG (JPEG
//! has no alpha); flat art of at most 256 colours from a PNG or GIF becomes a palette PNG when
//! that is not larger than the JPEG. A PNG source with many colours and no transparency is
//! encoded both ways and stays PNG only when that costs at most [`PNG_OVER_JPEG_ALLOWANCE`]
//! times the JPEG's size — a screenshot of text, say, which JPEG would blur; a photo saved as
//! PNG is typically 5–10 times its JPEG and becomes JPEG.
//!
//! Nothing but the pixels and the ICC profile is written, so EXIF (with GPS and serial
//! numbers), XMP, IPTC and maker notes never reach the book.

use std::collections::HashMap;

use image::DynamicImage;
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use super::decode::SourceFormat;
use super::quality::{self, JpegQuality};

/// See the module docs: how much larger than the JPEG a lossless PNG may be and still win.
pub const PNG_OVER_JPEG_ALLOWANCE: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jpeg,
    Png,
    /// Sanitised, never rasterised (see `svg.rs`).
    Svg,
    /// Animations only (see `animation.rs`).
    Gif,
    /// A WebP source's own image data, rebuilt without metadata (see `strip.rs`); bindery
    /// never encodes WebP.
    WebP,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "jpg",
            OutputFormat::Png => "png",
            OutputFormat::Svg => "svg",
            OutputFormat::Gif => "gif",
            OutputFormat::WebP => "webp",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "image/jpeg",
            OutputFormat::Png => "image/png",
            OutputFormat::Svg => "image/svg+xml",
            OutputFormat::Gif => "image/gif",
            OutputFormat::WebP => "image/webp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub format: OutputFormat,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot encode the image: {0}")]
pub struct EncodeError(String);

impl EncodeError {
    pub(super) fn new(message: String) -> Self {
        EncodeError(message)
    }
}

/// 8 bits a sample, grey when asked or when every pixel is neutral, and no alpha channel when
/// every pixel is opaque: the layouts the resizer and encoders take, at the smallest size that
/// loses nothing.
pub fn normalize(image: DynamicImage, grayscale: bool) -> DynamicImage {
    let has_alpha = image.color().has_alpha();
    let opaque = !has_alpha || is_opaque(&image);
    match (
        grayscale || !image.color().has_color() || is_neutral(&image),
        has_alpha && !opaque,
    ) {
        (true, false) => match image {
            DynamicImage::ImageLuma8(_) => image,
            other => DynamicImage::ImageLuma8(other.into_luma8()),
        },
        (true, true) => match image {
            DynamicImage::ImageLumaA8(_) => image,
            other => DynamicImage::ImageLumaA8(other.into_luma_alpha8()),
        },
        (false, false) => match image {
            DynamicImage::ImageRgb8(_) => image,
            other => DynamicImage::ImageRgb8(other.into_rgb8()),
        },
        (false, true) => match image {
            DynamicImage::ImageRgba8(_) => image,
            other => DynamicImage::ImageRgba8(other.into_rgba8()),
        },
    }
}

/// How far apart R, G and B of a pixel may be for it to count as grey. A black-and-white photo
/// exported as RGB (what Lightroom, Photoshop and phones write) decodes with ±1–2 levels of
/// chroma noise from JPEG's colour subsampling; a toned print (sepia, selenium) is further
/// apart than this, and stays in colour.
pub const NEUTRAL_TOLERANCE: u8 = 3;

/// Whether every pixel of an RGB(A) image is grey within [`NEUTRAL_TOLERANCE`] (issue 11:
/// grey is grey). Such an image is stored with one channel: a third of the samples, and a
/// JPEG without chroma. Stops at the first coloured pixel, so photos cost a few pixels.
fn is_neutral(image: &DynamicImage) -> bool {
    let grey = |r: u8, g: u8, b: u8| {
        r.abs_diff(g) <= NEUTRAL_TOLERANCE
            && g.abs_diff(b) <= NEUTRAL_TOLERANCE
            && r.abs_diff(b) <= NEUTRAL_TOLERANCE
    };
    match image {
        DynamicImage::ImageRgb8(pixels) => pixels.pixels().all(|p| grey(p[0], p[1], p[2])),
        DynamicImage::ImageRgba8(pixels) => pixels.pixels().all(|p| grey(p[0], p[1], p[2])),
        DynamicImage::ImageRgb16(pixels) => pixels
            .pixels()
            .all(|p| grey((p[0] >> 8) as u8, (p[1] >> 8) as u8, (p[2] >> 8) as u8)),
        DynamicImage::ImageRgba16(pixels) => pixels
            .pixels()
            .all(|p| grey((p[0] >> 8) as u8, (p[1] >> 8) as u8, (p[2] >> 8) as u8)),
        _ => false,
    }
}

fn is_opaque(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageLumaA8(pixels) => pixels.pixels().all(|p| p.0[1] == u8::MAX),
        DynamicImage::ImageRgba8(pixels) => pixels.pixels().all(|p| p.0[3] == u8::MAX),
        DynamicImage::ImageLumaA16(pixels) => pixels.pixels().all(|p| p.0[1] == u16::MAX),
        DynamicImage::ImageRgba16(pixels) => pixels.pixels().all(|p| p.0[3] == u16::MAX),
        other => other.to_rgba8().pixels().all(|p| p.0[3] == u8::MAX),
    }
}

/// Picks JPEG or PNG for `image` (already normalized and resized) and encodes it.
///
/// * A JPEG source stays JPEG: it was a photo, and a PNG of it is many times larger (a
///   black-and-white photo has few enough colours for a palette, and ballooned 527 kB →
///   891 kB as one before issue 11).
/// * Transparency needs PNG.
/// * Flat art of at most 256 colours from a PNG or GIF becomes a palette PNG when that is
///   not larger than the JPEG.
/// * Other opaque images from PNG, GIF or WebP: PNG unless it is more than
///   [`PNG_OVER_JPEG_ALLOWANCE`] times the JPEG (see the module docs).
pub fn encode(
    image: &DynamicImage,
    icc_profile: Option<&[u8]>,
    quality: impl Into<JpegQuality>,
    source: SourceFormat,
) -> Result<Encoded, EncodeError> {
    encode_scaled(image, icc_profile, quality.into(), source, None)
}

/// [`encode`] for an image scaled down from flat art: `source_palette` holds the colours of
/// the source before resizing, when it had at most 256. Resampling blends neighbouring
/// colours, so a screenshot scaled by 2 % gains thousands of colours and its PNG grows
/// several times (8 kB → 44 kB for `tests/photos/screenshot.png`); mapped back onto the
/// source's own colours it is a palette PNG again, one more candidate of which the smallest
/// is kept.
pub fn encode_scaled(
    image: &DynamicImage,
    icc_profile: Option<&[u8]>,
    quality: JpegQuality,
    source: SourceFormat,
    source_palette: Option<&[[u8; 4]]>,
) -> Result<Encoded, EncodeError> {
    let best = encode_chosen(image, icc_profile, quality, source)?;
    let Some(colors) = source_palette else {
        return Ok(best);
    };
    if !matches!(image, DynamicImage::ImageRgb8(_)) {
        return Ok(best);
    }
    smaller_as_palette(&remap_to_palette(image, colors), icc_profile, best, colors)
}

/// [`encode`] for an image that was scaled down (see [`encode_scaled`]; `source_palette` as
/// there): a truecolour PNG, which scaling made grow, also tries the quantised palette of
/// [`quantise`](super::quantise), kept when it passes its error bound and is the smaller file.
pub fn encode_scaled_down(
    image: &DynamicImage,
    icc_profile: Option<&[u8]>,
    quality: JpegQuality,
    source: SourceFormat,
    source_palette: Option<&[[u8; 4]]>,
) -> Result<Encoded, EncodeError> {
    if source_palette.is_some() {
        return encode_scaled(image, icc_profile, quality, source, source_palette);
    }
    let best = encode_chosen(image, icc_profile, quality, source)?;
    let (DynamicImage::ImageRgb8(pixels), OutputFormat::Png) = (image, best.format) else {
        return Ok(best);
    };
    let Some(quantised) = super::quantise::quantise(pixels) else {
        return Ok(best);
    };
    if quantised.psnr_db < super::quantise::MIN_PSNR_DB {
        return Ok(best);
    }
    smaller_as_palette(&quantised.image, icc_profile, best, &quantised.colors)
}

/// `remapped` (an RGB image every pixel of which is one of `colors`) as a palette PNG, when
/// that is smaller than `best`.
fn smaller_as_palette(
    remapped: &DynamicImage,
    icc_profile: Option<&[u8]>,
    best: Encoded,
    colors: &[[u8; 4]],
) -> Result<Encoded, EncodeError> {
    if !matches!(best.format, OutputFormat::Png | OutputFormat::Jpeg) {
        return Ok(best);
    }
    let icc_profile = icc_profile.filter(|profile| icc_matches(profile, remapped));
    let indexed = encode_png(
        remapped,
        Some(colors.to_vec()),
        icc_profile,
        png::Compression::High,
    )?;
    Ok(if indexed.len() < best.bytes.len() {
        Encoded {
            format: OutputFormat::Png,
            bytes: indexed,
        }
    } else {
        best
    })
}

/// The colours of `image` when it is flat art with at most 256 of them (see
/// [`encode_scaled`]); only PNG and GIF sources are flat art.
pub fn source_palette(image: &DynamicImage, source: SourceFormat) -> Option<Vec<[u8; 4]>> {
    if !matches!(source, SourceFormat::Png | SourceFormat::Gif) {
        return None;
    }
    match image {
        DynamicImage::ImageRgb8(_) => palette_of(image),
        _ => None,
    }
}

/// Each pixel replaced by the nearest of `colors` (squared RGB distance). The answer is
/// remembered per 5-bit-a-channel cell, so at most 32768 searches of the palette are made
/// however large the image.
fn remap_to_palette(image: &DynamicImage, colors: &[[u8; 4]]) -> DynamicImage {
    let mut cells = vec![u16::MAX; 1 << 15];
    let nearest = |p: [u8; 3]| -> [u8; 4] {
        colors
            .iter()
            .min_by_key(|c| {
                (0..3)
                    .map(|i| (i32::from(c[i]) - i32::from(p[i])).pow(2))
                    .sum::<i32>()
            })
            .copied()
            .unwrap_or([p[0], p[1], p[2], 255])
    };
    let mut rgb = image.to_rgb8();
    for pixel in rgb.pixels_mut() {
        let [r, g, b] = pixel.0;
        let cell = (usize::from(r >> 3) << 10) | (usize::from(g >> 3) << 5) | usize::from(b >> 3);
        let index = if cells[cell] == u16::MAX {
            let found = nearest([r, g, b]);
            let index = colors.iter().position(|c| *c == found).unwrap_or(0);
            cells[cell] = u16::try_from(index).unwrap_or(0);
            index
        } else {
            usize::from(cells[cell])
        };
        let c = colors.get(index).copied().unwrap_or([r, g, b, 255]);
        pixel.0 = [c[0], c[1], c[2]];
    }
    DynamicImage::ImageRgb8(rgb)
}

fn encode_chosen(
    image: &DynamicImage,
    icc_profile: Option<&[u8]>,
    quality: JpegQuality,
    source: SourceFormat,
) -> Result<Encoded, EncodeError> {
    let icc_profile = icc_profile.filter(|profile| icc_matches(profile, image));
    let png = |bytes| Encoded {
        format: OutputFormat::Png,
        bytes,
    };
    let jpeg = |bytes| Encoded {
        format: OutputFormat::Jpeg,
        bytes,
    };
    let flat_art_source = matches!(source, SourceFormat::Png | SourceFormat::Gif);
    let palette = if flat_art_source {
        palette_of(image)
    } else {
        None
    };
    if image.color().has_alpha() {
        return encode_png(image, palette, icc_profile, png::Compression::High).map(png);
    }
    let as_jpeg = match quality {
        JpegQuality::Fixed(quality) => encode_jpeg(image, icc_profile, quality)?,
        JpegQuality::Target(target) => quality::search(image, icc_profile, target)?.bytes,
    };
    if source == SourceFormat::Jpeg {
        return Ok(jpeg(as_jpeg));
    }
    if palette.is_some() {
        let indexed = encode_png(image, palette, icc_profile, png::Compression::High)?;
        return Ok(if indexed.len() <= as_jpeg.len() {
            png(indexed)
        } else {
            jpeg(as_jpeg)
        });
    }
    // The trial runs at fast compression: it only has to tell a photo (far over the
    // allowance) from a screenshot, and the best compression costs ten times as long.
    let trial = encode_png(image, None, icc_profile, png::Compression::Fast)?;
    if trial.len() <= as_jpeg.len().saturating_mul(PNG_OVER_JPEG_ALLOWANCE) {
        let best = encode_png(image, None, icc_profile, png::Compression::High)?;
        // The fast trial is occasionally the smaller: never keep the larger of the two.
        Ok(png(if trial.len() < best.len() {
            trial
        } else {
            best
        }))
    } else {
        Ok(jpeg(as_jpeg))
    }
}

/// An ICC profile describes one colour space; a CMYK or RGB profile on grey output (or the
/// reverse) would make readers show wrong colours, so it is kept only when it matches.
fn icc_matches(profile: &[u8], image: &DynamicImage) -> bool {
    let Some(space) = profile.get(16..20) else {
        return false;
    };
    if image.color().has_color() {
        space == b"RGB "
    } else {
        space == b"GRAY"
    }
}

/// Baseline JPEG, 4:2:0, optimized Huffman tables; grey images as one-channel JPEG.
pub fn encode_jpeg(
    image: &DynamicImage,
    icc_profile: Option<&[u8]>,
    quality: u8,
) -> Result<Vec<u8>, EncodeError> {
    let error = |e: jpeg_encoder::EncodingError| EncodeError(e.to_string());
    let too_large = || EncodeError("JPEG sides are at most 65535 pixels".into());
    let width = u16::try_from(image.width()).map_err(|_| too_large())?;
    let height = u16::try_from(image.height()).map_err(|_| too_large())?;
    let rgb;
    let (data, color_type) = match image {
        DynamicImage::ImageLuma8(pixels) => (pixels.as_raw().as_slice(), ColorType::Luma),
        DynamicImage::ImageRgb8(pixels) => (pixels.as_raw().as_slice(), ColorType::Rgb),
        other => {
            rgb = other.to_rgb8();
            (rgb.as_raw().as_slice(), ColorType::Rgb)
        }
    };
    let mut bytes = Vec::new();
    let mut encoder = Encoder::new(&mut bytes, quality.clamp(1, 100));
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    encoder.set_optimized_huffman_tables(true);
    encoder.set_progressive(false);
    if let Some(profile) = icc_profile {
        encoder.add_icc_profile(profile).map_err(error)?;
    }
    encoder
        .encode(data, width, height, color_type)
        .map_err(error)?;
    Ok(bytes)
}

/// The colours of an RGB(A) image in order of first appearance, when there are at most 256:
/// such an image is stored as an indexed PNG, a quarter the size of true colour before
/// compression. Grey images are already one byte a pixel and get no palette.
fn palette_of(image: &DynamicImage) -> Option<Vec<[u8; 4]>> {
    let mut index: HashMap<[u8; 4], u8> = HashMap::new();
    let mut colors = Vec::new();
    let mut add = |color: [u8; 4]| -> bool {
        if index.contains_key(&color) {
            return true;
        }
        let Ok(next) = u8::try_from(colors.len()) else {
            return false;
        };
        index.insert(color, next);
        colors.push(color);
        true
    };
    let complete = match image {
        DynamicImage::ImageRgb8(pixels) => pixels.pixels().all(|p| add([p[0], p[1], p[2], 255])),
        DynamicImage::ImageRgba8(pixels) => pixels.pixels().all(|p| add(p.0)),
        _ => return None,
    };
    complete.then_some(colors)
}

fn encode_png(
    image: &DynamicImage,
    palette: Option<Vec<[u8; 4]>>,
    icc_profile: Option<&[u8]>,
    compression: png::Compression,
) -> Result<Vec<u8>, EncodeError> {
    let error = |e: png::EncodingError| EncodeError(e.to_string());
    let mut info = png::Info::with_size(image.width(), image.height());
    info.bit_depth = png::BitDepth::Eight;
    info.icc_profile = icc_profile.map(std::borrow::Cow::Borrowed);
    let data: Vec<u8> = match (&palette, image) {
        (Some(colors), _) => {
            info.color_type = png::ColorType::Indexed;
            info.palette = Some(colors.iter().flat_map(|c| [c[0], c[1], c[2]]).collect());
            if colors.iter().any(|c| c[3] != u8::MAX) {
                info.trns = Some(colors.iter().map(|c| c[3]).collect());
            }
            let lookup: HashMap<[u8; 4], u8> = colors
                .iter()
                .enumerate()
                .filter_map(|(i, c)| u8::try_from(i).ok().map(|i| (*c, i)))
                .collect();
            image
                .to_rgba8()
                .pixels()
                .map(|p| lookup.get(&p.0).copied().unwrap_or(0))
                .collect()
        }
        (None, DynamicImage::ImageLuma8(pixels)) => {
            info.color_type = png::ColorType::Grayscale;
            pixels.as_raw().clone()
        }
        (None, DynamicImage::ImageLumaA8(pixels)) => {
            info.color_type = png::ColorType::GrayscaleAlpha;
            pixels.as_raw().clone()
        }
        (None, DynamicImage::ImageRgb8(pixels)) => {
            info.color_type = png::ColorType::Rgb;
            pixels.as_raw().clone()
        }
        (None, other) => {
            info.color_type = png::ColorType::Rgba;
            other.to_rgba8().into_raw()
        }
    };
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::with_info(&mut bytes, info).map_err(error)?;
        encoder.set_compression(compression);
        encoder.set_filter(png::Filter::Adaptive);
        let mut writer = encoder.write_header().map_err(error)?;
        writer.write_image_data(&data).map_err(error)?;
        writer.finish().map_err(error)?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn noise(width: u32, height: u32) -> DynamicImage {
        // A smooth gradient with deterministic noise: many colours, like a photo.
        let mut state = 12345u32;
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = (state >> 16) as u8 % 24;
            Rgb([
                (x as u8).wrapping_add(n),
                (y as u8).wrapping_add(n),
                ((x + y) as u8 / 2).wrapping_add(n),
            ])
        }))
    }

    #[test]
    fn flat_art_stays_png_with_a_palette() {
        let art = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 64, |x, _| {
            if x < 32 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        }));
        let encoded = encode(&art, None, 80, SourceFormat::Png).unwrap();
        assert_eq!(encoded.format, OutputFormat::Png);
        let decoded = image::load_from_memory(&encoded.bytes).unwrap();
        assert_eq!(decoded.to_rgb8(), art.to_rgb8());
    }

    #[test]
    fn transparency_stays_png_and_keeps_its_alpha() {
        let mut state = 7u32;
        let image = DynamicImage::ImageRgba8(RgbaImage::from_fn(48, 48, |x, y| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            Rgba([
                (state >> 16) as u8,
                x as u8,
                y as u8,
                if x < 24 { 0 } else { 255 },
            ])
        }));
        let encoded = encode(&image, None, 80, SourceFormat::Png).unwrap();
        assert_eq!(encoded.format, OutputFormat::Png);
        let decoded = image::load_from_memory(&encoded.bytes).unwrap().to_rgba8();
        assert_eq!(decoded, image.to_rgba8());
    }

    #[test]
    fn a_photo_saved_as_png_becomes_jpeg() {
        let encoded = encode(&noise(256, 192), None, 80, SourceFormat::Png).unwrap();
        assert_eq!(encoded.format, OutputFormat::Jpeg);
    }

    #[test]
    fn opaque_alpha_is_dropped_and_grayscale_is_honoured() {
        let rgba = DynamicImage::ImageRgba8(RgbaImage::from_pixel(4, 4, Rgba([10, 120, 30, 255])));
        assert!(matches!(
            normalize(rgba.clone(), false),
            DynamicImage::ImageRgb8(_)
        ));
        assert!(matches!(normalize(rgba, true), DynamicImage::ImageLuma8(_)));
    }

    /// A black-and-white photo as an RGB export writes it: grey with ±2 levels of chroma noise.
    fn grey_photo_as_rgb(width: u32, height: u32) -> DynamicImage {
        let mut state = 99u32;
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let v = ((x * 3 + y * 5) as u8).wrapping_add((state >> 16) as u8 % 32);
            let n = (state >> 24) as u8 % 3;
            Rgb([v.saturating_add(n), v, v.saturating_sub(n.min(1))])
        }))
    }

    #[test]
    fn neutral_rgb_pixels_become_one_channel_and_toned_ones_do_not() {
        assert!(matches!(
            normalize(grey_photo_as_rgb(32, 32), false),
            DynamicImage::ImageLuma8(_)
        ));
        let sepia = DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, Rgb([112, 94, 74])));
        assert!(matches!(
            normalize(sepia, false),
            DynamicImage::ImageRgb8(_)
        ));
    }

    #[test]
    fn a_jpeg_source_stays_jpeg_even_with_few_colours() {
        // Two colours: a palette PNG would be tiny, but a JPEG source is a photo.
        let art = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 64, |x, _| {
            if x < 32 {
                Rgb([200, 30, 30])
            } else {
                Rgb([30, 30, 200])
            }
        }));
        let encoded = encode(&art, None, 80, SourceFormat::Jpeg).unwrap();
        assert_eq!(encoded.format, OutputFormat::Jpeg);
        let grey = normalize(grey_photo_as_rgb(64, 64), false);
        let encoded = encode(&grey, None, 80, SourceFormat::Jpeg).unwrap();
        assert_eq!(encoded.format, OutputFormat::Jpeg);
        let decoded = image::load_from_memory(&encoded.bytes).unwrap();
        assert_eq!(decoded.color(), image::ColorType::L8, "one channel");
    }

    #[test]
    fn a_palette_png_is_chosen_only_when_not_larger_than_the_jpeg() {
        // 256 grey-ish but coloured levels in noise: a palette exists, yet the JPEG is smaller.
        let mut state = 3u32;
        let noisy = DynamicImage::ImageRgb8(RgbImage::from_fn(256, 256, |_, _| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let v = (state >> 16) as u8 & 0x7F;
            Rgb([v, v, v.wrapping_add(40)])
        }));
        assert!(palette_of(&noisy).is_some());
        let encoded = encode(&noisy, None, 80, SourceFormat::Png).unwrap();
        let jpeg = encode_jpeg(&noisy, None, 80).unwrap();
        let indexed = encode_png(&noisy, palette_of(&noisy), None, png::Compression::High).unwrap();
        assert_eq!(encoded.bytes.len(), jpeg.len().min(indexed.len()));
    }

    #[test]
    fn scaled_flat_art_is_mapped_back_onto_its_own_colours_when_smaller() {
        // Four-colour stripes with a diagonal, scaled by 3 %: resampling blends the edges.
        let colors = [[250, 250, 250], [20, 20, 20], [200, 40, 40], [40, 40, 200]];
        let art = DynamicImage::ImageRgb8(RgbImage::from_fn(400, 300, |x, y| {
            Rgb(colors[((x / 7 + y / 5 + (x + y) / 11) % 4) as usize])
        }));
        let palette = source_palette(&art, SourceFormat::Png).unwrap();
        assert_eq!(palette.len(), 4);
        let scaled = crate::images::resize::resize(art, (388, 291)).unwrap();
        assert!(palette_of(&scaled).is_none(), "resampling adds colours");
        let plain = encode(&scaled, None, 80, SourceFormat::Png).unwrap();
        let mapped =
            encode_scaled(&scaled, None, 80.into(), SourceFormat::Png, Some(&palette)).unwrap();
        assert_eq!(mapped.format, OutputFormat::Png);
        assert!(
            mapped.bytes.len() < plain.bytes.len(),
            "{} < {}",
            mapped.bytes.len(),
            plain.bytes.len()
        );
        let decoded = image::load_from_memory(&mapped.bytes).unwrap().to_rgb8();
        assert!(decoded.pixels().all(|p| colors.contains(&p.0)));
        // Not for JPEG sources (photos).
        assert_eq!(source_palette(&scaled, SourceFormat::Jpeg), None);
    }

    #[test]
    fn an_icc_profile_of_another_colour_space_is_not_kept() {
        let mut cmyk_profile = vec![0u8; 128];
        cmyk_profile[16..20].copy_from_slice(b"CMYK");
        let photo = noise(16, 16);
        assert!(!icc_matches(&cmyk_profile, &photo));
        cmyk_profile[16..20].copy_from_slice(b"RGB ");
        assert!(icc_matches(&cmyk_profile, &photo));
    }
}
