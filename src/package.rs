//! The zip container of an EPUB, written reproducibly and atomically.
//!
//! This module knows nothing about books: it takes a list of entries and writes them. The OCF
//! rules it enforces are the ones about the zip itself: `mimetype` is the first entry, stored
//! (not compressed) and without an extra field, so a reader can sniff the type at byte 30.
//!
//! Reproducibility: the same entries give byte-identical files whatever the machine, the
//! current time, the source files' timestamps or the output folder. Every entry gets the same
//! timestamp (1980-01-01 00:00, the zip epoch), the same permissions (0o644) and the same
//! "made by" system (Unix), and entries are written in the order given.
//!
//! Atomicity: the archive is written to a temporary file beside `output` (same folder, so the
//! final rename stays on one file system) and renamed over `output` only once complete. A
//! failure drops the temporary file and leaves an earlier `output` as it was, so an e-reader
//! syncing the folder never sees half a book.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::diagnostics::Diagnostic;
use crate::error::{Error, IoContext, Result};
use crate::interrupt;

/// Where the bytes of an entry come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryData {
    /// Generated documents, small enough to hold in memory.
    Bytes(Vec<u8>),
    /// A file copied from disk as it is written (images), so a book's images are never all in
    /// memory at once.
    File(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// For data that is already compressed (JPEG, PNG, WebP): deflating it again costs time
    /// and saves nothing.
    Stored,
    /// For text, at the best level of the deflate encoder.
    Deflated,
}

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the archive, `/`-separated, e.g. `OEBPS/content.opf`.
    pub path: String,
    pub data: EntryData,
    pub compression: Compression,
}

impl Entry {
    /// A generated text document, deflated.
    pub fn text(path: impl Into<String>, text: String) -> Self {
        Entry {
            path: path.into(),
            data: EntryData::Bytes(text.into_bytes()),
            compression: Compression::Deflated,
        }
    }
}

const MIMETYPE: &[u8] = b"application/epub+zip";

/// The highest flate2 level; the zip crate reads 10 and above as Zopfli, which is many times
/// slower for a gain of a few percent on text this small.
const BEST_DEFLATE_LEVEL: i64 = 9;

/// The size of the buffer used to copy file entries into the archive.
const COPY_BUFFER_SIZE: usize = 64 * 1024;

/// Checks, before any work is done, that a file can be created beside `output` (where
/// [`write_epub_atomically`] puts its temporary file): the folder exists, is a folder, and is
/// writable. Probing with a real temporary file answers for permissions, read-only mounts
/// and ACLs alike, which inspecting mode bits would not.
pub fn check_writable(output: &Path) -> std::result::Result<(), Diagnostic> {
    let folder = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let problem = |what: String| {
        Diagnostic::error(format!("cannot write the EPUB here: {what}"))
            .in_file(output)
            .with_help("choose a folder you can write to with -o")
    };
    match std::fs::metadata(folder) {
        Ok(meta) if !meta.is_dir() => {
            return Err(problem(format!("{} is not a folder", folder.display())));
        }
        Ok(_) => {}
        Err(error) => {
            return Err(problem(format!("folder {}: {error}", folder.display())));
        }
    }
    tempfile::Builder::new()
        .prefix(".bindery-")
        .suffix(".probe")
        .tempfile_in(folder)
        .map(drop)
        .map_err(|error| {
            problem(format!(
                "folder {} is not writable ({error})",
                folder.display()
            ))
        })
}

/// Writes `mimetype` (first, stored) and then `entries` in the given order to a temp file beside
/// `output`, then renames it over `output`. Returns the size written. A failure leaves no temp
/// file and leaves a previous `output` untouched.
pub fn write_epub_atomically(entries: Vec<Entry>, output: &Path) -> Result<u64> {
    write_pending(entries, output)?.commit()
}

/// A complete EPUB in its temporary file beside the output, not yet renamed into place: its
/// size is known, so a size budget can refuse it while the previous EPUB is still there.
/// Dropping it removes the temporary file.
#[derive(Debug)]
pub struct PendingEpub {
    temporary: tempfile::NamedTempFile,
    output: PathBuf,
    size: u64,
    _registered: interrupt::Pending,
}

impl PendingEpub {
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Renames the EPUB over the output. A folder, device, fifo or socket that appeared at
    /// the output since the build began is refused, not replaced.
    pub fn commit(self) -> Result<u64> {
        if let Ok(meta) = std::fs::symlink_metadata(&self.output)
            && !meta.is_file()
        {
            return Err(not_a_file(&self.output, meta.is_dir()));
        }
        let PendingEpub {
            temporary,
            output,
            size,
            _registered,
        } = self;
        match interrupt::commit(|| temporary.persist(&output)) {
            Some(Ok(_)) => Ok(size),
            Some(Err(failure)) => Err(Error::io("replace", &output, failure.error)),
            // Stopped by a signal: the handler removes the file and ends the process.
            None => Err(Error::io(
                "replace",
                &output,
                io::Error::new(io::ErrorKind::Interrupted, "the build was interrupted"),
            )),
        }
    }
}

fn not_a_file(output: &Path, is_dir: bool) -> Error {
    let diagnostic = if is_dir {
        Diagnostic::error("the output path is a folder, not a file")
            .in_file(output)
            .with_help(
                "give the path of the EPUB file to write, e.g. `--output <folder>/book.epub`",
            )
    } else {
        Diagnostic::error("the output path is not a regular file (a device, fifo or socket)")
            .in_file(output)
            .with_help("give the path of an EPUB file, e.g. `--output book.epub`")
    };
    Error::Input(vec![diagnostic])
}

/// Writes the whole EPUB to a temporary file beside `output`, flushed to disk, and returns it
/// unrenamed.
pub fn write_pending(entries: Vec<Entry>, output: &Path) -> Result<PendingEpub> {
    if let Ok(meta) = std::fs::metadata(output)
        && !meta.is_file()
    {
        return Err(not_a_file(output, meta.is_dir()));
    }
    let folder = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".bindery-")
        .suffix(".epub.part")
        .tempfile_in(folder)
        .context("create a temporary file in", folder)?;
    let registered = interrupt::register(temporary.path());

    let size = write_zip(&entries, temporary.as_file_mut(), output)?;
    // Flush to disk before the rename, so a crash cannot leave a renamed but empty book.
    // A temporary file is created private (0600); a book is a document to share and sync.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temporary
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .context("write", output)?;
    }
    temporary.as_file().sync_all().context("write", output)?;
    Ok(PendingEpub {
        temporary,
        output: output.to_path_buf(),
        size,
        _registered: registered,
    })
}

/// Writes the whole archive into `file`; `output` is only named in errors, as the file the user
/// asked for (the temporary name means nothing to them).
fn write_zip(entries: &[Entry], file: &mut File, output: &Path) -> Result<u64> {
    let sink = QuietAfterFailure {
        inner: BufWriter::new(file),
        failed: false,
    };
    write_zip_to(entries, sink, output)
}

/// Passes writes through until one fails, then swallows the rest. The zip crate finalises an
/// archive when it is dropped, and if that fails it prints its own debug text to stderr
/// (`ZipWriter::drop: failed to finalize archive: Io(Os { … })`): on a full disk, that would
/// come before our one clean line. The first error is already on its way to the user, and
/// the temporary file is deleted, so what is written after it does not matter.
struct QuietAfterFailure<W> {
    inner: W,
    failed: bool,
}

impl<W> QuietAfterFailure<W> {
    fn track<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if result.is_err() {
            self.failed = true;
        }
        result
    }
}

impl<W: Write> Write for QuietAfterFailure<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.track(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.track(result)
    }
}

impl<W: Seek> Seek for QuietAfterFailure<W> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        if self.failed {
            return Ok(0);
        }
        let result = self.inner.seek(pos);
        self.track(result)
    }
}

/// The zip crate wraps write errors in its own error type, whose text ("I/O error: …") would
/// precede the real one; a full disk must read as one plain line.
fn zip_error(output: &Path) -> impl Fn(zip::result::ZipError) -> Error + '_ {
    move |error| {
        let error = match error {
            zip::result::ZipError::Io(error) => error,
            other => io::Error::other(other.to_string()),
        };
        Error::io("write", output, error)
    }
}

fn write_zip_to<W: Write + Seek>(entries: &[Entry], sink: W, output: &Path) -> Result<u64> {
    let mut zip = ZipWriter::new(sink);
    let zip_error = zip_error(output);

    zip.start_file("mimetype", options(Compression::Stored))
        .map_err(&zip_error)?;
    zip.write_all(MIMETYPE).context("write", output)?;

    for entry in entries {
        zip.start_file(entry.path.as_str(), options(entry.compression))
            .map_err(&zip_error)?;
        match &entry.data {
            EntryData::Bytes(bytes) => zip.write_all(bytes).context("write", output)?,
            EntryData::File(source) => copy_file(source, &mut zip, output)?,
        }
    }

    let mut buffered = zip.finish().map_err(&zip_error)?;
    buffered.flush().context("write", output)?;
    buffered.stream_position().context("write", output)
}

/// Streams `source` into the current entry, naming `source` when reading fails and `output`
/// when writing does (`io::copy` would not say which of the two broke).
fn copy_file(source: &Path, sink: &mut impl Write, output: &Path) -> Result<()> {
    let mut reader = File::open(source).context("open", source)?;
    let mut buffer = vec![0; COPY_BUFFER_SIZE];
    loop {
        let count = match reader.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(count) => count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(Error::io("read", source, error)),
        };
        sink.write_all(&buffer[..count]).context("write", output)?;
    }
}

fn options(compression: Compression) -> SimpleFileOptions {
    let base = SimpleFileOptions::DEFAULT
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644)
        .system(System::Unix);
    match compression {
        Compression::Stored => base.compression_method(CompressionMethod::Stored),
        Compression::Deflated => base
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(BEST_DEFLATE_LEVEL)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry> {
        vec![
            Entry::text("META-INF/container.xml", "<container/>".repeat(20)),
            Entry {
                path: "OEBPS/images/a.png".into(),
                data: EntryData::Bytes(vec![1, 2, 3]),
                compression: Compression::Stored,
            },
        ]
    }

    #[test]
    fn mimetype_comes_first_stored_without_extra_field() {
        let folder = tempfile::tempdir().unwrap();
        let output = folder.path().join("book.epub");
        write_epub_atomically(entries(), &output).unwrap();
        let bytes = std::fs::read(&output).unwrap();
        // Local file header: signature, then method at 8, name length at 26, extra length at
        // 28, name at 30; OCF readers rely on these fixed offsets.
        assert_eq!(&bytes[0..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "stored");
        assert_eq!(u16::from_le_bytes([bytes[26], bytes[27]]), 8);
        assert_eq!(
            u16::from_le_bytes([bytes[28], bytes[29]]),
            0,
            "no extra field"
        );
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], MIMETYPE);
    }

    #[test]
    fn entries_keep_their_order_compression_time_and_permissions() {
        let folder = tempfile::tempdir().unwrap();
        let output = folder.path().join("book.epub");
        let size = write_epub_atomically(entries(), &output).unwrap();
        assert_eq!(size, std::fs::metadata(&output).unwrap().len());
        let mut archive = zip::ZipArchive::new(File::open(&output).unwrap()).unwrap();
        let names: Vec<_> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
            .collect();
        assert_eq!(
            names,
            ["mimetype", "META-INF/container.xml", "OEBPS/images/a.png"]
        );
        let methods: Vec<_> = (0..3)
            .map(|i| {
                let file = archive.by_index(i).unwrap();
                (
                    file.compression(),
                    file.unix_mode(),
                    file.last_modified().map(|t| t.to_string()),
                )
            })
            .collect();
        let stamp = Some("1980-01-01 00:00:00".to_string());
        assert_eq!(
            methods,
            [
                (CompressionMethod::Stored, Some(0o100644), stamp.clone()),
                (CompressionMethod::Deflated, Some(0o100644), stamp.clone()),
                (CompressionMethod::Stored, Some(0o100644), stamp),
            ]
        );
    }

    #[test]
    fn a_missing_source_file_is_named_and_leaves_nothing_behind() {
        let folder = tempfile::tempdir().unwrap();
        let output = folder.path().join("book.epub");
        let missing = folder.path().join("missing.jpg");
        let error = write_epub_atomically(
            vec![Entry {
                path: "OEBPS/images/x.jpg".into(),
                data: EntryData::File(missing.clone()),
                compression: Compression::Stored,
            }],
            &output,
        )
        .unwrap_err();
        assert!(
            matches!(&error, Error::Io { action: "open", path, .. } if *path == missing),
            "{error:?}"
        );
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_output_that_is_a_folder_is_an_input_error_with_help() {
        let folder = tempfile::tempdir().unwrap();
        let Err(Error::Input(diagnostics)) = write_epub_atomically(entries(), folder.path()) else {
            panic!("expected an input error");
        };
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].to_string(),
            format!(
                "{}: error: the output path is a folder, not a file\n  help: give the path of the \
                 EPUB file to write, e.g. `--output <folder>/book.epub`",
                folder.path().display()
            )
        );
    }
}
