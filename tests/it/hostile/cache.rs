//! Hostile cases for the image cache (issue 10, item 3): a record names only a hash, every
//! object is checked against its hash on the way out and SVG against the sanitiser, so a
//! damaged, cut short, garbled or edited cache is a miss — rebuilt, and reported with `-v` —
//! never shipped. Each setup builds once to fill the cache, then spoils it.

use std::fs;
use std::process::Output;

use crate::hostile::scene::{
    Case, Scene, cache_files, epub_lacks, images_match_their_names, ok, plain, prebuild, small_jpeg,
};

const SVG: &[u8] = br##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" viewBox="0 0 40 30"><rect width="40" height="30" fill="#369"/></svg>"##;

fn with_svg(s: &Scene) {
    s.write("book/images/drawing.svg", SVG);
    s.append("\n![A drawing](images/drawing.svg \"A drawing.\")\n");
}

/// The first object (or record) of the filled cache whose name ends with `ending`.
fn first(s: &Scene, kind: &str, ending: &str) -> std::path::PathBuf {
    cache_files(s, kind)
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(ending))
        .unwrap_or_else(|| panic!("no cached {kind} ending in {ending}"))
}

fn every_record(s: &Scene, text: &[u8]) {
    let records = cache_files(s, "entries");
    assert!(!records.is_empty(), "the first build cached nothing");
    for record in records {
        fs::write(record, text).unwrap();
    }
}

fn truncated_object(s: &Scene) {
    prebuild(s);
    let o = first(s, "objects", ".jpg");
    let b = fs::read(&o).unwrap();
    fs::write(&o, &b[..b.len() / 2]).unwrap()
}
fn garbled_object(s: &Scene) {
    prebuild(s);
    let o = first(s, "objects", ".jpg");
    let mut b = fs::read(&o).unwrap();
    let n = b.len();
    b[n / 2] ^= 0xff;
    fs::write(&o, b).unwrap()
}
fn emptied_object(s: &Scene) {
    prebuild(s);
    fs::write(first(s, "objects", ".jpg"), b"").unwrap()
}
fn swapped_object(s: &Scene) {
    prebuild(s);
    fs::write(first(s, "objects", ".jpg"), small_jpeg(8, 8)).unwrap()
}
fn object_to_dev_zero(s: &Scene) {
    prebuild(s);
    let o = first(s, "objects", ".jpg");
    fs::remove_file(&o).unwrap();
    std::os::unix::fs::symlink("/dev/zero", o).unwrap()
}
fn object_removed(s: &Scene) {
    prebuild(s);
    fs::remove_file(first(s, "objects", ".jpg")).unwrap()
}
fn record_names_secret(s: &Scene) {
    prebuild(s);
    every_record(
        s,
        format!("{}\n40\n30\n", s.path("outside/secret.txt").display()).as_bytes(),
    )
}
fn record_names_parent(s: &Scene) {
    prebuild(s);
    every_record(s, b"../../../outside/secret.txt\n40\n30\n")
}
fn record_v1_style(s: &Scene) {
    prebuild(s);
    let o = first(s, "objects", ".jpg");
    let name = o.file_name().unwrap().to_string_lossy().into_owned();
    every_record(s, format!("{name}\n40\n30\n").as_bytes())
}
fn record_hash_with_path_format(s: &Scene) {
    prebuild(s);
    every_record(
        s,
        format!("{}\n../../../outside/secret.txt\n40\n30\n", "0".repeat(64)).as_bytes(),
    )
}
fn record_garbage(s: &Scene) {
    prebuild(s);
    every_record(s, b"\xff\xfe\x00garbage")
}
fn record_huge(s: &Scene) {
    prebuild(s);
    every_record(s, &vec![b'a'; 4096])
}
fn record_to_passwd(s: &Scene) {
    prebuild(s);
    for r in cache_files(s, "entries") {
        fs::remove_file(&r).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", r).unwrap();
    }
}
fn record_folder(s: &Scene) {
    prebuild(s);
    for r in cache_files(s, "entries") {
        fs::remove_file(&r).unwrap();
        fs::create_dir(r).unwrap();
    }
}

/// The cached SVG edited to carry a script, its record rewritten to the edited bytes' hash:
/// the hash checks out, the sanitiser does not.
fn svg_edited_record_too(s: &Scene) {
    with_svg(s);
    prebuild(s);
    let object = first(s, "objects", ".svg");
    let text = fs::read_to_string(&object).unwrap();
    let evil = text.replacen("</svg>", "<script>alert('SVG-SCRIPT')</script></svg>", 1);
    assert_ne!(evil, text, "the cached SVG has no end tag to edit");
    let hash = blake3::hash(evil.as_bytes()).to_hex().to_string();
    let evil_object = object.with_file_name(format!("{hash}.svg"));
    fs::write(&evil_object, &evil).unwrap();
    for record in cache_files(s, "entries") {
        let old = fs::read_to_string(&record).unwrap();
        let old_hash = object.file_stem().unwrap().to_string_lossy().into_owned();
        if old.starts_with(&old_hash) {
            fs::write(&record, old.replacen(&old_hash, &hash, 1)).unwrap();
        }
    }
}

/// Edited in place, the record left alone: the hash no longer matches.
fn svg_edited_in_place(s: &Scene) {
    with_svg(s);
    prebuild(s);
    let object = first(s, "objects", ".svg");
    let text = fs::read_to_string(&object).unwrap();
    fs::write(
        &object,
        text.replacen("</svg>", "<script>alert('SVG-SCRIPT')</script></svg>", 1),
    )
    .unwrap();
}

fn svg_cached(s: &Scene) {
    with_svg(s);
    prebuild(s)
}
fn cached(s: &Scene) {
    prebuild(s)
}
fn cache_is_a_file(s: &Scene) {
    fs::remove_dir(s.path("cache")).unwrap();
    s.write("cache", b"not a folder")
}

fn no_secret(s: &Scene, o: &Output) {
    epub_lacks(s, b"SECRET-OUTSIDE-THE-BOOK");
    images_match_their_names(s, o)
}
fn no_script(s: &Scene, o: &Output) {
    epub_lacks(s, b"SVG-SCRIPT");
    epub_lacks(s, b"<script");
    images_match_their_names(s, o)
}

/// A clean entry is reused: `-v` reports nothing rebuilt.
fn reused(_: &Scene, output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("was not used"),
        "a clean entry was rebuilt:\n{stderr}"
    );
}

/// `--no-cache` wrote nothing into the cache the environment names.
fn cache_untouched(s: &Scene, _: &Output) {
    assert!(
        cache_files(s, "objects").is_empty(),
        "the cache was written despite --no-cache"
    );
}

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("a truncated cached object is rebuilt", truncated_object, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "does not match its hash", images_match_their_names),
    Case::new("a garbled cached object is rebuilt", garbled_object, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "does not match its hash", images_match_their_names),
    Case::new("an emptied cached object is rebuilt", emptied_object, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "does not match its hash", images_match_their_names),
    Case::new("a cached object swapped for another JPEG is rebuilt", swapped_object, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "does not match its hash", images_match_their_names),
    Case::new("a cached object symlinked to /dev/zero is not read", object_to_dev_zero, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "was not used", images_match_their_names),
    Case::new("a removed cached object is rebuilt", object_removed, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "is missing", images_match_their_names),
    Case::new("a record naming a file outside is ignored", record_names_secret, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "its record is malformed", no_secret),
    Case::new("a record naming ../ is ignored", record_names_parent, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "its record is malformed", no_secret),
    Case::new("a record naming an object by file name is ignored", record_v1_style, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "its record is malformed", no_secret),
    Case::new("a record with a path for a format is ignored", record_hash_with_path_format, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "its record is malformed", no_secret),
    Case::new("a garbage record is ignored", record_garbage, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "its record is malformed", images_match_their_names),
    Case::new("an oversized record is ignored", record_huge, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "its record is too large", images_match_their_names),
    Case::new("a record symlinked to /etc/passwd is ignored", record_to_passwd, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "its record is not a regular file", images_match_their_names),
    Case::new("a record that is a folder cannot be rewritten", record_folder, &["build", "{book}", "-o", "{out}/book.epub", "-v"], 1, "cannot write the processed image", ok),
    Case::new("a cached SVG edited with its record is refused", svg_edited_record_too, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "is not what the sanitiser makes of it", no_script),
    Case::new("a cached SVG edited in place is refused", svg_edited_in_place, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "does not match its hash", no_script),
    Case::new("a clean cached SVG is reused", svg_cached, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "", reused),
    Case::new("a clean cache is reused", cached, &["build", "{book}", "-o", "{out}/new.epub", "-v"], 0, "", reused),
    Case::new("--no-cache wins over BINDERY_CACHE_DIR", plain, &["build", "{book}", "-o", "{out}/new.epub", "--no-cache"], 0, "", cache_untouched),
    Case::new("--no-cache wins over --cache-dir", plain, &["build", "{book}", "-o", "{out}/new.epub", "--no-cache", "--cache-dir", "{cache}"], 0, "", cache_untouched),
    Case::new("a cache folder that is a file is an error naming it", cache_is_a_file, &["build", "{book}", "-o", "{out}/book.epub"], 1, "check the cache folder (--cache-dir), or build with --no-cache", ok),
];
