//! The package's accessibility metadata (EPUB Accessibility 1.1), derived from what the book
//! actually contains so that it never claims more than the book delivers.
//!
//! A reading system shows these properties to a reader deciding whether a book will work for
//! them (a screen-reader user, someone who needs large text), so a false claim is worse than
//! none. Each property follows from a fact about the content:
//!
//! - `accessMode`: textual always; visual as soon as there is an image.
//! - `accessModeSufficient`: `textual` only when every image has a text alternative.
//! - `accessibilityFeature`: `alternativeText` only when every image has alt text; the rest
//!   (`tableOfContents`, `readingOrder`, `structuralNavigation`, `displayTransformability`)
//!   hold for every book bindery writes, because its generator always writes them;
//!   `MathML` when a formula is there (as MathML, never an image of one).
//! - `dcterms:conformsTo` (the WCAG 2.1 AA claim): only when the checks that back it pass;
//!   an image without alt text fails WCAG 1.1.1, so then there is no claim at all.

use crate::model::Book;
use crate::xhtml::dom::{Node, for_each_element};

/// The conformance claim EPUB Accessibility 1.1 defines for WCAG 2.1 Level AA.
pub(crate) const CONFORMS_TO: &str = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA";

/// What the book contains that the metadata depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Accessibility {
    pub images: usize,
    pub images_without_alt: usize,
    pub has_headings: bool,
    pub has_footnotes: bool,
    pub has_math: bool,
}

impl Accessibility {
    pub(crate) fn of(book: &Book) -> Self {
        let mut facts = Accessibility {
            images: 0,
            images_without_alt: 0,
            has_headings: false,
            has_footnotes: false,
            has_math: false,
        };
        for chapter in &book.chapters {
            facts.has_headings |= !chapter.headings.is_empty();
            facts.scan(&chapter.body);
        }
        facts
    }

    fn scan(&mut self, body: &[Node]) {
        for_each_element(body, &mut |element| match element.name.as_str() {
            "img" => {
                self.images += 1;
                if element.attr("alt").is_none_or(|alt| alt.trim().is_empty()) {
                    self.images_without_alt += 1;
                }
            }
            "aside" if element.attr("epub:type") == Some("footnote") => {
                self.has_footnotes = true;
            }
            "math" => self.has_math = true,
            _ => {}
        });
    }

    pub(crate) fn every_image_has_alt(&self) -> bool {
        self.images_without_alt == 0
    }

    /// Whether the book may claim WCAG 2.1 AA. Everything else that claim needs (a language
    /// on every document, page titles, navigation, no broken links, text that reflows) the
    /// generator guarantees; missing alt text is what the author can get wrong.
    pub(crate) fn conforms(&self) -> bool {
        self.every_image_has_alt()
    }

    pub(crate) fn access_modes(&self) -> Vec<&'static str> {
        if self.images > 0 {
            vec!["textual", "visual"]
        } else {
            vec!["textual"]
        }
    }

    /// Each value is one set of modes that together convey the whole book.
    pub(crate) fn access_modes_sufficient(&self) -> Vec<&'static str> {
        match (self.images > 0, self.every_image_has_alt()) {
            (false, _) => vec!["textual"],
            (true, true) => vec!["textual", "textual,visual"],
            (true, false) => vec!["textual,visual"],
        }
    }

    pub(crate) fn features(&self) -> Vec<&'static str> {
        let mut features = Vec::new();
        if self.images > 0 && self.every_image_has_alt() {
            features.push("alternativeText");
        }
        // The stylesheet fixes no font, size or colour, so readers' settings apply.
        features.push("displayTransformability");
        if self.has_math {
            features.push("MathML");
        }
        features.push("readingOrder");
        if self.has_headings {
            features.push("structuralNavigation");
        }
        features.push("tableOfContents");
        features
    }

    /// A sentence or three for people, saying what the metadata says.
    pub(crate) fn summary(&self) -> String {
        let mut summary = String::from(if self.has_headings {
            "This publication has a table of contents, a logical reading order and headings \
             for navigation; its text can be resized and restyled."
        } else {
            "This publication has a table of contents and a logical reading order; its text \
             can be resized and restyled."
        });
        match (self.images, self.images_without_alt) {
            (0, _) => summary.push_str(" It contains no images."),
            (_, 0) => summary.push_str(" Every image has a text description."),
            (_, 1) => summary.push_str(" One image has no text description."),
            (_, n) => summary.push_str(&format!(" {n} images have no text description.")),
        }
        if self.has_footnotes {
            summary.push_str(" Footnotes link to their notes and back.");
        }
        if self.conforms() {
            summary.push_str(" It meets WCAG 2.1 Level AA.");
        }
        summary
    }
}
