//! Hostile raster images (issue 10, items 2 and 6; issue 11, item 3): data appended after the
//! end marker, metadata blocks that must not ship, inflation bombs in ICC profiles and text
//! chunks, progressive-JPEG memory bombs, files cut short, headers that lie, zero sizes, and
//! camera placeholders posing as captions. Each case replaces the good book's photo.

use std::process::Output;

use crate::hostile::scene::{self, Case, Scene};

const BUILD: &[&str] = &["build", "{book}", "-o", "{out}/book.epub"];
const CHECK: &[&str] = &["check", "{book}"];

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("a JPEG with a GPS-tagged JPEG appended ships neither", jpeg_gps_appended, BUILD, 0, "", no_secrets),
    Case::new("a JPEG with text appended ships no text", jpeg_text_appended, BUILD, 0, "", no_secrets),
    Case::new("a PNG with a GPS-tagged JPEG appended ships neither", png_gps_appended, BUILD, 0, "", no_secrets),
    Case::new("a GIF with a GPS-tagged JPEG appended ships neither", gif_gps_appended, BUILD, 0, "", no_secrets),
    Case::new("a WebP with a GPS-tagged JPEG appended ships neither", webp_gps_appended, BUILD, 0, "", no_secrets),
    Case::new("PNG text, EXIF and time chunks are dropped", png_text_chunks, BUILD, 0, "", no_secrets),
    Case::new("JPEG comment, XMP, IPTC and a JFIF thumbnail are dropped", jpeg_metadata_segments, BUILD, 0, "", no_secrets),
    Case::new("a zTXt chunk inflating to 32 MiB is dropped unread", png_ztxt_bomb, BUILD, 0, "", no_secrets),
    Case::new("a PNG ICC profile inflating to 16 MiB is refused", png_icc_bomb, BUILD, 1, "ICC colour profile is larger than 1 MiB once decompressed", scene::ok),
    Case::new("check refuses the PNG ICC bomb too", png_icc_bomb, CHECK, 1, "ICC colour profile is larger than 1 MiB once decompressed", scene::ok),
    Case::new("a JPEG ICC profile over 1 MiB is refused", jpeg_icc_too_large, BUILD, 1, "ICC colour profile is larger than 1 MiB", scene::ok),
    Case::new("a progressive 8000x8000 4:4:4 JPEG is over the memory budget", progressive_over_budget, BUILD, 1, "decoding this progressive JPEG (8000×8000 pixels) would take about", scene::ok),
    Case::new("check applies the memory budget too", progressive_over_budget, CHECK, 1, "the limit is 256 MiB", scene::ok),
    Case::new("a JPEG cut in its scan is refused", jpeg_cut_short, BUILD, 1, "damaged or incomplete", scene::ok),
    Case::new("check refuses the JPEG cut short", jpeg_cut_short, CHECK, 1, "damaged or incomplete", scene::ok),
    Case::new("a PNG without IEND is refused", png_cut_short, BUILD, 1, "damaged or incomplete", scene::ok),
    Case::new("a JPEG segment longer than the file is refused", jpeg_segment_length_lie, BUILD, 1, "damaged or incomplete", scene::ok),
    Case::new("a PNG chunk longer than the file is refused", png_chunk_length_lie, BUILD, 1, "damaged or incomplete", scene::ok),
    Case::new("a PNG with an unknown critical chunk is refused", png_unknown_critical_chunk, BUILD, 1, "critical chunk", scene::ok),
    Case::new("a JPEG claiming 60000x60000 is refused from its header", jpeg_header_lie, BUILD, 1, "the image is too large (60000×60000 pixels)", scene::ok),
    Case::new("a PNG of zero width is refused", png_zero_width, BUILD, 1, "photo.png", scene::ok),
    Case::new("an empty image file is refused", empty_image, BUILD, 1, "not an image format bindery can read", scene::ok),
    Case::new("a JPEG with no frame before its end is refused", jpeg_without_frame, BUILD, 1, "damaged or incomplete", scene::ok),
    Case::new("a placeholder description is not a caption", placeholder_description, BUILD, 0, "", no_placeholder_caption),
    Case::new("a file name as description is not a caption", file_name_description, BUILD, 0, "", no_placeholder_caption),
    Case::new("a WebP that fits the box goes in as its own data, no larger", webp_fits, BUILD, 0, "", webp_copied_whole),
    Case::new("WebP EXIF, XMP, ICCP and appended data are dropped, flags fixed", webp_metadata_chunks, BUILD, 0, "", webp_stripped),
    Case::new("a WebP chunk longer than the file is refused", webp_chunk_length_lie, BUILD, 1, "damaged or incomplete", scene::ok),
    Case::new("a WebP whose RIFF length passes its end is refused", webp_riff_length_lie, BUILD, 1, "damaged or incomplete", scene::ok),
    Case::new("a lossless WebP in Display P3 is converted, not copied", webp_display_p3, BUILD, 0, "", webp_converted),
];

// ---- Files ----

/// A tiny JPEG with an EXIF block holding a GPS latitude: what a phone appends.
fn gps_jpeg() -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0\x01\0\x25\x88\x04\0\x01\0\0\0\x1a\0\0\0\0\0\0\0".to_vec();
    tiff.extend_from_slice(b"\x01\0\x01\0\x02\0\x02\0\0\0N\0\0\0\0\0\0\0GPS-51.5007N");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    insert_segment(&scene::small_jpeg(8, 8), 0xE1, &exif)
}

const SECRET_TEXT: &[u8] = b"Meet me at 51.5007N 0.1246W";

fn insert_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(40, 30, |x, y| {
        image::Rgb([(x * 6) as u8, (y * 8) as u8, 120])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut bytes, format)
        .expect("encode");
    bytes.into_inner()
}

/// A clean JPEG small enough to be copied as it is (the path that used to keep appended
/// data): `tests/photos/flower-q30-clean.jpg`, a real photo re-saved at quality 30, JFIF and
/// the image only; today's main copies it, appended data and all.
fn clean_jpeg() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/photos/flower-q30-clean.jpg"
    );
    std::fs::read(path).expect("the test photo")
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out.extend_from_slice(&crate::support::crc32(&body).to_be_bytes());
    out
}

/// `png` with `chunks` inserted after IHDR.
fn with_chunks(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = png[..33].to_vec();
    for c in chunks {
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&png[33..]);
    out
}

fn zlib_of_zeros(len: usize) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(&vec![0; len], 9)
}

/// Uses `name` in the essay instead of `images/photo.jpg`, and writes `bytes` there.
fn use_image(scene: &Scene, name: &str, bytes: &[u8]) {
    if name != "photo.jpg" {
        scene.edit_essay("images/photo.jpg", &format!("images/{name}"));
        std::fs::remove_file(scene.path("book/images/photo.jpg")).expect("the good photo");
    }
    scene.write(&format!("book/images/{name}"), bytes);
}

// ---- Setups ----

fn jpeg_gps_appended(scene: &Scene) {
    let mut bytes = clean_jpeg();
    bytes.extend(gps_jpeg());
    use_image(scene, "photo.jpg", &bytes);
}

fn jpeg_text_appended(scene: &Scene) {
    let mut bytes = clean_jpeg();
    bytes.extend_from_slice(SECRET_TEXT);
    use_image(scene, "photo.jpg", &bytes);
}

fn appended(format: image::ImageFormat, name: &str, scene: &Scene) {
    let mut bytes = encoded(format);
    bytes.extend(gps_jpeg());
    bytes.extend_from_slice(SECRET_TEXT);
    use_image(scene, name, &bytes);
}

fn png_gps_appended(scene: &Scene) {
    appended(image::ImageFormat::Png, "photo.png", scene);
}

fn gif_gps_appended(scene: &Scene) {
    appended(image::ImageFormat::Gif, "photo.gif", scene);
}

fn webp_gps_appended(scene: &Scene) {
    appended(image::ImageFormat::WebP, "photo.webp", scene);
}

fn png_text_chunks(scene: &Scene) {
    let mut text = b"Comment\0".to_vec();
    text.extend_from_slice(SECRET_TEXT);
    let mut itxt = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
    itxt.extend_from_slice(b"<x:xmpmeta>GPS-51.5007N</x:xmpmeta>");
    let mut exif = b"II*\0".to_vec();
    exif.extend_from_slice(b"GPS-51.5007N");
    let chunks = [
        chunk(b"tEXt", &text),
        chunk(b"iTXt", &itxt),
        chunk(b"eXIf", &exif),
        chunk(b"tIME", &[7, 234, 1, 1, 0, 0, 0]),
    ];
    use_image(
        scene,
        "photo.png",
        &with_chunks(&encoded(image::ImageFormat::Png), &chunks),
    );
}

fn jpeg_metadata_segments(scene: &Scene) {
    let mut bytes = clean_jpeg();
    // JFIF with a 1×1 thumbnail (another picture) after the existing JFIF.
    bytes = insert_segment(&bytes, 0xFE, SECRET_TEXT);
    bytes = insert_segment(
        &bytes,
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x>GPS-51.5007N</x>",
    );
    bytes = insert_segment(
        &bytes,
        0xED,
        b"Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x0cGPS-51.5007N",
    );
    bytes = insert_segment(&bytes, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\x01\x01GPS");
    use_image(scene, "photo.jpg", &bytes);
}

fn png_ztxt_bomb(scene: &Scene) {
    let mut ztxt = b"Comment\0\0".to_vec();
    ztxt.extend(zlib_of_zeros(32 << 20));
    let chunks = [chunk(b"zTXt", &ztxt)];
    use_image(
        scene,
        "photo.png",
        &with_chunks(&encoded(image::ImageFormat::Png), &chunks),
    );
}

fn png_icc_bomb(scene: &Scene) {
    let mut iccp = b"bomb\0\0".to_vec();
    iccp.extend(zlib_of_zeros(16 << 20));
    let chunks = [chunk(b"iCCP", &iccp)];
    use_image(
        scene,
        "photo.png",
        &with_chunks(&encoded(image::ImageFormat::Png), &chunks),
    );
}

fn jpeg_icc_too_large(scene: &Scene) {
    let mut bytes = clean_jpeg();
    for i in (1..=17u8).rev() {
        let mut payload = b"ICC_PROFILE\0".to_vec();
        payload.extend_from_slice(&[i, 17]);
        payload.extend(std::iter::repeat_n(0u8, 65_000));
        bytes = insert_segment(&bytes, 0xE2, &payload);
    }
    use_image(scene, "photo.jpg", &bytes);
}

fn progressive_over_budget(scene: &Scene) {
    use_image(scene, "photo.jpg", &flat_progressive_jpeg_444(8000, 8000));
}

fn jpeg_cut_short(scene: &Scene) {
    let whole = scene::small_jpeg(200, 150);
    use_image(scene, "photo.jpg", &whole[..whole.len() * 2 / 3]);
}

fn png_cut_short(scene: &Scene) {
    let whole = encoded(image::ImageFormat::Png);
    use_image(scene, "photo.png", &whole[..whole.len() - 12]);
}

fn jpeg_segment_length_lie(scene: &Scene) {
    let bytes = insert_segment(&clean_jpeg(), 0xFE, b"a comment");
    let mut bytes = bytes;
    // The comment's length now claims 60000 bytes.
    bytes[4..6].copy_from_slice(&60_000u16.to_be_bytes());
    use_image(scene, "photo.jpg", &bytes);
}

fn png_chunk_length_lie(scene: &Scene) {
    let mut bytes = encoded(image::ImageFormat::Png);
    // IDAT follows IHDR at 33: its length claims 2 GB.
    bytes[33..37].copy_from_slice(&0x7FFF_0000u32.to_be_bytes());
    use_image(scene, "photo.png", &bytes);
}

fn png_unknown_critical_chunk(scene: &Scene) {
    let chunks = [chunk(b"GPSz", b"51.5007N")];
    use_image(
        scene,
        "photo.png",
        &with_chunks(&encoded(image::ImageFormat::Png), &chunks),
    );
}

fn jpeg_header_lie(scene: &Scene) {
    let mut bytes = clean_jpeg();
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    use_image(scene, "photo.jpg", &bytes);
}

fn png_zero_width(scene: &Scene) {
    let mut bytes = encoded(image::ImageFormat::Png);
    bytes[16..20].copy_from_slice(&[0, 0, 0, 0]);
    let crc = crate::support::crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    use_image(scene, "photo.png", &bytes);
}

fn empty_image(scene: &Scene) {
    scene.write("book/images/photo.jpg", b"");
}

fn jpeg_without_frame(scene: &Scene) {
    use_image(
        scene,
        "photo.jpg",
        &[0xFF, 0xD8, 0xFF, 0xFE, 0, 4, b'h', b'i', 0xFF, 0xD9],
    );
}

fn uncaptioned_with_description(scene: &Scene, description: &str) {
    scene.edit_essay(" \"The harbour.\"", "");
    let packet = format!(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:description><rdf:Alt>\
         <rdf:li xml:lang=\"x-default\">{description}</rdf:li></rdf:Alt></dc:description></rdf:Description></rdf:RDF></x:xmpmeta>"
    );
    let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    payload.extend_from_slice(packet.as_bytes());
    scene.write(
        "book/images/photo.jpg",
        &insert_segment(&scene::small_jpeg(40, 30), 0xE1, &payload),
    );
}

fn placeholder_description(scene: &Scene) {
    uncaptioned_with_description(scene, "OLYMPUS DIGITAL CAMERA");
}

fn file_name_description(scene: &Scene) {
    uncaptioned_with_description(scene, "IMG_1234.JPG");
}

/// A flat grey progressive JPEG with full-resolution chroma: a few hundred kB that a decoder
/// must hold as 366 MiB of coefficients.
fn flat_progressive_jpeg_444(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    let mut segment = |marker: u8, payload: &[u8]| {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
    };
    segment(0xDB, &[&[0u8][..], &[1; 64]].concat());
    let [h0, h1] = height.to_be_bytes();
    let [w0, w1] = width.to_be_bytes();
    segment(
        0xC2,
        &[8, h0, h1, w0, w1, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0],
    );
    let mut dc = vec![0x00, 1];
    dc.extend_from_slice(&[0; 15]);
    dc.push(0);
    segment(0xC4, &dc);
    // The DC scan only: the decoder allocates every coefficient when the frame starts.
    segment(0xDA, &[3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0x00]);
    let blocks = usize::from(width).div_ceil(8) * usize::from(height).div_ceil(8);
    out.extend(std::iter::repeat_n(0u8, blocks * 3 / 8));
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn photo(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/photos/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).expect("the test photo")
}

fn webp_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_vec();
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// A simple-format WebP (`RIFF`, `WEBP`, one image chunk) turned into an extended one: `VP8X`
/// with `flags`, then `before`, the image chunk, then `after`.
fn extended_webp(simple: &[u8], flags: u8, before: &[Vec<u8>], after: &[Vec<u8>]) -> Vec<u8> {
    let image = &simple[12..];
    let (width, height) = image::load_from_memory(simple)
        .map(|i| (i.width(), i.height()))
        .expect("a WebP");
    let mut vp8x = vec![flags, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = webp_chunk(b"VP8X", &vp8x);
    body.extend(before.concat());
    body.extend_from_slice(image);
    body.extend(after.concat());
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend(body);
    out
}

/// `tests/photos/hopper.webp`: a real lossy WebP (VP8), 128×128, 3282 bytes, inside the box.
/// Today's main re-encodes it as a larger JPEG.
fn webp_fits(scene: &Scene) {
    use_image(scene, "photo.webp", &photo("hopper.webp"));
}

fn webp_metadata_chunks(scene: &Scene) {
    let mut exif = b"II*\0".to_vec();
    exif.extend_from_slice(b"GPS-51.5007N");
    let mut xmp = b"<x:xmpmeta>".to_vec();
    xmp.extend_from_slice(SECRET_TEXT);
    xmp.extend_from_slice(b"</x:xmpmeta>");
    // ICC, EXIF and XMP flags; the profile is no profile, so the pixels are taken as sRGB.
    let mut bytes = extended_webp(
        &photo("hopper.webp"),
        0x20 | 0x08 | 0x04,
        &[webp_chunk(b"ICCP", b"not a profile")],
        &[
            webp_chunk(b"EXIF", &exif),
            webp_chunk(b"XMP ", &xmp),
            webp_chunk(b"priv", SECRET_TEXT),
        ],
    );
    bytes.extend(gps_jpeg());
    use_image(scene, "photo.webp", &bytes);
}

fn webp_chunk_length_lie(scene: &Scene) {
    let mut bytes = photo("hopper.webp");
    bytes[16..20].copy_from_slice(&100_000u32.to_le_bytes());
    use_image(scene, "photo.webp", &bytes);
}

fn webp_riff_length_lie(scene: &Scene) {
    let mut bytes = photo("hopper.webp");
    bytes[4..8].copy_from_slice(&100_000u32.to_le_bytes());
    use_image(scene, "photo.webp", &bytes);
}

/// Lossless pixels of one warm colour, tagged with the Display P3 profile of
/// `tests/photos/display-p3.jpg`: copied, the reader would show them as sRGB.
fn webp_display_p3(scene: &Scene) {
    use image::ImageDecoder;
    let jpeg = photo("display-p3.jpg");
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&jpeg)).expect("a JPEG");
    let profile = decoder.icc_profile().expect("readable").expect("a profile");
    let pixels = image::RgbImage::from_pixel(64, 48, image::Rgb(WARM));
    let mut simple = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut simple, image::ImageFormat::WebP)
        .expect("encode");
    let bytes = extended_webp(
        &simple.into_inner(),
        0x20,
        &[webp_chunk(b"ICCP", &profile)],
        &[],
    );
    use_image(scene, "photo.webp", &bytes);
}

const WARM: [u8; 3] = [200, 100, 50];

// ---- Checks ----

/// Every image in the EPUB: none carries the appended JPEG, the GPS text or the secret, and
/// each ends at its own end marker.
fn no_secrets(scene: &Scene, _: &Output) {
    for (name, bytes) in scene.epub("out/book.epub") {
        if !name.starts_with("OEBPS/images/") {
            continue;
        }
        for secret in [&b"GPS-51.5007N"[..], SECRET_TEXT, b"Exif", b"51.5007N"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret),
                "{name} carries {:?}",
                String::from_utf8_lossy(secret)
            );
        }
        if bytes.starts_with(&[0xFF, 0xD8]) {
            assert!(bytes.ends_with(&[0xFF, 0xD9]), "{name} ends at its EOI");
            assert_eq!(
                bytes.windows(2).filter(|w| *w == [0xFF, 0xD8]).count(),
                1,
                "{name}: one image"
            );
        } else if bytes.starts_with(b"\x89PNG") {
            assert!(bytes.ends_with(&chunk(b"IEND", b"")), "{name} ends at IEND");
            for kind in [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"] {
                assert!(
                    !bytes.windows(4).any(|w| w == kind),
                    "{name} has a {kind:?} chunk"
                );
            }
        }
    }
}

fn no_placeholder_caption(scene: &Scene, _: &Output) {
    for (name, bytes) in scene.epub("out/book.epub") {
        let text = String::from_utf8_lossy(&bytes);
        if name.ends_with(".xhtml") && text.contains("<img") && !name.contains("cover") {
            assert!(!text.contains("<figcaption"), "{name}: {text}");
            assert!(
                !text.contains("OLYMPUS") && !text.contains("IMG_1234"),
                "{name}: {text}"
            );
        }
    }
}

/// The book's one figure: the image a chapter uses (the cover is another).
fn the_image(scene: &Scene) -> (String, Vec<u8>) {
    let entries = scene.epub("out/book.epub");
    let chapters: String = entries
        .iter()
        .filter(|(name, _)| name.starts_with("OEBPS/text/chapter"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    let figures: Vec<_> = entries
        .into_iter()
        .filter(|(name, _)| {
            name.strip_prefix("OEBPS/images/")
                .is_some_and(|file| chapters.contains(file))
        })
        .collect();
    assert_eq!(
        figures.len(),
        1,
        "{:?}",
        figures.iter().map(|i| &i.0).collect::<Vec<_>>()
    );
    figures.into_iter().next().unwrap()
}

fn webp_copied_whole(scene: &Scene, _: &Output) {
    let (name, bytes) = the_image(scene);
    assert!(name.ends_with(".webp"), "{name}");
    assert_eq!(
        bytes,
        photo("hopper.webp"),
        "a simple-format WebP has nothing to drop"
    );
}

fn webp_stripped(scene: &Scene, output: &Output) {
    no_secrets(scene, output);
    let (name, bytes) = the_image(scene);
    assert!(name.ends_with(".webp"), "{name}");
    assert!(
        bytes.len() < photo("hopper.webp").len() + 40,
        "{} bytes",
        bytes.len()
    );
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff + 8, bytes.len(), "the RIFF size is the file's");
    assert_eq!(&bytes[12..16], b"VP8X");
    assert_eq!(
        bytes[20] & (0x20 | 0x08 | 0x04),
        0,
        "no ICC, EXIF or XMP flag"
    );
    for kind in [b"ICCP", b"EXIF", b"XMP ", b"priv"] {
        assert!(
            !bytes.windows(4).any(|w| w == kind),
            "{}",
            String::from_utf8_lossy(kind)
        );
    }
    assert_eq!(
        image::load_from_memory(&bytes)
            .expect("a valid WebP")
            .width(),
        128
    );
}

fn webp_converted(scene: &Scene, _: &Output) {
    let (name, bytes) = the_image(scene);
    assert!(
        !name.ends_with(".webp"),
        "{name}: copied with its profile dropped"
    );
    let pixel = image::load_from_memory(&bytes)
        .expect("an image")
        .to_rgb8()
        .get_pixel(32, 24)
        .0;
    // P3's (200, 100, 50) is a more saturated orange in sRGB: red up, green and blue down.
    assert!(
        pixel[0] > WARM[0] + 5 && pixel[1] + 5 < WARM[1],
        "{pixel:?}"
    );
}
