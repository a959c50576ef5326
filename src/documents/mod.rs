//! From rendered files to the EPUB's content documents: split at headings, resolve links
//! between them, point images at their processed files, and read off the headings and figures
//! that navigation needs.
//!
//! Everything here works on the owned tree and plain paths; it opens no file. Whether a
//! referenced file exists is asked through the closures the caller passes in.

pub mod endnotes;
pub mod figures;
pub mod lint;
pub mod render;

use crate::xhtml::dom::heading_level;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::model::{Chapter, Figure, Heading};
use crate::source::{self, SourceFile};
use crate::xhtml::dom::{self, Element, Node};

/// One XHTML content document in the making.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Index of the source file in the manuscript.
    pub file: usize,
    /// File name inside the EPUB's text folder.
    pub file_name: String,
    pub nodes: Vec<Node>,
}

/// Splits a file's nodes into documents: a top-level heading of level ≤ `split_level` starts a
/// new one (0: the file stays whole). A part with nothing but whitespace (say, before the first
/// heading) makes no document. `next_number` numbers documents across the book.
pub fn split_into_documents(
    file: usize,
    nodes: Vec<Node>,
    split_level: u8,
    next_number: &mut usize,
) -> Vec<Document> {
    let mut parts: Vec<Vec<Node>> = vec![Vec::new()];
    for node in nodes {
        let starts_part = matches!(&node, Node::Element(e) if heading_level(&e.name).is_some_and(|l| l <= split_level));
        if starts_part && parts.last().is_some_and(|p| has_content(p)) {
            parts.push(Vec::new());
        }
        if let Some(part) = parts.last_mut() {
            part.push(node);
        }
    }
    let mut documents: Vec<Document> = parts
        .into_iter()
        .filter(|part| has_content(part))
        .map(|nodes| {
            *next_number += 1;
            Document {
                file,
                file_name: format!("chapter-{:03}.xhtml", *next_number),
                nodes,
            }
        })
        .collect();
    // An empty file still gets its page, so links to it and the reading order hold; but a
    // first file that holds only front matter (a `metadata.md`, a `_title.md`) is the book's
    // metadata, not a page of it: an empty page there would be the first thing a reader sees.
    if documents.is_empty() && file > 0 {
        *next_number += 1;
        documents.push(Document {
            file,
            file_name: format!("chapter-{:03}.xhtml", *next_number),
            nodes: Vec::new(),
        });
    }
    documents
}

fn has_content(nodes: &[Node]) -> bool {
    nodes.iter().any(|node| match node {
        Node::Text(text) => !text.trim().is_empty(),
        Node::Element(_) => true,
    })
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// `#id` in the same file.
    Fragment(String),
    /// A URL with a scheme (`https:`, `mailto:`), normalized.
    External(String),
    /// A relative path (percent-decoded) and an optional fragment.
    Local {
        path: String,
        fragment: Option<String>,
    },
    /// Not usable; the reason.
    Invalid(String),
}

fn classify(href: &str) -> Target {
    let href = href.trim();
    if let Some(fragment) = href.strip_prefix('#') {
        return Target::Fragment(percent_decode(fragment));
    }
    if crate::xhtml::url_scheme(href).is_some() {
        return match url::Url::parse(href) {
            Ok(url) => Target::External(url.to_string()),
            Err(error) => Target::Invalid(format!("`{href}` is not a valid URL ({error})")),
        };
    }
    let (before_fragment, fragment) = match href.split_once('#') {
        Some((path, fragment)) => (path, Some(percent_decode(fragment))),
        None => (href, None),
    };
    let path = before_fragment.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Target::Invalid(format!("`{href}` points nowhere in the book"));
    }
    Target::Local {
        path: percent_decode(path),
        fragment: fragment.filter(|f| !f.is_empty()),
    }
}

/// `%20` and the like decoded; invalid UTF-8 replaced.
pub fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The attribute on which the Markdown stage gives a heading the id GitHub would give it,
/// when that differs from bindery's; links to it are resolved to the heading's real id, and
/// the attribute is removed before anything is written.
pub const ALIAS_ATTRIBUTE: &str = "data-bindery-alias";

/// The book's Markdown file that a link to `wanted` means: the file itself, or, for
/// `chapter.html` / `chapter.xhtml` / `chapter.htm`, the `chapter.md` it is made from (mdBook
/// and static-site sources link to the pages they will become; mdBook makes `README.md` the
/// `index.html` of its folder).
fn markdown_file_for(wanted: &Path, file_by_path: &HashMap<&Path, usize>) -> Option<usize> {
    if let Some(&file) = file_by_path.get(wanted) {
        return Some(file);
    }
    let extension = wanted.extension()?.to_str()?.to_ascii_lowercase();
    if !matches!(extension.as_str(), "html" | "xhtml" | "htm") {
        return None;
    }
    let as_markdown = wanted.with_extension("md");
    if let Some(&file) = file_by_path.get(as_markdown.as_path()) {
        return Some(file);
    }
    let is_index = wanted.file_stem().is_some_and(|stem| stem == "index");
    is_index
        .then(|| wanted.with_file_name("README.md"))
        .and_then(|readme| file_by_path.get(readme.as_path()).copied())
}

/// Rewrites every link so it works inside the EPUB: fragments and `other.md#id` point at the
/// document that now holds the target; external URLs are kept, normalized. A link whose target
/// is not in the book is dropped with a warning, its text kept: a broken reference in an EPUB
/// is an error for epubcheck and a dead tap for the reader.
pub fn resolve_links(
    documents: &mut [Document],
    files: &[SourceFile],
    diagnostics: &mut Diagnostics,
) {
    let anchors = Anchors::collect(documents);
    let file_by_path: HashMap<&Path, usize> = files
        .iter()
        .enumerate()
        .map(|(index, file)| (file.absolute.as_path(), index))
        .collect();

    for document in documents.iter_mut() {
        let source = &files[document.file];
        let here = document.file_name.clone();
        let resolve = |target: Target| -> Result<Option<String>, String> {
            match target {
                Target::External(url) => Ok(Some(url)),
                Target::Invalid(reason) => Err(reason),
                Target::Fragment(fragment) => anchors
                    .locate(&here, document.file, Some(fragment), files)
                    .map(Some),
                Target::Local { path, fragment } => {
                    let base = source.absolute.parent().unwrap_or(Path::new("/"));
                    let wanted = source::normalize(&base.join(&path));
                    match markdown_file_for(&wanted, &file_by_path) {
                        Some(file) => anchors.locate(&here, file, fragment, files).map(Some),
                        None => Err(format!("`{path}` is not one of the book's Markdown files")),
                    }
                }
            }
        };
        dom::replace_elements(&mut document.nodes, &mut |element| {
            if element.name != "a" {
                return None;
            }
            let href = element.attr("href")?.to_string();
            match resolve(classify(&href)) {
                Ok(Some(resolved)) => {
                    element.set_attr("href", resolved);
                    None
                }
                Ok(None) => None,
                Err(reason) => {
                    diagnostics.push(
                        located(
                            Diagnostic::warning(format!("link to `{href}` removed: {reason}")),
                            source,
                            element.origin,
                        )
                        .with_help("the link's text is kept; fix the target or remove the link"),
                    );
                    // An anchor that is also a target keeps its id, so other links still land.
                    match element.attr("id") {
                        Some(_) => {
                            element.remove_attr("href");
                            None
                        }
                        None => Some(std::mem::take(&mut element.children)),
                    }
                }
            }
        });
    }
}

/// Where every link target of the book lives: which document holds each id.
#[derive(Default)]
struct Anchors {
    /// (file, id) → document name.
    id_home: HashMap<(usize, String), String>,
    /// file → its first document.
    first_document: HashMap<usize, String>,
    /// (file, GitHub-style id) → the heading's real id.
    aliases: HashMap<(usize, String), String>,
    /// Figure id → document name, book-wide: a figure is referred to from any chapter by its
    /// id alone (`[](#fig:harbour)`, issue 14); its id is unique in the book.
    figure_home: HashMap<String, String>,
}

impl Anchors {
    /// Reads every id off the documents (and takes the GitHub aliases off the headings).
    fn collect(documents: &mut [Document]) -> Self {
        let mut anchors = Anchors::default();
        for document in documents.iter_mut() {
            anchors
                .first_document
                .entry(document.file)
                .or_insert_with(|| document.file_name.clone());
            dom::for_each_element_mut(&mut document.nodes, &mut |element| {
                let alias = element.remove_attr(ALIAS_ATTRIBUTE);
                let Some(id) = element.attr("id") else {
                    return;
                };
                if element.name == "figure" {
                    anchors
                        .figure_home
                        .entry(id.to_string())
                        .or_insert_with(|| document.file_name.clone());
                }
                anchors
                    .id_home
                    .entry((document.file, id.to_string()))
                    .or_insert_with(|| document.file_name.clone());
                if let Some(alias) = alias {
                    anchors
                        .aliases
                        .entry((document.file, alias))
                        .or_insert_with(|| id.to_string());
                }
            });
        }
        anchors
    }

    /// The href, from the document `here`, of `fragment` in Markdown file `file` (its first
    /// page when there is no fragment), or why there is none.
    fn locate(
        &self,
        here: &str,
        file: usize,
        fragment: Option<String>,
        files: &[SourceFile],
    ) -> Result<String, String> {
        let Some(fragment) = fragment else {
            return self
                .first_document
                .get(&file)
                .cloned()
                .ok_or_else(|| "its file made no page".to_string());
        };
        // An id written for GitHub counts only where no element has it for real.
        let fragment = match self.aliases.get(&(file, fragment.clone())) {
            Some(id) if !self.id_home.contains_key(&(file, fragment.clone())) => id.clone(),
            _ => fragment,
        };
        let home = self
            .id_home
            .get(&(file, fragment.clone()))
            .or_else(|| self.figure_home.get(&fragment));
        match home {
            Some(home) if home == here => Ok(format!("#{}", dom::encode_fragment(&fragment))),
            Some(home) => Ok(format!("{home}#{}", dom::encode_fragment(&fragment))),
            None => Err(format!(
                "there is no `#{fragment}` in {}",
                files[file].path.display()
            )),
        }
    }
}

/// A diagnostic pointed at `origin` in `source` when known, else at the file.
pub fn located(diagnostic: Diagnostic, source: &SourceFile, origin: Option<usize>) -> Diagnostic {
    match origin {
        Some(offset) => diagnostic.at(Location::at_offset(&source.path, &source.text, offset)),
        None => diagnostic.in_file(&source.path),
    }
}

/// An image reference found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    pub file: usize,
    /// The `src` as written (after HTML entity decoding).
    pub src: String,
    pub origin: Option<usize>,
}

/// Every `img` source in reading order, once per (file, src).
pub fn image_references(documents: &[Document]) -> Vec<ImageReference> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for document in documents {
        dom::for_each_element(&document.nodes, &mut |element| {
            if element.name == "img"
                && let Some(src) = element.attr("src")
                && seen.insert((document.file, src.to_string()))
            {
                found.push(ImageReference {
                    file: document.file,
                    src: src.to_string(),
                    origin: element.origin,
                });
            }
        });
    }
    found
}

/// Where an `img` source leads, as a relative path to resolve, or why it cannot be used.
pub fn image_target(src: &str) -> Result<String, String> {
    match classify(src) {
        Target::Local { path, .. } => Ok(path),
        Target::External(url) => Err(format!(
            "`{url}` is a remote image; an EPUB must carry its images"
        )),
        Target::Fragment(_) | Target::Invalid(_) => Err(format!("`{src}` is not an image path")),
    }
}

/// What became of an image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageOutcome {
    /// Use this `src` (relative to the text folder); the photo's own caption, if it has one.
    Use {
        src: String,
        embedded_caption: Option<String>,
        /// The photo's own credit, when the book asks for it (`figures: {credits: embedded}`).
        embedded_credit: Option<String>,
    },
    /// Show the alt text instead (a missing image in a draft).
    ReplaceWithAlt,
}

/// Points every `img` at its processed file. A figure without a caption takes the caption
/// written into the photo, and an empty `alt` takes it too. `outcome` is asked with the
/// document's file and the `src` as written.
pub fn apply_images(
    documents: &mut [Document],
    outcome: &impl Fn(usize, &str) -> Option<ImageOutcome>,
) {
    for document in documents.iter_mut() {
        let file = document.file;
        // Captions and credits first, while image sources are still as written.
        dom::for_each_element_mut(&mut document.nodes, &mut |element| {
            if element.name != "figure" {
                return;
            }
            let Some(src) = element.children.iter().find_map(|c| match c {
                Node::Element(e) if e.name == "img" => e.attr("src").map(str::to_string),
                _ => None,
            }) else {
                return;
            };
            let Some(ImageOutcome::Use {
                embedded_caption,
                embedded_credit,
                ..
            }) = outcome(file, &src)
            else {
                return;
            };
            add_embedded_caption(element, embedded_caption, embedded_credit);
        });
        dom::replace_elements(&mut document.nodes, &mut |element| {
            if element.name != "img" {
                return None;
            }
            let src = element.attr("src")?.to_string();
            match outcome(file, &src)? {
                ImageOutcome::Use {
                    src,
                    embedded_caption,
                    ..
                } => {
                    element.set_attr("src", src);
                    let alt_is_empty = element.attr("alt").is_none_or(|a| a.trim().is_empty());
                    if let (true, Some(caption)) = (alt_is_empty, embedded_caption) {
                        element.set_attr("alt", caption);
                    }
                    None
                }
                ImageOutcome::ReplaceWithAlt => {
                    let alt = element.attr("alt").unwrap_or("").to_string();
                    Some(vec![Node::Text(alt)])
                }
            }
        });
    }
}

/// Puts the photo's own caption at the start of the figure's caption and its credit at the
/// end, each only when the Markdown did not give one: a caption written in the Markdown
/// wins, and a credit alone is not a caption.
fn add_embedded_caption(figure: &mut Element, caption: Option<String>, credit: Option<String>) {
    let has_caption = figcaption(figure).is_some_and(|fc| !caption_parts(fc).0.is_empty());
    let has_credit = figcaption(figure).is_some_and(|fc| caption_parts(fc).2.is_some());
    let caption = caption.filter(|_| !has_caption);
    let credit = credit.filter(|_| !has_credit);
    if caption.is_none() && credit.is_none() {
        return;
    }
    if figcaption(figure).is_none() {
        figure.children.push(Element::new("figcaption").into());
    }
    let Some(Node::Element(fc)) = figure
        .children
        .iter_mut()
        .find(|c| matches!(c, Node::Element(e) if e.name == "figcaption"))
    else {
        return;
    };
    if let Some(caption) = caption {
        let separator = if fc.children.is_empty() { "" } else { " " };
        fc.children
            .insert(0, Node::Text(format!("{caption}{separator}")));
    }
    if let Some(credit) = credit {
        if !fc.children.is_empty() {
            fc.children.push(Node::Text(" ".into()));
        }
        fc.children.push(
            Element::new("small")
                .with_attr("class", "credit")
                .with_text(credit)
                .into(),
        );
    }
}

fn figcaption(figure: &Element) -> Option<&Element> {
    figure.children.iter().find_map(|c| match c {
        Node::Element(e) if e.name == "figcaption" => Some(e),
        _ => None,
    })
}

/// The finished chapters: headings for the table of contents, figures for the list of
/// illustrations (every `figure` holding an image gets an id), and a title.
pub fn into_chapters(
    documents: Vec<Document>,
    files: &[SourceFile],
    book_title: &str,
) -> Vec<Chapter> {
    let mut figure_ids: HashSet<String> = HashSet::new();
    for document in &documents {
        dom::for_each_element(&document.nodes, &mut |e| {
            if e.name == "figure"
                && let Some(id) = e.attr("id")
            {
                figure_ids.insert(id.to_string());
            }
        });
    }
    let mut next_id = 0;
    documents
        .into_iter()
        .map(|mut document| {
            let mut taken: HashSet<String> = HashSet::new();
            dom::for_each_element(&document.nodes, &mut |e| {
                if let Some(id) = e.attr("id") {
                    taken.insert(id.to_string());
                }
            });
            let mut figures = Vec::new();
            dom::for_each_element_mut(&mut document.nodes, &mut |e| {
                if e.name != "figure" {
                    return;
                }
                let Some(img) = e.children.iter().find_map(|c| match c {
                    Node::Element(img) if img.name == "img" => Some(img.clone()),
                    _ => None,
                }) else {
                    return;
                };
                let id = match e.attr("id") {
                    Some(id) => id.to_string(),
                    None => loop {
                        next_id += 1;
                        let candidate = format!("figure-{next_id}");
                        if !taken.contains(&candidate) && !figure_ids.contains(&candidate) {
                            taken.insert(candidate.clone());
                            e.set_attr("id", candidate.clone());
                            break candidate;
                        }
                    },
                };
                let parts = e.children.iter().find_map(|c| match c {
                    Node::Element(fc) if fc.name == "figcaption" => Some(caption_parts(fc)),
                    _ => None,
                });
                let (caption, number, credit) = parts.unwrap_or_default();
                figures.push(Figure {
                    id,
                    src: img.attr("src").unwrap_or("").to_string(),
                    alt: img.attr("alt").unwrap_or("").to_string(),
                    caption: Some(caption).filter(|c| !c.is_empty()),
                    number,
                    credit,
                });
            });
            let mut headings = Vec::new();
            collect_headings(&document.nodes, &mut headings);
            let title = headings
                .first()
                .map(|h: &Heading| h.text.clone())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| book_title.to_string());
            Chapter {
                source: files[document.file].path.clone(),
                file_name: document.file_name,
                title,
                headings,
                figures,
                body: document.nodes,
            }
        })
        .collect()
}

/// A figcaption's own words, its number (`<span class="figure-number">Plate 3.</span>`, the
/// trailing full stop dropped) and its credit (`<small class="credit">`), each apart, so the
/// list of illustrations can show them in its own order.
fn caption_parts(figcaption: &Element) -> (String, Option<String>, Option<String>) {
    let mut words = String::new();
    let mut number = None;
    let mut credit = None;
    for child in &figcaption.children {
        match child {
            Node::Element(e) if e.name == "span" && e.attr("class") == Some("figure-number") => {
                let text = collapse_whitespace(&e.text_content());
                number = Some(text.trim_end_matches('.').to_string());
            }
            Node::Element(e) if e.name == "small" && e.attr("class") == Some("credit") => {
                credit = Some(collapse_whitespace(&e.text_content())).filter(|c| !c.is_empty());
            }
            Node::Element(e) => words.push_str(&e.text_content()),
            Node::Text(text) => words.push_str(text),
        }
    }
    (collapse_whitespace(&words), number, credit)
}

/// Headings with ids, outside notes and figures (those are not sections of the text).
fn collect_headings(nodes: &[Node], out: &mut Vec<Heading>) {
    for node in nodes {
        let Node::Element(element) = node else {
            continue;
        };
        if matches!(element.name.as_str(), "aside" | "figure" | "nav") {
            continue;
        }
        match (heading_level(&element.name), element.attr("id")) {
            (Some(level), Some(id)) => out.push(Heading {
                level,
                id: id.to_string(),
                text: collapse_whitespace(&element.text_content()),
            }),
            _ => collect_headings(&element.children, out),
        }
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
