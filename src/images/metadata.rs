//! Reading a file's container structure — JPEG segments, PNG chunks — without decoding pixels.
//!
//! The tests use it to prove outputs carry no EXIF, XMP or IPTC, and the decoder to tell a
//! whole JPEG from one cut short. (Rebuilding a file from its blocks, for the copy-as-is path,
//! is `strip`'s.)

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::strip::jpeg_segment as segment;

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
    fn a_jpeg_without_its_end_marker_is_incomplete() {
        let mut whole = jpeg_with(&[]);
        whole.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9, 0xAA]);
        assert!(jpeg_is_complete(&whole));
        assert!(!jpeg_is_complete(&whole[..whole.len() - 3]));
    }
}
