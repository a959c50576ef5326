//! Embedded captions and credits: read from real and hand-built JPEG, PNG, XMP and IPTC data.

use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

// ---- Builders for test files: the same layouts photo tools write. ----

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let length = u16::try_from(payload.len() + 2).unwrap();
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A JPEG skeleton: SOI, the given segments, a minimal SOS, one scan byte, EOI.
fn jpeg(segments: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    for s in segments {
        out.extend_from_slice(s);
    }
    out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
    out.extend_from_slice(&[0x12, 0xFF, 0xD9]);
    out
}

fn xmp_packet(description_xml: &str) -> String {
    format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
         {description_xml}\
         </rdf:Description></rdf:RDF></x:xmpmeta>\
         <?xpacket end=\"w\"?>"
    )
}

fn alt(entries: &[(&str, &str)]) -> String {
    let items: String = entries
        .iter()
        .map(|(lang, text)| format!("<rdf:li xml:lang=\"{lang}\">{text}</rdf:li>"))
        .collect();
    format!("<dc:description><rdf:Alt>{items}</rdf:Alt></dc:description>")
}

fn xmp_segment(packet: &str) -> Vec<u8> {
    let mut payload = XMP_APP1_HEADER.to_vec();
    payload.extend_from_slice(packet.as_bytes());
    segment(0xE1, &payload)
}

fn iim_dataset(record: u8, dataset: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1C, record, dataset];
    out.extend_from_slice(&u16::try_from(value.len()).unwrap().to_be_bytes());
    out.extend_from_slice(value);
    out
}

fn irb(id: u16, data: &[u8]) -> Vec<u8> {
    let mut out = IRB_SIGNATURE.to_vec();
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // empty name, padded
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

fn app13_segment(irbs: &[u8]) -> Vec<u8> {
    let mut payload = PHOTOSHOP_APP13_HEADER.to_vec();
    payload.extend_from_slice(irbs);
    segment(0xED, &payload)
}

fn iptc_segment(caption: &[u8], utf8: bool) -> Vec<u8> {
    let mut iim = Vec::new();
    if utf8 {
        iim.extend(iim_dataset(1, 90, IPTC_UTF8));
    }
    iim.extend(iim_dataset(2, 0, &[0, 4]));
    iim.extend(iim_dataset(2, 120, caption));
    // Another resource first, as Photoshop writes (resolution info), to exercise skipping.
    let mut irbs = irb(0x03ED, &[0, 72, 0, 0, 0, 1, 0, 1, 0, 72, 0, 0, 0, 1, 0]);
    irbs.extend(irb(IRB_IPTC_NAA, &iim));
    app13_segment(&irbs)
}

fn png(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut out = PNG_SIGNATURE.to_vec();
    let ihdr = [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];
    let all = std::iter::once((b"IHDR", ihdr.to_vec()))
        .chain(chunks.iter().cloned())
        .chain(std::iter::once((b"IEND", Vec::new())));
    for (kind, data) in all {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(&data);
        out.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked
    }
    out
}

fn itxt_xmp(packet: &str, compressed: bool) -> Vec<u8> {
    let mut data = PNG_XMP_KEYWORD.to_vec();
    data.extend_from_slice(&[0, u8::from(compressed), 0, 0, 0]);
    if compressed {
        data.extend(miniz_oxide::deflate::compress_to_vec_zlib(
            packet.as_bytes(),
            6,
        ));
    } else {
        data.extend_from_slice(packet.as_bytes());
    }
    data
}

fn sample_image(number: u32) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "book",
        "images",
        &format!("korea-{number:02}.jpg"),
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap()
}

// ---- The sample book ----

#[test]
fn a_photo_credits_its_creator_and_placeholders_are_no_credit() {
    // tests/photos/credited-creator.jpg: XMP dc:creator and IPTC By-line, both the
    // photographer's name (see tests/photos/README.md).
    let photo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/photos/credited-creator.jpg"),
    )
    .unwrap();
    assert_eq!(credit(&photo).as_deref(), Some("JOE STEMMER PHOTO"));
    let packet = xmp_packet(
        "<dc:creator><rdf:Seq><rdf:li>Ann Lee</rdf:li><rdf:li>Bo Kim</rdf:li></rdf:Seq></dc:creator>",
    );
    assert_eq!(
        credit(&jpeg(&[xmp_segment(&packet)])).as_deref(),
        Some("Ann Lee, Bo Kim")
    );
    let byline = |name: &[u8]| app13_segment(&irb(IRB_IPTC_NAA, &iim_dataset(2, 80, name)));
    assert_eq!(
        credit(&jpeg(&[byline(b"Ann Lee")])).as_deref(),
        Some("Ann Lee")
    );
    // A camera's placeholder in the By-line falls through to nothing.
    assert_eq!(credit(&jpeg(&[byline(b"SONY DSC")])), None);
    // A caption is no credit.
    assert_eq!(credit(&jpeg(&[iptc_segment(b"A harbour", true)])), None);
}

#[test]
fn korea_04_yields_its_embedded_caption() {
    assert_eq!(
        caption(&sample_image(4)).as_deref(),
        Some("Farm workers in the fields outside the capital.")
    );
}

#[test]
fn other_sample_photographs_carry_no_caption() {
    // korea-13 has EXIF, GPS and ICC data; korea-06 has ICC: none of it is a caption.
    let with_caption: Vec<u32> = (1..=14)
        .filter(|&n| caption(&sample_image(n)).is_some())
        .collect();
    assert_eq!(with_caption, vec![4]);
}

// ---- Placeholders ----

#[test]
fn camera_and_software_placeholders_are_not_captions() {
    for text in [
        "OLYMPUS DIGITAL CAMERA",
        "  olympus   digital camera ",
        "SONY DSC",
        "DCIM",
        "x-default",
        "en-US",
        "de",
        "default",
        "Untitled",
        "Screenshot",
        "Screenshot 2024-05-01 at 10.12.03 PM",
        "Screenshot_20240501-101203",
        "Screen Shot 2019-03-04 at 9.41.12",
        "IMG_1234.JPG",
        "holiday-photo.png",
        "IMG_1234",
        "DSC01234",
        "_DSC1234",
        "P1010001",
        "PXL_20230101_123456789",
        "IMG-20230101-WA0001",
        "20230101 120000",
        "0001",
        "Exif_JPEG_PICTURE",
    ] {
        assert!(is_placeholder(text), "{text:?} should be a placeholder");
    }
}

#[test]
fn real_captions_are_kept() {
    for text in [
        "Sun",
        "Oslo",
        "B52",
        "A380 at dawn",
        "Screenshot of the login page",
        "The DCIM folder on a card",
        "Farm workers in the fields outside the capital.",
        "1953",
        "MASH 4077",
        "NASA",
    ] {
        let expected_placeholder = text == "1953";
        assert_eq!(is_placeholder(text), expected_placeholder, "{text:?}");
    }
}

#[test]
fn a_placeholder_in_xmp_falls_back_to_a_real_iptc_caption() {
    let packet = xmp_packet(&alt(&[("x-default", "OLYMPUS DIGITAL CAMERA")]));
    let file = jpeg(&[xmp_segment(&packet), iptc_segment(b"From IPTC", true)]);
    assert_eq!(caption(&file).as_deref(), Some("From IPTC"));
    let only_placeholders = jpeg(&[xmp_segment(&packet), iptc_segment(b"SONY DSC", true)]);
    assert_eq!(caption(&only_placeholders), None);
    let language_as_text = xmp_packet(&alt(&[("x-default", "x-default")]));
    assert_eq!(caption(&jpeg(&[xmp_segment(&language_as_text)])), None);
}

// ---- JPEG ----

#[test]
fn iptc_only() {
    let file = jpeg(&[iptc_segment("Guard at the crossing".as_bytes(), true)]);
    assert_eq!(caption(&file).as_deref(), Some("Guard at the crossing"));
}

#[test]
fn iptc_utf8_declared() {
    let file = jpeg(&[iptc_segment("Pjŏngjang — ‘Ryugyŏng’".as_bytes(), true)]);
    assert_eq!(caption(&file).as_deref(), Some("Pjŏngjang — ‘Ryugyŏng’"));
}

#[test]
fn iptc_latin1_without_declaration() {
    // "Café in Pyongyang" in Latin-1, written by an old tool that set no 1:90.
    let file = jpeg(&[iptc_segment(b"Caf\xe9 in Pyongyang", false)]);
    assert_eq!(caption(&file).as_deref(), Some("Café in Pyongyang"));
}

#[test]
fn iptc_windows_1252_quotes_without_declaration() {
    let file = jpeg(&[iptc_segment(b"\x93Secret\x94 snap \x96 1 of 14", false)]);
    assert_eq!(caption(&file).as_deref(), Some("“Secret” snap – 1 of 14"));
}

#[test]
fn iptc_undeclared_but_valid_utf8_is_read_as_utf8() {
    let file = jpeg(&[iptc_segment("Café".as_bytes(), false)]);
    assert_eq!(caption(&file).as_deref(), Some("Café"));
}

#[test]
fn iptc_split_over_two_app13_segments() {
    let segment = iptc_segment(b"Workers sweep the floor.", true);
    let irbs = &segment[4 + PHOTOSHOP_APP13_HEADER.len()..];
    let (first, second) = irbs.split_at(irbs.len() / 2);
    let file = jpeg(&[app13_segment(first), app13_segment(second)]);
    assert_eq!(caption(&file).as_deref(), Some("Workers sweep the floor."));
}

#[test]
fn iptc_extended_length_dataset() {
    let text = b"A train passes.";
    let mut iim = vec![0x1C, 2, 120, 0x80, 0x04];
    iim.extend_from_slice(&u32::try_from(text.len()).unwrap().to_be_bytes());
    iim.extend_from_slice(text);
    let file = jpeg(&[app13_segment(&irb(IRB_IPTC_NAA, &iim))]);
    assert_eq!(caption(&file).as_deref(), Some("A train passes."));
}

#[test]
fn xmp_only() {
    let packet = xmp_packet(&alt(&[("x-default", "A military truck driving by.")]));
    assert_eq!(
        caption(&jpeg(&[xmp_segment(&packet)])).as_deref(),
        Some("A military truck driving by.")
    );
}

#[test]
fn xmp_entities_are_decoded() {
    let packet = xmp_packet(&alt(&[(
        "x-default",
        "Fields &amp; farms &lt;north&gt; &#8211; &quot;1&quot;",
    )]));
    assert_eq!(
        caption(&jpeg(&[xmp_segment(&packet)])).as_deref(),
        Some("Fields & farms <north> – \"1\"")
    );
}

#[test]
fn xmp_prefers_x_default_over_other_languages() {
    let packet = xmp_packet(&alt(&[
        ("pl", "Pola"),
        ("x-default", "Fields"),
        ("en", "Fields (en)"),
    ]));
    assert_eq!(
        caption(&jpeg(&[xmp_segment(&packet)])).as_deref(),
        Some("Fields")
    );
}

#[test]
fn xmp_without_x_default_takes_the_first_non_empty_entry() {
    let packet = xmp_packet(&alt(&[
        ("en-GB", "  "),
        ("en-US", "Fields"),
        ("pl", "Pola"),
    ]));
    assert_eq!(
        caption(&jpeg(&[xmp_segment(&packet)])).as_deref(),
        Some("Fields")
    );
}

#[test]
fn xmp_description_as_attribute_and_other_prefix() {
    let packet = xmp_packet("").replace(
        "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">",
        "<rdf:Description rdf:about=\"\" xmlns:d=\"http://purl.org/dc/elements/1.1/\" d:description=\"Short form\">",
    );
    assert_eq!(
        caption(&jpeg(&[xmp_segment(&packet)])).as_deref(),
        Some("Short form")
    );
}

#[test]
fn xmp_wins_over_iptc() {
    let packet = xmp_packet(&alt(&[("x-default", "From XMP")]));
    let file = jpeg(&[iptc_segment(b"From IPTC", true), xmp_segment(&packet)]);
    assert_eq!(caption(&file).as_deref(), Some("From XMP"));
}

#[test]
fn empty_xmp_description_falls_back_to_iptc() {
    let packet = xmp_packet(&alt(&[("x-default", "   ")]));
    let file = jpeg(&[xmp_segment(&packet), iptc_segment(b"From IPTC", true)]);
    assert_eq!(caption(&file).as_deref(), Some("From IPTC"));
}

#[test]
fn malformed_xmp_falls_back_to_iptc() {
    let file = jpeg(&[
        xmp_segment("<x:xmpmeta><unclosed>"),
        iptc_segment(b"From IPTC", true),
    ]);
    assert_eq!(caption(&file).as_deref(), Some("From IPTC"));
}

#[test]
fn neither() {
    let exif = segment(0xE1, b"Exif\0\0MM\0*\0\0\0\x08\0\0");
    assert_eq!(caption(&jpeg(&[exif])), None);
    assert_eq!(caption(b""), None);
    assert_eq!(caption(b"GIF89a"), None);
}

#[test]
fn truncated_segments_give_none() {
    let packet = xmp_packet(&alt(&[("x-default", "Cut short")]));
    let whole = jpeg(&[xmp_segment(&packet)]);
    let xmp_start = 2 + 18; // SOI, then the JFIF segment
    for cut in [
        3,
        xmp_start + 1,
        xmp_start + 3,
        xmp_start + 40,
        xmp_start + packet.len() / 2,
    ] {
        assert_eq!(caption(&whole[..cut]), None, "cut at {cut}");
    }

    let iptc = jpeg(&[iptc_segment(b"Cut short", true)]);
    let start = 2 + 18;
    for cut in [start + 2, start + 10, start + 30, start + 50] {
        assert_eq!(caption(&iptc[..cut]), None, "cut at {cut}");
    }
}

#[test]
fn lying_lengths_inside_the_segment_give_none() {
    // The IRB claims more data than the segment holds; the dataset claims more than the IRB.
    let mut irbs = irb(IRB_IPTC_NAA, &iim_dataset(2, 120, b"Cut"));
    irbs[10..14].copy_from_slice(&1000u32.to_be_bytes());
    assert_eq!(caption(&jpeg(&[app13_segment(&irbs)])), None);

    let mut iim = iim_dataset(2, 120, b"Cut");
    iim[3..5].copy_from_slice(&500u16.to_be_bytes());
    assert_eq!(
        caption(&jpeg(&[app13_segment(&irb(IRB_IPTC_NAA, &iim))])),
        None
    );
}

#[test]
fn metadata_after_start_of_scan_is_not_read() {
    let mut file = jpeg(&[]);
    let eoi = file.split_off(file.len() - 2);
    file.extend(iptc_segment(b"Hidden in the scan", true));
    file.extend(eoi);
    assert_eq!(caption(&file), None);
}

// ---- PNG ----

#[test]
fn png_xmp_uncompressed_and_compressed() {
    let packet = xmp_packet(&alt(&[("x-default", "A local store.")]));
    for compressed in [false, true] {
        let file = png(&[(b"iTXt", itxt_xmp(&packet, compressed))]);
        assert_eq!(
            caption(&file).as_deref(),
            Some("A local store."),
            "compressed: {compressed}"
        );
    }
}

#[test]
fn png_other_text_chunks_are_not_captions() {
    let mut comment = b"Comment\0\0\0\0\0".to_vec();
    comment.extend_from_slice(b"Made with a paint program");
    let file = png(&[(b"iTXt", comment), (b"tEXt", b"Title\0Korea".to_vec())]);
    assert_eq!(caption(&file), None);
}

#[test]
fn png_truncated_chunk_gives_none() {
    let packet = xmp_packet(&alt(&[("x-default", "Cut short")]));
    let file = png(&[(b"iTXt", itxt_xmp(&packet, false))]);
    assert_eq!(caption(&file[..file.len() - 30]), None);
}

// ---- Properties: never panic, and captions survive the round trip ----

fn sample_with_both() -> Vec<u8> {
    let packet = xmp_packet(&alt(&[("x-default", "XMP caption")]));
    jpeg(&[xmp_segment(&packet), iptc_segment(b"IPTC caption", true)])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = caption(&bytes);
    }

    #[test]
    fn random_bytes_behind_a_jpeg_or_png_signature_never_panic(
        png_file in any::<bool>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let mut file = if png_file { PNG_SIGNATURE.to_vec() } else { vec![0xFF, 0xD8, 0xFF] };
        file.extend(bytes);
        let _ = caption(&file);
    }

    #[test]
    fn mutated_files_never_panic(
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<proptest::sample::Index>(),
    ) {
        let mut file = sample_with_both();
        for (index, value) in edits {
            let at = index.index(file.len());
            file[at] = value;
        }
        let _ = caption(&file[..cut.index(file.len() + 1)]);
    }

    #[test]
    fn any_caption_round_trips_through_iptc(text in "\\PC{1,200}") {
        let file = jpeg(&[iptc_segment(text.as_bytes(), true)]);
        let expected = non_empty(&text).filter(|text| !is_placeholder(text));
        prop_assert_eq!(caption(&file), expected);
    }

    #[test]
    fn any_caption_round_trips_through_xmp(text in "\\PC{1,200}") {
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let packet = xmp_packet(&alt(&[("x-default", &escaped)]));
        let expected = non_empty(&text).filter(|text| !is_placeholder(text));
        prop_assert_eq!(caption(&jpeg(&[xmp_segment(&packet)])), expected);
    }
}
