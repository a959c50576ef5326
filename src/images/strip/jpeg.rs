//! JPEG: every segment walked, scans included, up to the end-of-image marker.

use super::{Keep, MAX_ICC_BYTES, Rebuilt, StripError};

const TRUNCATED: StripError = StripError::Malformed("the file ends before the image data does");

/// What the walk learned about a JPEG's frame, for the copy-as-is decision and the memory
/// estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JpegFrame {
    /// The start-of-frame marker (0xC0 baseline, 0xC1 extended, 0xC2 progressive, …).
    pub sof: u8,
    pub precision: u8,
    pub width: u32,
    pub height: u32,
    /// Per component: (horizontal, vertical) sampling factors.
    pub sampling: [(u8, u8); 4],
    pub components: u8,
}

impl JpegFrame {
    /// Progressive frames keep every DCT coefficient of the image until the last scan.
    pub fn is_progressive(&self) -> bool {
        matches!(self.sof, 0xC2 | 0xC6 | 0xCA | 0xCE)
    }

    /// A frame every e-reader decodes: Huffman-coded, 8-bit, grey or YCbCr, baseline or
    /// progressive (both are the JPEG every camera and browser writes; arithmetic coding and
    /// 12-bit samples are not).
    pub fn is_common(&self) -> bool {
        matches!(self.sof, 0xC0..=0xC2) && self.precision == 8 && matches!(self.components, 1 | 3)
    }
}

/// Walks every segment of a JPEG, scans included, up to its end-of-image marker.
pub fn rebuild_jpeg(bytes: &[u8], keep: Keep) -> Result<Rebuilt, StripError> {
    let mut rest = bytes
        .strip_prefix(&[0xFF, 0xD8])
        .ok_or(StripError::Malformed("no JPEG start marker"))?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut frame = None;
    let mut seen = SeenSegments::default();
    loop {
        let marker = next_marker(&mut rest)?;
        match marker {
            0xD9 => {
                if frame.is_none() {
                    return Err(StripError::Malformed("the JPEG has no image data"));
                }
                out.extend_from_slice(&[0xFF, 0xD9]);
                // Whatever follows the end marker is not part of this image.
                return Ok(Rebuilt {
                    bytes: out,
                    frame,
                    animated: false,
                });
            }
            // Standalone markers without a length; outside a scan they carry nothing.
            0x01 | 0xD0..=0xD7 => continue,
            0x00 | 0xD8 => return Err(StripError::Malformed("a JPEG marker is invalid")),
            _ => {}
        }
        let length = rest
            .get(..2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .ok_or(TRUNCATED)?;
        if length < 2 {
            return Err(StripError::Malformed(
                "a JPEG segment has an impossible length",
            ));
        }
        let segment = rest.get(..length).ok_or(TRUNCATED)?;
        let payload = &segment[2..];
        rest = &rest[length..];
        if marker == 0xDA {
            if frame.is_none() {
                return Err(StripError::Malformed(
                    "a JPEG scan comes before its frame header",
                ));
            }
            out.extend_from_slice(&[0xFF, 0xDA]);
            out.extend_from_slice(segment);
            let data_len = entropy_coded_len(rest).ok_or(TRUNCATED)?;
            let (scan, after) = rest.split_at(data_len);
            out.extend_from_slice(scan);
            rest = after;
            continue;
        }
        let kept = match segment_fate(marker, payload, keep, &mut seen)? {
            SegmentFate::Copy => true,
            SegmentFate::Drop => false,
            SegmentFate::Frame(parsed) => {
                if frame.is_some() {
                    return Err(StripError::Malformed("the JPEG has two frame headers"));
                }
                frame = Some(parsed);
                true
            }
            SegmentFate::Write(payload) => {
                push_segment(&mut out, marker, &payload);
                false
            }
        };
        if kept {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
    }
}

/// Reads the marker at the start of `rest` (one or more 0xFF, then its code) and moves past it.
fn next_marker(rest: &mut &[u8]) -> Result<u8, StripError> {
    let fill = rest.iter().take_while(|&&b| b == 0xFF).count();
    if fill == 0 {
        return Err(StripError::Malformed(
            "a JPEG segment is not where the previous one ends",
        ));
    }
    let marker = *rest.get(fill).ok_or(TRUNCATED)?;
    *rest = &rest[fill + 1..];
    Ok(marker)
}

/// What the metadata segments kept so far add up to, for the limits of the next one.
#[derive(Default)]
struct SeenSegments {
    icc_bytes: usize,
    exif_kept: bool,
}

/// What becomes of one JPEG segment (not a scan) in the rebuilt file.
enum SegmentFate {
    Copy,
    Drop,
    /// The frame header: copied, and read.
    Frame(JpegFrame),
    /// Written back with this payload instead.
    Write(Vec<u8>),
}

/// Only what a decoder needs survives: frame, tables, the colour profile and transform, and
/// (while decoding) the EXIF orientation; APPn, COM and anything else are metadata.
fn segment_fate(
    marker: u8,
    payload: &[u8],
    keep: Keep,
    seen: &mut SeenSegments,
) -> Result<SegmentFate, StripError> {
    let copy = |kept: bool| {
        if kept {
            SegmentFate::Copy
        } else {
            SegmentFate::Drop
        }
    };
    Ok(match marker {
        // JFIF: written back without its thumbnail (another picture, possibly of something
        // else).
        0xE0 if payload.starts_with(b"JFIF\0") && payload.len() >= 14 => {
            let mut jfif = payload[..14].to_vec();
            jfif[12] = 0;
            jfif[13] = 0;
            SegmentFate::Write(jfif)
        }
        0xE1 => {
            let kept =
                keep == Keep::Decoding && !seen.exif_kept && payload.starts_with(b"Exif\0\0");
            seen.exif_kept |= kept;
            copy(kept)
        }
        0xE2 if payload.starts_with(b"ICC_PROFILE\0") => {
            seen.icc_bytes += payload.len();
            if seen.icc_bytes > MAX_ICC_BYTES + 255 * 14 {
                return Err(StripError::IccTooLarge);
            }
            SegmentFate::Copy
        }
        // Adobe: the colour transform flag, needed to read the colours right.
        0xEE => copy(payload.starts_with(b"Adobe")),
        // Frame headers (not DHT 0xC4, JPG 0xC8, DAC 0xCC).
        0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
            SegmentFate::Frame(parse_frame(marker, payload)?)
        }
        // Huffman and quantisation tables, restart interval, arithmetic conditioning.
        0xC4 | 0xDB | 0xDD | 0xCC => SegmentFate::Copy,
        // APPn, COM, and anything else: metadata, or nothing a reader needs.
        _ => SegmentFate::Drop,
    })
}

fn push_segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    // A JFIF header of 14 bytes: the length always fits.
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap_or(16).to_be_bytes());
    out.extend_from_slice(payload);
}

fn parse_frame(marker: u8, payload: &[u8]) -> Result<JpegFrame, StripError> {
    let bad = StripError::Malformed("the JPEG frame header is too short");
    let header = payload.get(..6).ok_or(bad.clone())?;
    let components = header[5];
    let mut frame = JpegFrame {
        sof: marker,
        precision: header[0],
        height: u32::from(u16::from_be_bytes([header[1], header[2]])),
        width: u32::from(u16::from_be_bytes([header[3], header[4]])),
        sampling: [(1, 1); 4],
        components,
    };
    if !(1..=4).contains(&components) {
        return Err(StripError::Malformed(
            "the JPEG frame has an impossible number of colour components",
        ));
    }
    for i in 0..usize::from(components) {
        let spec = payload.get(6 + 3 * i..9 + 3 * i).ok_or(bad.clone())?;
        let (h, v) = (spec[1] >> 4, spec[1] & 0x0F);
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
            return Err(StripError::Malformed(
                "the JPEG frame has impossible sampling factors",
            ));
        }
        frame.sampling[i] = (h, v);
    }
    Ok(frame)
}

/// The length of the entropy-coded data at the start of `data`: up to the next marker that is
/// neither a stuffed zero (0xFF 0x00) nor a restart marker. `None` when no marker follows.
fn entropy_coded_len(data: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(offset) = data.get(at..)?.iter().position(|&b| b == 0xFF) {
        let ff = at + offset;
        // Fill bytes: the marker is the first byte after a run of 0xFF.
        let code_at = ff + data[ff..].iter().take_while(|&&b| b == 0xFF).count();
        match data.get(code_at)? {
            0x00 | 0xD0..=0xD7 => at = code_at + 1,
            _ => return Some(ff),
        }
    }
    None
}

/// A JPEG segment of `marker` holding `payload`, for tests that hand-build JPEGs.
#[cfg(test)]
pub(crate) fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF, marker];
    bytes.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, `extra`, a 1×1 grey frame, one scan with a stuffed byte and a restart marker, EOI.
    fn jpeg(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\x02\x01thumb"));
        for s in extra {
            bytes.extend_from_slice(s);
        }
        bytes.extend(image_part());
        bytes
    }

    /// The frame header, the scan and the end marker.
    fn image_part() -> Vec<u8> {
        let mut bytes = segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        bytes.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        bytes.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9]);
        bytes
    }

    #[test]
    fn a_jpeg_keeps_its_image_and_icc_profile_and_nothing_after_its_end() {
        let icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01profile");
        let exif = segment(0xE1, b"Exif\0\0II*\0GPS");
        let comment = segment(0xFE, b"shot at home");
        let mut source = jpeg(&[exif.clone(), icc.clone(), comment]);
        source.extend(jpeg(&[segment(0xE1, b"Exif\0\0GPS 51N")]));
        source.extend_from_slice(b"trailing text");

        let output = rebuild_jpeg(&source, Keep::Output).unwrap();
        let mut expected = vec![0xFF, 0xD8];
        expected.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        expected.extend(&icc);
        expected.extend(image_part());
        assert_eq!(output.bytes, expected);
        assert_eq!(output.frame.map(|f| (f.width, f.components)), Some((1, 1)));

        let decoding = rebuild_jpeg(&source, Keep::Decoding).unwrap();
        assert!(decoding.bytes.windows(exif.len()).any(|w| w == exif));
        assert!(!decoding.bytes.windows(10).any(|w| w == b"shot at ho"));
    }

    #[test]
    fn jpegs_cut_short_or_without_a_frame_are_refused() {
        let whole = jpeg(&[]);
        for cut in [3, 10, whole.len() - 2, whole.len() - 1] {
            assert!(
                rebuild_jpeg(&whole[..cut], Keep::Output).is_err(),
                "cut {cut}"
            );
        }
        let mut no_frame = vec![0xFF, 0xD8];
        no_frame.extend_from_slice(&[0xFF, 0xD9]);
        assert!(rebuild_jpeg(&no_frame, Keep::Output).is_err());
    }

    #[test]
    fn an_oversized_jpeg_icc_profile_is_refused() {
        let chunk = segment(
            0xE2,
            &[b"ICC_PROFILE\0\x01\x01".as_slice(), &[0; 65000]].concat(),
        );
        let chunks: Vec<Vec<u8>> = std::iter::repeat_n(chunk, 17).collect();
        assert_eq!(
            rebuild_jpeg(&jpeg(&chunks), Keep::Output),
            Err(StripError::IccTooLarge)
        );
    }
}
