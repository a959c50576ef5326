//! `bindery watch`: build, then build again whenever a source changes.
//!
//! The book's folder (the folder of each input: the input itself, or a file's parent) is
//! watched recursively, so a new image or chapter is seen as well as an edit. Editors save in
//! bursts (a temporary file, a rename, a chmod), so events are gathered until the folder has
//! been quiet for [`DEBOUNCE`], then the book is built once. What bindery writes itself is
//! ignored, or each build would start the next: EPUBs, hidden files (the `.bindery-*`
//! temporary files of an atomic write, editors' swap files) and the image cache.
//!
//! A failed build changes nothing on disk (the EPUB is written to a temporary file and renamed
//! into place only when complete), so the last good EPUB stays while the sources are broken.
//! The caller prints each outcome; this module never writes to the terminal.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use bindery::config::{CacheMode, Config};
use bindery::error::{Error, Result};
use bindery::{Report, source};

/// How long the sources must be quiet before a rebuild starts.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(200);

/// How often the loop looks at the stop flag while nothing happens.
const POLL: Duration = Duration::from_millis(100);

/// Builds `config`'s book, then rebuilds it after every change until `stop` is set (by a
/// Ctrl-C handler, say). `on_build` gets each build's result and the changed files that
/// caused it (none for the first build). Fails only if the folders cannot be watched.
pub(crate) fn watch(
    config: &Config,
    stop: &AtomicBool,
    mut on_build: impl FnMut(&Result<Report>, &[PathBuf]),
) -> Result<()> {
    let (sender, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        // The receiver only goes away when `watch` returns; nothing is left to tell then.
        let _ = sender.send(event);
    })
    .map_err(|error| notify_error("start watching", Path::new("."), error))?;
    for folder in watched_folders(&config.inputs) {
        watcher
            .watch(&folder, RecursiveMode::Recursive)
            .map_err(|error| notify_error("watch", &folder, error))?;
    }
    // Watching starts before the first build, so an edit saved during it is not missed.
    on_build(&bindery::build(config), &[]);
    let ignored = Ignored {
        cache: match &config.cache {
            CacheMode::Directory(dir) => Some(source::absolute(dir)),
            CacheMode::Disabled => None,
        },
    };

    while !stop.load(Ordering::SeqCst) {
        let first = match events.recv_timeout(POLL) {
            Ok(event) => event,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut changed = Vec::new();
        ignored.collect(first, &mut changed);
        if changed.is_empty() {
            continue;
        }
        // Gather the rest of the burst.
        while let Ok(event) = events.recv_timeout(DEBOUNCE) {
            ignored.collect(event, &mut changed);
        }
        if stop.load(Ordering::SeqCst) {
            break;
        }
        on_build(&bindery::build(config), &changed);
    }
    Ok(())
}

/// The folder of each input: a folder itself, a file's parent; absolute and without repeats.
fn watched_folders(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = Vec::new();
    for input in inputs {
        let folder = if input.is_dir() {
            input.clone()
        } else {
            match input.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        let folder = source::absolute(&folder);
        // A folder inside one already watched (recursively) adds nothing.
        if !folders.iter().any(|known| folder.starts_with(known)) {
            folders.retain(|known| !known.starts_with(&folder));
            folders.push(folder);
        }
    }
    folders
}

/// The paths a rebuild must not be triggered by.
struct Ignored {
    cache: Option<PathBuf>,
}

impl Ignored {
    /// Adds the paths of `event` that are sources to `changed`, once each.
    fn collect(&self, event: notify::Result<notify::Event>, changed: &mut Vec<PathBuf>) {
        // A watcher error (an overflowing event queue, say) may hide a change: rebuild.
        let Ok(event) = event else {
            changed.push(PathBuf::from("."));
            return;
        };
        // Reading a file (our own build does) changes nothing.
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            if self.is_source(&path) && !changed.contains(&path) {
                changed.push(path);
            }
        }
    }

    fn is_source(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let hidden_or_backup = name.starts_with('.') || name.ends_with('~');
        let epub = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("epub"));
        let cached = self
            .cache
            .as_ref()
            .is_some_and(|cache| path.starts_with(cache));
        !(hidden_or_backup || epub || cached)
    }
}

fn notify_error(action: &'static str, path: &Path, error: notify::Error) -> Error {
    let source = match error.kind {
        notify::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::io(action, path, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_bindery_writes_itself_never_triggers_a_build() {
        let ignored = Ignored {
            cache: Some(PathBuf::from("/book/.cache")),
        };
        assert!(ignored.is_source(Path::new("/book/essay.md")));
        assert!(ignored.is_source(Path::new("/book/images/a.jpg")));
        assert!(!ignored.is_source(Path::new("/book/my-book.epub")));
        assert!(!ignored.is_source(Path::new("/book/.bindery-x1y2")));
        assert!(!ignored.is_source(Path::new("/book/.essay.md.swp")));
        assert!(!ignored.is_source(Path::new("/book/essay.md~")));
        assert!(!ignored.is_source(Path::new("/book/.cache/ab/cd.jpg")));
    }

    #[test]
    fn nested_inputs_are_watched_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir(root.join("part")).unwrap();
        let folders = watched_folders(&[root.join("part"), root.join("essay.md"), root.clone()]);
        assert_eq!(folders, [source::absolute(&root)]);
    }
}
