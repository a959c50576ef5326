//! Markdown with front matter → the EPUB's XHTML, OPF, nav and NCX, as a build makes them.
//! Must never panic, and every XML document it writes must be well-formed.

#![no_main]

use std::path::{Path, PathBuf};

use bindery::diagnostics::Diagnostics;
use bindery::frontmatter::{self, MetaDefaults};
use bindery::model::Book;
use bindery::package::EntryData;
use bindery::source::SourceFile;
use bindery::{documents, epub, markdown};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The source stage refuses text that is not UTF-8 before any parser sees it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.md");
    let book_dir = Path::new("/nonexistent-fuzz-book");
    let Ok(split) = frontmatter::split(path, text) else {
        return;
    };
    let defaults = MetaDefaults {
        source_date_epoch: Some(0),
    };
    // Front matter that fails validation still runs (any panic there is a finding); the
    // body is then rendered under a known-good title so the XHTML path is always exercised.
    let meta = match frontmatter::parse_meta(path, text, &split, book_dir, defaults) {
        Ok(parsed) => parsed.meta,
        Err(_) => {
            let fallback = "---\ntitle: Fuzz\nlanguage: en\n---\n";
            let fallback_split = frontmatter::split(path, fallback).expect("fallback splits");
            frontmatter::parse_meta(path, fallback, &fallback_split, book_dir, defaults)
                .expect("fallback front matter is valid")
                .meta
        }
    };
    let files = vec![SourceFile {
        path: path.to_path_buf(),
        absolute: PathBuf::from("/fuzz/fuzz.md"),
        text: text.to_string(),
    }];
    let mut next_figure = 0;
    let mut next_document = 0;
    // As a build does: a parser panic becomes an error for the writer (and a finding here
    // only if it escapes).
    let Ok(rendered) = markdown::render_guarded(split.body, split.body_offset, &mut next_figure)
    else {
        return;
    };
    let mut docs =
        documents::split_into_documents(0, rendered.nodes, meta.split_level, &mut next_document);
    let mut diagnostics = Diagnostics::new();
    documents::resolve_links(&mut docs, &files, &mut diagnostics);
    // No image exists in the fuzz book: every image shows its alt text, as a draft build does.
    documents::apply_images(&mut docs, &|_, _| Some(documents::ImageOutcome::ReplaceWithAlt));
    let chapters = documents::into_chapters(docs, &files, &meta.title);
    let book = Book {
        meta,
        chapters,
        images: Vec::new(),
        extra_css: None,
        stylesheet_resources: Vec::new(),
    };
    for entry in epub::assemble(&book) {
        let is_xml = [".xhtml", ".opf", ".ncx", ".xml"]
            .iter()
            .any(|ext| entry.path.ends_with(ext));
        if !is_xml {
            continue;
        }
        let EntryData::Bytes(bytes) = &entry.data else {
            continue;
        };
        let xml = std::str::from_utf8(bytes).expect("XML entries are UTF-8");
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        };
        if let Err(error) = roxmltree::Document::parse_with_options(xml, options) {
            panic!("{} is not well-formed XML: {error}\n{xml}", entry.path);
        }
    }
});
