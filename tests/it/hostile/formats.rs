//! Image formats and colour (issue 10 item 9, issue 11 items 4–6): every format bindery does
//! not read is named with what to do; CMYK and odd or broken colour profiles build; frame
//! bombs stay within bounds.

use std::process::Output;

use bindery::images::metadata::jpeg_segments;

use crate::hostile::scene::{self, Case, Scene};

const BUILD: &[&str] = &["build", "{book}", "-o", "{out}/book.epub"];

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("an iPhone HEIC named .jpg is called HEIC, with the feature and JPEG export", heic, BUILD, 1, "cargo install bindery --features heif", scene::ok),
    Case::new("the HEIC refusal names the format", heic, BUILD, 1, "HEIC/HEIF photo", scene::ok),
    Case::new("an AVIF image is called AVIF", avif, BUILD, 1, "this is an AVIF image", scene::ok),
    Case::new("a TIFF scan is called TIFF, with a conversion", tiff, BUILD, 1, "this is a TIFF image", scene::ok),
    Case::new("a BMP is called BMP", bmp, BUILD, 1, "BMP (Windows bitmap)", scene::ok),
    Case::new("a JPEG XL image is called JPEG XL", jxl, BUILD, 1, "this is a JPEG XL image", scene::ok),
    Case::new("a Photoshop document is called one, with the export menu", psd, BUILD, 1, "File › Export › Export As", scene::ok),
    Case::new("a JPEG 2000 image is called JPEG 2000", jp2, BUILD, 1, "this is a JPEG 2000 image", scene::ok),
    Case::new("check names HEIC as build does", heic, &["check", "{book}"], 1, "HEIC/HEIF photo", scene::ok),
    Case::new("a CMYK (YCCK) JPEG without a profile builds, as RGB", cmyk, BUILD, 0, "", rgb_jpeg_without_profile),
    Case::new("a garbage ICC profile is ignored, not copied", broken_icc, BUILD, 0, "", rgb_jpeg_without_profile),
    Case::new("a CMYK profile on an RGB JPEG is ignored", mismatched_icc, BUILD, 0, "", rgb_jpeg_without_profile),
    Case::new("an ICC profile that declares 4 GB is ignored", huge_icc_header, BUILD, 0, "", rgb_jpeg_without_profile),
    Case::new("a 12-bit JPEG is named so, not called damaged", jpeg_12bit, BUILD, 1, "this JPEG uses 12- or 16-bit samples", scene::ok),
    Case::new("a GIF of 3000 frames builds as one frame, warned at its line", gif_many_frames, BUILD, 0, "essay.md:9:1", flattened_warning),
    Case::new("a GIF of 3000 frames fails under --deny-warnings", gif_many_frames, &["build", "{book}", "-o", "{out}/book.epub", "--deny-warnings"], 1, "more than 1000 frames", scene::ok),
    Case::new("images.animation: first-frame takes the first frame without a warning", gif_many_frames_first_frame, BUILD, 0, "", no_animation_warning),
    Case::new("a wrong images.animation value is refused with the two choices", bad_animation_choice, BUILD, 1, "`images.animation` must be `keep` or `first-frame`", scene::ok),
    Case::new("check reads a 3000-frame GIF within bounds", gif_many_frames, &["check", "{book}"], 0, "", scene::ok),
];

fn photo(scene: &Scene, bytes: &[u8]) {
    scene.write("book/images/photo.jpg", bytes);
}

fn heic(scene: &Scene) {
    photo(scene, include_bytes!("../../photos/iphone-rotated.heic"));
}

fn avif(scene: &Scene) {
    photo(scene, include_bytes!("../../photos/hopper.avif"));
}

fn cmyk(scene: &Scene) {
    photo(scene, include_bytes!("../../photos/cmyk-ycck.jpg"));
}

/// A TIFF header: byte order, magic, first IFD offset, then an empty IFD.
fn tiff(scene: &Scene) {
    photo(scene, b"II*\0\x08\0\0\0\0\0\0\0\0\0");
}

fn bmp(scene: &Scene) {
    let mut bytes = b"BM".to_vec();
    bytes.resize(64, 0);
    photo(scene, &bytes);
}

fn jxl(scene: &Scene) {
    photo(
        scene,
        b"\0\0\0\x0cJXL \r\n\x87\n\0\0\0\x14ftypjxl \0\0\0\0jxl ",
    );
}

fn psd(scene: &Scene) {
    photo(
        scene,
        b"8BPS\0\x01\0\0\0\0\0\0\0\x03\0\0\x01\0\0\0\x01\0\0\x08\0\x03",
    );
}

fn jp2(scene: &Scene) {
    photo(scene, b"\0\0\0\x0cjP  \r\n\x87\n\0\0\0\x14ftypjp2 ");
}

/// The good scene's JPEG with an APP2 ICC segment holding `profile` after its SOI.
fn with_icc(scene: &Scene, profile: &[u8]) {
    let jpeg = scene::small_jpeg(40, 30);
    let mut payload = b"ICC_PROFILE\0\x01\x01".to_vec();
    payload.extend_from_slice(profile);
    let mut bytes = jpeg[..2].to_vec();
    bytes.extend_from_slice(&[0xFF, 0xE2]);
    bytes.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    bytes.extend_from_slice(&payload);
    bytes.extend_from_slice(&jpeg[2..]);
    photo(scene, &bytes);
}

fn broken_icc(scene: &Scene) {
    with_icc(scene, &[0x5A; 300]);
}

/// A header that says CMYK, with no tags.
fn mismatched_icc(scene: &Scene) {
    let mut profile = vec![0u8; 132];
    profile[0..4].copy_from_slice(&132u32.to_be_bytes());
    profile[12..16].copy_from_slice(b"prtr");
    profile[16..20].copy_from_slice(b"CMYK");
    profile[20..24].copy_from_slice(b"Lab ");
    profile[36..40].copy_from_slice(b"acsp");
    with_icc(scene, &profile);
}

fn huge_icc_header(scene: &Scene) {
    let mut profile = vec![0u8; 200];
    profile[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
    profile[16..20].copy_from_slice(b"RGB ");
    profile[36..40].copy_from_slice(b"acsp");
    profile[128..132].copy_from_slice(&u32::MAX.to_be_bytes());
    with_icc(scene, &profile);
}

/// A 12-bit greyscale JPEG (medical and scientific cameras write them), 12000×12000.
fn jpeg_12bit(scene: &Scene) {
    let mut bytes = vec![0xFF, 0xD8];
    // DQT: one 16-bit table.
    bytes.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x83, 0x10]);
    bytes.extend(std::iter::repeat_n([0x00, 0x01], 64).flatten());
    // SOF1: precision 12, 12000×12000, one component.
    bytes.extend_from_slice(&[
        0xFF, 0xC1, 0x00, 0x0B, 12, 0x2E, 0xE0, 0x2E, 0xE0, 1, 1, 0x11, 0,
    ]);
    // DHT: a DC and an AC table with one code each.
    for class in [0x00u8, 0x10] {
        bytes.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 1]);
        bytes.extend_from_slice(&[0; 15]);
        bytes.push(0);
    }
    // SOS, a little data, EOI.
    bytes.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0]);
    bytes.extend_from_slice(&[0x00; 16]);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    photo(scene, &bytes);
}

/// An animated GIF of 3000 tiny frames, each a full 64×64 repaint.
fn gif_many_frames(scene: &Scene) {
    let mut bytes = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
        encoder
            .set_repeat(image::codecs::gif::Repeat::Infinite)
            .expect("repeat");
        let frames = (0..3000u32).map(|i| {
            let pixels =
                image::RgbaImage::from_pixel(64, 64, image::Rgba([(i % 251) as u8, 40, 90, 255]));
            image::Frame::new(pixels)
        });
        encoder.encode_frames(frames).expect("encode the GIF");
    }
    photo(scene, &bytes);
}

fn gif_many_frames_first_frame(scene: &Scene) {
    gif_many_frames(scene);
    scene.front("images: {animation: first-frame}");
}

fn bad_animation_choice(scene: &Scene) {
    scene.front("images: {animation: sometimes}");
}

fn flattened_warning(_: &Scene, output: &Output) {
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("warning"), "{said}");
    assert!(
        said.contains(
            "this animation is kept as its first frame only: it has more than 1000 frames"
        ),
        "{said}"
    );
}

fn no_animation_warning(_: &Scene, output: &Output) {
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!said.contains("first frame"), "{said}");
}

/// Every JPEG in the EPUB has three components (or one) and no ICC profile.
fn rgb_jpeg_without_profile(scene: &Scene, _: &Output) {
    let jpegs: Vec<_> = scene
        .epub("out/book.epub")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".jpg"))
        .collect();
    assert!(!jpegs.is_empty(), "no JPEG in the EPUB");
    for (name, bytes) in jpegs {
        let segments = jpeg_segments(&bytes).expect("a JPEG");
        assert!(
            segments.iter().all(|(marker, _)| *marker != 0xE2),
            "{name} keeps an ICC profile"
        );
        let frame = segments
            .iter()
            .find(|(marker, _)| matches!(marker, 0xC0..=0xC2))
            .expect("a frame");
        assert!(
            matches!(frame.1.get(5), Some(1 | 3)),
            "{name} has {:?} components",
            frame.1.get(5)
        );
    }
}
