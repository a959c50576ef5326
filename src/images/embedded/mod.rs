//! The caption a photographer wrote into the image file itself.
//!
//! When the Markdown gives a figure no caption, the picture may still carry one: photo tools
//! (Lightroom, Photo Mechanic, digiKam, exiftool) write the caption twice, as an IPTC
//! Caption-Abstract and as XMP `dc:description`. This module reads both from the raw file bytes,
//! before any decoding, and prefers XMP: it is Unicode by definition, while IPTC text is in
//! whatever character set its writer chose (the Metadata Working Group's guidance agrees).
//!
//! Where each lives:
//! * IPTC: JPEG APP13 `Photoshop 3.0\0`, a list of image resource blocks; block `0x0404` holds
//!   IPTC-IIM datasets, of which 1:90 names the character set and 2:120 is the caption.
//! * XMP: JPEG APP1 `http://ns.adobe.com/xap/1.0/\0`, or PNG `iTXt` keyword `XML:com.adobe.xmp`
//!   (possibly zlib-compressed); the caption is `dc:description`, a language alternative.
//!
//! EXIF ImageDescription is deliberately ignored: cameras fill it with text such as
//! "OLYMPUS DIGITAL CAMERA", which would become a caption nobody wrote. Tools copy such
//! placeholders into XMP and IPTC too, and some write a language tag ("x-default") or a file
//! name where the text belongs, so a description that [`is_placeholder`] is no caption
//! either (issue 11): the figure stays uncaptioned, and the list of illustrations uses its
//! alt text.
//!
//! The bytes are the user's, so every read is bounded: a `Reader` hands out slices only when
//! they exist, and any malformed or truncated structure ends the search for that source quietly.
//! A caption that cannot be read is simply absent; it is never an error.

use roxmltree::{Document, Node, ParsingOptions};

const JPEG_SOI: &[u8] = &[0xFF, 0xD8];
const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const XMP_APP1_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const PHOTOSHOP_APP13_HEADER: &[u8] = b"Photoshop 3.0\0";
const PNG_XMP_KEYWORD: &[u8] = b"XML:com.adobe.xmp";

const IRB_SIGNATURE: &[u8] = b"8BIM";
const IRB_IPTC_NAA: u16 = 0x0404;
/// IPTC-IIM 1:90 value that declares UTF-8 (ISO 2022 escape sequence `ESC % G`).
const IPTC_UTF8: &[u8] = &[0x1B, 0x25, 0x47];

const DC_NAMESPACE: &str = "http://purl.org/dc/elements/1.1/";
const RDF_NAMESPACE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// A compressed XMP packet larger than this is not a caption worth inflating.
const MAX_INFLATED_XMP: usize = 4 << 20;
/// Real XMP packets have a few hundred nodes; this bounds memory on hostile input.
const MAX_XMP_NODES: u32 = 100_000;

/// The caption embedded in a JPEG or PNG file, if it has one: XMP `dc:description` when present
/// and non-empty, else the IPTC Caption-Abstract. Surrounding whitespace is trimmed. Any other
/// format, and any file whose metadata cannot be read, gives `None`.
pub fn caption(jpeg_or_png: &[u8]) -> Option<String> {
    let metadata = raw_metadata(jpeg_or_png)?;
    let real = |text: &String| !is_placeholder(text);
    metadata
        .xmp
        .as_deref()
        .and_then(xmp_description)
        .filter(real)
        .or_else(|| iptc_caption(&metadata.photoshop_irbs).filter(real))
}

/// Who to credit for the picture, as embedded in a JPEG or PNG (issue 14): XMP `dc:creator`
/// (several joined by commas), else `photoshop:Credit`, else `dc:rights`; else the IPTC
/// By-line (2:80), Credit Line (2:110) or Copyright Notice (2:116). A placeholder (see
/// [`is_placeholder`]) is no credit, and never goes into alt text: it is shown under the
/// caption only when the book asks (`figures: {credits: embedded}`).
pub fn credit(jpeg_or_png: &[u8]) -> Option<String> {
    let metadata = raw_metadata(jpeg_or_png)?;
    let real = |text: &String| !is_placeholder(text);
    let xmp = metadata.xmp.as_deref().and_then(xmp_document_text);
    let from_xmp = xmp.as_deref().and_then(|text| {
        xmp_property(text, DC_NAMESPACE, "creator")
            .filter(real)
            .or_else(|| xmp_property(text, PHOTOSHOP_NAMESPACE, "Credit").filter(real))
            .or_else(|| xmp_property(text, DC_NAMESPACE, "rights").filter(real))
    });
    from_xmp.or_else(|| {
        [80, 110, 116]
            .into_iter()
            .find_map(|dataset| iptc_text(&metadata.photoshop_irbs, dataset).filter(real))
    })
}

const PHOTOSHOP_NAMESPACE: &str = "http://ns.adobe.com/photoshop/1.0/";

/// An XMP packet as text, without the padding writers add.
fn xmp_document_text(packet: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(packet).ok()?;
    Some(
        text.trim_start_matches('\u{FEFF}')
            .trim_end_matches(['\0', ' ', '\n', '\r', '\t'])
            .to_string(),
    )
}

/// A simple XMP property: an element (its `rdf:li` entries joined by ", ", `x-default` alone
/// when the entries are a language alternative) or an attribute of the same name.
fn xmp_property(text: &str, namespace: &str, name: &str) -> Option<String> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XMP_NODES,
    };
    let document = Document::parse_with_options(text, options).ok()?;
    document
        .descendants()
        .filter(Node::is_element)
        .find_map(|node| {
            if !node.has_tag_name((namespace, name)) {
                return node.attribute((namespace, name)).and_then(non_empty);
            }
            let entries: Vec<Node> = node
                .descendants()
                .filter(|n| n.has_tag_name((RDF_NAMESPACE, "li")))
                .collect();
            if entries.is_empty() {
                return non_empty(&all_text(node));
            }
            if let Some(default) = entries
                .iter()
                .find(|e| e.attribute((roxmltree::NS_XML_URI, "lang")) == Some("x-default"))
            {
                return non_empty(&all_text(*default));
            }
            let names: Vec<String> = entries
                .iter()
                .filter_map(|e| non_empty(&all_text(*e)))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        })
}

/// Descriptions cameras, phones and editors write when nobody wrote one (issue 11), compared
/// without regard to case or spacing. Listed in the README ("What happens to images").
pub const PLACEHOLDERS: &[&str] = &[
    "OLYMPUS DIGITAL CAMERA",
    "SONY DSC",
    "DCIM",
    "x-default",
    "default",
    "untitled",
    "no title",
    "title",
    "caption",
    "description",
    "image description",
    "no description",
    "image",
    "photo",
    "picture",
    "screenshot",
    "DIGITAL CAMERA",
    "KODAK Digital Still Camera",
    "MINOLTA DIGITAL CAMERA",
    "NIKON DIGITAL CAMERA",
    "PENTAX DIGITAL CAMERA",
    "SAMSUNG DIGITAL CAMERA",
    "SAMSUNG",
    "LG Digital Camera",
    "Exif_JPEG_PICTURE",
    "Exif JPEG",
    "JPEG image",
    "Created with GIMP",
];

/// Whether an embedded description is a placeholder rather than a caption: one of
/// [`PLACEHOLDERS`], a language tag (`en-US`, what some tools write for the language of an
/// empty entry), a string of digits and punctuation (a date, a counter), a file name
/// (`IMG_1234.JPG`, `holiday.png`) or a camera's frame name (`DSC01234`, `P1010001`,
/// `PXL_20230101_123456789`), or a screenshot tool's "Screenshot 2024-05-01 at 10.12.03".
pub fn is_placeholder(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let normal = words.join(" ");
    if normal.is_empty()
        || PLACEHOLDERS
            .iter()
            .any(|placeholder| placeholder.eq_ignore_ascii_case(&normal))
    {
        return true;
    }
    let digits_and_punctuation = normal
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ');
    digits_and_punctuation
        || is_language_tag(&normal)
        || is_file_name(&normal)
        || is_frame_name(&normal)
        || is_screenshot_name(&words)
}

/// `xx`, or `xx(x)-Yyyy…` with at least one subtag: a well-formed BCP 47 tag
/// ([`crate::script::is_well_formed_language_tag`]) whose primary language is two or three
/// lowercase letters, and two letters alone, so that a one-word caption such as "Sun" or
/// "Oslo" is kept.
fn is_language_tag(text: &str) -> bool {
    let (primary, subtags) = text.split_once('-').unwrap_or((text, ""));
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && (!subtags.is_empty() || primary.len() == 2)
        && crate::script::is_well_formed_language_tag(text)
}

/// One word ending in an image or raw file extension.
fn is_file_name(text: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "avif", "tif", "tiff", "dng", "cr2",
        "cr3", "nef", "arw", "orf", "rw2", "raf", "bmp",
    ];
    !text.contains(' ')
        && text.rsplit_once('.').is_some_and(|(stem, extension)| {
            !stem.is_empty()
                && EXTENSIONS
                    .iter()
                    .any(|known| known.eq_ignore_ascii_case(extension))
        })
}

/// A camera's name for a frame: an optional `_`, up to six capital letters, then digits,
/// capitals, `_` and `-` with at least four digits: `IMG_1234`, `DSC01234`, `_DSC1234`,
/// `DSCN0042`, `P1010001`, `GOPR0123`, `DJI_0001`, `IMG-20230101-WA0001`.
fn is_frame_name(text: &str) -> bool {
    let text = text.strip_prefix('_').unwrap_or(text);
    let prefix = text.chars().take_while(char::is_ascii_uppercase).count();
    let rest = &text[prefix..];
    (1..=6).contains(&prefix)
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || c == '_' || c == '-')
        && rest.chars().filter(char::is_ascii_digit).count() >= 4
}

/// "Screenshot", "Screenshot_20240501-101203", "Screenshot 2024-05-01 at 10.12.03 PM",
/// "Screen Shot 2019-03-04 at 9.41.12": the screenshot tools' names, not captions.
fn is_screenshot_name(words: &[&str]) -> bool {
    let mut rest: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    if rest.len() >= 2 && rest[0] == "screen" && rest[1].starts_with("shot") {
        let tail = rest[1]["shot".len()..].to_owned();
        rest.splice(0..2, [format!("screenshot{tail}")]);
    }
    let Some(first) = rest.first() else {
        return false;
    };
    let Some(tail) = first.strip_prefix("screenshot") else {
        return false;
    };
    std::iter::once(tail)
        .chain(rest[1..].iter().map(String::as_str))
        .filter(|word| !matches!(*word, "at" | "am" | "pm" | "von" | "um" | "à"))
        .all(|word| {
            word.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
        })
}

/// The raw metadata blocks of one file, not yet interpreted.
#[derive(Default)]
struct RawMetadata {
    /// The first standard XMP packet.
    xmp: Option<Vec<u8>>,
    /// Photoshop image resource blocks; JPEG may split them over several APP13 segments.
    photoshop_irbs: Vec<u8>,
}

/// A cursor over untrusted bytes: every read either returns data that exists or `None`.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if count > self.bytes.len() {
            return None;
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Bytes up to (not including) the next NUL, consuming the NUL.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let end = self.bytes.iter().position(|&b| b == 0)?;
        let field = self.take(end)?;
        self.take(1)?;
        Some(field)
    }
}

/// Walk the JPEG segments before the image data (metadata always precedes the first SOS).
/// The metadata of a JPEG or PNG; `None` for any other format.
fn raw_metadata(jpeg_or_png: &[u8]) -> Option<RawMetadata> {
    if jpeg_or_png.starts_with(JPEG_SOI) {
        Some(jpeg_metadata(jpeg_or_png))
    } else if jpeg_or_png.starts_with(PNG_SIGNATURE) {
        Some(png_metadata(jpeg_or_png))
    } else {
        None
    }
}

fn jpeg_metadata(jpeg: &[u8]) -> RawMetadata {
    let mut found = RawMetadata::default();
    let mut reader = Reader::new(jpeg.get(JPEG_SOI.len()..).unwrap_or_default());
    loop {
        if reader.u8() != Some(0xFF) {
            break;
        }
        // Any number of 0xFF fill bytes may precede the marker code.
        let mut marker = reader.u8();
        while marker == Some(0xFF) {
            marker = reader.u8();
        }
        let Some(marker) = marker else { break };
        match marker {
            // TEM and RSTn stand alone, without a length.
            0x01 | 0xD0..=0xD7 => continue,
            // Start of scan or end of image: no metadata beyond this point.
            0xDA | 0xD9 => break,
            _ => {}
        }
        // The length counts its own two bytes.
        let Some(payload_length) = reader.u16().and_then(|n| usize::from(n).checked_sub(2)) else {
            break;
        };
        let Some(payload) = reader.take(payload_length) else {
            break;
        };
        match marker {
            0xE1 if found.xmp.is_none() => {
                if let Some(packet) = payload.strip_prefix(XMP_APP1_HEADER) {
                    found.xmp = Some(packet.to_vec());
                }
            }
            0xED => {
                if let Some(irbs) = payload.strip_prefix(PHOTOSHOP_APP13_HEADER) {
                    found.photoshop_irbs.extend_from_slice(irbs);
                }
            }
            _ => {}
        }
    }
    found
}

/// Walk the PNG chunks for the XMP `iTXt` chunk. PNG has no standard IPTC chunk.
fn png_metadata(png: &[u8]) -> RawMetadata {
    let mut found = RawMetadata::default();
    let mut reader = Reader::new(png.get(PNG_SIGNATURE.len()..).unwrap_or_default());
    while !reader.is_empty() {
        let Some(length) = reader.u32().and_then(|n| usize::try_from(n).ok()) else {
            break;
        };
        let (Some(kind), Some(data), Some(_crc)) =
            (reader.take(4), reader.take(length), reader.take(4))
        else {
            break;
        };
        match kind {
            b"iTXt" => {
                if let Some(packet) = png_xmp_packet(data) {
                    found.xmp = Some(packet);
                    break;
                }
            }
            b"IEND" => break,
            _ => {}
        }
    }
    found
}

/// The XMP packet in an `iTXt` chunk's data, if that is what the chunk holds.
fn png_xmp_packet(itxt: &[u8]) -> Option<Vec<u8>> {
    let mut reader = Reader::new(itxt);
    if reader.until_nul()? != PNG_XMP_KEYWORD {
        return None;
    }
    let compressed = reader.u8()? != 0;
    let _method = reader.u8()?;
    let _language = reader.until_nul()?;
    let _translated_keyword = reader.until_nul()?;
    let text = reader.bytes;
    if compressed {
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(text, MAX_INFLATED_XMP).ok()
    } else {
        Some(text.to_vec())
    }
}

/// The `dc:description` of an XMP packet: the `x-default` entry of its language alternative,
/// else its first non-empty entry. Also accepts the simple forms some writers use instead: an
/// attribute on `rdf:Description`, or plain element text.
fn xmp_description(packet: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(packet).ok()?;
    // Writers pad packets with whitespace and sometimes NULs; a BOM may lead.
    let text = text
        .trim_start_matches('\u{FEFF}')
        .trim_end_matches(['\0', ' ', '\n', '\r', '\t']);
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XMP_NODES,
    };
    let document = Document::parse_with_options(text, options).ok()?;
    document
        .descendants()
        .filter(Node::is_element)
        .find_map(|node| {
            if node.has_tag_name((DC_NAMESPACE, "description")) {
                description_element_text(node)
            } else {
                node.attribute((DC_NAMESPACE, "description"))
                    .and_then(non_empty)
            }
        })
}

fn description_element_text(description: Node) -> Option<String> {
    let entries: Vec<Node> = description
        .descendants()
        .filter(|node| node.has_tag_name((RDF_NAMESPACE, "li")))
        .collect();
    if entries.is_empty() {
        return non_empty(&all_text(description));
    }
    let is_default =
        |entry: &&Node| entry.attribute((roxmltree::NS_XML_URI, "lang")) == Some("x-default");
    entries
        .iter()
        .find(is_default)
        .and_then(|entry| non_empty(&all_text(*entry)))
        .or_else(|| {
            entries
                .iter()
                .find_map(|entry| non_empty(&all_text(*entry)))
        })
}

/// The text of a node and its descendants, entities already decoded by the parser.
fn all_text(node: Node) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

/// The IPTC Caption-Abstract (2:120) from Photoshop image resource blocks.
fn iptc_caption(irbs: &[u8]) -> Option<String> {
    iptc_text(irbs, 120)
}

/// The first IPTC record 2 dataset `dataset` from Photoshop image resource blocks.
fn iptc_text(irbs: &[u8], dataset: u8) -> Option<String> {
    let mut reader = Reader::new(irbs);
    while !reader.is_empty() {
        if reader.take(4)? != IRB_SIGNATURE {
            return None;
        }
        let id = reader.u16()?;
        // A Pascal string name, padded so that length byte and name together are even.
        let name_length = usize::from(reader.u8()?);
        reader.take(name_length + (name_length + 1) % 2)?;
        let size = usize::try_from(reader.u32()?).ok()?;
        let data = reader.take(size)?;
        if id == IRB_IPTC_NAA {
            return iim_text(data, dataset);
        }
        // Resource data is padded to an even length; the last block may omit the pad.
        if size % 2 == 1 {
            let _ = reader.take(1);
        }
    }
    None
}

/// Read IPTC-IIM datasets for the character set (1:90) and the text of dataset 2:`wanted`
/// (120 the caption, 80 the By-line, 110 the Credit Line, 116 the Copyright Notice).
fn iim_text(iim: &[u8], wanted: u8) -> Option<String> {
    let mut reader = Reader::new(iim);
    let mut declared_utf8 = false;
    let mut caption = None;
    while let Some(0x1C) = reader.u8() {
        let (Some(record), Some(dataset), Some(length)) = (reader.u8(), reader.u8(), reader.u16())
        else {
            break;
        };
        let length = if length & 0x8000 == 0 {
            usize::from(length)
        } else {
            // Extended dataset: the low 15 bits say how many bytes hold the real length.
            let Some(length) = extended_length(&mut reader, usize::from(length & 0x7FFF)) else {
                break;
            };
            length
        };
        let Some(value) = reader.take(length) else {
            break;
        };
        match (record, dataset) {
            (1, 90) => declared_utf8 = value == IPTC_UTF8,
            (2, d) if d == wanted && caption.is_none() => caption = Some(value),
            _ => {}
        }
    }
    non_empty(&decode_iptc_text(caption?, declared_utf8))
}

fn extended_length(reader: &mut Reader, byte_count: usize) -> Option<usize> {
    if byte_count > std::mem::size_of::<u32>() {
        return None;
    }
    let bytes = reader.take(byte_count)?;
    let length = bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    usize::try_from(length).ok()
}

/// IPTC text is UTF-8 when 1:90 says so. Without that declaration, most modern tools still
/// write UTF-8, so valid UTF-8 is taken as such; anything else is from the Windows era and is
/// read as Windows-1252 (a superset of Latin-1 in the printable range, where its curly quotes
/// and dashes live).
fn decode_iptc_text(bytes: &[u8], declared_utf8: bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) if declared_utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1252_char(b)).collect(),
    }
}

fn windows_1252_char(byte: u8) -> char {
    const HIGH_CONTROLS: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH_CONTROLS[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// Trimmed text without stray NUL terminators, or `None` when nothing is left.
fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests;
