//! GIF: an animation rebuilt from its frames' LZW data, nothing decoded.

use super::StripError;

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
}
