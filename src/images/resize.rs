//! Fitting an image into a box, never enlarging, with Lanczos3 on a SIMD resizer.
//!
//! `fast_image_resize` measured about 5× faster than `image`'s own resize here (issue 3), and
//! it handles alpha correctly (premultiplies before filtering, so transparent edges do not
//! turn dark).

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, GrayAlphaImage, GrayImage, RgbImage, RgbaImage};

/// The largest size with the aspect ratio of `size` that fits in `fit_box`; `size` itself
/// when it already fits (images are never enlarged).
pub fn fit(size: (u32, u32), fit_box: (u32, u32)) -> (u32, u32) {
    let (width, height) = (u64::from(size.0), u64::from(size.1));
    let (box_w, box_h) = (u64::from(fit_box.0.max(1)), u64::from(fit_box.1.max(1)));
    if width <= box_w && height <= box_h {
        return size;
    }
    let rounded_div =
        |numerator: u64, denominator: u64| (numerator + denominator / 2) / denominator;
    let (new_w, new_h) = if width * box_h >= height * box_w {
        (box_w, rounded_div(height * box_w, width.max(1)))
    } else {
        (rounded_div(width * box_h, height.max(1)), box_h)
    };
    // Both are at most the box sides, which are u32.
    let clamp = |len: u64| u32::try_from(len.max(1)).unwrap_or(u32::MAX);
    (clamp(new_w), clamp(new_h))
}

#[derive(Debug, thiserror::Error)]
#[error("cannot resize the image: {0}")]
pub struct ResizeError(String);

/// `image` resized to exactly `size` with Lanczos3; 8-bit grey, grey+alpha, RGB or RGBA in,
/// the same layout out. Returns the image untouched when it already has that size.
pub fn resize(image: DynamicImage, size: (u32, u32)) -> Result<DynamicImage, ResizeError> {
    if (image.width(), image.height()) == size {
        return Ok(image);
    }
    let (src_w, src_h) = (image.width(), image.height());
    let (pixel_type, buffer) = match image {
        DynamicImage::ImageLuma8(pixels) => (PixelType::U8, pixels.into_raw()),
        DynamicImage::ImageLumaA8(pixels) => (PixelType::U8x2, pixels.into_raw()),
        DynamicImage::ImageRgb8(pixels) => (PixelType::U8x3, pixels.into_raw()),
        DynamicImage::ImageRgba8(pixels) => (PixelType::U8x4, pixels.into_raw()),
        other => (PixelType::U8x4, other.into_rgba8().into_raw()),
    };
    let error = |e: &dyn std::fmt::Display| ResizeError(e.to_string());
    let source = Image::from_vec_u8(src_w, src_h, buffer, pixel_type).map_err(|e| error(&e))?;
    let mut target = Image::new(size.0, size.1, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| error(&e))?;
    drop(source);
    let (width, height) = size;
    let raw = target.into_vec();
    let mismatch = || ResizeError("resizer returned a buffer of the wrong size".into());
    Ok(match pixel_type {
        PixelType::U8 => {
            DynamicImage::ImageLuma8(GrayImage::from_raw(width, height, raw).ok_or_else(mismatch)?)
        }
        PixelType::U8x2 => DynamicImage::ImageLumaA8(
            GrayAlphaImage::from_raw(width, height, raw).ok_or_else(mismatch)?,
        ),
        PixelType::U8x3 => {
            DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, raw).ok_or_else(mismatch)?)
        }
        _ => {
            DynamicImage::ImageRgba8(RgbaImage::from_raw(width, height, raw).ok_or_else(mismatch)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_shrunk_to_the_box_keeping_their_shape() {
        assert_eq!(fit((4000, 3000), (1600, 1600)), (1600, 1200));
        assert_eq!(fit((3000, 4000), (1600, 1600)), (1200, 1600));
        assert_eq!(fit((3000, 4000), (1600, 2560)), (1600, 2133));
        assert_eq!(fit((10_000, 3), (1600, 1600)), (1600, 1));
    }

    #[test]
    fn images_are_never_enlarged() {
        assert_eq!(fit((800, 600), (1600, 1600)), (800, 600));
        assert_eq!(fit((1600, 1600), (1600, 1600)), (1600, 1600));
    }

    #[test]
    fn resizing_keeps_the_pixel_layout_and_reaches_the_size() {
        let rgba =
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(40, 20, image::Rgba([9, 8, 7, 6])));
        let small = resize(rgba, (10, 5)).unwrap();
        assert_eq!((small.width(), small.height()), (10, 5));
        assert!(matches!(small, DynamicImage::ImageRgba8(_)));
    }
}
