//! `bindery cache stats | prune | clear`: what the image cache holds, and keeping a long-lived
//! one (a CI cache shared by many books, issue 15) within a size.
//!
//! The cache only grows: every image under every setting ever built stays in it. Pruning
//! removes objects least recently used first — an object's modification time is its last
//! use, set on every hit ([`super::cache::lookup`]) — and with each object the records that
//! name it, records first, so that no record is left pointing at nothing; a record that
//! already does (or that is malformed) is removed as well. A build running meanwhile loses
//! nothing: it reads a record, then its object, then links the object into its own scratch
//! folder ([`super::cache::pin`]); whichever step finds a file gone is a miss, and the image
//! is processed again and stored again.
//!
//! Only files that bindery writes are ever removed: objects named `<64 hex>.<format>` in
//! `images-v2/objects` and records named `<64 hex>` in `images-v2/entries`, regular files
//! only. A folder of the layout that is a symbolic link is refused, so pruning never reaches
//! outside the cache folder; anything else found there (a temporary file of a build being
//! written) is left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::cache::{LAYOUT, entries_dir, objects_dir, parse_record};
use crate::error::{Error, IoContext, Result};

/// What the cache holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Processed images, and their bytes.
    pub objects: u64,
    pub bytes: u64,
    /// Records (one per source image and settings) naming an object.
    pub records: u64,
    /// When the least and the most recently used objects were last used.
    pub oldest_use: Option<SystemTime>,
    pub newest_use: Option<SystemTime>,
}

/// What [`prune`] removed, and what is left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    pub objects: u64,
    pub bytes: u64,
    pub records: u64,
    pub left: Usage,
}

/// One object file.
#[derive(Debug)]
struct Object {
    name: String,
    path: PathBuf,
    len: u64,
    used: SystemTime,
}

/// The cache's files, as found.
#[derive(Debug, Default)]
struct Contents {
    /// Least recently used first.
    objects: Vec<Object>,
    /// Each object's name, with the records naming it.
    records: BTreeMap<String, Vec<PathBuf>>,
    /// Records naming no object there, or malformed: misses already.
    dead_records: Vec<PathBuf>,
}

/// What the cache at `cache_dir` holds; an empty [`Usage`] if nothing was ever cached there.
pub fn usage(cache_dir: &Path) -> Result<Usage> {
    let contents = scan(cache_dir)?;
    Ok(contents.usage())
}

/// Removes least recently used objects (and the records naming them) until the objects
/// take at most `max_bytes`, and every record that names no object.
pub fn prune(cache_dir: &Path, max_bytes: u64) -> Result<Pruned> {
    let mut contents = scan(cache_dir)?;
    let mut total: u64 = contents.objects.iter().map(|object| object.len).sum();
    let mut pruned = Pruned::default();
    let mut kept = Vec::new();
    for object in std::mem::take(&mut contents.objects) {
        if total <= max_bytes {
            kept.push(object);
            continue;
        }
        // Records first: a record must not outlive its object, or the next build would
        // report the cache damaged instead of simply missing.
        for record in contents.records.remove(&object.name).unwrap_or_default() {
            pruned.records += remove(&record)?;
        }
        remove(&object.path)?;
        total -= object.len;
        pruned.objects += 1;
        pruned.bytes += object.len;
    }
    contents.objects = kept;
    // Records naming an object that is not there (removed by hand, or by a prune that a
    // build raced) are misses already; they go too.
    let present: BTreeSet<&str> = contents.objects.iter().map(|o| o.name.as_str()).collect();
    let (live, dangling): (BTreeMap<_, _>, BTreeMap<_, _>) = std::mem::take(&mut contents.records)
        .into_iter()
        .partition(|(name, _)| present.contains(name.as_str()));
    contents.records = live;
    contents
        .dead_records
        .extend(dangling.into_values().flatten());
    for record in std::mem::take(&mut contents.dead_records) {
        pruned.records += remove(&record)?;
    }
    pruned.left = contents.usage();
    Ok(pruned)
}

/// Removes one file of the cache; 1 if it was there, 0 if another prune took it first.
fn remove(path: &Path) -> Result<u64> {
    match fs::remove_file(path) {
        Ok(()) => Ok(1),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(Error::io("remove", path, error)),
    }
}

impl Contents {
    fn usage(&self) -> Usage {
        Usage {
            objects: self.objects.len() as u64,
            bytes: self.objects.iter().map(|object| object.len).sum(),
            records: self
                .records
                .values()
                .map(|records| records.len() as u64)
                .sum(),
            oldest_use: self.objects.first().map(|object| object.used),
            newest_use: self.objects.last().map(|object| object.used),
        }
    }
}

fn scan(cache_dir: &Path) -> Result<Contents> {
    match fs::metadata(cache_dir) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Contents::default()),
        Err(error) => return Err(Error::io("read the cache folder", cache_dir, error)),
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::io(
                "use the cache folder",
                cache_dir,
                io::Error::other("it is not a folder"),
            ));
        }
        Ok(_) => {}
    }
    let layout = cache_dir.join(LAYOUT);
    let objects_dir = objects_dir(cache_dir);
    let entries_dir = entries_dir(cache_dir);
    for dir in [&layout, &objects_dir, &entries_dir] {
        if !is_real_folder(dir)? {
            return Ok(Contents::default());
        }
    }
    let mut objects = Vec::new();
    for (name, path, meta) in regular_files(&objects_dir)? {
        if object_name(&name).is_none() {
            continue;
        }
        // A file without a modification time is treated as the oldest.
        let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        objects.push(Object {
            name,
            path,
            len: meta.len(),
            used,
        });
    }
    // Oldest use first; equal times by name, so a prune removes the same objects every time.
    objects.sort_by(|a, b| a.used.cmp(&b.used).then_with(|| a.name.cmp(&b.name)));

    let mut records: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut dead_records = Vec::new();
    for (name, path, meta) in regular_files(&entries_dir)? {
        if !is_hash(&name) {
            continue;
        }
        // Records are a few dozen bytes; a larger file is not one of ours as written.
        let record = if meta.len() > 1024 {
            None
        } else {
            fs::read(&path).ok().and_then(|bytes| parse_record(&bytes))
        };
        match record {
            Some((hash, format, _, _)) => {
                let object = format!("{hash}.{}", format.extension());
                records.entry(object).or_default().push(path);
            }
            None => dead_records.push(path),
        }
    }
    Ok(Contents {
        objects,
        records,
        dead_records,
    })
}

/// Whether `dir` is a folder (not a link to one); `false` if it does not exist.
fn is_real_folder(dir: &Path) -> Result<bool> {
    match fs::symlink_metadata(dir) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(Error::io("read the cache folder", dir, error)),
        Ok(meta) if meta.file_type().is_dir() => Ok(true),
        Ok(_) => Err(Error::io(
            "use the cache folder",
            dir,
            io::Error::other(
                "it is not a folder (a symbolic link?); bindery only manages a cache it wrote: \
                 remove it, or give another --cache-dir",
            ),
        )),
    }
}

/// The regular files directly in `dir` (symbolic links are not followed, and not listed).
fn regular_files(dir: &Path) -> Result<Vec<(String, PathBuf, fs::Metadata)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).context("read the cache folder", dir)? {
        let entry = entry.context("read the cache folder", dir)?;
        let path = entry.path();
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            // Removed by a concurrent prune, or a build renaming over it.
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(Error::io("read", path, error)),
        };
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if meta.file_type().is_file() {
            files.push((name, path, meta));
        }
    }
    Ok(files)
}

/// `<64 hex>.<jpg|png|svg|gif>`, as [`super::cache::store`] names objects.
fn object_name(name: &str) -> Option<()> {
    let (hash, extension) = name.split_once('.')?;
    (is_hash(hash) && matches!(extension, "jpg" | "png" | "svg" | "gif")).then_some(())
}

fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `2026-12-02 01:05 UTC`: a last-use time for people.
pub fn utc_minute(time: SystemTime) -> String {
    let seconds = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let (year, month, day, hour, minute, _) = crate::frontmatter::civil_from_timestamp(seconds);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::cache::{Lookup, lookup, store};
    use crate::images::encode::OutputFormat;
    use std::time::Duration;

    /// A cache key as builds make them: 64 hex digits.
    fn key(letter: &str) -> String {
        letter.repeat(64)
    }

    fn age(path: &Path, seconds_after_epoch: u64) {
        let file = fs::File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds_after_epoch))
            .unwrap();
    }

    #[test]
    fn a_missing_cache_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(usage(&dir.path().join("none")).unwrap(), Usage::default());
        assert_eq!(
            prune(&dir.path().join("none"), 0).unwrap(),
            Pruned::default()
        );
    }

    #[test]
    fn prune_removes_the_least_recently_used_and_their_records() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path();
        let old = store(cache, &key("a"), OutputFormat::Png, &[1; 100], (1, 1)).unwrap();
        let mid = store(cache, &key("b"), OutputFormat::Png, &[2; 100], (1, 1)).unwrap();
        let new = store(cache, &key("c"), OutputFormat::Png, &[3; 100], (1, 1)).unwrap();
        age(&old, 1_000);
        age(&mid, 2_000);
        age(&new, 3_000);
        // A hit makes the oldest the newest.
        assert!(matches!(lookup(cache, &key("a")), Lookup::Hit(_)));
        let before = usage(cache).unwrap();
        assert_eq!((before.objects, before.bytes, before.records), (3, 300, 3));
        assert_eq!(
            before.oldest_use,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2_000))
        );

        let pruned = prune(cache, 150).unwrap();
        assert_eq!((pruned.objects, pruned.bytes, pruned.records), (2, 200, 2));
        assert_eq!((pruned.left.objects, pruned.left.bytes), (1, 100));
        assert!(old.exists() && !mid.exists() && !new.exists());
        // A pruned entry is a plain miss: its record went with its object.
        assert_eq!(lookup(cache, &key("b")), Lookup::Miss);
        assert_eq!(lookup(cache, &key("c")), Lookup::Miss);
        assert!(matches!(lookup(cache, &key("a")), Lookup::Hit(_)));
        // Within the size, nothing more goes.
        assert_eq!(prune(cache, 150).unwrap().objects, 0);
    }

    #[test]
    fn prune_to_zero_leaves_only_files_bindery_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path();
        store(cache, &key("a"), OutputFormat::Png, b"png", (1, 1)).unwrap();
        let stranger = objects_dir(cache).join("notes.txt");
        fs::write(&stranger, "mine").unwrap();
        let dead = entries_dir(cache).join("d".repeat(64));
        fs::write(&dead, format!("{}\npng\n1\n1\n", "e".repeat(64))).unwrap();
        let pruned = prune(cache, 0).unwrap();
        assert_eq!((pruned.objects, pruned.records), (1, 2));
        assert_eq!(pruned.left, Usage::default());
        assert!(stranger.exists() && !dead.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_layout_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        let victim = outside.join(format!("{}.png", "a".repeat(64)));
        fs::write(&victim, "keep me").unwrap();
        let cache = dir.path().join("cache");
        fs::create_dir_all(cache.join(LAYOUT).join("entries")).unwrap();
        std::os::unix::fs::symlink(&outside, objects_dir(&cache)).unwrap();
        let error = prune(&cache, 0).unwrap_err().to_string();
        assert!(error.contains("not a folder (a symbolic link?)"), "{error}");
        assert!(victim.exists());
    }

    #[test]
    fn times_read_as_utc() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_614_834_367);
        assert_eq!(utc_minute(time), "2021-03-04 05:06 UTC");
    }
}
