//! WebP: every chunk of the RIFF container walked, up to the length its header gives.

use super::{Keep, MAX_ICC_BYTES, Rebuilt, StripError};

const TRUNCATED: StripError = StripError::Malformed("the file ends before the image data does");

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
    let mut walk = Walk {
        keep,
        chunks: Vec::with_capacity(bytes.len()),
        vp8x_at: None,
        animated: false,
        has_image: false,
        walked_one: false,
    };
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
        if walk.is_kept(&kind, data)? {
            walk.chunks.extend_from_slice(header);
            walk.chunks.extend_from_slice(data);
            if length & 1 == 1 {
                walk.chunks.push(0);
            }
        }
    }
    walk.finish()
}

/// The chunks kept so far, and what they said.
struct Walk {
    keep: Keep,
    chunks: Vec<u8>,
    /// Where `VP8X` starts in `chunks`, when the file has one.
    vp8x_at: Option<usize>,
    animated: bool,
    has_image: bool,
    /// Any chunk was walked, kept or not: `VP8X` must be the very first.
    walked_one: bool,
}

impl Walk {
    fn is_kept(&mut self, kind: &[u8; 4], data: &[u8]) -> Result<bool, StripError> {
        let first = !self.walked_one;
        self.walked_one = true;
        Ok(match kind {
            b"VP8X" => {
                if !first || data.len() < 10 {
                    return Err(StripError::Malformed(
                        "the WebP extended header is misplaced or short",
                    ));
                }
                self.vp8x_at = Some(self.chunks.len());
                true
            }
            b"VP8 " | b"VP8L" => {
                self.has_image = true;
                true
            }
            b"ALPH" => true,
            b"ANIM" | b"ANMF" => {
                self.animated = true;
                self.has_image |= kind == b"ANMF";
                true
            }
            b"ICCP" => {
                if data.len() > MAX_ICC_BYTES {
                    return Err(StripError::IccTooLarge);
                }
                self.keep == Keep::Decoding
            }
            b"EXIF" => self.keep == Keep::Decoding,
            // XMP and chunks no reader knows (readers must ignore those): dropped unread.
            _ => false,
        })
    }

    /// The kept chunks in a RIFF container of their own length, with `VP8X`'s flags cleared
    /// for every chunk dropped.
    fn finish(mut self) -> Result<Rebuilt, StripError> {
        if !self.has_image {
            return Err(StripError::Malformed("the WebP has no image data"));
        }
        if let Some(at) = self.vp8x_at {
            let dropped = match self.keep {
                Keep::Decoding => VP8X_XMP,
                Keep::Output => VP8X_ICC | VP8X_EXIF | VP8X_XMP,
            };
            // The flags byte follows the chunk's 8-byte header.
            if let Some(flags) = self.chunks.get_mut(at + 8) {
                *flags &= !dropped;
            }
        }
        let mut out = Vec::with_capacity(self.chunks.len() + 12);
        out.extend_from_slice(b"RIFF");
        let riff = u32::try_from(self.chunks.len() + 4).map_err(|_| TRUNCATED)?;
        out.extend_from_slice(&riff.to_le_bytes());
        out.extend_from_slice(b"WEBP");
        out.extend_from_slice(&self.chunks);
        Ok(Rebuilt {
            bytes: out,
            frame: None,
            animated: self.animated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
