//! The content-addressed cache of processed images.
//!
//! An entry is keyed by blake3 of the source bytes, the settings that shape the output (box,
//! quality or quality target, grayscale) and [`PIPELINE_VERSION`], so an entry is never reused after any of those
//! change; a rebuild where nothing changed decodes nothing. Layout under the cache folder:
//!
//! ```text
//! images-v2/objects/<blake3 of output, 64 hex>.jpg|png|svg   the output bytes
//! images-v2/entries/<key>       the object's hash, its format, its width and height
//! ```
//!
//! The cache is not trusted (issue 10): it may be shared, restored from a CI cache, damaged
//! by a full disk, or edited. So a record holds no path, only a hash and a format from a
//! fixed list, and the object's name is made from them here — a record cannot name `../`
//! or any other file. Every object is read back whole and hashed before it is used; a
//! mismatch, a short object or a malformed record is a miss ([`Lookup::Damaged`]): the
//! image is processed again and the entry rewritten, and `-v` says so. A cached SVG must
//! also be exactly what the sanitiser makes of it, so an object edited to carry a script,
//! even with a record rewritten to its new hash, never reaches a book.
//!
//! Every file is written to a temporary file in the same folder and renamed into place, so a
//! crash or a concurrent build never leaves a half-written entry that a later build would
//! trust; the record is written after its object, so a record always points at a whole file.
//!
//! `bindery cache prune` ([`super::cache_admin`]) may delete an object while a build is using
//! it. So a build never streams its EPUB from the cache: each object it uses is hard-linked
//! (or, across file systems, written) into the build's scratch folder first ([`pin`]), and a
//! record whose object has gone is a miss that the build repairs. The object's modification
//! time is its last use, set on every hit (`mark_used`): the cache's own bookkeeping for
//! pruning the least recently used first, never part of an EPUB.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::encode::OutputFormat;
use super::quality::JpegQuality;
use super::{PIPELINE_VERSION, PipelineSettings};
use crate::source::{self, InputKind};

/// v2: records name objects by their full hash only (v1 records held a file name).
pub(super) const LAYOUT: &str = "images-v2";

/// The cache key of one source under these settings.
pub fn key(source_bytes: &[u8], fit_box: (u32, u32), settings: &PipelineSettings) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"bindery image pipeline\0");
    hasher.update(&PIPELINE_VERSION.to_le_bytes());
    hasher.update(&fit_box.0.to_le_bytes());
    hasher.update(&fit_box.1.to_le_bytes());
    match settings.quality {
        // As before the search existed, so entries made at a fixed quality stay valid.
        JpegQuality::Fixed(quality) => hasher.update(&[quality, u8::from(settings.grayscale)]),
        // A fixed quality is never 0, so this cannot collide with one.
        JpegQuality::Target(target) => hasher
            .update(&[0, u8::from(settings.grayscale)])
            .update(b"ssimulacra2 target")
            .update(&[target]),
    };
    // Which animation rule applied (`animation.rs`).
    hasher.update(&[u8::from(
        settings.animation == super::animation::Animation::FirstFrame,
    )]);
    hasher.update(source_bytes);
    hasher.finalize().to_hex().to_string()
}

/// A cached output, checked against its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name in the EPUB: as [`super::work::output_file_name`] makes it from the bytes.
    pub file_name: String,
    pub format: OutputFormat,
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    pub len: u64,
    /// The object's bytes, read to check them: written to the scratch folder if [`pin`]
    /// cannot link the object there.
    pub bytes: Vec<u8>,
}

/// What the cache holds for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Hit(Entry),
    /// Nothing stored under this key.
    Miss,
    /// Something was stored, but cannot be trusted; why, for `-v`.
    Damaged(String),
}

/// The entry for `key`, if there is a whole, verified one.
pub fn lookup(cache_dir: &Path, key: &str) -> Lookup {
    let record_path = entries_dir(cache_dir).join(key);
    let record = match read_small(&record_path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Lookup::Miss,
        Err(why) => return Lookup::Damaged(format!("its record {why}")),
    };
    match verify(cache_dir, &record) {
        Ok(entry) => {
            mark_used(&entry.path);
            Lookup::Hit(entry)
        }
        Err(why) => Lookup::Damaged(why),
    }
}

/// Sets the object's modification time to now: the last use that `cache prune` orders by.
/// Bookkeeping only: a cache that cannot be touched (read-only, restored from CI) still
/// serves hits, and its objects simply look older than they are.
#[allow(
    clippy::disallowed_methods,
    reason = "the cache's own last-use time, never written into an EPUB (issue 15)"
)]
fn mark_used(object: &Path) {
    let now = SystemTime::now();
    if let Ok(file) = fs::File::open(object) {
        let _ = file.set_modified(now);
    }
}

/// Makes `object` (holding `bytes`, named `file_name` in the EPUB) a file of this build's
/// `scratch` folder, so that a `cache prune` running meanwhile cannot take it away before
/// the EPUB is written: a hard link when the cache and the scratch folder share a file
/// system (no copy), else a copy of the bytes.
pub fn pin(object: &Path, bytes: &[u8], scratch: &Path, file_name: &str) -> io::Result<PathBuf> {
    let pinned = scratch.join(file_name);
    fs::create_dir_all(scratch)?;
    match fs::hard_link(object, &pinned) {
        Ok(()) => return Ok(pinned),
        // Equal names are equal bytes (the name is their hash): another image's output.
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => return Ok(pinned),
        Err(_) => {}
    }
    write_file_atomically(&pinned, bytes)?;
    Ok(pinned)
}

/// A record, which must be one of ours: `<64 hex>\n<jpg|png|svg>\n<width>\n<height>\n`.
pub(super) fn parse_record(record: &[u8]) -> Option<(String, OutputFormat, u32, u32)> {
    let record = std::str::from_utf8(record).ok()?;
    let mut lines = record.split_terminator('\n');
    let hash = lines.next()?;
    let is_hash = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let format = match lines.next()? {
        "jpg" => OutputFormat::Jpeg,
        "png" => OutputFormat::Png,
        "svg" => OutputFormat::Svg,
        "gif" => OutputFormat::Gif,
        "webp" => OutputFormat::WebP,
        _ => return None,
    };
    let width = lines.next()?.parse().ok()?;
    let height = lines.next()?.parse().ok()?;
    (is_hash && lines.next().is_none()).then(|| (hash.to_owned(), format, width, height))
}

fn verify(cache_dir: &Path, record: &[u8]) -> Result<Entry, String> {
    let (hash, format, width, height) =
        parse_record(record).ok_or_else(|| "its record is malformed".to_string())?;
    let path = objects_dir(cache_dir).join(format!("{hash}.{}", format.extension()));
    // A symlink in the cache is not something bindery wrote.
    let is_file = fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_file());
    if !is_file {
        return Err(format!("its object {} is missing", path.display()));
    }
    let bytes = read_object(&path)?;
    if blake3::hash(&bytes).to_hex().as_str() != hash {
        return Err(format!(
            "its object {} does not match its hash (damaged, cut short or edited)",
            path.display()
        ));
    }
    if format == OutputFormat::Svg {
        let clean = super::svg::sanitize(&bytes)
            .map_err(|error| format!("its SVG object {} is refused: {error}", path.display()))?;
        if clean.bytes != bytes {
            return Err(format!(
                "its SVG object {} is not what the sanitiser makes of it",
                path.display()
            ));
        }
    }
    Ok(Entry {
        file_name: super::work::output_file_name(&bytes, format),
        format,
        path,
        width,
        height,
        len: bytes.len() as u64,
        bytes,
    })
}

fn read_object(path: &Path) -> Result<Vec<u8>, String> {
    source::read_input(path, InputKind::Image).map_err(|problem| {
        format!(
            "its object {} {}",
            path.display(),
            problem.reason(InputKind::Image)
        )
    })
}

/// A record's bytes; `None` when there is none. Records are a few dozen bytes: anything
/// over 1 kB, or not a regular file, is not one.
fn read_small(path: &Path) -> Result<Option<Vec<u8>>, &'static str> {
    match fs::symlink_metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err("cannot be read"),
        Ok(meta) if !meta.file_type().is_file() => return Err("is not a regular file"),
        Ok(meta) if meta.len() > 1024 => return Err("is too large"),
        Ok(_) => {}
    }
    fs::read(path).map(Some).map_err(|_| "cannot be read")
}

/// Stores `bytes` (the output in `format`) under `key`; returns where the bytes are.
pub fn store(
    cache_dir: &Path,
    key: &str,
    format: OutputFormat,
    bytes: &[u8],
    size: (u32, u32),
) -> Result<PathBuf, (PathBuf, io::Error)> {
    let objects = objects_dir(cache_dir);
    let entries = entries_dir(cache_dir);
    for dir in [&objects, &entries] {
        fs::create_dir_all(dir).map_err(|error| (dir.clone(), error))?;
    }
    let hash = blake3::hash(bytes).to_hex();
    let object = objects.join(format!("{hash}.{}", format.extension()));
    // Always rewritten: an object already there may be the damaged one that made this a
    // miss, and the rename is atomic, so a concurrent build reading it sees either whole file.
    write_file_atomically(&object, bytes).map_err(|error| (object.clone(), error))?;
    let record = format!("{hash}\n{}\n{}\n{}\n", format.extension(), size.0, size.1);
    let record_path = entries.join(key);
    write_file_atomically(&record_path, record.as_bytes()).map_err(|error| (record_path, error))?;
    Ok(object)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// readers see the old file or the whole new one, never a part.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    let _registered = crate::interrupt::register(temp.path());
    temp.write_all(bytes)?;
    temp.persist(path).map_err(|error| error.error)?;
    Ok(())
}

pub(super) fn objects_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join(LAYOUT).join("objects")
}

pub(super) fn entries_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join(LAYOUT).join("entries")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_that_shapes_the_output_changes_the_key() {
        let settings = PipelineSettings::default();
        let base = key(b"pixels", (1600, 1600), &settings);
        assert_eq!(base, key(b"pixels", (1600, 1600), &settings));
        assert_ne!(base, key(b"pixelz", (1600, 1600), &settings));
        assert_ne!(base, key(b"pixels", (1200, 1200), &settings));
        let lower = PipelineSettings {
            quality: JpegQuality::Fixed(70),
            ..settings.clone()
        };
        assert_ne!(base, key(b"pixels", (1600, 1600), &lower));
        let other_target = PipelineSettings {
            quality: JpegQuality::Target(80),
            ..settings.clone()
        };
        assert_ne!(base, key(b"pixels", (1600, 1600), &other_target));
        assert_ne!(
            key(b"pixels", (1600, 1600), &lower),
            key(
                b"pixels",
                (1600, 1600),
                &PipelineSettings {
                    quality: JpegQuality::Target(70),
                    ..settings.clone()
                }
            )
        );
        let grey = PipelineSettings {
            grayscale: true,
            ..settings.clone()
        };
        assert_ne!(base, key(b"pixels", (1600, 1600), &grey));
        // Where results go does not change the output.
        let elsewhere = PipelineSettings {
            cache_dir: Some("/elsewhere".into()),
            ..settings
        };
        assert_eq!(base, key(b"pixels", (1600, 1600), &elsewhere));
    }

    #[test]
    fn a_stored_entry_is_found_and_a_damaged_one_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let path = store(dir.path(), "k", OutputFormat::Png, b"png bytes", (3, 4)).unwrap();
        let Lookup::Hit(entry) = lookup(dir.path(), "k") else {
            panic!("expected a hit");
        };
        assert_eq!(
            entry,
            Entry {
                file_name: super::super::work::output_file_name(b"png bytes", OutputFormat::Png),
                format: OutputFormat::Png,
                path: path.clone(),
                width: 3,
                height: 4,
                len: 9,
                bytes: b"png bytes".to_vec(),
            }
        );
        assert_eq!(lookup(dir.path(), "missing"), Lookup::Miss);

        // A truncated object, then one with other bytes of the same length.
        fs::write(&path, b"png").unwrap();
        assert!(
            matches!(lookup(dir.path(), "k"), Lookup::Damaged(why) if why.contains("does not match its hash"))
        );
        fs::write(&path, b"PNG BYTES").unwrap();
        assert!(matches!(lookup(dir.path(), "k"), Lookup::Damaged(_)));
        // Storing again repairs it.
        store(dir.path(), "k", OutputFormat::Png, b"png bytes", (3, 4)).unwrap();
        assert!(matches!(lookup(dir.path(), "k"), Lookup::Hit(_)));
    }

    #[test]
    fn records_that_name_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        store(dir.path(), "k", OutputFormat::Png, b"png bytes", (3, 4)).unwrap();
        let record = dir.path().join(LAYOUT).join("entries").join("k");
        for poisoned in [
            "../../../../etc/passwd\n3\n4\n",
            "abc.png\n3\n4\n",
            &format!("{}\n../x\n3\n4\n", "0".repeat(64)),
            &format!("{}/../../a\npng\n3\n4\n", "0".repeat(58)),
            "",
        ] {
            fs::write(&record, poisoned).unwrap();
            assert_eq!(
                lookup(dir.path(), "k"),
                Lookup::Damaged("its record is malformed".into()),
                "{poisoned:?}"
            );
        }
    }
}
