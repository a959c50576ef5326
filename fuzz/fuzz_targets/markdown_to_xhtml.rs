//! Markdown with front matter → the whole EPUB, through `bindery::compile`, the build in
//! memory: the fuzzer runs the pipeline a build runs, not a copy of it. Must never panic, and
//! every XML document it writes must be well-formed.

#![no_main]

use std::path::PathBuf;

use bindery::config::Config;
use bindery::source::Manuscript;
use libfuzzer_sys::fuzz_target;

/// A folder that does not exist: the fuzzed book has no images, stylesheet or cover on disk,
/// so every image shows its alt text, as a draft build does.
const ROOT: &str = "/nonexistent-fuzz-book";

fuzz_target!(|data: &[u8]| {
    // The source stage refuses text that is not UTF-8 before any parser sees it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut config = Config::new(Vec::new());
    config.allow_missing_images = true;
    config.source_date_epoch = Some(0);
    if check_every_entry(text.to_string(), &config) {
        return;
    }
    // Front matter that fails validation has run (any panic there is a finding); the body
    // is then built under a known-good title so the XHTML path is always exercised.
    let body = bindery::frontmatter::split(std::path::Path::new("fuzz.md"), text)
        .map_or(text, |split| split.body);
    check_every_entry(format!("---\ntitle: Fuzz\nlanguage: en\n---\n{body}"), &config);
});

/// Builds `text` as a one-chapter book; `false` when it is refused (a refusal is not a
/// finding, a panic or malformed XML is).
fn check_every_entry(text: String, config: &Config) -> bool {
    let manuscript = Manuscript::from_texts(ROOT.into(), vec![(PathBuf::from("fuzz.md"), text)]);
    let Ok(compiled) = bindery::compile(manuscript, config) else {
        return false;
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    for (path, bytes) in &compiled.entries {
        let is_xml = [".xhtml", ".opf", ".ncx", ".xml"]
            .iter()
            .any(|ext| path.ends_with(ext));
        if !is_xml {
            continue;
        }
        let xml = std::str::from_utf8(bytes).expect("XML entries are UTF-8");
        if let Err(error) = roxmltree::Document::parse_with_options(xml, options) {
            panic!("{path} is not well-formed XML: {error}\n{xml}");
        }
    }
    true
}
