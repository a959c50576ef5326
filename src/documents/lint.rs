//! Warnings about a manuscript that builds but reads worse than it should: images without
//! alt text (a screen reader has nothing to say), image files nothing uses (forgotten, or a
//! reference with a typo), and skipped heading levels (the table of contents and assistive
//! technology read headings as an outline).
//!
//! These run on the rendered documents, after the Markdown stage; none of them stops a build
//! unless `--deny-warnings` asks it to.

use crate::xhtml::dom::heading_level;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Document};
use crate::source::SourceFile;
use crate::xhtml::dom;

/// File extensions of the images a book folder may hold, lower case.
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp", "svg"];

/// How many entries of the book folder are looked at for unused images, at most: a book run
/// from a home folder by mistake must not turn into a walk of the whole disk.
const MAX_FOLDER_ENTRIES: usize = 20_000;

/// A heading deeper than the one before it by more than one level (`#` then `###`).
pub fn skipped_heading_levels(
    documents: &[Document],
    files: &[SourceFile],
    diagnostics: &mut Diagnostics,
) {
    let mut previous: Option<u8> = None;
    for document in documents {
        dom::for_each_element(&document.nodes, &mut |element| {
            let Some(level) = heading_level(&element.name) else {
                return;
            };
            if let Some(before) = previous
                && level > before + 1
            {
                diagnostics.push(
                    documents::located(
                        Diagnostic::warning(format!(
                            "heading level skipped: h{before} is followed by h{level}"
                        )),
                        &files[document.file],
                        element.origin,
                    )
                    .with_help(format!(
                        "use a level-{} heading ({}) here, so the outline has no gaps",
                        before + 1,
                        "#".repeat(usize::from(before) + 1)
                    )),
                );
            }
            previous = Some(level);
        });
    }
}

/// An `img` with no alt text, or only white space.
pub fn images_without_alt_text(
    documents: &[Document],
    files: &[SourceFile],
    diagnostics: &mut Diagnostics,
) {
    for document in documents {
        dom::for_each_element(&document.nodes, &mut |element| {
            if element.name != "img" {
                return;
            }
            if element
                .attr("alt")
                .is_some_and(|alt| !alt.trim().is_empty())
            {
                return;
            }
            let src = element.attr("src").unwrap_or_default();
            diagnostics.push(
                documents::located(
                    Diagnostic::warning(format!("image `{src}` has no alt text")),
                    &files[document.file],
                    element.origin,
                )
                .with_help(
                    "describe the picture between the brackets, e.g. ![a harbour at dawn](images/harbour.jpg); readers who cannot see it hear this",
                ),
            );
        });
    }
}

/// Image files under `root` that no reference (nor the cover) uses. `used` holds canonical
/// paths. Hidden files and folders are skipped (`.git`, editor backups), and so is `skip` (the
/// image cache, should it live in the book folder).
pub fn unreferenced_images(
    root: &Path,
    used: &[PathBuf],
    skip: Option<&Path>,
    diagnostics: &mut Diagnostics,
) {
    let used: HashSet<&PathBuf> = used.iter().collect();
    let skip = skip.and_then(|folder| folder.canonicalize().ok());
    let mut unused = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    let mut seen_entries = 0;
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            seen_entries += 1;
            if seen_entries > MAX_FOLDER_ENTRIES {
                return;
            }
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let skipped = skip
                    .as_ref()
                    .is_some_and(|skip| path.canonicalize().is_ok_and(|p| &p == skip));
                if !skipped {
                    folders.push(path);
                }
            } else if is_image_name(&path) {
                let is_used = path
                    .canonicalize()
                    .is_ok_and(|canonical| used.contains(&canonical));
                if !is_used {
                    unused.push(path);
                }
            }
        }
    }
    unused.sort();
    for path in unused {
        diagnostics.push(
            Diagnostic::warning("this image is in the book folder but nothing uses it")
                .in_file(&path)
                .with_help("refer to it from the Markdown, or move it out of the book folder"),
        );
    }
}

fn is_image_name(path: &Path) -> bool {
    path.extension().is_some_and(|ext| {
        let ext = ext.to_string_lossy().to_ascii_lowercase();
        IMAGE_EXTENSIONS.contains(&ext.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_levels_are_read_from_element_names() {
        assert_eq!(heading_level("h1"), Some(1));
        assert_eq!(heading_level("h6"), Some(6));
        assert_eq!(heading_level("h7"), None);
        assert_eq!(heading_level("hr"), None);
        assert_eq!(heading_level("header"), None);
    }

    #[test]
    fn image_names_are_matched_case_insensitively() {
        assert!(is_image_name(Path::new("a/B.JPG")));
        assert!(is_image_name(Path::new("c.webp")));
        assert!(!is_image_name(Path::new("essay.md")));
        assert!(!is_image_name(Path::new("jpg")));
    }
}
