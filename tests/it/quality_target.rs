//! The perceptual quality target (issue 12): each JPEG at the lowest quality that scores at
//! least the target on SSIMULACRA2 against the resized image, and a fixed quality giving
//! exactly the bytes it gave before the search existed. Real photos from `tests/photos`
//! (their provenance: `tests/photos/README.md`).

use crate::support;

use std::fs;
use std::path::PathBuf;

use bindery::images::quality::{self, JpegQuality, MAX_TRIALS};
use bindery::images::work::transform;
use bindery::images::{decode, encode, resize};
use image::{DynamicImage, RgbImage};

fn photo(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "photos", name]
        .iter()
        .collect();
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The pixels the encoder sees for `bytes` fitted into `side`: decoded, upright, 8-bit (grey
/// when neutral), resized.
fn resized(bytes: &[u8], side: u32) -> DynamicImage {
    let decoded = decode::decode(bytes, (side, side)).unwrap();
    assert_eq!(
        decoded.orientation,
        image::metadata::Orientation::NoTransforms
    );
    let image = encode::normalize(decoded.image, false);
    let size = resize::fit((image.width(), image.height()), (side, side));
    resize::resize(image, size).unwrap()
}

#[test]
fn a_flat_image_gets_a_lower_quality_than_a_detailed_photo() {
    // A sky-like gradient: nothing for JPEG's quantisation to lose.
    let flat = DynamicImage::ImageRgb8(RgbImage::from_fn(400, 300, |x, y| {
        image::Rgb([
            (90 + x / 8) as u8,
            (140 + y / 6) as u8,
            (200 + (x + y) / 20) as u8,
        ])
    }));
    let detailed = resized(&photo("adobe-rgb.jpg"), 400);
    let flat_choice = quality::search(&flat, None, 70).unwrap();
    let detailed_choice = quality::search(&detailed, None, 70).unwrap();
    assert!(
        flat_choice.quality < detailed_choice.quality,
        "flat {} against detailed {}",
        flat_choice.quality,
        detailed_choice.quality
    );
    for chosen in [&flat_choice, &detailed_choice] {
        assert!(chosen.score.is_some_and(|s| s >= 70.0), "{chosen:?}");
        assert!(chosen.trials <= MAX_TRIALS);
    }
    // A higher target asks more of the same photo.
    let higher = quality::search(&detailed, None, 85).unwrap();
    assert!(higher.quality > detailed_choice.quality);
    assert!(higher.bytes.len() > detailed_choice.bytes.len());
}

#[test]
fn the_target_is_met_on_real_photos_and_grey_ones_stay_grey() {
    for (name, grey) in [
        ("adobe-rgb.jpg", false),
        ("display-p3.jpg", false),
        ("placeholder-description.jpg", false),
        ("bw-exported-as-rgb.jpg", true),
    ] {
        let source = photo(name);
        let out = transform(&source, (400, 400), JpegQuality::Target(70), false).unwrap();
        assert!(!out.copied, "{name} is resized, so re-encoded");
        let image = resized(&source, 400);
        assert_eq!(matches!(image, DynamicImage::ImageLuma8(_)), grey, "{name}");
        // Scored again here, apart from the search: the bytes in the book meet the target.
        let score = quality::score(&image, &out.bytes).unwrap();
        assert!(score >= 70.0, "{name}: {score:.2}");
        // And the search is no larger than quality 80 gave.
        let fixed = transform(&source, (400, 400), 80u8, false).unwrap();
        assert!(
            out.bytes.len() <= fixed.bytes.len(),
            "{name}: {} against {}",
            out.bytes.len(),
            fixed.bytes.len()
        );
    }
}

#[test]
fn the_same_photo_gives_the_same_bytes_every_time() {
    let source = photo("display-p3.jpg");
    let first = transform(&source, (300, 300), JpegQuality::Target(70), false).unwrap();
    let again = transform(&source, (300, 300), JpegQuality::Target(70), false).unwrap();
    assert_eq!(first.bytes, again.bytes);
}

/// blake3 of what `main` before issue 12 made of these photos at quality 80 (`transform`, box
/// side given): a fixed quality must still give exactly those bytes.
const BEFORE_THE_SEARCH: &[(&str, u32, &str)] = &[
    (
        "adobe-rgb.jpg",
        1600,
        "b09a6a56f6c57727c589902a03e105c28b647a65dfb1280d724af49b72b04b88",
    ),
    (
        "adobe-rgb.jpg",
        300,
        "b895ce406a2089942434fd88ce39643250a677d6d81cc5a5d69d04edb41b916f",
    ),
    (
        "bw-exported-as-rgb.jpg",
        300,
        "2cc4a16fd4416c7d3d44dc0989cc45161a9becc0c1d07fbdd526f5b2672969da",
    ),
    (
        "display-p3.jpg",
        1600,
        "b2e1aeedd282becad577d84283ddcc4d407fd279e76ac5d9d95e098c2654863a",
    ),
    (
        "hopper.png",
        1600,
        "d8b54a4bd5914cc52d64e643eabb18c2dcd95af1b0745aafd5807d548edcd759",
    ),
];

#[test]
fn a_fixed_quality_gives_exactly_the_bytes_of_before() {
    for (name, side, hash) in BEFORE_THE_SEARCH {
        let out = transform(&photo(name), (*side, *side), JpegQuality::Fixed(80), false).unwrap();
        assert_eq!(
            blake3::hash(&out.bytes).to_hex().as_str(),
            *hash,
            "{name} at {side} px"
        );
    }
}

/// The command line end to end: the default and `--jpeg-quality 80` put the bytes of before
/// in the book (the search is opt-in), `--quality-target` the searched ones, and a fixed
/// quality wins over a target.
#[test]
fn jpeg_quality_flag_turns_the_search_off() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(book.join("images")).unwrap();
    fs::write(book.join("images/photo.jpg"), photo("display-p3.jpg")).unwrap();
    fs::write(
        book.join("essay.md"),
        "---\ntitle: Quality\nauthor: A. Author\nlanguage: en\n---\n\n# One\n\n![A pug.](images/photo.jpg)\n",
    )
    .unwrap();
    let image_in = |epub: &PathBuf| -> Vec<u8> {
        support::epub_entries(epub)
            .into_iter()
            .find(|(name, _)| name.ends_with(".jpg"))
            .expect("a JPEG in the book")
            .1
    };
    let build = |extra: &[&str], out: &str| -> PathBuf {
        let epub = dir.path().join(out);
        let status = support::bindery(dir.path())
            .args(["build", "book", "--no-cache", "-q", "-o"])
            .arg(&epub)
            .args(extra)
            .status()
            .unwrap();
        assert!(status.success());
        epub
    };
    let fixed = image_in(&build(&["--jpeg-quality", "80"], "fixed.epub"));
    assert_eq!(
        blake3::hash(&fixed).to_hex().as_str(),
        BEFORE_THE_SEARCH[3].2,
        "--jpeg-quality 80 gives the bytes of before"
    );
    let default = image_in(&build(&[], "default.epub"));
    assert_eq!(
        default, fixed,
        "without a target the quality stays fixed at 80"
    );
    let searched = image_in(&build(&["--quality-target", "70"], "searched.epub"));
    assert_ne!(searched, fixed);
    let image = resized(&photo("display-p3.jpg"), 1600);
    assert!(quality::score(&image, &searched).unwrap() >= 70.0);
    let higher = image_in(&build(&["--quality-target", "85"], "higher.epub"));
    assert!(higher.len() > searched.len());
    let both = image_in(&build(
        &["--quality-target", "70", "--jpeg-quality", "80"],
        "both.epub",
    ));
    assert_eq!(both, fixed, "a fixed quality wins over a target");
}
