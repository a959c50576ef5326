//! Where the EPUB goes, decided before any work is done.
//!
//! The output path is the one place a build writes to the user's folders, so it is checked
//! as carefully as the inputs are (issue 10). Paths are compared canonicalised (symlinks
//! followed): `-o bk/essay.md`, with `bk` a symlink to the book folder, is the essay, and is
//! refused like `-o book/essay.md`; so is any image, the cover, the stylesheet, or a path
//! inside the image cache. The output must be, or become, a regular file: a folder, a device
//! (`-o /dev/null` run as root would otherwise replace the device with a file), a fifo or a
//! socket is refused.
//!
//! A symlink as the output is written through: the EPUB replaces the file the link points
//! at (after the same checks on that file) and the link is kept, so `latest.epub ->
//! builds/v3.epub` keeps working. A link to nothing is refused rather than guessed at.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::package;

/// The output of a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// As the user gave it (or the default name): for messages and the report.
    pub requested: PathBuf,
    /// The file to replace: `requested`, or the file it links to.
    pub write_to: PathBuf,
}

/// `-o`, else `<slug of title>.<extension>` in the current folder; with a target `suffix`
/// (several `--target`s), the suffix before the extension: `book.kindle.epub`.
pub fn requested(
    output: Option<&Path>,
    title: Option<&str>,
    extension: &str,
    suffix: Option<&str>,
) -> Option<PathBuf> {
    let plain = match (output, title) {
        (Some(path), _) => path.to_path_buf(),
        (None, Some(title)) => PathBuf::from(format!("{}.{extension}", file_slug(title))),
        // The title is wrong; that error is reported already.
        (None, None) => return None,
    };
    let named = match suffix {
        Some(suffix) => with_suffix(&plain, suffix),
        None => plain,
    };
    // Several targets, one of them Kobo's: its file must end in `.kepub.epub`, or Kobo
    // readers open it with their plain EPUB engine.
    let name = named.file_name().map(|n| n.to_string_lossy().into_owned());
    Some(match name {
        Some(name)
            if suffix.is_some()
                && extension == "kepub.epub"
                && name.ends_with(".epub")
                && !name.ends_with(".kepub.epub") =>
        {
            named.with_file_name(format!(
                "{}.kepub.epub",
                &name[..name.len() - ".epub".len()]
            ))
        }
        _ => named,
    })
}

/// `path` with `suffix` before its extension: `out/book.epub` → `out/book.kindle.epub`,
/// `book.kepub.epub` → `book.kobo.kepub.epub`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let (stem, extension) = match name.strip_suffix(".kepub.epub") {
        Some(stem) => (stem.to_string(), "kepub.epub".to_string()),
        None => match name.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() => {
                (stem.to_string(), extension.to_string())
            }
            _ => (name.clone(), "epub".to_string()),
        },
    };
    path.with_file_name(format!("{stem}.{suffix}.{extension}"))
}

/// Checks `requested` against every file the build reads (`inputs`, in any form: they are
/// canonicalised here) and the cache folder, and that a file can be written there.
pub fn resolve(
    requested: &Path,
    inputs: &[PathBuf],
    cache_dir: Option<&Path>,
) -> Result<Output, Diagnostic> {
    let refuse = |message: String, help: &str| {
        Diagnostic::error(message)
            .in_file(requested)
            .with_help(help.to_string())
    };
    let write_to = match fs::symlink_metadata(requested) {
        Ok(meta) if meta.file_type().is_symlink() => match requested.canonicalize() {
            Ok(target) => {
                let meta = fs::metadata(&target).map_err(|error| {
                    refuse(
                        format!(
                            "cannot inspect the output's target {}: {error}",
                            target.display()
                        ),
                        "choose another path with -o",
                    )
                })?;
                check_kind(&meta, requested, &refuse)?;
                target
            }
            Err(_) => {
                return Err(refuse(
                    "the output is a symlink to a file or folder that does not exist".into(),
                    "bindery writes through a symlinked output to the file it points at; point the link at a file path, or remove it",
                ));
            }
        },
        Ok(meta) => {
            check_kind(&meta, requested, &refuse)?;
            requested.to_path_buf()
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => requested.to_path_buf(),
        // Permissions or a file where a folder should be: `check_writable` says which.
        Err(_) => requested.to_path_buf(),
    };

    let canonical = canonical_or_lexical(&write_to);
    for input in inputs {
        if canonical_or_lexical(input) == canonical {
            return Err(refuse(
                "the output would overwrite an input file".into(),
                &format!(
                    "{} is read by this build; choose another path with -o",
                    input.display()
                ),
            ));
        }
    }
    if let Some(cache) = cache_dir
        && canonical.starts_with(canonical_or_lexical(cache))
    {
        return Err(refuse(
            format!(
                "the output is inside the image cache folder {}",
                cache.display()
            ),
            "write the EPUB outside the cache folder, or choose another --cache-dir",
        ));
    }
    package::check_writable(&write_to)?;
    Ok(Output {
        requested: requested.to_path_buf(),
        write_to,
    })
}

/// A folder, or anything that is not a regular file, is refused as an output.
fn check_kind(
    meta: &fs::Metadata,
    requested: &Path,
    refuse: &impl Fn(String, &str) -> Diagnostic,
) -> Result<(), Diagnostic> {
    if meta.is_dir() {
        return Err(Diagnostic::error("the output path is a folder")
            .in_file(requested)
            .with_help("give a file name, e.g. -o book.epub"));
    }
    if !meta.is_file() {
        return Err(refuse(
            "the output path is not a regular file (a device, fifo or socket); bindery would replace it"
                .into(),
            "give the path of an EPUB file, e.g. -o book.epub",
        ));
    }
    Ok(())
}

/// `path` with every symlink of its longest existing ancestor resolved, and the rest (which
/// does not exist yet) appended: two spellings of the same place compare equal, whether or
/// not the file exists.
pub fn canonical_or_lexical(path: &Path) -> PathBuf {
    let absolute = crate::source::absolute(path);
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return rest
                .iter()
                .rev()
                .fold(canonical, |path, part| path.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// The one slug rule of bindery, for file names and ids alike: letters and digits of any
/// script, lower case; white space, `-`, `_` and `.` between them become one `-`; anything
/// else is left out (`Rock & Roll` → `rock-roll`, `it's` → `its`). May be empty.
pub fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_' || c == '.') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

/// A file name from a title: its [`slug`], at most 80 characters, `book` when none is left.
pub fn file_slug(title: &str) -> String {
    let slug: String = slug(title).chars().take(80).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "book".to_string()
    } else {
        slug.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn inputs_are_compared_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        fs::create_dir_all(&book).unwrap();
        fs::write(book.join("essay.md"), "x").unwrap();
        std::os::unix::fs::symlink(&book, dir.path().join("bk")).unwrap();
        let inputs = [book.join("essay.md")];
        let error = resolve(&dir.path().join("bk/essay.md"), &inputs, None).unwrap_err();
        assert_eq!(error.message, "the output would overwrite an input file");
        let fine = resolve(&dir.path().join("bk/book.epub"), &inputs, None).unwrap();
        assert_eq!(fine.write_to, dir.path().join("bk/book.epub"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_is_written_through_and_devices_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("v3.epub"), "old").unwrap();
        std::os::unix::fs::symlink(dir.path().join("v3.epub"), dir.path().join("latest.epub"))
            .unwrap();
        let output = resolve(&dir.path().join("latest.epub"), &[], None).unwrap();
        assert_eq!(
            output.write_to,
            dir.path().join("v3.epub").canonicalize().unwrap()
        );
        std::os::unix::fs::symlink(
            dir.path().join("gone.epub"),
            dir.path().join("dangling.epub"),
        )
        .unwrap();
        assert!(resolve(&dir.path().join("dangling.epub"), &[], None).is_err());
        let error = resolve(Path::new("/dev/null"), &[], None).unwrap_err();
        assert!(error.message.contains("not a regular file"), "{error}");
    }

    #[test]
    fn outputs_inside_the_cache_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let error = resolve(&cache.join("x.epub"), &[], Some(&cache)).unwrap_err();
        assert!(error.message.contains("image cache folder"), "{error}");
    }

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(
            file_slug("Tides: A Harbour, at Dawn!"),
            "tides-a-harbour-at-dawn"
        );
        assert_eq!(file_slug("???"), "book");
    }
}
