//! What a build must remove if it is stopped half-way (Ctrl-C, SIGTERM): the partial EPUB
//! beside the output (`.bindery-*.epub.part`), the scratch folder in TMPDIR, a cache file
//! being written.
//!
//! Destructors do not run when a signal ends a process, so every such path is registered
//! here while it exists ([`Pending`]), and the binary's signal handler calls [`stop`], which
//! removes them all. The one lock also orders the stop against the final rename of the EPUB
//! ([`commit`]): either the rename happens whole before the stop, or never — an interrupted
//! build leaves the previous EPUB or the new one, never a part, and no temporary files.
//! A library user that installs no handler loses nothing: the registry is then only a list.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

#[derive(Default)]
struct Registry {
    stopping: bool,
    next: u64,
    paths: Vec<(u64, PathBuf)>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    stopping: false,
    next: 0,
    paths: Vec::new(),
});

fn registry() -> MutexGuard<'static, Registry> {
    // A panic while holding the lock leaves the list as valid as before it.
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A temporary path that [`stop`] removes; dropping this forgets it (its owner removes it,
/// or renames it into place).
#[derive(Debug)]
pub struct Pending {
    id: u64,
}

/// Registers `path` (a file or a folder) for removal should the build be stopped.
pub fn register(path: &Path) -> Pending {
    let mut registry = registry();
    let id = registry.next;
    registry.next += 1;
    registry.paths.push((id, path.to_path_buf()));
    Pending { id }
}

impl Drop for Pending {
    fn drop(&mut self) {
        registry().paths.retain(|(id, _)| *id != self.id);
    }
}

/// Runs `rename` (the last step that makes a temporary file the real one) unless a stop has
/// begun; a stop waits for it to finish. `None` when stopping.
pub fn commit<T>(rename: impl FnOnce() -> T) -> Option<T> {
    let registry = registry();
    if registry.stopping {
        return None;
    }
    let result = rename();
    drop(registry);
    Some(result)
}

/// Removes every registered path and keeps the lock, so nothing is registered or committed
/// after it: the caller exits while holding the returned guard.
pub fn stop() -> impl Drop {
    let mut registry = registry();
    registry.stopping = true;
    for (_, path) in registry.paths.drain(..) {
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
    registry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_paths_are_forgotten_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        std::fs::write(&kept, "x").unwrap();
        let pending = register(&kept);
        assert!(registry().paths.iter().any(|(_, p)| *p == kept));
        drop(pending);
        assert!(!registry().paths.iter().any(|(_, p)| *p == kept));
        assert_eq!(commit(|| 7), Some(7));
    }
}
