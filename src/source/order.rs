//! The order of a book folder's chapters (issue 9, item 5): an mdBook `SUMMARY.md` if the
//! folder has one, else the first file's `chapters:` front matter, else name order. Name order
//! alone puts `appendix.md` before `intro.md`; books written for mdBook or a static-site
//! generator already say their order, and bindery reads it rather than asking for renames.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag};

use crate::diagnostics::{Diagnostic, Location};
use crate::frontmatter;
use crate::source::{self, InputKind};

/// The name of mdBook's table of contents; it is read for the order and is not a chapter.
pub const SUMMARY: &str = "SUMMARY.md";

/// The chapters of the folder `dir` in reading order. `found` are its `*.md` files in name
/// order. Every listed file that is missing or outside the book is reported at the line that
/// lists it.
pub fn book_order(dir: &Path, found: Vec<PathBuf>) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let summary = found
        .iter()
        .find(|path| path.file_name().is_some_and(|name| name == SUMMARY))
        .cloned();
    if let Some(summary) = summary {
        let text = source::read_markdown(&summary).map_err(|problem| vec![problem])?;
        let listed = summary_links(&text)
            .into_iter()
            .map(|(written, offset)| (written, Location::at_offset(&summary, &text, offset)))
            .collect();
        let why = format!("`{SUMMARY}` lists it");
        return resolve_listed(dir, listed, &why, Vec::new());
    }
    let Some(first) = found.first() else {
        return Ok(found);
    };
    let text = source::read_markdown(first).map_err(|problem| vec![problem])?;
    let listed = frontmatter::chapter_list(first, &text)?;
    if listed.is_empty() {
        return Ok(found);
    }
    // The file that holds the book's metadata stays first, listed or not.
    resolve_listed(dir, listed, "`chapters:` lists it", vec![first.clone()])
}

/// Resolves each listed path inside the book folder, after `start`; repeats are dropped.
fn resolve_listed(
    dir: &Path,
    listed: Vec<(String, Location)>,
    why: &str,
    start: Vec<PathBuf>,
) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut ordered = start;
    let mut seen: Vec<PathBuf> = ordered
        .iter()
        .filter_map(|path| path.canonicalize().ok())
        .collect();
    let mut problems = Vec::new();
    for (written, location) in listed {
        let problem = match source::resolve_local(dir, dir, &written, InputKind::Chapter) {
            Ok(canonical) if !is_markdown(&canonical) => {
                format!("`{written}` is not a Markdown (.md) file")
            }
            Ok(canonical) => {
                if !seen.contains(&canonical) {
                    seen.push(canonical);
                    ordered.push(dir.join(&written));
                }
                continue;
            }
            // One wording for every input (src/source.rs): "chapter `x` not found", "… is
            // outside the book folder …".
            Err(problem) => problem.describe(InputKind::Chapter, Path::new(&written), dir),
        };
        problems.push(Diagnostic::error(problem).at(location).with_help(format!(
            "{why}; give the path of a Markdown file inside the book folder, relative to it"
        )));
    }
    if problems.is_empty() {
        Ok(ordered)
    } else {
        Err(problems)
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md"))
}

/// The chapter links of an mdBook `SUMMARY.md`, in order, each with its byte offset: part
/// titles, separators and draft chapters (`[Draft]()`) are not links to files and are left
/// out, and so are links to other sites. A `#fragment` is dropped; `%20` is decoded.
pub fn summary_links(text: &str) -> Vec<(String, usize)> {
    let mut links = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let target = dest_url.split('#').next().unwrap_or_default();
        let is_remote = target.contains("://") || target.starts_with("mailto:");
        if target.is_empty() || is_remote {
            continue;
        }
        let target = percent_decode(target);
        let target = target.strip_prefix("./").unwrap_or(&target).to_string();
        links.push((target, range.start));
    }
    links
}

/// `%20` and the like, decoded; anything that is not a valid escape is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn summary_links_in_order_without_parts_drafts_or_fragments() {
        let summary = "# Summary\n\n[Introduction](README.md)\n\n# Part One\n\n- [Start](./start.md)\n  - [Deeper](sub/deeper.md#top)\n- [Draft]()\n\n---\n\n[Appendix](appendix%20a.md)\n[Site](https://example.org/x.md)\n";
        let links: Vec<String> = summary_links(summary).into_iter().map(|(l, _)| l).collect();
        assert_eq!(
            links,
            ["README.md", "start.md", "sub/deeper.md", "appendix a.md"]
        );
    }

    fn folder(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let mut found = Vec::new();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            if !name.contains('/') {
                found.push(path);
            }
        }
        found.sort();
        (dir, found)
    }

    fn names(dir: &Path, paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_summary_orders_the_book_and_is_not_a_chapter() {
        let (dir, found) = folder(&[
            (
                "SUMMARY.md",
                "- [Intro](intro.md)\n- [Deep](parts/deep.md)\n- [End](appendix.md)\n",
            ),
            ("appendix.md", "x"),
            ("intro.md", "---\ntitle: T\n---\n"),
            ("parts/deep.md", "x"),
        ]);
        let ordered = book_order(dir.path(), found).unwrap();
        assert_eq!(
            names(dir.path(), &ordered),
            ["intro.md", "parts/deep.md", "appendix.md"]
        );
    }

    #[test]
    fn front_matter_chapters_order_the_book_after_the_first_file() {
        let (dir, found) = folder(&[
            (
                "00-meta.md",
                "---\ntitle: T\nchapters: [intro.md, appendix.md]\n---\n",
            ),
            ("appendix.md", "x"),
            ("intro.md", "x"),
        ]);
        let ordered = book_order(dir.path(), found).unwrap();
        assert_eq!(
            names(dir.path(), &ordered),
            ["00-meta.md", "intro.md", "appendix.md"]
        );
    }

    #[test]
    fn a_listed_chapter_that_is_missing_is_an_error_at_its_line() {
        let (dir, found) = folder(&[(
            "00-meta.md",
            "---\ntitle: T\nchapters:\n  - intro.md\n  - ../secret.md\n---\n",
        )]);
        let problems = book_order(dir.path(), found).unwrap_err();
        let lines: Vec<(String, usize)> = problems
            .iter()
            .map(|p| (p.message.clone(), p.location.as_ref().unwrap().line))
            .collect();
        assert_eq!(lines[0], ("chapter `intro.md` not found".to_string(), 4));
        assert!(lines[1].0.contains("outside the book folder"), "{lines:?}");
        assert_eq!(lines[1].1, 5);
    }

    #[test]
    fn without_either_name_order_stays() {
        let (dir, found) = folder(&[("b.md", "x"), ("a.md", "x")]);
        let ordered = book_order(dir.path(), found).unwrap();
        assert_eq!(names(dir.path(), &ordered), ["a.md", "b.md"]);
    }
}
