//! The content-addressed cache of processed images.
//!
//! An entry is keyed by blake3 of the source bytes, the settings that shape the output (box,
//! quality, grayscale) and [`PIPELINE_VERSION`], so an entry is never reused after any of those
//! change; a rebuild where nothing changed decodes nothing. Layout under the cache folder:
//!
//! ```text
//! images-v1/objects/<hash of output>.jpg|png   the output bytes, shared by equal outputs
//! images-v1/entries/<key>                      which object, and its width and height
//! ```
//!
//! Every file is written to a temporary file in the same folder and renamed into place, so a
//! crash or a concurrent build never leaves a half-written entry that a later build would
//! trust; the record is written after its object, so a record always points at a whole file.
//! An entry that cannot be read back is treated as a miss and rewritten.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::encode::OutputFormat;
use super::{PIPELINE_VERSION, PipelineSettings};

const LAYOUT: &str = "images-v1";

/// The cache key of one source under these settings.
pub fn key(source_bytes: &[u8], fit_box: (u32, u32), settings: &PipelineSettings) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"bindery image pipeline\0");
    hasher.update(&PIPELINE_VERSION.to_le_bytes());
    hasher.update(&fit_box.0.to_le_bytes());
    hasher.update(&fit_box.1.to_le_bytes());
    hasher.update(&[settings.quality, u8::from(settings.grayscale)]);
    // Which animation rule applied (`animation.rs`).
    hasher.update(&[u8::from(
        settings.animation == super::animation::Animation::FirstFrame,
    )]);
    hasher.update(source_bytes);
    hasher.finalize().to_hex().to_string()
}

/// A cached output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub file_name: String,
    pub format: OutputFormat,
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    pub len: u64,
}

/// The entry for `key`, if there is a whole one.
pub fn lookup(cache_dir: &Path, key: &str) -> Option<Entry> {
    let record = fs::read_to_string(entries_dir(cache_dir).join(key)).ok()?;
    let mut lines = record.lines();
    let file_name = lines.next()?.to_owned();
    let width = lines.next()?.parse().ok()?;
    let height = lines.next()?.parse().ok()?;
    let format = match Path::new(&file_name).extension()?.to_str()? {
        "jpg" => OutputFormat::Jpeg,
        "png" => OutputFormat::Png,
        "svg" => OutputFormat::Svg,
        "gif" => OutputFormat::Gif,
        _ => return None,
    };
    let path = objects_dir(cache_dir).join(&file_name);
    let len = fs::metadata(&path).ok()?.len();
    Some(Entry {
        file_name,
        format,
        path,
        width,
        height,
        len,
    })
}

/// Stores `bytes` under `key`; returns where the bytes are.
pub fn store(
    cache_dir: &Path,
    key: &str,
    file_name: &str,
    bytes: &[u8],
    size: (u32, u32),
) -> Result<PathBuf, (PathBuf, io::Error)> {
    let objects = objects_dir(cache_dir);
    let entries = entries_dir(cache_dir);
    for dir in [&objects, &entries] {
        fs::create_dir_all(dir).map_err(|error| (dir.clone(), error))?;
    }
    let object = objects.join(file_name);
    // Named by the hash of its bytes: an object of the right length is the same object.
    let present = fs::metadata(&object).is_ok_and(|meta| meta.len() == bytes.len() as u64);
    if !present {
        write_atomically(&object, bytes).map_err(|error| (object.clone(), error))?;
    }
    let record = format!("{file_name}\n{}\n{}\n", size.0, size.1);
    let record_path = entries.join(key);
    write_atomically(&record_path, record.as_bytes()).map_err(|error| (record_path, error))?;
    Ok(object)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// readers see the old file or the whole new one, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.persist(path).map_err(|error| error.error)?;
    Ok(())
}

fn objects_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join(LAYOUT).join("objects")
}

fn entries_dir(cache_dir: &Path) -> PathBuf {
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
            quality: 70,
            ..settings.clone()
        };
        assert_ne!(base, key(b"pixels", (1600, 1600), &lower));
        let grey = PipelineSettings {
            grayscale: true,
            ..settings.clone()
        };
        assert_ne!(base, key(b"pixels", (1600, 1600), &grey));
        // Where results go and whether a bar is drawn do not change the output.
        let elsewhere = PipelineSettings {
            cache_dir: Some("/elsewhere".into()),
            show_progress: true,
            ..settings
        };
        assert_eq!(base, key(b"pixels", (1600, 1600), &elsewhere));
    }

    #[test]
    fn a_stored_entry_is_found_and_a_damaged_one_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let path = store(dir.path(), "k", "abc.png", b"png bytes", (3, 4)).unwrap();
        let entry = lookup(dir.path(), "k").unwrap();
        assert_eq!(
            entry,
            Entry {
                file_name: "abc.png".into(),
                format: OutputFormat::Png,
                path,
                width: 3,
                height: 4,
                len: 9,
            }
        );
        fs::write(
            dir.path().join(LAYOUT).join("entries").join("k"),
            "abc.png\nx\n",
        )
        .unwrap();
        assert_eq!(lookup(dir.path(), "k"), None);
        assert_eq!(lookup(dir.path(), "missing"), None);
    }
}
