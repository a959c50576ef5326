//! `bindery::compile`, the build in memory that the fuzz target calls: it must make exactly
//! the EPUB `bindery build` writes, and take a manuscript that exists only in memory.

use std::path::{Path, PathBuf};

use bindery::config::{CacheMode, Config};
use bindery::error::Error;
use bindery::source::{self, Manuscript};

use crate::support::{self, bindery};

fn sample_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book")
}

#[test]
fn compile_makes_the_entries_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = support::sample_book_cache();
    let epub = dir.path().join("book.epub");
    let status = bindery(dir.path())
        .arg("build")
        .arg(sample_book())
        .arg("-o")
        .arg(&epub)
        .arg("--cache-dir")
        .arg(&cache)
        .status()
        .unwrap();
    assert!(status.success());

    // The same cache: the in-memory build takes the images the binary made (or made
    // before), and the bytes must still agree entry for entry.
    let mut config = Config::new(vec![sample_book()]);
    config.cache = CacheMode::Directory(cache);
    let manuscript = source::read_manuscript(&config.inputs).unwrap();
    let compiled = bindery::compile(manuscript, &config).unwrap();

    let written = support::epub_entries(&epub);
    assert_eq!(written[0].0, "mimetype");
    let names = |entries: &[(String, Vec<u8>)]| -> Vec<String> {
        entries.iter().map(|(name, _)| name.clone()).collect()
    };
    assert_eq!(names(&compiled.entries), names(&written[1..]));
    for ((name, compiled), (_, written)) in compiled.entries.iter().zip(&written[1..]) {
        assert!(compiled == written, "{name} differs from the built EPUB's");
    }
    assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
}

#[test]
fn a_manuscript_in_memory_builds_with_its_missing_images_as_alt_text() {
    // A root that does not exist: nothing is read from disk at all.
    let root = PathBuf::from("/nonexistent-bindery-book");
    let essay = "---\ntitle: In memory\nlanguage: en\n---\n# Only text\n\nA word.\n\n![A lighthouse](light.jpg)\n";
    let manuscript =
        Manuscript::from_texts(root, vec![(PathBuf::from("essay.md"), essay.to_string())]);
    let mut config = Config::new(Vec::new());
    config.allow_missing_images = true;
    let compiled = bindery::compile(manuscript, &config).unwrap();

    let chapter = compiled
        .entries
        .iter()
        .find(|(name, _)| name.starts_with("OEBPS/text/chapter"))
        .map(|(_, bytes)| String::from_utf8(bytes.clone()).unwrap())
        .unwrap();
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(&chapter, options).unwrap();
    assert!(chapter.contains("Only text") && chapter.contains("A lighthouse"));
    assert!(!chapter.contains("<img"), "{chapter}");
    let missing = compiled
        .warnings
        .iter()
        .find(|w| w.message.contains("light.jpg"))
        .unwrap_or_else(|| panic!("a warning names the missing image: {:?}", compiled.warnings));
    assert_eq!(missing.location.as_ref().unwrap().line, 9);
}

#[test]
fn compile_refuses_bad_front_matter_with_located_errors() {
    let manuscript = Manuscript::from_texts(
        PathBuf::from("/nonexistent-bindery-book"),
        vec![(
            PathBuf::from("essay.md"),
            "---\nlanguage: en\n---\nText.\n".into(),
        )],
    );
    let Err(Error::Input(problems)) = bindery::compile(manuscript, &Config::new(Vec::new())) else {
        panic!("a book without a title is refused");
    };
    let error = problems.iter().find(|d| d.is_error()).unwrap();
    assert!(error.message.contains("title"), "{error:?}");
    assert!(error.location.is_some(), "{error:?}");
}
