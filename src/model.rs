//! The book as plain data: what the Markdown and front matter said, resolved and checked.
//! No parser, zip or image types live here; every stage after parsing reads these.

use std::path::PathBuf;

use crate::xhtml::dom::Node;

/// Book-level metadata, from the first file's front matter, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub title: String,
    pub subtitle: Option<String>,
    pub creators: Vec<Creator>,
    /// A well-formed BCP 47 tag, e.g. `en`, `pt-BR`.
    pub language: String,
    /// Publication date as written (W3CDTF: `2016`, `2016-05`, `2016-05-03`, or a full timestamp).
    pub date: Option<String>,
    /// Last modification, as an EPUB `dcterms:modified` value (`CCYY-MM-DDThh:mm:ssZ`).
    pub modified: String,
    pub identifier: Identifier,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    pub description: Option<String>,
    pub subjects: Vec<String>,
    pub series: Option<Series>,
    /// Cover image, resolved against the book folder.
    pub cover: Option<PathBuf>,
    /// Extra stylesheet, resolved against the book folder; appended after the default one.
    pub css: Option<PathBuf>,
    /// Deepest heading level listed in the table of contents (1–6).
    pub toc_depth: u8,
    /// Headings at this level or above start a new XHTML document (0: only files do).
    pub split_level: u8,
    pub list_of_illustrations: ListOfIllustrations,
    pub images: ImageSettings,
    /// What the front matter says about the book's accessibility, beyond what bindery derives.
    pub accessibility: AccessibilitySettings,
    /// `direction:` as written; `None` leaves it to be derived from the language.
    pub direction: Option<TextDirection>,
    /// `writing-mode:` as written; `None` is the reading system's default (horizontal).
    pub writing_mode: Option<WritingMode>,
    /// `chapters:`, the book's files in reading order, resolved against the book folder and
    /// checked to exist when the manuscript was read; empty when the key is not given.
    pub chapters: Vec<PathBuf>,
    /// `figures:`: numbering, its label, where credits come from (issue 14).
    pub figures: FigureSettings,
    /// `notes:`: footnotes where they are written, or endnotes at the end of the book.
    pub notes: NotePlacement,
}

/// Front matter `figures:` (issue 14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureSettings {
    /// Number figures in reading order and show the number in captions and the list.
    pub numbering: bool,
    /// The word before the number: "Figure", "Plate", "Photo".
    pub label: String,
    /// Take a figure's credit from the photo's IPTC/XMP when the Markdown gives none.
    pub embedded_credits: bool,
}

impl Default for FigureSettings {
    fn default() -> Self {
        FigureSettings {
            numbering: false,
            label: "Figure".to_string(),
            embedded_credits: false,
        }
    }
}

/// Front matter `notes:`: where footnotes are collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotePlacement {
    /// At the end of the file that refers to them (the default).
    #[default]
    Footnotes,
    /// In one "Notes" document at the end of the book, under a heading per chapter.
    End,
}

/// Front matter `direction:`: the book's base text direction (`dir` on every document and
/// `page-progression-direction` in the spine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextDirection {
    Ltr,
    Rtl,
    /// Each reading system decides from the text.
    Auto,
}

/// Front matter `writing-mode:`: vertical is for Japanese, Chinese and Korean books set in
/// columns read top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WritingMode {
    Horizontal,
    Vertical,
}

/// Front matter `accessibility:`. Everything else in the accessibility metadata is derived
/// from the content (see `epub::accessibility`), so it cannot claim what the book lacks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessibilitySettings {
    /// Replaces the generated `schema:accessibilitySummary`.
    pub summary: Option<String>,
    /// Who certified the conformance claim (`a11y:certifiedBy`); only written with the claim.
    pub certified_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creator {
    pub name: String,
    /// MARC relator code: `aut`, `edt`, `ill`, `pht`, `trl`, …
    pub role: String,
    pub file_as: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// 13 digits, checksum verified, no hyphens.
    Isbn(String),
    /// A `urn:` other than ISBN, as written.
    Urn(String),
    Url(String),
    /// Derived from title and authors when none is given, so rebuilds keep it.
    Uuid(String),
}

impl Identifier {
    /// The `dc:identifier` text.
    pub fn as_dc_value(&self) -> String {
        match self {
            Identifier::Isbn(digits) => format!("urn:isbn:{digits}"),
            Identifier::Urn(urn) => urn.clone(),
            Identifier::Url(url) => url.clone(),
            Identifier::Uuid(uuid) => format!("urn:uuid:{uuid}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// The position in the series, as written (`2`, `2.5`).
    pub index: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOfIllustrations {
    pub enabled: bool,
    pub title: String,
}

/// Image settings from front matter; command-line flags override them (see `Config`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageSettings {
    pub max_size: Option<u32>,
    pub quality: Option<u8>,
    /// `images.quality-target`: the SSIMULACRA2 score each JPEG must reach (issue 12);
    /// ignored when a fixed `quality` is set.
    pub quality_target: Option<u8>,
    pub grayscale: Option<bool>,
    /// `images.animation` (issue 11): keep animations moving, or use first frames.
    pub animation: Option<crate::images::animation::Animation>,
}

/// One XHTML content document of the spine.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// The Markdown file it came from (as given, for messages and link resolution).
    pub source: PathBuf,
    /// File name inside the EPUB's text folder, e.g. `chapter-001.xhtml`.
    pub file_name: String,
    /// The document title: its first heading, else the book title.
    pub title: String,
    pub headings: Vec<Heading>,
    pub figures: Vec<Figure>,
    /// Body content, already cleaned, with links and image sources resolved.
    pub body: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// Unique within its document.
    pub id: String,
    /// Plain text, for the table of contents.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// Unique within the book: `fig-1`, `fig-2`, … in reading order.
    pub id: String,
    /// Path of the image inside the EPUB, relative to the text folder.
    pub src: String,
    pub alt: String,
    /// The visible caption, without number and credit; `None` shows the figure without one.
    pub caption: Option<String>,
    /// "Plate 3" when the book numbers its figures.
    pub number: Option<String>,
    /// Who made the picture, as shown under the caption.
    pub credit: Option<String>,
}

impl Figure {
    /// What lists of illustrations show for this figure: its caption, else its alt text.
    pub fn label(&self) -> &str {
        self.caption
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or(&self.alt)
    }
}

/// An image file the book uses, after the image pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageResource {
    /// Path inside the EPUB's OEBPS folder, e.g. `images/3f2a…c1.jpg`.
    pub href: String,
    pub media_type: &'static str,
    /// Where the bytes to store are (a cache entry or a copy of the source).
    pub data: PathBuf,
    pub width: u32,
    pub height: u32,
    pub is_cover: bool,
}

/// Everything the EPUB writer needs.
#[derive(Debug, Clone)]
pub struct Book {
    pub meta: Meta,
    pub chapters: Vec<Chapter>,
    pub images: Vec<ImageResource>,
    /// Contents of the user's extra stylesheet (`css:` in front matter), if any, sanitised.
    pub extra_css: Option<String>,
    /// Fonts and images the extra stylesheet uses, stored beside it.
    pub stylesheet_resources: Vec<crate::css::stylesheet::StyleResource>,
}

impl Book {
    /// Every figure in reading order, with the chapter that holds it.
    pub fn figures(&self) -> impl Iterator<Item = (&Chapter, &Figure)> {
        self.chapters
            .iter()
            .flat_map(|chapter| chapter.figures.iter().map(move |figure| (chapter, figure)))
    }

    pub fn cover(&self) -> Option<&ImageResource> {
        self.images.iter().find(|image| image.is_cover)
    }
}
