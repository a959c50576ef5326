//! sRGB out: every picture leaves the pipeline in sRGB, without a colour profile.
//!
//! Most e-readers and many reading apps ignore ICC profiles and show every pixel as if it were
//! sRGB, so an Adobe RGB or Display P3 photo (iPhones shoot P3) looks washed out, and a
//! ProPhoto one looks grey, unless its pixels are converted (issue 11, item 5). The conversion
//! runs here, right after decoding and before anything mixes pixels (greying, resizing), with
//! `moxcms`, a complete colour-management engine in Rust (matrix/shaper and LUT profiles, RGB,
//! grey and CMYK), which the `image` crate already depends on; its results agree with
//! LittleCMS within a level or two (`tests/it/photos.rs` checks that against Pillow's ImageCms).
//! The rendering intent is perceptual, LittleCMS's and Photoshop's default for photos.
//!
//! The output carries no profile: once the pixels are sRGB, "no profile" means sRGB to every
//! reader, and a profile costs bytes (3 kB for sRGB). So the pipeline drops whatever profile
//! the source had, converted or not:
//!
//! - an sRGB profile (or one that maps every tested colour to itself within a level) changes
//!   nothing and is skipped, so most photos cost no conversion at all;
//! - a profile that cannot be read (damaged, truncated, of a kind moxcms does not handle) is
//!   ignored, as browsers ignore it: the pixels are taken to be sRGB;
//! - a grey image with a grey profile stays grey (converted through sRGB's tone curve);
//! - CMYK JPEGs are converted by their profile. A CMYK JPEG without one has no defined colour;
//!   it is converted the way browsers and Pillow do (`R = (1 − C)(1 − K)` per channel), because
//!   no CMYK characterisation under a licence compatible with bindery's is at hand (the usual
//!   choices, Ghostscript's SWOP profile and the FOGRA/GRACoL sets, are AGPL or not
//!   redistributable). Export from the layout program with a profile to get exact colours.

use image::{DynamicImage, GrayAlphaImage, GrayImage, RgbImage};
use moxcms::{
    ColorProfile, DataColorSpace, Layout, ParsingOptions, RenderingIntent, TransformOptions,
};

/// Largest ICC profile read. Camera and monitor profiles are a few kB, print profiles (CMYK,
/// with big lookup tables) up to about 2 MB; beyond that a profile is refused as a bomb and
/// ignored.
pub const MAX_PROFILE_BYTES: usize = 4 * 1024 * 1024;
/// Largest lookup table a profile may declare (moxcms' limit, made smaller: 4 MB covers a
/// 33⁴-point CMYK table of 16-bit values with room to spare).
const MAX_CLUT_BYTES: usize = 4 * 1024 * 1024;

/// What happened to the colours of one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourOutcome {
    /// No profile, or an sRGB one: the pixels were already right.
    AlreadySrgb,
    /// Converted from the embedded profile to sRGB.
    Converted,
    /// The profile could not be used (damaged, or for another colour space than the pixels):
    /// the pixels are taken as sRGB, as browsers do.
    ProfileIgnored,
}

fn parse(profile: &[u8]) -> Option<ColorProfile> {
    let options = ParsingOptions {
        max_profile_size: MAX_PROFILE_BYTES,
        max_allowed_clut_size: MAX_CLUT_BYTES,
        ..ParsingOptions::default()
    };
    ColorProfile::new_from_slice_with_options(profile, options).ok()
}

fn options() -> TransformOptions {
    TransformOptions {
        rendering_intent: RenderingIntent::Perceptual,
        ..TransformOptions::default()
    }
}

/// Converts `image` from the colour space `profile` describes to sRGB, in place of the
/// original. The result has the layout of the input, at 8 bits a sample for anything the
/// conversion touched (the pipeline writes 8-bit files anyway).
pub fn to_srgb(image: DynamicImage, profile: Option<&[u8]>) -> (DynamicImage, ColourOutcome) {
    let Some(profile) = profile.and_then(parse) else {
        let outcome = match profile {
            Some(_) => ColourOutcome::ProfileIgnored,
            None => ColourOutcome::AlreadySrgb,
        };
        return (image, outcome);
    };
    let srgb = ColorProfile::new_srgb();
    let has_colour = image.color().has_color();
    match (profile.color_space, has_colour) {
        (DataColorSpace::Rgb, true) => {
            if is_identity(&profile, &srgb) {
                return (image, ColourOutcome::AlreadySrgb);
            }
            match convert_rgb(image, &profile, &srgb) {
                Ok(converted) => (converted, ColourOutcome::Converted),
                // Half-converted at worst, which a failing engine should never leave; the
                // pixels are used as they are.
                Err(image) => (image, ColourOutcome::ProfileIgnored),
            }
        }
        (DataColorSpace::Gray, false) => match convert_grey(&image, &profile, &srgb) {
            Some(converted) => (converted, ColourOutcome::Converted),
            None => (image, ColourOutcome::ProfileIgnored),
        },
        // An RGB profile on grey pixels (or the reverse), a CMYK profile on RGB pixels: the
        // file contradicts itself; the pixels win.
        _ => (image, ColourOutcome::ProfileIgnored),
    }
}

/// Whether `profile` maps a spread of colours to themselves in sRGB (within one level): an
/// sRGB profile under another name (there are many versions of it), which needs no work.
fn is_identity(profile: &ColorProfile, srgb: &ColorProfile) -> bool {
    let Ok(transform) = profile.create_transform_8bit(Layout::Rgb, srgb, Layout::Rgb, options())
    else {
        return false;
    };
    const STEPS: [u8; 8] = [0, 17, 51, 102, 153, 204, 238, 255];
    let mut probe = Vec::with_capacity(STEPS.len().pow(3) * 3);
    for r in STEPS {
        for g in STEPS {
            for b in STEPS {
                probe.extend_from_slice(&[r, g, b]);
            }
        }
    }
    let mut out = vec![0u8; probe.len()];
    transform.transform(&probe, &mut out).is_ok()
        && probe.iter().zip(&out).all(|(a, b)| a.abs_diff(*b) <= 1)
}

/// Pixels per conversion chunk: the only extra memory the conversion takes (a few hundred
/// kB), whatever the image's size, since the result is copied back in place.
const CHUNK_PIXELS: usize = 64 * 1024;

fn convert_rgb(
    image: DynamicImage,
    profile: &ColorProfile,
    srgb: &ColorProfile,
) -> Result<DynamicImage, DynamicImage> {
    // 8 bits a sample first (16-bit sources become 8-bit in the pipeline anyway), then in
    // place, chunk by chunk.
    let (layout, channels, mut image) = if image.color().has_alpha() {
        let pixels = match image {
            DynamicImage::ImageRgba8(pixels) => pixels,
            other => other.into_rgba8(),
        };
        (Layout::Rgba, 4, DynamicImage::ImageRgba8(pixels))
    } else {
        let pixels = match image {
            DynamicImage::ImageRgb8(pixels) => pixels,
            other => other.into_rgb8(),
        };
        (Layout::Rgb, 3, DynamicImage::ImageRgb8(pixels))
    };
    let Ok(transform) = profile.create_transform_8bit(layout, srgb, layout, options()) else {
        return Err(image);
    };
    let samples: &mut [u8] = match &mut image {
        DynamicImage::ImageRgba8(pixels) => pixels,
        DynamicImage::ImageRgb8(pixels) => pixels,
        _ => return Err(image),
    };
    let mut converted = vec![0u8; CHUNK_PIXELS * channels];
    for chunk in samples.chunks_mut(CHUNK_PIXELS * channels) {
        let out = &mut converted[..chunk.len()];
        if transform.transform(chunk, out).is_err() {
            return Err(image);
        }
        chunk.copy_from_slice(out);
    }
    Ok(image)
}

/// Grey through the profile's tone curve to sRGB and back to one channel: the grey profile's
/// white is neutral, so the three sRGB channels agree and the green one (the closest to
/// lightness) is kept.
fn convert_grey(
    image: &DynamicImage,
    profile: &ColorProfile,
    srgb: &ColorProfile,
) -> Option<DynamicImage> {
    let (width, height) = (image.width(), image.height());
    let transform = profile
        .create_transform_8bit(Layout::Gray, srgb, Layout::Rgb, options())
        .ok()?;
    let (grey, alpha) = if image.color().has_alpha() {
        let pixels = image.to_luma_alpha8();
        let grey: Vec<u8> = pixels.pixels().map(|p| p.0[0]).collect();
        let alpha: Vec<u8> = pixels.pixels().map(|p| p.0[1]).collect();
        (grey, Some(alpha))
    } else {
        (image.to_luma8().into_raw(), None)
    };
    let mut rgb = vec![0u8; grey.len() * 3];
    transform.transform(&grey, &mut rgb).ok()?;
    let grey: Vec<u8> = rgb.chunks_exact(3).map(|p| p[1]).collect();
    match alpha {
        None => GrayImage::from_raw(width, height, grey).map(DynamicImage::ImageLuma8),
        Some(alpha) => {
            let pixels = grey
                .into_iter()
                .zip(alpha)
                .flat_map(|(g, a)| [g, a])
                .collect();
            GrayAlphaImage::from_raw(width, height, pixels).map(DynamicImage::ImageLumaA8)
        }
    }
}

/// An ICC profile for an image described by CICP code points (H.273: colour primaries and
/// transfer characteristics, as HEIF's `nclx` box and AVIF give them), or `None` for sRGB
/// itself and for codes moxcms does not know.
pub fn profile_from_cicp(primaries: u8, transfer: u8) -> Option<Vec<u8>> {
    use moxcms::{CicpColorPrimaries, CicpProfile, MatrixCoefficients, TransferCharacteristics};
    let color_primaries = CicpColorPrimaries::try_from(primaries).ok().filter(|p| {
        !matches!(
            p,
            CicpColorPrimaries::Reserved | CicpColorPrimaries::Unspecified
        )
    })?;
    // Unspecified transfer (2): the sRGB curve, what such files are written with.
    let transfer_characteristics =
        TransferCharacteristics::try_from(transfer).unwrap_or(TransferCharacteristics::Srgb);
    if color_primaries == CicpColorPrimaries::Bt709
        && matches!(
            transfer_characteristics,
            TransferCharacteristics::Srgb | TransferCharacteristics::Bt709
        )
    {
        return None;
    }
    let profile = ColorProfile::new_from_cicp(CicpProfile {
        color_primaries,
        transfer_characteristics,
        matrix_coefficients: MatrixCoefficients::Bt709,
        full_range: true,
    });
    profile.encode().ok()
}

/// CMYK samples (0 = no ink, four bytes a pixel) to sRGB through `profile`, or by the naive
/// formula when there is no usable CMYK profile (see the module docs).
pub fn cmyk_to_srgb(
    cmyk: &[u8],
    width: u32,
    height: u32,
    profile: Option<&[u8]>,
) -> (RgbImage, ColourOutcome) {
    let parsed = profile
        .and_then(parse)
        .filter(|p| p.color_space == DataColorSpace::Cmyk);
    if let Some(profile) = parsed {
        let srgb = ColorProfile::new_srgb();
        if let Ok(transform) =
            profile.create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgb, options())
        {
            let mut rgb = vec![0u8; cmyk.len() / 4 * 3];
            if transform.transform(cmyk, &mut rgb).is_ok()
                && let Some(image) = RgbImage::from_raw(width, height, rgb)
            {
                return (image, ColourOutcome::Converted);
            }
        }
    }
    let rgb: Vec<u8> = cmyk
        .chunks_exact(4)
        .flat_map(|p| {
            let white = 255 - u16::from(p[3]);
            let channel = |ink: u8| ((255 - u16::from(ink)) * white + 127) / 255;
            // At most 255·255/255: fits a byte.
            [p[0], p[1], p[2]].map(|ink| u8::try_from(channel(ink)).unwrap_or(u8::MAX))
        })
        .collect();
    let outcome = match profile {
        Some(_) => ColourOutcome::ProfileIgnored,
        None => ColourOutcome::AlreadySrgb,
    };
    let image = RgbImage::from_raw(width, height, rgb)
        .unwrap_or_else(|| RgbImage::new(width.max(1), height.max(1)));
    (image, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn profile_bytes(profile: &ColorProfile) -> Vec<u8> {
        profile.encode().expect("moxcms writes its own profiles")
    }

    #[test]
    fn srgb_is_left_alone_and_adobe_rgb_is_converted() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(2, 2, Rgb([0, 200, 0])));
        let srgb = profile_bytes(&ColorProfile::new_srgb());
        let (same, outcome) = to_srgb(image.clone(), Some(&srgb));
        assert_eq!(outcome, ColourOutcome::AlreadySrgb);
        assert_eq!(same.to_rgb8(), image.to_rgb8());

        let adobe = profile_bytes(&ColorProfile::new_adobe_rgb());
        let (converted, outcome) = to_srgb(image, Some(&adobe));
        assert_eq!(outcome, ColourOutcome::Converted);
        // Adobe RGB's green lies outside sRGB: the red and blue channels must go negative
        // (clipped to 0) and green stays high.
        let pixel = converted.to_rgb8().get_pixel(0, 0).0;
        assert!(pixel[1] > 190 && pixel[0] == 0, "{pixel:?}");
    }

    #[test]
    fn a_damaged_or_mismatched_profile_is_ignored() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(2, 2, Rgb([10, 20, 30])));
        let (same, outcome) = to_srgb(image.clone(), Some(b"not a profile at all"));
        assert_eq!(outcome, ColourOutcome::ProfileIgnored);
        assert_eq!(same.to_rgb8(), image.to_rgb8());

        let grey = profile_bytes(&ColorProfile::new_gray_with_gamma(2.2));
        let (_, outcome) = to_srgb(image, Some(&grey));
        assert_eq!(outcome, ColourOutcome::ProfileIgnored);
    }

    #[test]
    fn grey_stays_grey() {
        let image = DynamicImage::ImageLuma8(GrayImage::from_fn(16, 1, |x, _| {
            image::Luma([(x * 16) as u8])
        }));
        let grey = profile_bytes(&ColorProfile::new_gray_with_gamma(1.8));
        let (converted, outcome) = to_srgb(image, Some(&grey));
        assert_eq!(outcome, ColourOutcome::Converted);
        assert!(matches!(converted, DynamicImage::ImageLuma8(_)));
        // Gamma 1.8 mid-tones are lighter in sRGB terms.
        assert!(converted.to_luma8().get_pixel(8, 0).0[0] > 128);
    }

    #[test]
    fn cmyk_without_a_profile_uses_the_browsers_formula() {
        let cmyk = [0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 0, 128, 255, 64];
        let (rgb, outcome) = cmyk_to_srgb(&cmyk, 4, 1, None);
        assert_eq!(outcome, ColourOutcome::AlreadySrgb);
        assert_eq!(
            rgb.into_raw(),
            vec![255, 255, 255, 0, 255, 255, 0, 0, 0, 191, 95, 0]
        );
    }
}
