//! PNG: every chunk walked up to `IEND`; a compressed colour profile inflated with a cap.

use super::{Keep, MAX_ICC_BYTES, Rebuilt, StripError};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
