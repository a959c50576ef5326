//! Golden files: build the fixture book with the `bindery` binary and compare every file of
//! the EPUB, whole, with `tests/golden/fixture-book/`, plus the warnings the build printed.
//! Nothing needs redacting: builds are reproducible by design (that is part of what this
//! checks). `BINDERY_BLESS=1 cargo test --test it golden` rewrites the golden files.

use crate::support;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;

#[test]
fn the_fixture_book_matches_its_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("fixture.epub");
    let result = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .current_dir(root.join("tests/fixtures"))
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("BINDERY_CACHE_DIR")
        .env("NO_COLOR", "1")
        .args(["build", "golden-book", "--no-cache", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let mut produced = BTreeMap::new();
    let mut archive = zip::ZipArchive::new(fs::File::open(&output).unwrap()).unwrap();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        produced.insert(format!("epub/{}", entry.name().unwrap()), bytes);
    }
    // The warnings, without the closing summary line (it names the temporary output and
    // the time taken).
    let warnings: String = String::from_utf8_lossy(&result.stderr)
        .lines()
        .filter(|line| !line.starts_with("built "))
        .map(|line| format!("{line}\n"))
        .collect();
    produced.insert("warnings.txt".to_string(), warnings.into_bytes());
    support::check_golden(
        &root.join("tests/golden/fixture-book"),
        &produced,
        "cargo test --test it golden",
    );

    if let Some(report) = support::epubcheck(&output) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "{report}"
        );
    }
}
