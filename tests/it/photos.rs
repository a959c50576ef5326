//! Real photographs through the image pipeline (issues 10 and 11): what comes out of a black-
//! and-white photo exported as RGB, a progressive JPEG carrying IPTC, a screenshot near the
//! box size, a photo whose description is a camera placeholder, and JPEG, PNG, GIF and WebP
//! sources with a GPS-tagged JPEG and text appended after their end. The files, where they
//! come from and what was done to them: `tests/photos/README.md`.

use crate::support;

use std::fs;
use std::path::PathBuf;

use bindery::images::metadata::{jpeg_segments, png_chunks};
use bindery::images::strip;
use bindery::images::{ImageJob, PipelineSettings, ProcessedImage, Purpose};
use support::process;

fn photo(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "photos", name]
        .iter()
        .collect();
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs the pipeline on `bytes` (saved as `name`) with figures fitting `max_size`.
fn run(name: &str, bytes: &[u8], max_size: u32) -> (ProcessedImage, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join(name);
    fs::write(&source, bytes).unwrap();
    let settings = PipelineSettings {
        max_size,
        ..PipelineSettings::default()
    };
    let job = ImageJob {
        source,
        purpose: Purpose::Figure,
    };
    let mut results = process(&[job], &settings, &dir.path().join("scratch")).unwrap();
    let image = results.pop().unwrap();
    let bytes = fs::read(&image.path).unwrap();
    (image, bytes)
}

/// Number of colour components in a JPEG's frame header.
fn jpeg_components(bytes: &[u8]) -> u8 {
    let segments = jpeg_segments(bytes).unwrap();
    let (_, frame) = segments
        .iter()
        .find(|(marker, _)| matches!(marker, 0xC0..=0xC2))
        .expect("a frame header");
    frame[5]
}

fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    jpeg_segments(bytes)
        .unwrap()
        .iter()
        .map(|(marker, _)| *marker)
        .collect()
}

#[test]
fn a_black_and_white_photo_exported_as_rgb_becomes_a_one_channel_jpeg() {
    let source = photo("bw-exported-as-rgb.jpg");
    assert_eq!(jpeg_components(&source), 3);
    let (image, out) = run("bw.jpg", &source, 400);
    eprintln!(
        "bw-exported-as-rgb.jpg at 400 px: {} → {} bytes",
        source.len(),
        out.len()
    );
    assert_eq!(image.media_type, "image/jpeg", "a JPEG source stays JPEG");
    assert_eq!((image.width, image.height), (400, 266));
    assert_eq!(jpeg_components(&out), 1, "grey is grey");
    assert!(out.len() <= source.len());

    // At the default box it fits: whichever is smaller of its own data and a grey JPEG.
    let (image, out) = run("bw.jpg", &source, 1600);
    eprintln!(
        "bw-exported-as-rgb.jpg at 1600 px: {} → {} bytes",
        source.len(),
        out.len()
    );
    assert_eq!(image.media_type, "image/jpeg");
    assert_eq!((image.width, image.height), (800, 531));
    assert!(out.len() <= source.len());
}

#[test]
fn a_progressive_jpeg_that_fits_comes_out_no_larger_than_its_own_data_and_without_iptc() {
    let source = photo("progressive-with-iptc.jpg");
    assert!(
        jpeg_markers(&source).contains(&0xED),
        "the source carries IPTC"
    );
    // Its own image data, rebuilt without metadata: the most the output may take.
    let own = strip::rebuild_jpeg(&source, strip::Keep::Output)
        .unwrap()
        .bytes;
    let (image, out) = run("p.jpg", &source, 1600);
    eprintln!(
        "progressive-with-iptc.jpg: {} ({} without metadata) → {} bytes",
        source.len(),
        own.len(),
        out.len()
    );
    assert_eq!(image.media_type, "image/jpeg");
    assert_eq!((image.width, image.height), (256, 160));
    assert!(out.len() <= own.len());
    let markers = jpeg_markers(&out);
    assert!(
        !markers.contains(&0xED) && !markers.contains(&0xE1),
        "{markers:02X?}"
    );
    assert_eq!(jpeg_components(&out), 3);

    // Scaled: re-encoded as a baseline JPEG.
    let (image, out) = run("p.jpg", &source, 128);
    assert_eq!((image.width, image.height), (128, 80));
    assert_eq!(
        jpeg_markers(&out).iter().find(|m| matches!(m, 0xC0..=0xC2)),
        Some(&0xC0)
    );
    assert!(out.len() <= own.len());
}

#[test]
fn a_screenshot_near_the_box_is_never_bigger() {
    let source = photo("screenshot.png");
    // It fits a 300 px box: never larger than the source.
    let (image, out) = run("s.png", &source, 300);
    eprintln!(
        "screenshot.png at 300 px: {} → {} bytes",
        source.len(),
        out.len()
    );
    assert_eq!(image.media_type, "image/png");
    assert_eq!((image.width, image.height), (296, 176));
    assert!(
        out.len() <= source.len(),
        "{} > {}",
        out.len(),
        source.len()
    );
    let chunks: Vec<[u8; 4]> = png_chunks(&out).unwrap().iter().map(|(k, _)| *k).collect();
    assert!(chunks.iter().all(|k| matches!(
        k,
        b"IHDR" | b"PLTE" | b"IDAT" | b"IEND" | b"tRNS" | b"sRGB" | b"gAMA" | b"cHRM" | b"iCCP"
    )));

    // Scaled just below its size: text stays PNG (a JPEG would blur it), the smaller PNG.
    let (image, out) = run("s.png", &source, 290);
    eprintln!(
        "screenshot.png at 290 px: {} → {} bytes",
        source.len(),
        out.len()
    );
    assert_eq!(image.media_type, "image/png");
    assert_eq!((image.width, image.height), (290, 172));
}

/// PSNR (dB) of `out` against `source` resized to its size with Lanczos3 (`image`'s resizer,
/// not bindery's: the two differ by a few levels at edges, so this bounds the whole error).
fn psnr_against_resized(source: &[u8], out: &[u8]) -> f64 {
    let out = image::load_from_memory(out).unwrap().to_rgb8();
    let reference = image::imageops::resize(
        &image::load_from_memory(source).unwrap().to_rgb8(),
        out.width(),
        out.height(),
        image::imageops::FilterType::Lanczos3,
    );
    let squared: f64 = out
        .as_raw()
        .iter()
        .zip(reference.as_raw())
        .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
        .sum();
    10.0 * (255.0f64.powi(2) / (squared / out.as_raw().len() as f64)).log10()
}

#[test]
fn scaled_screenshots_with_thousands_of_colours_never_grow() {
    // Real dashboard screenshots (glances-doc): truecolour PNGs 1.6-1.7 times their source at
    // 800 px before the quantised palette.
    for name in ["screenshot-prometheus.png", "screenshot-grafana.png"] {
        let source = photo(name);
        for box_size in [800, 900] {
            let (image, out) = run(name, &source, box_size);
            let psnr = psnr_against_resized(&source, &out);
            eprintln!(
                "{name} at {box_size} px: {} → {} bytes, {}, PSNR {psnr:.1} dB",
                source.len(),
                out.len(),
                image.media_type
            );
            assert_eq!(image.width, box_size);
            assert!(
                out.len() <= source.len(),
                "{name}: {} > {}",
                out.len(),
                source.len()
            );
            assert_eq!(
                image.media_type, "image/png",
                "{name}: text is not blurred by JPEG"
            );
            // A palette PNG (IHDR colour type 3), and as close to the scaled image as the
            // quantiser's bound allows, resizer differences included.
            assert_eq!(out[25], 3, "{name}: a palette PNG");
            assert!(psnr >= 35.0, "{name}: PSNR {psnr:.1} dB");
        }
    }
}

#[test]
fn appended_gps_and_text_never_reach_the_book() {
    let gps = photo("gps-tagged.jpg");
    assert!(
        gps.windows(4).any(|w| w == b"Exif"),
        "the payload carries EXIF with GPS"
    );
    for name in [
        "hopper.jpg",
        "flower-clean.jpg",
        "hopper.png",
        "hopper.gif",
        "hopper.webp",
    ] {
        let mut source = if name == "flower-clean.jpg" {
            photo("flower-q30-clean.jpg")
        } else {
            photo(name)
        };
        let original_len = source.len();
        source.extend_from_slice(&gps);
        source.extend_from_slice(b"Meet me at 51.5007N 0.1246W");
        let (image, out) = run(name, &source, 1600);
        eprintln!(
            "{name} (+{} appended): {original_len} → {} bytes",
            gps.len() + 27,
            out.len()
        );
        for secret in [&b"Exif"[..], b"51.5007N", &gps[gps.len() - 16..]] {
            assert!(
                !out.windows(secret.len()).any(|w| w == secret),
                "{name}: the output carries {:?}",
                String::from_utf8_lossy(secret)
            );
        }
        match image.media_type {
            "image/jpeg" => {
                assert!(out.ends_with(&[0xFF, 0xD9]));
                let eoi = out.windows(2).rposition(|w| w == [0xFF, 0xD9]).unwrap();
                assert_eq!(eoi, out.len() - 2);
                assert_eq!(
                    out.windows(2).filter(|w| *w == [0xFF, 0xD8]).count(),
                    1,
                    "{name}: one image"
                );
            }
            "image/png" => {
                let chunks = png_chunks(&out).unwrap();
                assert_eq!(&chunks.last().unwrap().0, b"IEND");
                let whole: usize = 8 + chunks.iter().map(|(_, d)| d.len() + 12).sum::<usize>();
                assert_eq!(whole, out.len(), "{name}: nothing after IEND");
            }
            "image/webp" => {
                // A WebP that fits goes in as its own chunks (issue 11): nothing after the RIFF.
                let riff = u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize;
                assert_eq!(riff + 8, out.len(), "{name}: nothing after the RIFF");
                assert!(out.len() <= original_len, "{name}: never bigger");
            }
            other => panic!("{name}: {other}"),
        }
    }
}

#[test]
fn a_camera_placeholder_description_is_not_a_caption() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(book.join("images")).unwrap();
    fs::write(
        book.join("images/flower.jpg"),
        photo("placeholder-description.jpg"),
    )
    .unwrap();
    fs::write(
        book.join("essay.md"),
        "---\ntitle: Flowers\nlanguage: en\nlist-of-illustrations: true\n---\n\n# Garden\n\n\
         ![A frangipani in bloom](images/flower.jpg)\n",
    )
    .unwrap();
    let output = support::bindery(dir.path())
        .args(["build", "book", "-o", "book.epub", "--no-cache"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let entries = support::epub_entries(&dir.path().join("book.epub"));
    let text = |suffix: &str| -> String {
        entries
            .iter()
            .filter(|(name, _)| name.ends_with(suffix))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect()
    };
    let chapters = text(".xhtml");
    assert!(!chapters.contains("OLYMPUS"), "{chapters}");
    let illustrations = text("illustrations.xhtml");
    assert!(
        illustrations.contains("A frangipani in bloom"),
        "{illustrations}"
    );
    let chapter = entries
        .iter()
        .find(|(name, bytes)| {
            name.contains("chapter") && String::from_utf8_lossy(bytes).contains("<img")
        })
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .unwrap();
    assert!(
        !chapter.contains("<figcaption"),
        "the figure stays uncaptioned: {chapter}"
    );
}
