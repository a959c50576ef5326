//! Real photos through the decode side of the pipeline (issue 11, items 4–7): colour spaces
//! converted to sRGB as LittleCMS converts them, CMYK, 16-bit, phone formats, animation.
//!
//! The photos are in `tests/photos/` (where they come from: its README). The reference for
//! every colour is LittleCMS, through Pillow's ImageCms (`tests/photos/reference.py`): where
//! the test can give both engines the same pixels it compares every pixel within ±2 levels;
//! after a lossy JPEG round trip it compares each channel's mean within ±2.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use bindery::images::colour::{self, ColourOutcome};
use bindery::images::decode;
use bindery::images::metadata::jpeg_segments;
use bindery::images::{ImageJob, PipelineSettings, ProcessedImage, Purpose};
use image::{DynamicImage, GenericImageView, RgbImage};
use support::process;

fn photo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/photos")
        .join(name)
}

/// LittleCMS's reading of `name`: (the decoded source pixels when RGB, the sRGB result).
fn reference(name: &str, scratch: &Path) -> Option<(Option<RgbImage>, RgbImage)> {
    let python = support::python_with_pillow()?;
    let status = Command::new(python)
        .arg(photo("reference.py"))
        .arg(photo(name))
        .arg(scratch)
        .status()
        .expect("run reference.py");
    assert!(status.success(), "reference.py failed on {name}");
    let load = |file: &str| image::open(scratch.join(file)).map(|i| i.to_rgb8());
    Some((
        load("decoded.png").ok(),
        load("srgb.png").expect("srgb.png"),
    ))
}

fn build(name: &str, scratch: &Path) -> ProcessedImage {
    let job = ImageJob {
        source: photo(name),
        purpose: Purpose::Figure,
    };
    let mut results = process(&[job], &PipelineSettings::default(), scratch)
        .unwrap_or_else(|errors| panic!("{name}: {errors:?}"));
    results.pop().expect("one result")
}

fn icc_profile_of(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().ok()?;
    decoder.icc_profile()
}

/// Decoded with `jpeg-decoder`, which agrees with libjpeg. zune-jpeg 0.5.15 (the `image`
/// crate's JPEG decoder) reads some of jpeg-encoder's files as nearly pure green; see the
/// README's notes on decoders.
fn decode_jpeg(bytes: &[u8]) -> RgbImage {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let pixels = decoder.decode().expect("a JPEG");
    let info = decoder.info().expect("a frame header");
    assert_eq!(
        info.pixel_format,
        jpeg_decoder::PixelFormat::RGB24,
        "three channels"
    );
    RgbImage::from_raw(u32::from(info.width), u32::from(info.height), pixels).unwrap()
}

fn channel_means(image: &RgbImage) -> [f64; 3] {
    let mut sums = [0f64; 3];
    for pixel in image.pixels() {
        for (sum, value) in sums.iter_mut().zip(pixel.0) {
            *sum += f64::from(value);
        }
    }
    let count = f64::from(image.width() * image.height());
    sums.map(|sum| sum / count)
}

fn max_difference(a: &RgbImage, b: &RgbImage) -> u8 {
    assert_eq!(a.dimensions(), b.dimensions());
    a.as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

/// The same decoded pixels, converted by bindery and by LittleCMS: every sample within ±2.
fn same_pixels_as_littlecms(name: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let Some((Some(decoded), expected)) = reference(name, scratch.path()) else {
        return;
    };
    let source = fs::read(photo(name)).unwrap();
    let profile = icc_profile_of(&source).expect("the photo has a profile");
    let (converted, outcome) = colour::to_srgb(DynamicImage::ImageRgb8(decoded), Some(&profile));
    assert_eq!(outcome, ColourOutcome::Converted, "{name}");
    let difference = max_difference(&converted.to_rgb8(), &expected);
    assert!(
        difference <= 2,
        "{name}: off by {difference} levels from LittleCMS"
    );
}

#[test]
fn adobe_rgb_pixels_convert_as_littlecms_converts_them() {
    same_pixels_as_littlecms("adobe-rgb.jpg");
}

#[test]
fn display_p3_pixels_convert_as_littlecms_converts_them() {
    same_pixels_as_littlecms("display-p3.jpg");
}

/// Built whole: a JPEG, three channels, no profile, colours LittleCMS's within `tolerance` on
/// average (±2, except where JPEG's noise is clipped at black: see the CMYK test).
fn comes_out_srgb(name: &str, tolerance: f64) {
    let scratch = tempfile::tempdir().unwrap();
    let result = build(name, &scratch.path().join("out"));
    let bytes = fs::read(&result.path).unwrap();
    assert_eq!(result.media_type, "image/jpeg", "{name}");
    assert_eq!(icc_profile_of(&bytes), None, "{name} keeps a profile");
    assert!(
        jpeg_segments(&bytes)
            .unwrap()
            .iter()
            .all(|(marker, _)| *marker != 0xE2),
        "{name}: an APP2 segment is left"
    );
    let output = decode_jpeg(&bytes);
    let Some((_, expected)) = reference(name, scratch.path()) else {
        return;
    };
    assert_eq!(output.dimensions(), expected.dimensions(), "{name}");
    let (got, want) = (channel_means(&output), channel_means(&expected));
    for channel in 0..3 {
        assert!(
            (got[channel] - want[channel]).abs() <= tolerance,
            "{name}: channel means {got:?}, LittleCMS {want:?}"
        );
    }
}

#[test]
fn an_adobe_rgb_photo_comes_out_srgb_without_a_profile() {
    comes_out_srgb("adobe-rgb.jpg", 2.0);
}

#[test]
fn a_display_p3_photo_comes_out_srgb_without_a_profile() {
    comes_out_srgb("display-p3.jpg", 2.0);
}

/// The photo is dark (mean red 30): the JPEG round trip's noise, clipped at 0, lifts the means
/// by a few levels, so the end-to-end check is looser and the exact one is on decoded pixels.
#[test]
fn an_adobe_ycck_cmyk_jpeg_comes_out_rgb() {
    comes_out_srgb("cmyk-ycck.jpg", 5.0);
}

#[test]
fn cmyk_pixels_decode_as_pillow_reads_them() {
    let scratch = tempfile::tempdir().unwrap();
    let Some((_, expected)) = reference("cmyk-ycck.jpg", scratch.path()) else {
        return;
    };
    let source = fs::read(photo("cmyk-ycck.jpg")).unwrap();
    let decoded = decode::decode(&source, (1600, 1600)).expect("decodes");
    assert_eq!(decoded.icc_profile, None);
    let difference = max_difference(&decoded.image.to_rgb8(), &expected);
    assert!(difference <= 2, "off by {difference} levels from Pillow");
}

#[test]
fn a_16_bit_png_comes_out_8_bit_with_its_colours() {
    let scratch = tempfile::tempdir().unwrap();
    let source = image::open(photo("rgb-16bit.png")).unwrap();
    assert!(matches!(source, DynamicImage::ImageRgb16(_)));
    let result = build("rgb-16bit.png", scratch.path());
    let output = image::open(&result.path).unwrap();
    assert_eq!(output.dimensions(), (128, 128));
    assert!(
        matches!(output, DynamicImage::ImageRgb8(_)),
        "{:?}",
        output.color()
    );
    // The 16-bit samples, rounded to 8 bits, as any reader would show them.
    let expected = source.to_rgb8();
    let (got, want) = (channel_means(&output.to_rgb8()), channel_means(&expected));
    for channel in 0..3 {
        assert!(
            (got[channel] - want[channel]).abs() <= 2.0,
            "means {got:?}, expected {want:?}"
        );
    }
}

/// The build's error for `name`, when it refuses it.
#[cfg(not(feature = "heif"))]
fn refusal(name: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let job = ImageJob {
        source: photo(name),
        purpose: Purpose::Figure,
    };
    match process(&[job], &PipelineSettings::default(), scratch.path()) {
        Ok(_) => panic!("{name} was accepted"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[cfg(not(feature = "heif"))]
#[test]
fn heic_and_avif_are_named_with_the_way_to_read_them() {
    let heic = refusal("iphone-rotated.heic");
    assert!(heic.contains("HEIC"), "{heic}");
    assert!(
        heic.contains("cargo install bindery --features heif"),
        "{heic}"
    );
    assert!(heic.contains("export the photo as JPEG"), "{heic}");
    let avif = refusal("hopper.avif");
    assert!(avif.contains("AVIF"), "{avif}");
    assert!(avif.contains("--features heif"), "{avif}");
}

/// Share of dark pixels (the pen line of the arrow) in rows `from..to` (fractions of the
/// height).
#[cfg(feature = "heif")]
fn dark_share(image: &RgbImage, from: f64, to: f64) -> f64 {
    let height = f64::from(image.height());
    let rows = (from * height) as u32..(to * height) as u32;
    let mut dark = 0u32;
    let mut all = 0u32;
    for y in rows {
        for x in 0..image.width() {
            let [r, g, b] = image.get_pixel(x, y).0;
            all += 1;
            if u32::from(r) + u32::from(g) + u32::from(b) < 3 * 80 {
                dark += 1;
            }
        }
    }
    f64::from(dark) / f64::from(all.max(1))
}

/// An iPhone HEIC stored on its side (`irot`, EXIF orientation 6), in Display P3: built
/// upright (a portrait arrow pointing up), converted to sRGB, written as JPEG without a
/// profile or EXIF.
#[cfg(feature = "heif")]
#[test]
fn heif_an_iphone_photo_comes_out_upright_srgb_jpeg() {
    let source = fs::read(photo("iphone-rotated.heic")).unwrap();
    let decoded = decode::decode(&source, (1600, 1600)).expect("libheif decodes it");
    assert_eq!(
        decoded.colour,
        ColourOutcome::Converted,
        "the P3 profile is honoured"
    );
    assert_eq!(decoded.image.dimensions(), (3024, 4032));

    let scratch = tempfile::tempdir().unwrap();
    let result = build("iphone-rotated.heic", scratch.path());
    assert_eq!(result.media_type, "image/jpeg");
    assert_eq!((result.width, result.height), (1200, 1600));
    let bytes = fs::read(&result.path).unwrap();
    assert_eq!(icc_profile_of(&bytes), None);
    let markers: Vec<u8> = jpeg_segments(&bytes).unwrap().iter().map(|s| s.0).collect();
    assert!(!markers.contains(&0xE1), "EXIF left: {markers:x?}");
    let output = decode_jpeg(&bytes);
    assert_eq!(output.dimensions(), (1200, 1600));
    // The arrow's head is in the upper part, and nothing is drawn below its stem.
    let (top, bottom) = (
        dark_share(&output, 0.08, 0.45),
        dark_share(&output, 0.75, 0.95),
    );
    assert!(
        top > 0.005 && bottom < top / 10.0,
        "top {top}, bottom {bottom}"
    );
}

#[cfg(feature = "heif")]
#[test]
fn heif_an_avif_image_builds() {
    let scratch = tempfile::tempdir().unwrap();
    let result = build("hopper.avif", scratch.path());
    assert_eq!((result.width, result.height), (128, 128));
    assert_eq!(result.media_type, "image/jpeg");
    let output = decode_jpeg(&fs::read(&result.path).unwrap());
    // Hopper's portrait: a mid-toned photo, not a blank or a green frame.
    let means = channel_means(&output);
    assert!(means.iter().all(|m| (40.0..220.0).contains(m)), "{means:?}");
}

fn build_with(name: &str, scratch: &Path, settings: &PipelineSettings) -> ProcessedImage {
    build_file(photo(name), scratch, settings)
}

/// The pipeline's result for the image at `source`, its output written under `scratch`.
fn build_file(source: PathBuf, scratch: &Path, settings: &PipelineSettings) -> ProcessedImage {
    let name = source.display().to_string();
    let job = ImageJob {
        source,
        purpose: Purpose::Figure,
    };
    let mut results =
        process(&[job], settings, scratch).unwrap_or_else(|errors| panic!("{name}: {errors:?}"));
    results.pop().expect("one result")
}

/// A real animated GIF (31 frames, 320×240) in a 160 px box: every frame resized, still an
/// animation, same number of frames, no warning.
#[test]
fn an_animated_gif_is_resized_frame_by_frame_and_stays_animated() {
    use image::AnimationDecoder;
    let scratch = tempfile::tempdir().unwrap();
    let settings = PipelineSettings {
        max_size: 160,
        ..PipelineSettings::default()
    };
    let result = build_with("animated.gif", scratch.path(), &settings);
    assert_eq!(result.media_type, "image/gif");
    assert_eq!((result.width, result.height), (160, 120));
    assert_eq!(result.warning, None);
    let bytes = fs::read(&result.path).unwrap();
    let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes)).unwrap();
    let frames = decoder.into_frames().collect_frames().unwrap();
    assert_eq!(frames.len(), 31);
    assert!(frames.iter().all(|f| f.buffer().dimensions() == (160, 120)));
    // The frames differ (it moves), and keep their timing.
    assert_ne!(frames[0].buffer(), frames[15].buffer());
    assert!(frames.iter().all(|f| f.delay().numer_denom_ms().0 > 0));
}

/// The frames of an animated GIF that bindery wrote.
fn gif_frames(path: &Path) -> Vec<image::Frame> {
    use image::AnimationDecoder;
    let bytes = fs::read(path).unwrap();
    let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes)).unwrap();
    decoder.into_frames().collect_frames().unwrap()
}

/// `animated.gif` with a comment block and an XMP application extension (as editors write
/// them) carrying `marker`, inserted after the global colour table.
fn gif_with_metadata(marker: &str) -> Vec<u8> {
    let source = fs::read(photo("animated.gif")).unwrap();
    let packed = source[10];
    let table = if packed & 0x80 != 0 {
        3 << ((packed & 7) + 1)
    } else {
        0
    };
    let at = 13 + table;
    let sub_blocks = |data: &[u8]| {
        let mut out = Vec::new();
        for chunk in data.chunks(255) {
            out.push(chunk.len() as u8);
            out.extend_from_slice(chunk);
        }
        out.push(0);
        out
    };
    let mut metadata = vec![0x21, 0xfe];
    metadata.extend(sub_blocks(format!("comment {marker}").as_bytes()));
    metadata.extend([0x21, 0xff, 11]);
    metadata.extend_from_slice(b"XMP DataXMP");
    metadata.extend(sub_blocks(
        format!("<x:xmpmeta>{marker}</x:xmpmeta>").as_bytes(),
    ));
    [&source[..at], &metadata, &source[at..]].concat()
}

/// An animated GIF that fits the box (320×240 in 1600) goes in as its own frames, not
/// re-quantised: the same pixels in every frame, no bigger than the source, and none of its
/// metadata (a comment and XMP holding a place name).
#[test]
fn an_animated_gif_that_fits_keeps_its_frames_and_loses_its_metadata() {
    let scratch = tempfile::tempdir().unwrap();
    let source = scratch.path().join("tagged.gif");
    let marker = "GPS 52.3676 N 4.9041 E";
    fs::write(&source, gif_with_metadata(marker)).unwrap();
    let result = build_file(source, scratch.path(), &PipelineSettings::default());
    assert_eq!(result.media_type, "image/gif");
    assert_eq!((result.width, result.height), (320, 240));
    let bytes = fs::read(&result.path).unwrap();
    assert!(bytes.len() as u64 <= fs::metadata(photo("animated.gif")).unwrap().len());
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(marker) && !text.contains("XMP DataXMP"));
    let written = gif_frames(&result.path);
    let original = gif_frames(&photo("animated.gif"));
    assert_eq!(written.len(), 31);
    for (a, b) in written.iter().zip(&original) {
        assert_eq!(a.buffer(), b.buffer());
        assert_eq!(a.delay(), b.delay());
    }
}

/// An animated WebP that fits the box stays an animated WebP (a core media type since
/// EPUB 3.3), its own frames: smaller than the 878 kB GIF they made before.
#[test]
fn an_animated_webp_that_fits_stays_webp_and_animated() {
    use image::AnimationDecoder;
    let scratch = tempfile::tempdir().unwrap();
    let result = build_with(
        "animated.webp",
        scratch.path(),
        &PipelineSettings::default(),
    );
    assert_eq!(result.media_type, "image/webp");
    assert_eq!((result.width, result.height), (245, 245));
    let bytes = fs::read(&result.path).unwrap();
    assert!(bytes.len() as u64 <= fs::metadata(photo("animated.webp")).unwrap().len());
    let decoder = image::codecs::webp::WebPDecoder::new(std::io::Cursor::new(bytes)).unwrap();
    assert!(decoder.has_animation());
    assert_eq!(decoder.into_frames().count(), 42);
}

/// A real animated WebP (42 frames, 245×245, from Pillow's tests) in a 160 px box: written
/// as an animated GIF, the format every EPUB reader takes, each frame resized.
#[test]
fn an_animated_webp_becomes_an_animated_gif() {
    let scratch = tempfile::tempdir().unwrap();
    let settings = PipelineSettings {
        max_size: 160,
        ..PipelineSettings::default()
    };
    let result = build_with("animated.webp", scratch.path(), &settings);
    assert_eq!(result.media_type, "image/gif");
    assert_eq!((result.width, result.height), (160, 160));
    assert_eq!(result.warning, None);
    let frames = gif_frames(&result.path);
    assert_eq!(frames.len(), 42);
    assert!(frames.iter().all(|f| f.buffer().dimensions() == (160, 160)));
    assert_ne!(frames[0].buffer(), frames[20].buffer());
}

/// A real APNG (Pillow's `apng/delay.png`, 128×64): a red still for viewers without APNG,
/// then an animation of blue, yellow, blue, yellow shown 0.5 s and 1 s. The animation is
/// kept moving at its size, colours and timing intact, and the still (not one of its frames,
/// as the APNG specification says) is not added to it.
#[test]
fn an_animated_png_stays_animated_with_its_timing() {
    let scratch = tempfile::tempdir().unwrap();
    let result = build_with(
        "animated-apng.png",
        scratch.path(),
        &PipelineSettings::default(),
    );
    assert_eq!(result.media_type, "image/gif");
    assert_eq!((result.width, result.height), (128, 64));
    assert_eq!(result.warning, None);
    let frames = gif_frames(&result.path);
    let colours: Vec<[u8; 4]> = frames
        .iter()
        .map(|f| f.buffer().get_pixel(64, 32).0)
        .collect();
    let (blue, yellow) = ([0, 0, 255, 255], [255, 255, 0, 255]);
    assert_eq!(colours, [blue, yellow, blue, yellow]);
    let delays: Vec<u32> = frames
        .iter()
        .map(|f| {
            let (numer, denom) = f.delay().numer_denom_ms();
            numer / denom
        })
        .collect();
    assert_eq!(delays, [500, 1000, 500, 1000]);
}

/// An animation that stays over the size budget once resized (20 frames of 400×300 noise,
/// about 2.4 MB as a GIF, over `MAX_ANIMATION_BYTES`) becomes its first frame, and the
/// result carries the warning that says why and what to do.
#[test]
fn an_animation_over_the_size_budget_is_its_first_frame_with_a_warning() {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame, RgbaImage};
    let scratch = tempfile::tempdir().unwrap();
    let source = scratch.path().join("noise.gif");
    let mut seed: u32 = 0x2545_f491;
    let mut noise = || {
        // xorshift32: deterministic noise that no GIF compressor can shrink.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let frames: Vec<Frame> = (0..20)
        .map(|_| {
            let image = RgbaImage::from_fn(400, 300, |_, _| {
                let grey = (noise() & 0xff) as u8;
                image::Rgba([grey, grey, grey, 255])
            });
            Frame::from_parts(image, 0, 0, Delay::from_numer_denom_ms(100, 1))
        })
        .collect();
    {
        let mut encoder = GifEncoder::new(fs::File::create(&source).unwrap());
        encoder.set_repeat(Repeat::Infinite).unwrap();
        encoder.encode_frames(frames).unwrap();
    }
    let result = build_file(source, scratch.path(), &PipelineSettings::default());
    assert_ne!(result.media_type, "image/gif");
    assert_eq!((result.width, result.height), (400, 300));
    let warning = result
        .warning
        .expect("a warning for the flattened animation");
    assert!(
        warning.contains("kept as its first frame only")
            && warning.contains("its 20 frames take")
            && warning.contains("over the 2097 kB allowed for an animation"),
        "{warning}"
    );
}

#[test]
fn first_frame_makes_a_still_without_a_warning() {
    let scratch = tempfile::tempdir().unwrap();
    let settings = PipelineSettings {
        animation: bindery::images::animation::Animation::FirstFrame,
        ..PipelineSettings::default()
    };
    let result = build_with("animated.gif", scratch.path(), &settings);
    assert_ne!(result.media_type, "image/gif");
    assert_eq!((result.width, result.height), (320, 240));
    assert_eq!(result.warning, None);
}
