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

use std::borrow::Cow;

use super::decode::SourceFormat;

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

/// Walks every segment of a JPEG, scans included, up to its end-of-image marker.
pub fn rebuild_jpeg(bytes: &[u8], keep: Keep) -> Result<Rebuilt, StripError> {
    const TRUNCATED: StripError = StripError::Malformed("the file ends before the image data does");
    let mut rest = bytes
        .strip_prefix(&[0xFF, 0xD8])
        .ok_or(StripError::Malformed("no JPEG start marker"))?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut frame = None;
    let mut seen = SeenSegments::default();
    loop {
        // A marker: one or more 0xFF, then its code.
        let fill = rest.iter().take_while(|&&b| b == 0xFF).count();
        if fill == 0 {
            return Err(StripError::Malformed(
                "a JPEG segment is not where the previous one ends",
            ));
        }
        let marker = *rest.get(fill).ok_or(TRUNCATED)?;
        rest = &rest[fill + 1..];
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
            out.extend_from_slice(&rest[..data_len]);
            rest = &rest[data_len..];
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

/// Walks every chunk of a PNG up to `IEND`.
pub fn rebuild_png(bytes: &[u8], keep: Keep) -> Result<Rebuilt, StripError> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    const TRUNCATED: StripError = StripError::Malformed("the file ends before the image data does");
    let mut rest = bytes
        .strip_prefix(SIGNATURE)
        .ok_or(StripError::Malformed("no PNG signature"))?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    let mut animated = false;
    let mut seen_header = false;
    loop {
        let length = rest
            .get(..4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or(TRUNCATED)?;
        // The PNG specification caps chunk lengths at 2^31 - 1.
        let length = usize::try_from(length)
            .ok()
            .filter(|&l| l <= 0x7FFF_FFFF)
            .ok_or(StripError::Malformed(
                "a PNG chunk has an impossible length",
            ))?;
        let whole = rest.get(..length + 12).ok_or(TRUNCATED)?;
        let kind: [u8; 4] = [whole[4], whole[5], whole[6], whole[7]];
        let data = &whole[8..8 + length];
        rest = &rest[length + 12..];
        if !seen_header && &kind != b"IHDR" {
            return Err(StripError::Malformed(
                "the PNG does not start with its header",
            ));
        }
        seen_header = true;
        let kept = match &kind {
            b"IHDR" | b"PLTE" | b"IDAT" | b"IEND" => true,
            // Transparency and colour facts change how the pixels look.
            b"tRNS" | b"sRGB" | b"gAMA" | b"cHRM" => true,
            b"iCCP" => {
                check_png_icc(data)?;
                true
            }
            b"acTL" => {
                animated = true;
                keep == Keep::Decoding
            }
            b"fcTL" | b"fdAT" | b"eXIf" => keep == Keep::Decoding,
            // An unknown critical chunk: the image cannot be read without it.
            _ if kind[0].is_ascii_uppercase() => {
                return Err(StripError::Malformed(
                    "the PNG has a critical chunk of a kind no reader knows",
                ));
            }
            // Text (tEXt, zTXt, iTXt: XMP, comments, software), time, physical size, and
            // any private chunk: dropped unread.
            _ => false,
        };
        if kept {
            out.extend_from_slice(whole);
        }
        if &kind == b"IEND" {
            return Ok(Rebuilt {
                bytes: out,
                frame: None,
                animated,
            });
        }
    }
}

/// VP8X flag bits (WebP container specification, "Extended File Format").
const VP8X_ICC: u8 = 0x20;
const VP8X_EXIF: u8 = 0x08;
const VP8X_XMP: u8 = 0x04;

/// Walks every chunk of a WebP's RIFF container, up to the length its header gives.
///
/// Kept: the image (`VP8 `, `VP8L`, `ALPH`), the extended header `VP8X` and the animation
/// chunks (`ANIM`, `ANMF`); for decoding also the ICC profile (`ICCP`, converted to sRGB by
/// the colour stage) and `EXIF` (the orientation). Dropped: `XMP `, any chunk no reader knows,
/// and everything after the RIFF length (where phones and tools append data). `VP8X`'s flags
/// are cleared for every chunk dropped, and the RIFF size is written anew, so the result is a
/// valid WebP and never larger than the source.
pub fn rebuild_webp(bytes: &[u8], keep: Keep) -> Result<Rebuilt, StripError> {
    const TRUNCATED: StripError = StripError::Malformed("the file ends before the image data does");
    if bytes.get(..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WEBP") {
        return Err(StripError::Malformed("no WebP RIFF header"));
    }
    let riff_len = usize::try_from(u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]))
        .map_err(|_| TRUNCATED)?;
    // The RIFF length counts "WEBP" and the chunks; a longer claim than the file is a cut file.
    let mut rest = bytes
        .get(12..riff_len.checked_add(8).ok_or(TRUNCATED)?)
        .filter(|_| riff_len >= 4)
        .ok_or(TRUNCATED)?;
    let mut chunks = Vec::with_capacity(bytes.len());
    let mut vp8x_at = None;
    let mut animated = false;
    let mut has_image = false;
    let mut first = true;
    while !rest.is_empty() {
        let header = rest.get(..8).ok_or(TRUNCATED)?;
        let kind: [u8; 4] = [header[0], header[1], header[2], header[3]];
        let length = usize::try_from(u32::from_le_bytes([
            header[4], header[5], header[6], header[7],
        ]))
        .map_err(|_| TRUNCATED)?;
        let data = rest.get(8..8 + length).ok_or(TRUNCATED)?;
        // Chunks are padded to an even length; a missing pad byte at the very end is tolerated.
        rest = rest.get(8 + length + (length & 1)..).unwrap_or_default();
        let kept = match &kind {
            b"VP8X" => {
                if !first || data.len() < 10 {
                    return Err(StripError::Malformed(
                        "the WebP extended header is misplaced or short",
                    ));
                }
                vp8x_at = Some(chunks.len());
                true
            }
            b"VP8 " | b"VP8L" => {
                has_image = true;
                true
            }
            b"ALPH" => true,
            b"ANIM" | b"ANMF" => {
                animated = true;
                has_image |= &kind == b"ANMF";
                true
            }
            b"ICCP" => {
                if data.len() > MAX_ICC_BYTES {
                    return Err(StripError::IccTooLarge);
                }
                keep == Keep::Decoding
            }
            b"EXIF" => keep == Keep::Decoding,
            // XMP and chunks no reader knows (readers must ignore those): dropped unread.
            _ => false,
        };
        first = false;
        if kept {
            chunks.extend_from_slice(header);
            chunks.extend_from_slice(data);
            if length & 1 == 1 {
                chunks.push(0);
            }
        }
    }
    if !has_image {
        return Err(StripError::Malformed("the WebP has no image data"));
    }
    if let Some(at) = vp8x_at {
        let dropped = match keep {
            Keep::Decoding => VP8X_XMP,
            Keep::Output => VP8X_ICC | VP8X_EXIF | VP8X_XMP,
        };
        // The flags byte follows the chunk's 8-byte header.
        if let Some(flags) = chunks.get_mut(at + 8) {
            *flags &= !dropped;
        }
    }
    let mut out = Vec::with_capacity(chunks.len() + 12);
    out.extend_from_slice(b"RIFF");
    let riff = u32::try_from(chunks.len() + 4).map_err(|_| TRUNCATED)?;
    out.extend_from_slice(&riff.to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&chunks);
    Ok(Rebuilt {
        bytes: out,
        frame: None,
        animated,
    })
}

/// An `iCCP` chunk: a name, a NUL, a compression method, and the zlib-compressed profile. The
/// profile is inflated with a cap, so a bomb costs [`MAX_ICC_BYTES`] of memory and no more.
fn check_png_icc(data: &[u8]) -> Result<(), StripError> {
    let Some(nul) = data.iter().take(80).position(|&b| b == 0) else {
        return Err(StripError::Malformed(
            "the PNG colour profile chunk has no name",
        ));
    };
    let compressed = data.get(nul + 2..).unwrap_or_default();
    match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, MAX_ICC_BYTES) {
        Ok(_) => Ok(()),
        Err(error) if error.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
            Err(StripError::IccTooLarge)
        }
        Err(_) => Err(StripError::Malformed("the PNG colour profile is damaged")),
    }
}

/// An animated GIF rebuilt from its frames as they are stored: each frame's LZW data, local
/// palette, position, transparency, delay and disposal, the global palette and the loop
/// count. Everything else is dropped unread — comments, plain-text blocks and application
/// extensions (XMP, ICC, an editor's private data) — and so is anything after the trailer.
/// Nothing is decoded or re-quantised, so the pixels are the source's, and the size is too.
pub fn rebuild_gif(bytes: &[u8]) -> Result<Vec<u8>, StripError> {
    const DAMAGED: StripError = StripError::Malformed("the GIF's frames cannot be read");
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let mut decoder = options.read_info(bytes).map_err(|_| DAMAGED)?;
    let global_palette = decoder.global_palette().unwrap_or_default().to_vec();
    let repeat = decoder.repeat();
    let (width, height) = (decoder.width(), decoder.height());
    let mut out = Vec::with_capacity(bytes.len());
    {
        let mut encoder =
            gif::Encoder::new(&mut out, width, height, &global_palette).map_err(|_| DAMAGED)?;
        // The decoder reports a GIF without a loop block as `Finite(0)`; writing that back
        // would be a NETSCAPE block of count 0, which means "forever": a GIF that plays once
        // must stay one.
        if repeat != gif::Repeat::Finite(0) {
            encoder.set_repeat(repeat).map_err(|_| DAMAGED)?;
        }
        while let Some(frame) = decoder.read_next_frame().map_err(|_| DAMAGED)? {
            encoder
                .write_lzw_pre_encoded_frame(frame)
                .map_err(|_| DAMAGED)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real animated GIF of `tests/photos` (it loops forever), and the same file with its
    /// NETSCAPE loop block cut out (it plays once).
    fn looping_and_play_once_gifs() -> (Vec<u8>, Vec<u8>) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/photos/animated.gif");
        let looping = std::fs::read(path).unwrap();
        let at = looping
            .windows(11)
            .position(|w| w == b"NETSCAPE2.0")
            .unwrap()
            - 3;
        let once = [&looping[..at], &looping[at + 19..]].concat();
        (looping, once)
    }

    #[test]
    fn a_rebuilt_gif_keeps_whether_it_loops() {
        let (looping, once) = looping_and_play_once_gifs();
        let has_loop_block = |gif: &[u8]| gif.windows(11).any(|w| w == b"NETSCAPE2.0");
        assert!(has_loop_block(&rebuild_gif(&looping).unwrap()));
        assert!(!has_loop_block(&rebuild_gif(&once).unwrap()));
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF, marker];
        bytes.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

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

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut bytes = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        bytes.extend_from_slice(kind);
        bytes.extend_from_slice(data);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        bytes
    }

    fn png(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        for c in extra {
            bytes.extend_from_slice(c);
        }
        bytes.extend(chunk(b"IDAT", b"pixels"));
        bytes.extend(chunk(b"IEND", b""));
        bytes
    }

    fn icc_chunk(inflated: usize) -> Vec<u8> {
        let mut data = b"profile\0\0".to_vec();
        data.extend(miniz_oxide::deflate::compress_to_vec_zlib(
            &vec![0; inflated],
            9,
        ));
        chunk(b"iCCP", &data)
    }

    #[test]
    fn a_png_keeps_its_image_and_icc_profile_and_nothing_after_iend() {
        let icc = icc_chunk(3000);
        let text = chunk(b"tEXt", b"Comment\0GPS 51N");
        let exif = chunk(b"eXIf", b"MM\0*");
        let mut source = png(&[icc.clone(), text, exif.clone(), chunk(b"tIME", &[0; 7])]);
        source.extend_from_slice(b"\xFF\xD8 appended JPEG");
        let output = rebuild_png(&source, Keep::Output).unwrap();
        assert_eq!(output.bytes, png(std::slice::from_ref(&icc)));
        let decoding = rebuild_png(&source, Keep::Decoding).unwrap();
        assert_eq!(decoding.bytes, png(&[icc, exif]));
    }

    #[test]
    fn a_png_icc_bomb_is_refused_after_one_mebibyte() {
        assert_eq!(
            rebuild_png(&png(&[icc_chunk(MAX_ICC_BYTES + 1)]), Keep::Output),
            Err(StripError::IccTooLarge)
        );
        assert!(rebuild_png(&png(&[icc_chunk(MAX_ICC_BYTES)]), Keep::Output).is_ok());
    }

    #[test]
    fn broken_pngs_are_refused() {
        let whole = png(&[]);
        assert!(rebuild_png(&whole[..whole.len() - 5], Keep::Output).is_err());
        let mut critical = png(&[chunk(b"ABCD", b"")]);
        assert!(rebuild_png(&critical, Keep::Output).is_err());
        critical[12..16].copy_from_slice(b"IDAT");
        assert!(rebuild_png(&critical, Keep::Output).is_err(), "IHDR first");
    }

    fn riff(chunks: &[Vec<u8>], trailing: &[u8]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
        out.extend_from_slice(b"WEBP");
        out.extend_from_slice(&body);
        out.extend_from_slice(trailing);
        out
    }

    fn webp_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = kind.to_vec();
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    }

    fn vp8x(flags: u8) -> Vec<u8> {
        webp_chunk(b"VP8X", &[flags, 0, 0, 0, 7, 0, 0, 7, 0, 0])
    }

    #[test]
    fn a_webp_keeps_its_image_and_drops_metadata_and_what_follows() {
        let flags = VP8X_ICC | 0x10 | VP8X_EXIF | VP8X_XMP;
        let source = riff(
            &[
                vp8x(flags),
                webp_chunk(b"ICCP", b"profile"),
                webp_chunk(b"ALPH", b"alpha"),
                webp_chunk(b"VP8 ", b"pixels"),
                webp_chunk(b"EXIF", b"GPS-51.5007N"),
                webp_chunk(b"XMP ", b"<x:xmpmeta/>"),
                webp_chunk(b"ZZZZ", b"private"),
            ],
            b"appended GPS-51.5007N",
        );
        let out = rebuild_webp(&source, Keep::Output).unwrap();
        let expected = riff(
            &[
                vp8x(0x10),
                webp_chunk(b"ALPH", b"alpha"),
                webp_chunk(b"VP8 ", b"pixels"),
            ],
            b"",
        );
        assert_eq!(out.bytes, expected);
        assert!(!out.animated);
        let decoding = rebuild_webp(&source, Keep::Decoding).unwrap();
        let expected = riff(
            &[
                vp8x(flags & !VP8X_XMP),
                webp_chunk(b"ICCP", b"profile"),
                webp_chunk(b"ALPH", b"alpha"),
                webp_chunk(b"VP8 ", b"pixels"),
                webp_chunk(b"EXIF", b"GPS-51.5007N"),
            ],
            b"",
        );
        assert_eq!(decoding.bytes, expected);
    }

    #[test]
    fn an_animated_webp_is_marked() {
        let source = riff(
            &[
                vp8x(0x02),
                webp_chunk(b"ANIM", &[0; 6]),
                webp_chunk(b"ANMF", &[0; 17]),
            ],
            b"",
        );
        let out = rebuild_webp(&source, Keep::Output).unwrap();
        assert!(out.animated);
        assert_eq!(out.bytes, source);
    }

    #[test]
    fn broken_webps_are_refused() {
        let good = riff(&[webp_chunk(b"VP8L", b"pixels")], b"");
        assert!(rebuild_webp(&good, Keep::Output).is_ok());
        // A RIFF length past the end of the file.
        let mut long = good.clone();
        long[4..8].copy_from_slice(&1000u32.to_le_bytes());
        // A chunk longer than the RIFF body.
        let mut chunk_lie = good.clone();
        chunk_lie[16..20].copy_from_slice(&1000u32.to_le_bytes());
        let no_image = riff(&[webp_chunk(b"EXIF", b"x")], b"");
        let late_vp8x = riff(&[webp_chunk(b"VP8L", b"pixels"), vp8x(0)], b"");
        for bad in [
            &long[..],
            &chunk_lie[..],
            &no_image[..],
            &late_vp8x[..],
            &good[..10],
            &b"RIFF\x04\0\0\0WAVE"[..],
        ] {
            assert!(
                matches!(
                    rebuild_webp(bad, Keep::Output),
                    Err(StripError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
        let icc = riff(
            &[
                vp8x(VP8X_ICC),
                webp_chunk(b"ICCP", &vec![0; MAX_ICC_BYTES + 1]),
                webp_chunk(b"VP8L", b"p"),
            ],
            b"",
        );
        assert_eq!(
            rebuild_webp(&icc, Keep::Decoding),
            Err(StripError::IccTooLarge)
        );
    }
}
