//! The image pipeline end to end: real files in, files on disk out, checked by decoding them
//! again and by reading their container structure. Images are generated here, small, so the
//! suite stays fast.

use crate::support;

use support::crc32;

use std::fs;
use std::path::{Path, PathBuf};

use bindery::diagnostics::Diagnostic;
use bindery::images::metadata::{jpeg_segments, png_chunks};
use bindery::images::{ImageJob, PipelineSettings, ProcessedImage, Purpose};
use bindery::progress::Silent;

/// The image pipeline, reporting no progress.
fn process(
    jobs: &[ImageJob],
    settings: &PipelineSettings,
    scratch: &std::path::Path,
) -> Result<Vec<ProcessedImage>, Vec<Diagnostic>> {
    bindery::images::process(jobs, settings, scratch, &Silent)
}
use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};

/// A fake ICC profile: only the header field the pipeline reads (the colour space) is real.
fn rgb_icc_profile() -> Vec<u8> {
    let mut profile = vec![0u8; 132];
    profile[0..4].copy_from_slice(&132u32.to_be_bytes());
    profile[16..20].copy_from_slice(b"RGB ");
    profile[36..40].copy_from_slice(b"acsp");
    profile
}

/// A TIFF/EXIF block with an orientation tag and a GPS IFD holding a latitude reference.
fn exif_with_orientation_and_gps(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0 at 8: two entries.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    // Orientation (0x0112), SHORT, 1 value.
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
    // GPS IFD pointer (0x8825), LONG, at offset 38.
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&38u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD at 38: GPSLatitudeRef = "N".
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff
}

/// Left half red, right half blue: easy to tell which way it was turned.
fn two_colour_landscape(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    })
}

/// Many colours, smooth with grain: compresses like a photo.
fn photo(width: u32, height: u32) -> RgbImage {
    let mut state = 12345u32;
    RgbImage::from_fn(width, height, |x, y| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let grain = (state >> 16) as u8 % 24;
        Rgb([
            ((x * 255 / width) as u8).wrapping_add(grain),
            ((y * 255 / height) as u8).wrapping_add(grain),
            (((x + y) * 127 / (width + height)) as u8).wrapping_add(grain),
        ])
    })
}

/// A camera-style JPEG: EXIF (orientation and GPS), XMP, IPTC, a comment and an ICC profile.
fn camera_jpeg(pixels: &RgbImage, orientation: u16, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, quality);
    encoder
        .add_exif_metadata(&exif_with_orientation_and_gps(orientation))
        .unwrap();
    encoder
        .add_app_segment(1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".to_vec())
        .unwrap();
    encoder
        .add_app_segment(13, b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\0".to_vec())
        .unwrap();
    encoder.add_icc_profile(&rgb_icc_profile()).unwrap();
    encoder
        .encode(
            pixels.as_raw(),
            pixels.width() as u16,
            pixels.height() as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    bytes
}

fn plain_jpeg(pixels: &RgbImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, quality)
        .encode(
            pixels.as_raw(),
            pixels.width() as u16,
            pixels.height() as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    bytes
}

fn png(image: &DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

struct Book {
    dir: tempfile::TempDir,
}

impl Book {
    fn new() -> Self {
        Book {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn image(&self, name: &str, bytes: &[u8]) -> ImageJob {
        let source = self.dir.path().join(name);
        fs::write(&source, bytes).unwrap();
        ImageJob {
            source,
            purpose: Purpose::Figure,
        }
    }

    fn scratch(&self) -> PathBuf {
        self.dir.path().join("scratch")
    }

    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }
}

fn process_one(job: ImageJob, settings: &PipelineSettings, scratch: &Path) -> ProcessedImage {
    let mut results = process(&[job], settings, scratch).unwrap();
    results.pop().unwrap()
}

fn marker_names(bytes: &[u8]) -> Vec<String> {
    jpeg_segments(bytes)
        .unwrap()
        .iter()
        .map(|(marker, payload)| {
            let tag: String = payload
                .iter()
                .take(4)
                .map(|&b| {
                    if b.is_ascii_alphanumeric() {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{marker:02X}:{tag}")
        })
        .collect()
}

/// The pixels of an output file. JPEGs are read with jpeg-decoder: zune-jpeg 0.5.15 (behind
/// `image::open`) reads the optimized Huffman tables bindery writes to wrong colours.
fn decode_rgb(path: &Path) -> RgbImage {
    let bytes = fs::read(path).unwrap();
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut decoder = jpeg_decoder::Decoder::new(bytes.as_slice());
        let pixels = decoder.decode().unwrap();
        let info = decoder.info().unwrap();
        let (width, height) = (u32::from(info.width), u32::from(info.height));
        return match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => {
                DynamicImage::ImageLuma8(image::GrayImage::from_raw(width, height, pixels).unwrap())
                    .to_rgb8()
            }
            _ => RgbImage::from_raw(width, height, pixels).unwrap(),
        };
    }
    image::load_from_memory(&bytes).unwrap().to_rgb8()
}

#[test]
fn exif_rotated_photos_come_out_upright_with_sides_swapped() {
    let book = Book::new();
    let job = book.image(
        "side.jpg",
        &camera_jpeg(&two_colour_landscape(64, 32), 6, 90),
    );
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());

    assert_eq!((result.width, result.height), (32, 64));
    let upright = decode_rgb(&result.path);
    assert_eq!(upright.dimensions(), (32, 64));
    // Orientation 6 means "turn 90° clockwise": the stored left (red) half is now on top.
    let top = upright.get_pixel(16, 8);
    let bottom = upright.get_pixel(16, 56);
    assert!(top[0] > 180 && top[2] < 70, "top is {top:?}");
    assert!(bottom[2] > 180 && bottom[0] < 70, "bottom is {bottom:?}");
}

#[test]
fn exif_gps_xmp_iptc_and_the_icc_profile_are_dropped() {
    let book = Book::new();
    let job = book.image("camera.jpg", &camera_jpeg(&photo(120, 80), 1, 90));
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());

    let bytes = fs::read(&result.path).unwrap();
    assert_eq!(result.media_type, "image/jpeg");
    // SOF0 is baseline; no APP1 (EXIF, XMP), APP13 (IPTC) or COM segment is left, and no
    // ICC profile: the pixels are sRGB (this one is unreadable, so taken as sRGB already).
    assert_eq!(
        marker_names(&bytes),
        [
            "E0:JFIF", "C0:..P.", "DB:....", "DB:....", "C4:....", "C4:....", "C4:....", "C4:....",
            "DA:....",
        ]
    );
    let mut decoder = jpeg_decoder::Decoder::new(bytes.as_slice());
    decoder.decode().unwrap();
    assert_eq!(decoder.icc_profile(), None);
    assert_eq!(decoder.exif_data(), None);
}

#[test]
fn a_photo_saved_as_png_becomes_jpeg() {
    let book = Book::new();
    let job = book.image("photo.png", &png(&DynamicImage::ImageRgb8(photo(300, 200))));
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());
    assert_eq!(result.media_type, "image/jpeg");
    assert!(result.file_name.ends_with(".jpg"));
    assert!(result.bytes_out < result.bytes_in);
}

#[test]
fn flat_line_art_stays_png_pixel_for_pixel() {
    let book = Book::new();
    let art = DynamicImage::ImageRgb8(RgbImage::from_fn(300, 200, |x, y| {
        if (x / 20 + y / 20) % 2 == 0 {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 240])
        }
    }));
    let job = book.image("chart.png", &png(&art));
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());
    assert_eq!(result.media_type, "image/png");
    assert_eq!(image::open(&result.path).unwrap().to_rgb8(), art.to_rgb8());
}

#[test]
fn transparent_images_stay_png_with_their_alpha() {
    let book = Book::new();
    let mut state = 1u32;
    let logo = DynamicImage::ImageRgba8(RgbaImage::from_fn(120, 90, |x, y| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        Rgba([
            (state >> 16) as u8,
            x as u8,
            y as u8,
            if x < 60 { 0 } else { 255 },
        ])
    }));
    let job = book.image("logo.png", &png(&logo));
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());
    assert_eq!(result.media_type, "image/png");
    assert_eq!(
        image::open(&result.path).unwrap().to_rgba8(),
        logo.to_rgba8()
    );
    let chunk_types: Vec<String> = png_chunks(&fs::read(&result.path).unwrap())
        .unwrap()
        .iter()
        .map(|(kind, _)| String::from_utf8_lossy(kind).into_owned())
        .collect();
    assert_eq!(chunk_types, ["IHDR", "IDAT", "IEND"]);
}

#[test]
fn small_images_are_never_enlarged_and_large_ones_fit_the_box() {
    let book = Book::new();
    let small = book.image("small.jpg", &plain_jpeg(&photo(100, 80), 85));
    // Small sizes keep the test fast; the large JPEG is still reduced by a scaled decode.
    let large = book.image("large.jpg", &plain_jpeg(&photo(1000, 750), 85));
    let tall = book.image("tall.png", &png(&DynamicImage::ImageRgb8(photo(200, 900))));
    let mut cover = book.image("cover.jpg", &plain_jpeg(&photo(450, 900), 85));
    cover.purpose = Purpose::Cover;
    let settings = PipelineSettings {
        max_size: 400,
        cover_box: (300, 480),
        ..PipelineSettings::default()
    };
    let results = process(&[small, large, tall, cover], &settings, &book.scratch()).unwrap();
    let sizes: Vec<(u32, u32)> = results.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(100, 80), (400, 300), (89, 400), (240, 480)]);
    for result in &results {
        let on_disk = image::image_dimensions(&result.path).unwrap();
        assert_eq!(
            on_disk,
            (result.width, result.height),
            "{}",
            result.file_name
        );
    }
}

#[test]
fn a_small_clean_jpeg_is_copied_when_re_encoding_would_not_shrink_it() {
    let book = Book::new();
    // Already as small as it gets: low quality, optimized tables, subsampled colour.
    let pixels = photo(100, 80);
    let mut source = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut source, 30);
    encoder.set_optimized_huffman_tables(true);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder
        .encode(pixels.as_raw(), 100, 80, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let job = book.image("clean.jpg", &source);
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());
    assert_eq!(fs::read(&result.path).unwrap(), source);
}

#[test]
fn a_small_jpeg_with_metadata_is_never_copied() {
    let book = Book::new();
    let source = camera_jpeg(&photo(100, 80), 1, 40);
    let job = book.image("gps.jpg", &source);
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());
    let bytes = fs::read(&result.path).unwrap();
    assert_ne!(bytes, source);
    assert!(!marker_names(&bytes).iter().any(|m| m.starts_with("E1")));
}

#[test]
fn grayscale_books_get_one_channel_images() {
    let book = Book::new();
    let job = book.image("colour.jpg", &plain_jpeg(&photo(200, 100), 85));
    let settings = PipelineSettings {
        grayscale: true,
        ..PipelineSettings::default()
    };
    let result = process_one(job, &settings, &book.scratch());
    let image = image::open(&result.path).unwrap();
    assert_eq!(image.color(), image::ColorType::L8);
}

#[test]
fn a_rebuild_hits_the_cache_and_a_changed_setting_or_source_misses_it() {
    let book = Book::new();
    let job = book.image("photo.jpg", &plain_jpeg(&photo(400, 300), 85));
    let settings = PipelineSettings {
        max_size: 200,
        cache_dir: Some(book.cache()),
        ..PipelineSettings::default()
    };

    let first = process_one(job.clone(), &settings, &book.scratch());
    assert!(!first.cache_hit);
    // Stored in the cache, and used from the build's scratch folder, where a `cache prune`
    // running meanwhile cannot take it away (issue 15).
    assert!(first.path.starts_with(book.scratch()));
    let cached: Vec<Vec<u8>> = fs::read_dir(book.cache().join("images-v2/objects"))
        .unwrap()
        .map(|entry| fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert_eq!(cached, [fs::read(&first.path).unwrap()]);

    let second = process_one(job.clone(), &settings, &book.scratch());
    assert!(second.cache_hit);
    assert_eq!(
        second,
        ProcessedImage {
            cache_hit: true,
            ..first.clone()
        }
    );

    let lower_quality = PipelineSettings {
        quality: bindery::images::quality::JpegQuality::Fixed(50),
        ..settings.clone()
    };
    let third = process_one(job.clone(), &lower_quality, &book.scratch());
    assert!(!third.cache_hit);
    assert_ne!(third.file_name, first.file_name);

    fs::write(&job.source, plain_jpeg(&photo(400, 200), 85)).unwrap();
    let fourth = process_one(job, &settings, &book.scratch());
    assert!(!fourth.cache_hit);
    assert_eq!((fourth.width, fourth.height), (200, 100));
}

#[test]
fn output_bytes_and_names_are_the_same_on_every_build() {
    let book = Book::new();
    let jobs = [
        book.image("a.jpg", &camera_jpeg(&photo(300, 200), 8, 90)),
        book.image("b.png", &png(&DynamicImage::ImageRgb8(photo(200, 300)))),
    ];
    let settings = PipelineSettings {
        max_size: 150,
        ..PipelineSettings::default()
    };
    let first = process(&jobs, &settings, &book.dir.path().join("one")).unwrap();
    let second = process(&jobs, &settings, &book.dir.path().join("two")).unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.file_name, b.file_name);
        assert_eq!(fs::read(&a.path).unwrap(), fs::read(&b.path).unwrap());
        let hash = a.file_name.split('.').next().unwrap();
        assert!(hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit()));
    }
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    chunk
}

/// A PNG that claims 60000×60000 pixels (10.8 GB as RGB) over a few bytes of data.
fn png_bomb_header() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(png_chunk(b"IHDR", &ihdr));
    bytes.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    bytes.extend(png_chunk(b"IEND", &[]));
    bytes
}

/// A real JPEG whose frame header is rewritten to claim 60000×60000.
fn jpeg_bomb_header() -> Vec<u8> {
    let mut bytes = plain_jpeg(&photo(16, 16), 80);
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    bytes
}

#[test]
fn bomb_headers_are_refused_at_once_naming_the_file() {
    let book = Book::new();
    let jobs = [
        book.image("bomb.png", &png_bomb_header()),
        book.image("bomb.jpg", &jpeg_bomb_header()),
    ];
    let started = std::time::Instant::now();
    let diagnostics = process(&jobs, &PipelineSettings::default(), &book.scratch()).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let expected: Vec<String> = ["bomb.png", "bomb.jpg"]
        .iter()
        .map(|name| {
            format!(
                "{}: error: the image is too large (60000×60000 pixels); the limit is 64 \
                 megapixels and 30000 pixels a side\n  help: scale it down first; bindery \
                 stores images at most 2560 pixels a side anyway",
                book.dir.path().join(name).display()
            )
        })
        .collect();
    assert_eq!(messages, expected);
}

#[test]
fn damaged_files_are_reported_by_name_and_all_problems_are_collected() {
    let book = Book::new();
    let whole = plain_jpeg(&photo(64, 64), 80);
    let jobs = [
        book.image("cut.jpg", &whole[..whole.len() / 3]),
        book.image("fine.jpg", &whole),
        book.image("notes.png", b"\x89PNG\r\n\x1a\nthis is not a png"),
        book.image(
            "drawing.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
        ),
        book.image("text.jpg", b"plain text"),
    ];
    let diagnostics = process(&jobs, &PipelineSettings::default(), &book.scratch()).unwrap_err();
    let named: Vec<(String, bool)> = diagnostics
        .iter()
        .map(|d| {
            let path = d.path.as_ref().unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                d.is_error() && d.help.is_some(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("cut.jpg".to_owned(), true),
            ("notes.png".to_owned(), true),
            ("drawing.svg".to_owned(), true),
            ("text.jpg".to_owned(), true),
        ]
    );
}

#[test]
fn results_come_back_in_the_order_of_the_jobs() {
    let book = Book::new();
    let jobs: Vec<ImageJob> = [30u32, 300, 60, 200]
        .iter()
        .map(|&w| book.image(&format!("w{w}.jpg"), &plain_jpeg(&photo(w, 20), 85)))
        .collect();
    let results = process(&jobs, &PipelineSettings::default(), &book.scratch()).unwrap();
    let widths: Vec<u32> = results.iter().map(|r| r.width).collect();
    assert_eq!(widths, [30, 300, 60, 200]);
    let sources: Vec<&PathBuf> = results.iter().map(|r| &r.source).collect();
    let expected: Vec<&PathBuf> = jobs.iter().map(|j| &j.source).collect();
    assert_eq!(sources, expected);
}

#[test]
fn svg_drawings_pass_through_without_scripts() {
    let book = Book::new();
    let job = book.image(
        "diagram.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 20\" onload=\"steal()\">\
          <script>steal()</script><rect width=\"40\" height=\"20\" fill=\"teal\"/></svg>",
    );
    let result = process_one(job, &PipelineSettings::default(), &book.scratch());
    assert_eq!(result.media_type, "image/svg+xml");
    assert!(result.file_name.ends_with(".svg"));
    assert_eq!((result.width, result.height), (40, 20));
    assert_eq!(
        fs::read_to_string(&result.path).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 40 20\"><rect width=\"40\" height=\"20\" fill=\"teal\"></rect></svg>\n"
    );
}

/// Issue 9, item 2: SVGs as Graphviz, matplotlib, Inkscape and Illustrator write them
/// (`tests/svg/README.md`) build, `check` accepts them, the EPUB passes epubcheck, and each
/// drawing keeps what it shows (its text and shapes) while losing its editor data.
#[test]
fn real_world_svgs_build_check_and_pass_epubcheck() {
    let material = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/svg");
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    std::fs::create_dir_all(book.join("images")).unwrap();
    // (file, a text or shape the sanitised drawing must still hold)
    let drawings = [
        ("graphviz-pipeline.svg", ">JPEG / PNG / SVG</text>"),
        ("matplotlib-bars.svg", ">Tides</text>"),
        ("tango-mail-attachment.svg", "<linearGradient"),
        ("tango-image-x-generic.svg", "<radialGradient"),
    ];
    let mut essay = String::from("---\ntitle: Drawings\nlanguage: en\n---\n\n# Drawings\n");
    for (file, _) in drawings {
        std::fs::copy(material.join(file), book.join("images").join(file)).unwrap();
        essay.push_str(&format!(
            "\n![The drawing {file}](images/{file} \"{file}\")\n"
        ));
    }
    std::fs::write(book.join("essay.md"), essay).unwrap();

    let check = support::bindery(dir.path())
        .args(["check"])
        .arg(&book)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "check: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let epub = dir.path().join("drawings.epub");
    let build = support::bindery(dir.path())
        .args(["build", "--no-cache", "-o"])
        .arg(&epub)
        .arg(&book)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "build: {}",
        String::from_utf8_lossy(&build.stderr)
    );

    let svgs: Vec<String> = support::epub_entries(&epub)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".svg"))
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .collect();
    assert_eq!(svgs.len(), drawings.len());
    for (file, shows) in drawings {
        assert!(
            svgs.iter().any(|svg| svg.contains(shows)),
            "{file}: `{shows}` lost"
        );
    }
    for svg in &svgs {
        for gone in ["DOCTYPE", "sodipodi", "inkscape", "rdf:RDF", "<!--"] {
            assert!(!svg.contains(gone), "`{gone}` kept:\n{svg}");
        }
    }
    // `None`: epubcheck is missing and has said SKIPPED (or failed the test on CI).
    if let Some(report) = support::epubcheck(&epub) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "{report}"
        );
    }
}
