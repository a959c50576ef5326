//! A 256-colour palette for a scaled screenshot, kept only when it looks the same (issue 11,
//! item 2: never bigger).
//!
//! A screenshot of a few thousand colours (anti-aliased text, icons, a chart) stays a lossless
//! PNG so its text is not blurred; scaled down, resampling blends neighbouring pixels into tens
//! of thousands of new colours, and the truecolour PNG grows far past its source (a 1919×861,
//! 92 kB dashboard screenshot became a 156 kB PNG at 1600 px). Quantised to 256 colours it is
//! a palette PNG again, at a third of the bytes a pixel before compression.
//!
//! The quantiser is NeuQuant (`color_quant`, MIT, already built for `image`'s GIF encoder):
//! pure Rust, deterministic (no random seed, so the same book gives the same bytes on every
//! machine), and it learns the palette from the pixels by frequency, so the flat backgrounds
//! and text colours a screenshot is made of get exact entries. No dithering: dither noise
//! blurs text edges and costs PNG compression what the palette saved.
//!
//! The palette is kept only when its error against the scaled image is small: a PSNR of at
//! least [`MIN_PSNR_DB`] over the three channels, well above what JPEG at quality 80 keeps on
//! such an image (about 35 dB), so text stays as legible as the scaled truecolour image.

use std::collections::HashMap;

use color_quant::NeuQuant;
use image::{DynamicImage, RgbImage};

/// The lowest peak signal-to-noise ratio (dB, 8-bit RGB) a palette may have against the
/// scaled image. At 40 dB the mean squared error is 6.5, about ±2.5 levels a sample; the real
/// dashboard screenshots of `tests/photos` come out at 42.5–43.4 dB even against a different
/// resizer's scaling (`tests/it/photos.rs`).
pub const MIN_PSNR_DB: f64 = 40.0;

/// NeuQuant's sampling factor (1 = learn from every pixel, 30 = every 30th): 10 is its
/// authors' recommended balance.
const SAMPLE_FACTOR: i32 = 10;

/// A palette image and how close it is to the image it was made from.
pub struct Quantised {
    /// The palette, RGBA (opaque).
    pub colors: Vec<[u8; 4]>,
    /// Every pixel of the source replaced by its palette colour.
    pub image: DynamicImage,
    pub psnr_db: f64,
}

/// `image` reduced to at most 256 colours, with its PSNR; `None` for an empty image.
pub fn quantise(image: &RgbImage) -> Option<Quantised> {
    if image.width() == 0 || image.height() == 0 {
        return None;
    }
    let rgba: Vec<u8> = image
        .pixels()
        .flat_map(|p| [p[0], p[1], p[2], u8::MAX])
        .collect();
    let quantiser = NeuQuant::new(SAMPLE_FACTOR, 256, &rgba);
    drop(rgba);
    let colors: Vec<[u8; 4]> = quantiser
        .color_map_rgba()
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], u8::MAX])
        .collect();
    // A scaled screenshot repeats its colours: look each one up once.
    let mut nearest: HashMap<[u8; 3], [u8; 4]> = HashMap::new();
    let mut squared_error = 0u64;
    let mut out = image.clone();
    for pixel in out.pixels_mut() {
        let rgb = pixel.0;
        let color = *nearest.entry(rgb).or_insert_with(|| {
            let index = quantiser.index_of(&[rgb[0], rgb[1], rgb[2], u8::MAX]);
            colors
                .get(index)
                .copied()
                .unwrap_or([rgb[0], rgb[1], rgb[2], u8::MAX])
        });
        for channel in 0..3 {
            let difference = u64::from(rgb[channel].abs_diff(color[channel]));
            squared_error += difference * difference;
        }
        pixel.0 = [color[0], color[1], color[2]];
    }
    let samples = u64::from(image.width()) * u64::from(image.height()) * 3;
    let mse = squared_error as f64 / samples as f64;
    let psnr_db = if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    };
    Some(Quantised {
        colors,
        image: DynamicImage::ImageRgb8(out),
        psnr_db,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_colours_come_back_exactly() {
        let image = RgbImage::from_fn(64, 64, |x, y| match (x / 16 + y / 16) % 3 {
            0 => image::Rgb([255, 255, 255]),
            1 => image::Rgb([20, 20, 20]),
            _ => image::Rgb([200, 30, 40]),
        });
        let quantised = quantise(&image).unwrap();
        assert!(quantised.colors.len() <= 256);
        assert!(quantised.psnr_db > 50.0, "{}", quantised.psnr_db);
    }

    #[test]
    fn a_smooth_photo_like_gradient_scores_lower_than_flat_art() {
        let image = RgbImage::from_fn(256, 256, |x, y| {
            image::Rgb([x as u8, y as u8, ((x * 7 + y * 13) % 256) as u8])
        });
        let quantised = quantise(&image).unwrap();
        assert!(quantised.psnr_db < MIN_PSNR_DB, "{}", quantised.psnr_db);
    }

    #[test]
    fn same_pixels_same_palette() {
        let image = RgbImage::from_fn(100, 80, |x, y| {
            image::Rgb([(x * 2) as u8, (y * 3) as u8, 90])
        });
        let a = quantise(&image).unwrap();
        let b = quantise(&image).unwrap();
        assert_eq!(a.colors, b.colors);
        assert_eq!(a.image, b.image);
    }
}
