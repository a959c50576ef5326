//! Reading a file's container structure — JPEG segments, PNG chunks — without decoding pixels.
//!
//! The pipeline copies a source unchanged only when it is already small and *clean*: no
//! metadata but an ICC profile, and in a form every reader takes (baseline JPEG, still PNG).
//! Deciding that needs the list of blocks in the file, which is what this module gives; the
//! tests use it too, to prove outputs carry no EXIF, XMP or IPTC.

use super::decode::SourceFormat;

/// The segments of a JPEG up to its first scan, as (marker, payload); `None` if malformed.
pub fn jpeg_segments(bytes: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut rest = bytes.strip_prefix(&[0xFF, 0xD8])?;
    let mut segments = Vec::new();
    loop {
        // Markers may be preceded by fill bytes (0xFF).
        let start = rest.iter().position(|&b| b != 0xFF)?;
        if start == 0 {
            return None;
        }
        let marker = *rest.get(start)?;
        rest = rest.get(start + 1..)?;
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            continue;
        }
        let length = usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?]));
        let payload = rest.get(2..length)?;
        segments.push((marker, payload));
        rest = rest.get(length..)?;
        if marker == 0xDA {
            return Some(segments);
        }
    }
}

/// Whether a JPEG's image data runs to its end-of-image marker. A file cut short (an
/// interrupted copy or download) lacks it; zune-jpeg would quietly fill the missing rows with
/// grey. Inside the entropy-coded data every 0xFF byte is followed by 0x00 or a restart
/// marker, so the first 0xFF 0xD9 after the scan header is the real end, whatever follows it
/// (some phones append a video after the image).
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let Some(segments) = jpeg_segments(bytes) else {
        return false;
    };
    let Some(&(_, scan_header)) = segments.last() else {
        return false;
    };
    let scan_start = scan_header.as_ptr() as usize - bytes.as_ptr() as usize + scan_header.len();
    let Some(data) = bytes.get(scan_start..) else {
        return false;
    };
    data.iter()
        .enumerate()
        .filter(|&(_, &byte)| byte == 0xFF)
        .any(|(at, _)| data.get(at + 1) == Some(&0xD9))
}

/// The chunks of a PNG, as (type, data); `None` if malformed.
pub fn png_chunks(bytes: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    let mut rest = bytes.strip_prefix(b"\x89PNG\r\n\x1a\n")?;
    let mut chunks = Vec::new();
    while !rest.is_empty() {
        let length = u32::from_be_bytes(rest.get(0..4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        let data = rest.get(8..8usize.checked_add(length)?)?;
        chunks.push((kind, data));
        rest = rest.get(12usize.checked_add(length)?..)?;
        if &kind == b"IEND" {
            break;
        }
    }
    Some(chunks)
}

/// Whether `bytes` may go into the book unchanged: nothing but pixels, an ICC profile and
/// colour/format facts, in a form every e-reader decodes.
pub fn is_clean(bytes: &[u8], format: SourceFormat) -> bool {
    match format {
        SourceFormat::Jpeg => jpeg_segments(bytes).is_some_and(|segments| {
            segments.iter().all(|&(marker, payload)| match marker {
                // JFIF header (without its optional thumbnail).
                0xE0 => payload.starts_with(b"JFIF\0") && payload.get(12..14) == Some(&[0, 0]),
                0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
                // Adobe colour transform flag: needed to read the colours right.
                0xEE => payload.starts_with(b"Adobe"),
                // Baseline and extended sequential frames with 1 or 3 components; not
                // progressive (some readers mishandle it) and not CMYK.
                0xC0 | 0xC1 => matches!(payload.get(5), Some(1 | 3)),
                0xC4 | 0xDB | 0xDD | 0xDA => true,
                _ => false,
            })
        }),
        SourceFormat::Png => png_chunks(bytes).is_some_and(|chunks| {
            chunks.iter().all(|(kind, _)| {
                matches!(
                    kind,
                    b"IHDR"
                        | b"PLTE"
                        | b"IDAT"
                        | b"IEND"
                        | b"tRNS"
                        | b"iCCP"
                        | b"sRGB"
                        | b"gAMA"
                        | b"cHRM"
                        | b"sBIT"
                )
            })
        }),
        // GIF comments and application blocks (XMP lives there) are not inspected yet, so GIF
        // and the rest are always re-encoded.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF, marker];
        bytes.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    fn jpeg_with(segments: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        for s in segments {
            bytes.extend_from_slice(s);
        }
        bytes.extend(segment(
            0xC0,
            &[8, 0, 1, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        bytes.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        bytes
    }

    #[test]
    fn a_jpeg_with_only_jfif_and_icc_is_clean() {
        let jfif = segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01profile");
        assert!(is_clean(&jpeg_with(&[jfif, icc]), SourceFormat::Jpeg));
    }

    #[test]
    fn exif_xmp_iptc_and_comments_make_a_jpeg_unclean() {
        for (marker, payload) in [
            (0xE1, &b"Exif\0\0II*\0"[..]),
            (0xE1, &b"http://ns.adobe.com/xap/1.0/\0<x/>"[..]),
            (0xED, &b"Photoshop 3.0\0"[..]),
            (0xFE, &b"a comment"[..]),
        ] {
            let bytes = jpeg_with(&[segment(marker, payload)]);
            assert!(!is_clean(&bytes, SourceFormat::Jpeg), "marker {marker:#x}");
        }
    }

    #[test]
    fn a_jpeg_without_its_end_marker_is_incomplete() {
        let mut whole = jpeg_with(&[]);
        whole.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9, 0xAA]);
        assert!(jpeg_is_complete(&whole));
        assert!(!jpeg_is_complete(&whole[..whole.len() - 3]));
    }

    #[test]
    fn truncated_files_are_not_clean() {
        let bytes = jpeg_with(&[]);
        assert!(!is_clean(&bytes[..bytes.len() - 3], SourceFormat::Jpeg));
        assert!(!is_clean(b"\x89PNG\r\n\x1a\n\0\0", SourceFormat::Png));
    }
}
