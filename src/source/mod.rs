//! Every read of the manuscript: which files are the chapters, their text, and where a
//! relative reference from one of them points on disk.
//!
//! The stages after this one are pure; they get owned text from here, and ask here (through
//! [`resolve_local`]) whether a referenced file exists and stays inside the book's folder.
//!
//! One rule holds for every file bindery reads — chapters, images, the cover, the stylesheet
//! (issue 10): [`resolve_path`] follows symlinks, then requires a regular file inside the
//! canonical book folder under a size limit for its kind, and [`read_input`] reads it with a
//! bounded reader. Nothing else in the crate opens an input.

pub mod order;

use std::fs;
use std::io::Read;
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

impl Manuscript {
    /// A manuscript given as text rather than read from disk (for [`crate::pipeline::compile`]):
    /// `chapters` are (path inside `root`, Markdown) in reading order. Images and the
    /// stylesheet are still looked for in `root`, under the same rules as a build's.
    pub fn from_texts(root: PathBuf, chapters: Vec<(PathBuf, String)>) -> Manuscript {
        let files = chapters
            .into_iter()
            .map(|(path, text)| {
                let path = root.join(path);
                SourceFile {
                    absolute: absolute(&path),
                    path,
                    text,
                }
            })
            .collect();
        Manuscript { root, files }
    }
}

/// Reads every input: a Markdown file, or a folder whose `*.md` files are chapters, in the
/// order its `SUMMARY.md` or `chapters:` gives, else in name order. All problems are reported
/// together.
///
/// Every chapter goes through [`resolve_path`] like any other input: a file named on the command
/// line must stay inside the folder it was named in, and a chapter found in a folder inside
/// that folder, after symlinks are followed (a chapter symlinked to `~/.ssh/config` is refused,
/// not published).
pub fn read_manuscript(inputs: &[PathBuf]) -> Result<Manuscript> {
    let mut problems = Vec::new();
    // (the folder the chapter must stay in, the chapter's path as found)
    let mut paths = Vec::new();
    for input in inputs {
        match fs::metadata(input) {
            Ok(meta) if meta.is_dir() => match markdown_files_in(input) {
                Ok(found) if found.is_empty() => problems.push(
                    Diagnostic::error("this folder holds no Markdown (*.md) files")
                        .in_file(input)
                        .with_help("put the book's chapters in it as .md files, or name the files to build"),
                ),
                // SUMMARY.md or `chapters:` may order the folder (src/order.rs).
                Ok(found) => match crate::source::order::book_order(input, found) {
                    Ok(ordered) => paths.extend(ordered.into_iter().map(|path| (input.clone(), path))),
                    Err(listed_wrong) => problems.extend(listed_wrong),
                },
                Err(error) => problems.push(
                    Diagnostic::error(format!("cannot list this folder: {error}")).in_file(input),
                ),
            },
            Ok(_) => paths.push((parent_folder(input), input.clone())),
            Err(error) => problems.push(
                Diagnostic::error(format!("cannot read this input: {error}"))
                    .in_file(input)
                    .with_help("give a Markdown file or a folder of them (the default is `book`)"),
            ),
        }
    }

    let mut files = Vec::new();
    // The book's Markdown, all files together, is bounded too (see MAX_MARKDOWN_BYTES).
    let mut total: u64 = 0;
    for (folder, path) in paths {
        let read = resolve_path(&folder, &path, InputKind::Chapter)
            .and_then(|canonical| read_input(&canonical, InputKind::Chapter))
            .map_err(|problem| {
                Diagnostic::error(problem.describe(InputKind::Chapter, &path, &folder))
                    .in_file(&path)
                    .with_help(problem.help(InputKind::Chapter))
            })
            .and_then(|bytes| decode_markdown(&path, bytes));
        match read {
            Ok(text) => {
                total += text.len() as u64;
                if total > MAX_MARKDOWN_BYTES {
                    problems.push(book_too_large(&path));
                    break;
                }
                files.push(SourceFile {
                    absolute: absolute(&path),
                    path,
                    text,
                });
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
        parent_folder(first)
    };
    Ok(Manuscript { root, files })
}

/// The folder a file was named in (`.` for a bare file name).
fn parent_folder(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The `*.md` files directly in `dir`, sorted by name. Symlinks are listed too; [`resolve_path`]
/// then decides whether what they point at may be read.
fn markdown_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let is_markdown = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
        // Only folders named `x.md` are skipped: a fifo, a device or a dangling symlink is
        // listed, and then refused by name, rather than silently left out of the book.
        let is_folder = fs::metadata(&path).is_ok_and(|meta| meta.is_dir());
        if is_markdown && !is_folder {
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
/// UTF-8 is refused with the line of the first bad byte, rather than guessed at. The file
/// is read like every other input ([`read_input`]): a regular file, under the chapter limit.
pub fn read_markdown(path: &Path) -> std::result::Result<String, Diagnostic> {
    let folder = parent_folder(path);
    let bytes = resolve_path(&folder, path, InputKind::Chapter)
        .and_then(|canonical| read_input(&canonical, InputKind::Chapter))
        .map_err(|problem| {
            Diagnostic::error(problem.describe(InputKind::Chapter, path, &folder))
                .in_file(path)
                .with_help(problem.help(InputKind::Chapter))
        })?;
    decode_markdown(path, bytes)
}

/// The book's Markdown went over [`MAX_MARKDOWN_BYTES`] at this file.
fn book_too_large(path: &Path) -> Diagnostic {
    Diagnostic::error(format!(
        "this file is too large: the book's Markdown may be at most {} MiB, all files together",
        MAX_MARKDOWN_BYTES / (1024 * 1024)
    ))
    .in_file(path)
    .with_help(
        "a whole novel is about 1 to 2 MiB of text; check that this is the file you meant, or split the book into several books",
    )
}

fn decode_markdown(path: &Path, bytes: Vec<u8>) -> std::result::Result<String, Diagnostic> {
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

/// What an input is for: it decides the size limit, and the word messages use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A Markdown file of the book.
    Chapter,
    /// A figure or the cover (JPEG, PNG, GIF, WebP, SVG).
    Image,
    /// The `css:` stylesheet.
    Stylesheet,
    /// A font or image the stylesheet's `url()` names.
    StyleResource,
}

impl InputKind {
    /// The largest file of this kind bindery reads. Each is far above any real book's (the
    /// longest novels are about 5 MB of text; a 60-megapixel JPEG is about 40 MB; a
    /// stylesheet is a few kB) and far below what would exhaust memory, so a wrong path
    /// (a disk image, a video) is refused at once instead of read whole.
    pub const fn limit(self) -> u64 {
        match self {
            // One file may not be larger than the whole book may be.
            InputKind::Chapter => MAX_MARKDOWN_BYTES,
            InputKind::Image => 128 << 20,
            InputKind::Stylesheet => 1 << 20,
            // A full CJK font is about 16 MB.
            InputKind::StyleResource => 32 << 20,
        }
    }

    /// The word for it in messages: "image `x` not found".
    pub const fn noun(self) -> &'static str {
        match self {
            InputKind::Chapter => "chapter",
            InputKind::Image => "image",
            InputKind::Stylesheet => "stylesheet",
            InputKind::StyleResource => "stylesheet resource",
        }
    }
}

/// Why an input cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalProblem {
    /// Absolute paths, `..` past the book folder, or a symlink that leads out of it.
    OutsideBook,
    NotFound,
    /// A folder.
    NotAFile,
    /// A device, fifo or socket: reading it could block or never end (`/dev/zero`).
    NotRegular,
    /// Larger than the limit of its kind.
    TooLarge {
        limit: u64,
    },
    /// It exists, but reading it failed (permissions, an I/O error).
    Unreadable(String),
}

impl LocalProblem {
    /// The message, in the words the image errors always used: "image `x` not found".
    pub fn describe(&self, kind: InputKind, written: &Path, root: &Path) -> String {
        let noun = kind.noun();
        let written = written.display();
        match self {
            LocalProblem::OutsideBook => format!(
                "{noun} `{written}` is outside the book folder {}",
                root.display()
            ),
            LocalProblem::Unreadable(error) => format!("cannot read {noun} `{written}`: {error}"),
            other => format!("{noun} `{written}` {}", other.reason(kind)),
        }
    }

    /// The problem without the file's name: "is not a file".
    pub fn reason(&self, kind: InputKind) -> String {
        match self {
            LocalProblem::OutsideBook => "is outside the book folder".into(),
            LocalProblem::NotFound => "not found".into(),
            LocalProblem::NotAFile => "is not a file".into(),
            LocalProblem::NotRegular => "is not a regular file (a device, fifo or socket)".into(),
            LocalProblem::TooLarge { limit } => format!(
                "is larger than the {} MiB limit for a {}",
                limit >> 20,
                kind.noun()
            ),
            LocalProblem::Unreadable(error) => error.clone(),
        }
    }

    /// What to do about it.
    pub fn help(&self, kind: InputKind) -> &'static str {
        match (self, kind) {
            (LocalProblem::TooLarge { .. }, InputKind::Image) => {
                "scale the image down or save it as JPEG before adding it to the book"
            }
            (LocalProblem::TooLarge { .. }, InputKind::Chapter) => {
                "split the text into several Markdown files"
            }
            (LocalProblem::Unreadable(_), _) => "check the file's permissions",
            (_, InputKind::Chapter) => {
                "keep the book's Markdown files in the book folder as regular files (a symlink may point only inside the folder)"
            }
            (_, InputKind::Image) => {
                "put the image in the book folder and refer to it by a relative path, e.g. images/photo.jpg"
            }
            (_, InputKind::Stylesheet) => {
                "set `css:` to a CSS file inside the book folder, e.g. `css: style.css`"
            }
            (_, InputKind::StyleResource) => {
                "keep the fonts and images a stylesheet uses in the book folder, and refer to them by relative paths"
            }
        }
    }
}

/// Resolves `reference` (a percent-decoded relative path) against the folder `base` (that of
/// the Markdown file it was written in, or the book folder for front matter) to a file inside
/// `root`: see [`resolve_path`].
pub fn resolve_local(
    root: &Path,
    base: &Path,
    reference: &str,
    kind: InputKind,
) -> std::result::Result<PathBuf, LocalProblem> {
    let reference = Path::new(reference);
    if reference.has_root() || reference.is_absolute() {
        return Err(LocalProblem::OutsideBook);
    }
    resolve_path(root, &base.join(reference), kind)
}

/// The one rule for every file bindery reads. `path` must lead, after its symlinks are
/// followed, to a regular file inside the canonical `root` no larger than `kind`'s limit;
/// the canonical path is returned, and is what must be read (with [`read_input`]).
///
/// The written path is checked lexically first, so `../../etc/passwd` is refused as leaving
/// the book even when the file does not exist; then canonically, so a symlink cannot lead
/// out. Devices and fifos are refused before they are opened: reading `/dev/zero` never
/// ends, and opening a fifo blocks.
pub fn resolve_path(
    root: &Path,
    path: &Path,
    kind: InputKind,
) -> std::result::Result<PathBuf, LocalProblem> {
    if !normalize(&absolute(path)).starts_with(normalize(&absolute(root))) {
        return Err(LocalProblem::OutsideBook);
    }
    let canonical_root = root.canonicalize().map_err(|_| LocalProblem::NotFound)?;
    let canonical = path.canonicalize().map_err(|_| LocalProblem::NotFound)?;
    if !canonical.starts_with(&canonical_root) {
        return Err(LocalProblem::OutsideBook);
    }
    let meta = fs::metadata(&canonical).map_err(|_| LocalProblem::NotFound)?;
    check_kind(&meta, kind)?;
    Ok(canonical)
}

fn check_kind(meta: &fs::Metadata, kind: InputKind) -> std::result::Result<(), LocalProblem> {
    if meta.is_dir() {
        return Err(LocalProblem::NotAFile);
    }
    if !meta.is_file() {
        return Err(LocalProblem::NotRegular);
    }
    if meta.len() > kind.limit() {
        return Err(LocalProblem::TooLarge {
            limit: kind.limit(),
        });
    }
    Ok(())
}

/// Reads a file [`resolve_path`] accepted. The opened file is checked again (it may have been
/// swapped since), and the read stops one byte past the limit whatever the file's size says,
/// so a file that grows while it is read cannot take more memory than its kind allows.
pub fn read_input(canonical: &Path, kind: InputKind) -> std::result::Result<Vec<u8>, LocalProblem> {
    let meta = fs::metadata(canonical).map_err(|_| LocalProblem::NotFound)?;
    // Checked before opening: opening a fifo for reading blocks until a writer comes.
    check_kind(&meta, kind)?;
    let file =
        fs::File::open(canonical).map_err(|error| LocalProblem::Unreadable(error.to_string()))?;
    let opened = file
        .metadata()
        .map_err(|error| LocalProblem::Unreadable(error.to_string()))?;
    check_kind(&opened, kind)?;
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(kind.limit() + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| LocalProblem::Unreadable(error.to_string()))?;
    if bytes.len() as u64 > kind.limit() {
        return Err(LocalProblem::TooLarge {
            limit: kind.limit(),
        });
    }
    Ok(bytes)
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
        let problem = read_markdown(&path).unwrap_err();
        let location = problem.location.unwrap();
        assert_eq!((location.line, location.column), (2, 4));
    }

    #[test]
    fn byte_order_marks_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.md");
        fs::write(&path, b"\xEF\xBB\xBF# Title\n").unwrap();
        assert_eq!(read_markdown(&path).unwrap(), "# Title\n");
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
            resolve_local(&book, &essay, "images/a.jpg", InputKind::Image),
            Ok(book.join("images/a.jpg").canonicalize().unwrap())
        );
        assert_eq!(
            resolve_local(&book, &essay, "images/b.jpg", InputKind::Image),
            Err(LocalProblem::NotFound)
        );
        assert_eq!(
            resolve_local(&book, &essay, "images", InputKind::Image),
            Err(LocalProblem::NotAFile)
        );
        assert_eq!(
            resolve_local(&book, &essay, "../secret.txt", InputKind::Image),
            Err(LocalProblem::OutsideBook)
        );
        assert_eq!(
            resolve_local(&book, &essay, "../../../etc/passwd", InputKind::Image),
            Err(LocalProblem::OutsideBook)
        );
        assert_eq!(
            resolve_local(&book, &essay, "/etc/passwd", InputKind::Image),
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
            resolve_local(&book, &book, "link.jpg", InputKind::Image),
            Err(LocalProblem::OutsideBook)
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_oversized_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        fs::create_dir_all(&book).unwrap();
        std::os::unix::fs::symlink("/dev/zero", book.join("zero.css")).unwrap();
        // Inside the book (the symlink leads out of it, so that is refused first).
        assert_eq!(
            resolve_local(&book, &book, "zero.css", InputKind::Stylesheet),
            Err(LocalProblem::OutsideBook)
        );
        let fifo = book.join("pipe.css");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(
                resolve_local(&book, &book, "pipe.css", InputKind::Stylesheet),
                Err(LocalProblem::NotRegular)
            );
            assert_eq!(
                read_input(&fifo, InputKind::Stylesheet),
                Err(LocalProblem::NotRegular)
            );
        }
        fs::write(book.join("big.css"), vec![b' '; (1 << 20) + 1]).unwrap();
        assert_eq!(
            resolve_local(&book, &book, "big.css", InputKind::Stylesheet),
            Err(LocalProblem::TooLarge { limit: 1 << 20 })
        );
        assert_eq!(
            read_input(&book.join("big.css"), InputKind::Stylesheet),
            Err(LocalProblem::TooLarge { limit: 1 << 20 })
        );
        fs::write(book.join("ok.css"), "p {}").unwrap();
        let path = resolve_local(&book, &book, "ok.css", InputKind::Stylesheet).unwrap();
        assert_eq!(read_input(&path, InputKind::Stylesheet).unwrap(), b"p {}");
    }

    #[cfg(unix)]
    #[test]
    fn a_chapter_symlinked_out_of_the_book_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        fs::create_dir_all(&book).unwrap();
        fs::write(book.join("01.md"), "# One").unwrap();
        fs::write(dir.path().join("private.md"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("private.md"), book.join("02.md")).unwrap();
        let Err(Error::Input(problems)) = read_manuscript(std::slice::from_ref(&book)) else {
            panic!("expected the symlinked chapter to be refused");
        };
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.starts_with("chapter `")
                && problems[0].message.contains("is outside the book folder"),
            "{}",
            problems[0]
        );
    }
}
