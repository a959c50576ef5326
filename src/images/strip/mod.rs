//! Rebuilding a JPEG, PNG or WebP from its parsed structure, so that only what bindery chose to
//! keep goes any further (issue 10, item 2; WebP: issue 11, item 2).
//!
//! A file "copied as it is" used to be the source bytes, and with them whatever rode along:
//! a second, GPS-tagged JPEG appended after the end-of-image marker (phones append videos and
//! depth maps this way), text after a PNG's `IEND`, comments, XMP in a PNG `iTXt`. Now the file
//! is walked block by block from its signature to its end marker, and a new file is written
//! from the blocks that carry the image: nothing after the end marker, no block the walker
//! does not know, no metadata but the ICC profile.
//!
//! The same walk also bounds memory before any decoder runs: a compressed ICC profile (PNG
//! `iCCP`) is inflated here with a cap of [`MAX_ICC_BYTES`], so a 1 MB file whose profile
//! inflates to a gigabyte is refused after one mebibyte of work; PNG text chunks (`tEXt`,
//! `zTXt`, `iTXt`) never reach a decoder, so they are never inflated at all.
//!
//! Two uses, two sets of blocks ([`Keep`]): the copy that is decoded keeps what decoding
//! needs to get the picture right (the EXIF orientation, the APNG frame chunks); the copy
//! that may go into the book keeps only pixels, the ICC profile and colour facts.

mod gif;
mod jpeg;
mod png;
mod webp;

use std::borrow::Cow;

use super::decode::SourceFormat;

pub use gif::rebuild_gif;
#[cfg(test)]
pub(crate) use jpeg::segment as jpeg_segment;
pub use jpeg::{JpegFrame, rebuild_jpeg};
pub use png::rebuild_png;
pub use webp::rebuild_webp;

/// Largest ICC profile accepted, decompressed. Real profiles are far smaller (sRGB 3 kB,
/// Display P3 and Adobe RGB under 1 kB, camera and print profiles a few hundred kB); the cap
/// makes an inflation bomb in a PNG `iCCP` chunk cost at most this much.
pub const MAX_ICC_BYTES: usize = 1 << 20;

/// Which blocks a rebuilt file keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// For the decoder: the image, the ICC profile, and the EXIF block (JPEG APP1 `Exif`, PNG
    /// `eXIf`) the orientation is read from, and APNG's frame chunks.
    Decoding,
    /// For the book: the image, the ICC profile and colour facts; nothing else.
    Output,
}

/// A rebuilt file and what was found on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    pub bytes: Vec<u8>,
    /// JPEG only: the frame header.
    pub frame: Option<JpegFrame>,
    /// PNG: an `acTL` chunk (an animated PNG) was present; WebP: `ANIM` or `ANMF` was.
    pub animated: bool,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StripError {
    #[error("the image file is damaged or incomplete: {0}")]
    Malformed(&'static str),
    #[error(
        "the image's ICC colour profile is larger than {} MiB once decompressed; real profiles are a few kB",
        MAX_ICC_BYTES >> 20
    )]
    IccTooLarge,
}

/// `bytes` rebuilt with only the blocks `keep` allows, for JPEG, PNG and WebP; other formats
/// are returned as they are (the pipeline always re-encodes them, so nothing of theirs is
/// copied).
pub fn rebuild(
    bytes: &[u8],
    format: SourceFormat,
    keep: Keep,
) -> Result<Cow<'_, [u8]>, StripError> {
    match format {
        SourceFormat::Jpeg => Ok(Cow::Owned(rebuild_jpeg(bytes, keep)?.bytes)),
        SourceFormat::Png => Ok(Cow::Owned(rebuild_png(bytes, keep)?.bytes)),
        SourceFormat::WebP => Ok(Cow::Owned(rebuild_webp(bytes, keep)?.bytes)),
        _ => Ok(Cow::Borrowed(bytes)),
    }
}
