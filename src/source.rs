//! Every read of the manuscript: which files are the chapters, their text, and where a
//! relative reference from one of them points on disk.
//!
//! The stages after this one are pure; they get owned text from here, and ask here (through
//! [`resolve_local`]) whether a referenced file exists and stays inside the book's folder.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location};
use crate::error::{Error, Result};

/// One Markdown file of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user gave it or as found in their folder: for messages.
    pub path: PathBuf,
    /// Absolute and lexically normalized: for matching links between files.
    pub absolute: PathBuf,
    pub text: String,
}

/// The book's files in reading order, and the folder its relative paths live in.
#[derive(Debug, Clone)]
pub struct Manuscript {
    /// The book's folder (the first input if it is a folder, else the first file's folder).
    /// Nothing outside it may be pulled into the EPUB.
    pub root: PathBuf,
    pub files: Vec<SourceFile>,
}

/// Reads every input: a Markdown file, or a folder whose `*.md` files, in name order, are
/// chapters. All problems are reported together.
pub fn read_manuscript(inputs: &[PathBuf]) -> Result<Manuscript> {
    let mut problems = Vec::new();
    let mut paths = Vec::new();
    for input in inputs {
        match fs::metadata(input) {
            Ok(meta) if meta.is_dir() => match markdown_files_in(input) {
                Ok(found) if found.is_empty() => problems.push(
                    Diagnostic::error("this folder holds no Markdown (*.md) files")
                        .in_file(input)
                        .with_help("put the book's chapters in it as .md files, or name the files to build"),
                ),
                Ok(found) => paths.extend(found),
                Err(error) => problems.push(
                    Diagnostic::error(format!("cannot list this folder: {error}")).in_file(input),
                ),
            },
            Ok(_) => paths.push(input.clone()),
            Err(error) => problems.push(
                Diagnostic::error(format!("cannot read this input: {error}"))
                    .in_file(input)
                    .with_help("give a Markdown file or a folder of them (the default is `book`)"),
            ),
        }
    }

    let mut files = Vec::new();
    let mut budget = MAX_MARKDOWN_BYTES;
    for path in paths {
        match read_markdown(&path, budget) {
            Ok(text) => {
                budget = budget.saturating_sub(text.len() as u64);
                files.push(SourceFile {
                    absolute: absolute(&path),
                    path,
                    text,
                })
            }
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    let Some(first) = inputs.first() else {
        return Err(Error::Input(vec![Diagnostic::error("no input given")]));
    };
    let root = if first.is_dir() {
        first.clone()
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    Ok(Manuscript { root, files })
}

/// The `*.md` files directly in `dir`, sorted by name.
fn markdown_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let is_markdown = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
        if is_markdown && path.is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The most Markdown a book may have, all files together. bindery holds the whole book's
/// tree in memory (about 20 to 30 times the size of its Markdown, more for text dense with
/// links and emphasis), so this keeps a build under about 300 MiB; a long novel is 1 to
/// 2 MiB of text. Files are read only up to what is left of it, so a huge file or a device
/// is never read whole.
pub const MAX_MARKDOWN_BYTES: u64 = 6 * 1024 * 1024;

/// Reads a Markdown file as UTF-8 (a leading byte-order mark is dropped). Text that is not
/// UTF-8 is refused with the line of the first bad byte, rather than guessed at. A file
/// longer than `budget` bytes is refused as too large.
pub fn read_markdown(path: &Path, budget: u64) -> std::result::Result<String, Diagnostic> {
    use std::io::Read as _;
    let cannot_read = |error: std::io::Error| {
        Diagnostic::error(format!("cannot read this file: {error}")).in_file(path)
    };
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|file| file.take(budget + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > budget {
        return Err(Diagnostic::error(format!(
            "this file is too large: the book's Markdown may be at most {} MiB, all files together",
            MAX_MARKDOWN_BYTES / (1024 * 1024)
        ))
        .in_file(path)
        .with_help(
            "a whole novel is about 1 to 2 MiB of text; check that this is the file you meant, or split the book into several books",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            // The valid prefix is UTF-8 by definition, so this cannot lose anything.
            let prefix = String::from_utf8_lossy(valid);
            let location = Location::at_offset(path, &prefix, prefix.len());
            Err(Diagnostic::error("this file is not UTF-8 text")
                .at(location)
                .with_help(
                    "save the file as UTF-8 (most editors offer it under \"Save with encoding\")",
                ))
        }
    }
}

/// Why a relative reference from the manuscript cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalProblem {
    /// Absolute paths, `..` past the book folder, or a symlink that leads out of it.
    OutsideBook,
    NotFound,
    NotAFile,
}

/// Resolves `reference` (a percent-decoded relative path) against the folder `base` (that of
/// the Markdown file it was written in, or the book folder for front matter) to a file inside
/// `root`. Symlinks are followed, and must stay inside the book too.
pub fn resolve_local(
    root: &Path,
    base: &Path,
    reference: &str,
) -> std::result::Result<PathBuf, LocalProblem> {
    let reference = Path::new(reference);
    if reference.has_root() || reference.is_absolute() {
        return Err(LocalProblem::OutsideBook);
    }
    let joined = base.join(reference);
    let canonical_root = root.canonicalize().map_err(|_| LocalProblem::NotFound)?;
    // Check the written path lexically first, so `../../etc/passwd` is refused as leaving
    // the book even when the file does not exist.
    if !normalize(&absolute(&joined)).starts_with(normalize(&absolute(root))) {
        return Err(LocalProblem::OutsideBook);
    }
    let canonical = joined.canonicalize().map_err(|_| LocalProblem::NotFound)?;
    if !canonical.starts_with(&canonical_root) {
        return Err(LocalProblem::OutsideBook);
    }
    if !canonical.is_file() {
        return Err(LocalProblem::NotAFile);
    }
    Ok(canonical)
}

/// `path` made absolute against the current folder and lexically normalized.
pub fn absolute(path: &Path) -> PathBuf {
    normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_give_their_markdown_files_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.md", "a.md", "notes.txt", "c.MD"] {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        let manuscript = read_manuscript(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = manuscript
            .files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.md", "b.md", "c.MD"]);
        assert_eq!(manuscript.root, dir.path());
    }

    #[test]
    fn missing_inputs_and_empty_folders_are_all_reported() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.md");
        let Err(Error::Input(problems)) = read_manuscript(&[missing, dir.path().to_path_buf()])
        else {
            panic!("expected input errors");
        };
        assert_eq!(problems.len(), 2);
        assert!(
            problems[0]
                .to_string()
                .contains("nope.md: error: cannot read this input")
        );
        assert!(problems[1].to_string().contains("holds no Markdown"));
    }

    #[test]
    fn non_utf8_text_is_refused_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.md");
        fs::write(&path, b"fine\ncaf\xe9\n").unwrap();
        let problem = read_markdown(&path, MAX_MARKDOWN_BYTES).unwrap_err();
        let location = problem.location.unwrap();
        assert_eq!((location.line, location.column), (2, 4));
    }

    #[test]
    fn byte_order_marks_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.md");
        fs::write(&path, b"\xEF\xBB\xBF# Title\n").unwrap();
        assert_eq!(
            read_markdown(&path, MAX_MARKDOWN_BYTES).unwrap(),
            "# Title\n"
        );
    }

    #[test]
    fn references_resolve_inside_the_book_only() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        fs::create_dir_all(book.join("images")).unwrap();
        fs::write(book.join("images/a.jpg"), "x").unwrap();
        fs::write(dir.path().join("secret.txt"), "x").unwrap();
        let essay = book.clone();
        assert_eq!(
            resolve_local(&book, &essay, "images/a.jpg"),
            Ok(book.join("images/a.jpg").canonicalize().unwrap())
        );
        assert_eq!(
            resolve_local(&book, &essay, "images/b.jpg"),
            Err(LocalProblem::NotFound)
        );
        assert_eq!(
            resolve_local(&book, &essay, "images"),
            Err(LocalProblem::NotAFile)
        );
        assert_eq!(
            resolve_local(&book, &essay, "../secret.txt"),
            Err(LocalProblem::OutsideBook)
        );
        assert_eq!(
            resolve_local(&book, &essay, "../../../etc/passwd"),
            Err(LocalProblem::OutsideBook)
        );
        assert_eq!(
            resolve_local(&book, &essay, "/etc/passwd"),
            Err(LocalProblem::OutsideBook)
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leading_out_of_the_book_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        fs::create_dir_all(&book).unwrap();
        fs::write(dir.path().join("secret.jpg"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.jpg"), book.join("link.jpg")).unwrap();
        assert_eq!(
            resolve_local(&book, &book, "link.jpg"),
            Err(LocalProblem::OutsideBook)
        );
    }
}
