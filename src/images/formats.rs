//! Image formats bindery does not read, recognised by their first bytes and named, with what
//! to do about each (issue 10, item 9; issue 11, item 6).
//!
//! "Not an image format bindery can read" leaves an author guessing; an iPhone photographer
//! does not know their photos are HEIC. So the formats people actually drop into a book folder
//! are told apart here — phone photos (HEIC/HEIF, AVIF), scans and print files (TIFF, PSD),
//! old Windows bitmaps (BMP), JPEG XL — and each message says what the file is and how to get
//! a JPEG or PNG out of it. HEIC, HEIF and AVIF are read when bindery is built with the `heif`
//! feature (see `heif.rs`); then they never reach this module's refusal.

/// A format recognised and refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// HEIC/HEIF (iPhones and many Android phones) in a build without the `heif` feature.
    Heic,
    /// AVIF in a build without the `heif` feature.
    Avif,
    Tiff,
    Bmp,
    JpegXl,
    /// A Photoshop document.
    Psd,
    Jpeg2000,
    /// A JPEG using a part of the standard cameras and editors never write (12-bit samples,
    /// lossless, hierarchical or arithmetic coding): named by what it uses.
    JpegFeature(&'static str),
    /// Another format the `image` crate recognises but bindery does not decode (its usual
    /// file extension).
    Other(&'static str),
}

impl Unreadable {
    /// What the file is, as the error line says it.
    pub fn message(self) -> String {
        match self {
            Unreadable::Heic => {
                "this is a HEIC/HEIF photo (the format iPhones and many phones shoot), which this build of bindery does not read".into()
            }
            Unreadable::Avif => {
                "this is an AVIF image, which this build of bindery does not read".into()
            }
            Unreadable::Tiff => "this is a TIFF image, a format bindery does not read".into(),
            Unreadable::Bmp => "this is a BMP (Windows bitmap) image, a format bindery does not read".into(),
            Unreadable::JpegXl => "this is a JPEG XL image, a format bindery does not read".into(),
            Unreadable::Psd => "this is a Photoshop document (PSD), not an image for a book".into(),
            Unreadable::Jpeg2000 => "this is a JPEG 2000 image, a format bindery does not read".into(),
            Unreadable::JpegFeature(feature) => format!(
                "this JPEG uses {feature}, a part of the JPEG standard bindery does not decode"
            ),
            Unreadable::Other(extension) => format!(
                "this is a {} image, a format bindery does not read",
                extension.to_uppercase()
            ),
        }
    }

    /// How to get a file bindery reads.
    pub fn help(self) -> &'static str {
        match self {
            Unreadable::Heic => {
                "install bindery with HEIC support (`cargo install bindery --features heif`, which needs libheif), or export the photo as JPEG (on an iPhone: Settings › Camera › Formats › Most Compatible; in Photos on a Mac: File › Export)"
            }
            Unreadable::Avif => {
                "install bindery with AVIF support (`cargo install bindery --features heif`, which needs libheif), or export the image as JPEG"
            }
            Unreadable::Tiff => {
                "export it as JPEG (photos and scans) or PNG (drawings), for example `magick in.tif out.jpg`"
            }
            Unreadable::Bmp => "convert it to PNG, for example `magick in.bmp out.png`",
            Unreadable::JpegXl => "convert it to JPEG, for example `djxl in.jxl out.jpg`",
            Unreadable::Psd => {
                "export it from Photoshop as JPEG (photos) or PNG (drawings): File › Export › Export As"
            }
            Unreadable::JpegFeature(_) => {
                "open it in an image editor and save it again as an ordinary JPEG (8 bits, baseline or progressive)"
            }
            Unreadable::Jpeg2000 | Unreadable::Other(_) => {
                "convert it to JPEG (photos) or PNG (drawings, screenshots); bindery reads JPEG, PNG, GIF and WebP"
            }
        }
    }
}

/// What an unsupported JPEG feature is called in a message.
pub fn jpeg_feature(feature: &jpeg_decoder::UnsupportedFeature) -> Unreadable {
    use jpeg_decoder::UnsupportedFeature as F;
    Unreadable::JpegFeature(match feature {
        F::SamplePrecision(_) => "12- or 16-bit samples",
        F::Hierarchical => "hierarchical coding",
        F::ArithmeticEntropyCoding => "arithmetic coding",
        F::ComponentCount(_) => "an unusual number of colour channels",
        _ => "an unusual layout",
    })
}

/// The refused format `bytes` begin with, if any. HEIC/HEIF/AVIF count only in builds without
/// the `heif` feature.
pub fn recognise(bytes: &[u8]) -> Option<Unreadable> {
    if let Some(family) = heif_family(bytes) {
        return (!cfg!(feature = "heif")).then_some(family);
    }
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        Some(Unreadable::Tiff)
    } else if starts(b"BM") && bytes.len() >= 26 {
        Some(Unreadable::Bmp)
    } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        Some(Unreadable::JpegXl)
    } else if starts(b"8BPS") {
        Some(Unreadable::Psd)
    } else if starts(b"\0\0\0\x0cjP  \r\n\x87\n") || starts(&[0xFF, 0x4F, 0xFF, 0x51]) {
        Some(Unreadable::Jpeg2000)
    } else {
        None
    }
}

/// HEIC/HEIF or AVIF, from the ISO base media `ftyp` box: its major brand, or any compatible
/// brand (phones write `mif1` first and `heic` after it).
pub fn heif_family(bytes: &[u8]) -> Option<Unreadable> {
    if bytes.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = usize::try_from(u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?)).ok()?;
    let ftyp = bytes.get(8..size.clamp(16, 256).min(bytes.len()))?;
    let mut brands = ftyp
        .chunks_exact(4)
        .enumerate()
        // The second word is the minor version, not a brand.
        .filter(|&(at, _)| at != 1)
        .map(|(_, brand)| brand);
    let mut heic = false;
    let mut avif = false;
    for brand in brands.by_ref() {
        match brand {
            b"avif" | b"avis" => avif = true,
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1"
            | b"mif2" => heic = true,
            _ => {}
        }
    }
    if avif {
        Some(Unreadable::Avif)
    } else if heic {
        Some(Unreadable::Heic)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(brands: &[&[u8; 4]]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let size = 8 + 4 * (brands.len() + 1);
        bytes.extend_from_slice(&u32::try_from(size).unwrap().to_be_bytes());
        bytes.extend_from_slice(b"ftyp");
        bytes.extend_from_slice(brands[0]);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        for brand in &brands[1..] {
            bytes.extend_from_slice(*brand);
        }
        bytes.extend_from_slice(b"\0\0\0\x08meta");
        bytes
    }

    #[test]
    fn phone_formats_are_told_apart_by_their_brands() {
        assert_eq!(
            heif_family(&ftyp(&[b"heic", b"mif1", b"heic"])),
            Some(Unreadable::Heic)
        );
        assert_eq!(
            heif_family(&ftyp(&[b"mif1", b"heic"])),
            Some(Unreadable::Heic)
        );
        assert_eq!(
            heif_family(&ftyp(&[b"avif", b"mif1"])),
            Some(Unreadable::Avif)
        );
        assert_eq!(heif_family(&ftyp(&[b"isom", b"mp41"])), None);
    }

    #[test]
    fn print_and_legacy_formats_are_named() {
        assert_eq!(recognise(b"II*\0\x08\0\0\0"), Some(Unreadable::Tiff));
        assert_eq!(recognise(b"8BPS\0\x01"), Some(Unreadable::Psd));
        assert_eq!(recognise(&[0xFF, 0x0A, 0xFA]), Some(Unreadable::JpegXl));
        assert_eq!(recognise(b"\xFF\xD8\xFF\xE0"), None);
        assert!(Unreadable::Heic.help().contains("--features heif"));
    }
}
