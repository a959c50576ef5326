//! EXIF orientation, applied to the pixels.
//!
//! Cameras store a portrait photo as landscape pixels plus an EXIF tag saying "turn me". Many
//! e-readers ignore the tag, and we drop EXIF anyway (it holds GPS and serial numbers), so the
//! turn has to happen in the pixels.

use image::DynamicImage;
use image::metadata::Orientation;

/// Whether `orientation` swaps width and height.
pub fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// The box in stored (unturned) orientation that becomes `upright_box` once turned.
pub fn stored_box(upright_box: (u32, u32), orientation: Orientation) -> (u32, u32) {
    if swaps_axes(orientation) {
        (upright_box.1, upright_box.0)
    } else {
        upright_box
    }
}

/// Turns and flips the pixels so the image is upright.
pub fn apply(image: &mut DynamicImage, orientation: Orientation) {
    image.apply_orientation(orientation);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_turns_swap_the_box() {
        assert_eq!(
            stored_box((1600, 2560), Orientation::Rotate90),
            (2560, 1600)
        );
        assert_eq!(
            stored_box((1600, 2560), Orientation::FlipVertical),
            (1600, 2560)
        );
    }

    #[test]
    fn rotating_moves_the_top_left_pixel() {
        let mut image = DynamicImage::ImageLuma8(image::GrayImage::from_fn(3, 2, |x, y| {
            image::Luma([(y * 3 + x) as u8])
        }));
        apply(&mut image, Orientation::Rotate90);
        let turned = image.to_luma8();
        assert_eq!(turned.dimensions(), (2, 3));
        // Clockwise: the bottom-left pixel (value 3) is now top-left.
        assert_eq!(turned.as_raw(), &vec![3, 0, 4, 1, 5, 2]);
    }
}
