//! docs/guide.md cannot rot: every example in it is built here.
//!
//! A fenced block whose info string is `LANG example:NAME/FILE` is written to `book/FILE` of
//! example book NAME, which must build without a warning and pass epubcheck. `fails:` and
//! `warns:` books must fail (or build with warnings) and print exactly the ```text block that
//! follows them. Every book also gets `images/example.png`, the picture `bindery init` makes.

use crate::support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Builds,
    Warns,
    Fails,
}

#[derive(Debug)]
struct ExampleBook {
    kind: Kind,
    files: Vec<(String, String)>,
    /// The ```text block after a `fails:`/`warns:` book: what it must print.
    expected: Option<String>,
}

fn guide() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide.md")).unwrap()
}

/// The example books of the guide, by name, with their files in the guide's order.
fn example_books(guide: &str) -> BTreeMap<String, ExampleBook> {
    let mut books: BTreeMap<String, ExampleBook> = BTreeMap::new();
    let mut awaiting_expectation: Option<String> = None;
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let body = body.join("\n") + "\n";
        let mut words = info.split_whitespace();
        let language = words.next().unwrap_or_default();
        let tag = words.next();
        if language == "text" {
            if let Some(name) = awaiting_expectation.take() {
                books.get_mut(&name).unwrap().expected = Some(body);
            }
            continue;
        }
        let Some((kind, target)) = tag.and_then(|t| t.split_once(':')) else {
            continue;
        };
        let kind = match kind {
            "example" => Kind::Builds,
            "warns" => Kind::Warns,
            "fails" => Kind::Fails,
            other => panic!("unknown example kind `{other}` in `{line}`"),
        };
        let (name, file) = target
            .split_once('/')
            .unwrap_or_else(|| panic!("`{line}`: expected NAME/FILE"));
        let book = books.entry(name.to_string()).or_insert(ExampleBook {
            kind,
            files: Vec::new(),
            expected: None,
        });
        assert_eq!(book.kind, kind, "book `{name}` mixes kinds");
        book.files.push((file.to_string(), body));
        if kind != Kind::Builds {
            awaiting_expectation = Some(name.to_string());
        }
    }
    books
}

/// The picture `bindery init` draws, made by the binary under test.
fn example_png() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .args(["init", "scaffold"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    fs::read(dir.path().join("scaffold/images/example.png")).unwrap()
}

#[test]
fn every_example_in_the_guide_does_what_the_guide_says() {
    let books = example_books(&guide());
    let count = |kind| books.values().filter(|b| b.kind == kind).count();
    // A parser that found nothing would pass everything: make sure it found the examples.
    assert!(count(Kind::Builds) >= 6, "{books:#?}");
    assert!(count(Kind::Warns) >= 2, "{books:#?}");
    assert!(count(Kind::Fails) >= 3, "{books:#?}");

    let png = example_png();
    // Each book on its own thread: most of the time is epubcheck's JVM starting.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = books
            .iter()
            .map(|(name, book)| scope.spawn(|| check_example(name, book, &png)))
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().unwrap())
            .collect()
    });
    // `BINDERY_BLESS=1` writes what the examples print into the guide's ```text blocks.
    let (blessed, failures): (Vec<String>, Vec<String>) = failures
        .into_iter()
        .partition(|f| f.starts_with("BLESS\u{0}"));
    if !blessed.is_empty() {
        let mut text = guide();
        for entry in blessed {
            let mut parts = entry.split('\u{0}').skip(1);
            let (expected, printed) = (parts.next().unwrap(), parts.next().unwrap());
            text = text.replace(
                &format!("```text\n{expected}```"),
                &format!("```text\n{printed}```"),
            );
        }
        fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide.md"),
            text,
        )
        .unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Builds one example book; what is wrong with it, if anything.
fn check_example(name: &str, book: &ExampleBook, png: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("book");
    fs::create_dir_all(folder.join("images")).unwrap();
    // Only where the example uses it: an image nothing refers to is itself a warning.
    if book
        .files
        .iter()
        .any(|(_, text)| text.contains("images/example.png"))
    {
        fs::write(folder.join("images/example.png"), png).unwrap();
    }
    for (file, text) in &book.files {
        fs::write(folder.join(file), text).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .args(["build", "book", "-o", "book.epub", "--no-cache"])
        .current_dir(dir.path())
        .env_clear()
        .env("HOME", dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let epub = dir.path().join("book.epub");
    let (messages, summary) = match stderr.trim_end().rsplit_once('\n') {
        Some((messages, last)) => (format!("{messages}\n"), last.to_string()),
        None => (String::new(), stderr.trim_end().to_string()),
    };
    if std::env::var_os("BINDERY_BLESS").is_some()
        && let Some(expected) = &book.expected
    {
        let printed = if book.kind == Kind::Warns {
            &messages
        } else {
            &stderr
        };
        if expected != printed {
            return Some(format!("BLESS\u{0}{expected}\u{0}{printed}"));
        }
    }
    let problem = match book.kind {
        Kind::Builds if !(output.status.success() && messages.is_empty()) => {
            Some(format!("should build without warnings:\n{stderr}"))
        }
        Kind::Warns
            if !(output.status.success()
                && summary.starts_with("built book.epub")
                && Some(&messages) == book.expected.as_ref()) =>
        {
            Some(format!(
                "should warn exactly\n{}but printed\n{stderr}",
                book.expected.as_deref().unwrap_or("(no ```text block)\n")
            ))
        }
        Kind::Fails
            if !(output.status.code() == Some(1)
                && Some(&stderr) == book.expected.as_ref()
                && !epub.exists()) =>
        {
            Some(format!(
                "should fail with exactly\n{}but printed (status {:?})\n{stderr}",
                book.expected.as_deref().unwrap_or("(no ```text block)\n"),
                output.status.code()
            ))
        }
        _ => None,
    };
    if let Some(problem) = problem {
        return Some(format!("example `{name}` {problem}"));
    }
    if book.kind != Kind::Fails
        && let Some(report) = support::epubcheck(&epub)
        && !(report.errors().is_empty() && report.warnings().is_empty())
    {
        return Some(format!("example `{name}` fails epubcheck:\n{report}"));
    }
    None
}

#[test]
fn the_guide_documents_every_front_matter_key() {
    let guide = guide();
    for key in bindery::frontmatter::KNOWN_KEYS {
        assert!(
            guide.contains(&format!("\n| `{key}` |")),
            "the front-matter table lacks `{key}`"
        );
    }
}

/// "Getting started in five minutes" runs as written: its `bindery init` and `bindery build`
/// lines make a book and write `my-book.epub` in the current folder, printing its path, as the
/// comments on those lines say.
#[test]
fn getting_started_runs_as_written() {
    let guide = guide();
    let start = guide.find("## Getting started in five minutes").unwrap();
    let block = &guide[start..];
    let block = &block[block.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let mut ran = Vec::new();
    for line in block.lines() {
        let command = line.split('#').next().unwrap().trim();
        let Some(args) = command.strip_prefix("bindery ") else {
            continue;
        };
        // `watch` runs until Ctrl-C; tests/tooling.rs covers it.
        if args.starts_with("watch") {
            continue;
        }
        let output = support::bindery(dir.path())
            .args(args.split_whitespace())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "`{command}`: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        ran.push((
            command.to_string(),
            String::from_utf8(output.stdout).unwrap(),
        ));
    }
    assert_eq!(
        ran,
        [
            ("bindery init my-book".to_string(), String::new()),
            (
                "bindery build my-book".to_string(),
                "my-book.epub\n".to_string()
            ),
        ]
    );
    let mut files: Vec<String> = support::files_under(&dir.path().join("my-book"));
    files.sort();
    assert_eq!(files, [".gitignore", "essay.md", "images/example.png"]);
    assert!(dir.path().join("my-book.epub").is_file());
}
