//! HEIC/HEIF and AVIF photos, through the system's libheif (cargo feature `heif`).
//!
//! HEIC is what iPhones (and many Android phones) shoot; AVIF is its AV1 sibling. Neither has a
//! maintained pure-Rust decoder, so bindery reads them with libheif — the library GNOME, GIMP,
//! ImageMagick and Pillow's HEIF plugin use — through `libheif-rs`. It is a C library with its
//! own codecs (libde265 for HEVC, dav1d or libaom for AV1), so it stays behind a feature: a
//! default build names these formats and says how to get them (`formats.rs`).
//!
//! `libheif-rs` is pinned to 0.19 with `libheif-sys` 1.14, the newest pair that links against
//! libheif 1.15, the version Debian 12 ships (the later ones require libheif 1.16 or 1.17).
//!
//! libheif applies the container's geometric transformations (`irot`, `imir`, `clap`) while
//! decoding, so the pixels come out upright: the EXIF orientation inside a HEIC must then be
//! ignored, as the HEIF standard says (applying it too would turn an iPhone portrait twice).
//! The colour profile is the file's ICC profile (iPhones embed Display P3) or, for an `nclx`
//! description, one built from its primaries and transfer curve; either way `colour.rs`
//! converts the pixels to sRGB afterwards.

use image::metadata::Orientation;
use image::{DynamicImage, RgbImage, RgbaImage};
use libheif_rs::{ColorProfile, ColorSpace, HeifContext, LibHeif, RgbChroma, color_profile_types};

use super::colour::{self, ColourOutcome};
use super::decode::{DecodeError, Decoded, MAX_DECODED_BYTES, SourceFormat, check_size};
use super::formats::{self, Unreadable};

/// Decodes the primary image of a HEIF/AVIF file, upright, with its colour profile.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let name = match formats::heif_family(bytes) {
        Some(Unreadable::Avif) => "AVIF",
        _ => "HEIC",
    };
    let corrupt = |error: libheif_rs::HeifError| DecodeError::Corrupt(error.to_string());
    let lib = LibHeif::new();
    let context = HeifContext::read_from_bytes(bytes).map_err(corrupt)?;
    let handle = context.primary_image_handle().map_err(corrupt)?;
    // The size after libheif's rotation and cropping: what the decode returns.
    let size = (handle.width(), handle.height());
    check_size(size.0, size.1)?;
    let alpha = handle.has_alpha_channel();
    let channels: u64 = if alpha { 4 } else { 3 };
    // libheif holds the decoded YCbCr planes (1.5 bytes a pixel at 4:2:0) beside the RGB
    // result; count both against the budget.
    let pixels = u64::from(size.0) * u64::from(size.1);
    let bytes_needed = pixels * channels + pixels * 3 / 2;
    if bytes_needed > MAX_DECODED_BYTES {
        return Err(DecodeError::TooMuchMemory {
            width: size.0,
            height: size.1,
            bytes: bytes_needed,
            format: name,
        });
    }
    let icc_profile = match handle.color_profile_raw() {
        Some(raw)
            if raw.profile_type() == color_profile_types::PROF
                || raw.profile_type() == color_profile_types::R_ICC =>
        {
            Some(raw.data)
        }
        _ => handle.color_profile_nclx().and_then(|nclx| {
            colour::profile_from_cicp(
                nclx.color_primaries() as u8,
                nclx.transfer_characteristics() as u8,
            )
        }),
    };
    let chroma = if alpha {
        RgbChroma::Rgba
    } else {
        RgbChroma::Rgb
    };
    let decoded = lib
        .decode(&handle, ColorSpace::Rgb(chroma), None)
        .map_err(corrupt)?;
    let planes = decoded.planes();
    let Some(plane) = planes.interleaved else {
        return Err(DecodeError::Corrupt("libheif returned no pixels".into()));
    };
    let (width, height) = (plane.width, plane.height);
    let row = usize::try_from(u64::from(width) * channels)
        .map_err(|_| DecodeError::TooLarge { width, height })?;
    let mut packed = Vec::with_capacity(row * height as usize);
    for line in plane.data.chunks(plane.stride).take(height as usize) {
        let Some(samples) = line.get(..row) else {
            return Err(DecodeError::Corrupt("libheif returned a short row".into()));
        };
        packed.extend_from_slice(samples);
    }
    let short = || DecodeError::Corrupt("fewer pixels than the header promised".into());
    let image = if alpha {
        DynamicImage::ImageRgba8(RgbaImage::from_raw(width, height, packed).ok_or_else(short)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, packed).ok_or_else(short)?)
    };
    Ok(Decoded {
        image,
        stored_size: (width, height),
        orientation: Orientation::NoTransforms,
        icc_profile,
        format: SourceFormat::Heif,
        colour: ColourOutcome::AlreadySrgb,
    })
}
