//! `bindery cache stats | prune | clear` (issue 15), run as a user runs them: on the cache a
//! real build filled, found through BINDERY_CACHE_DIR, --cache-dir or the XDG default, and
//! pruned while builds are running.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

/// A book of eight small figures and a cover of its own (a generated cover would cost more
/// than the figures in a debug build), so a build has several objects to lose mid-way.
fn book(dir: &Path) -> PathBuf {
    let book = dir.join("book");
    fs::create_dir_all(book.join("images")).unwrap();
    let mut text = String::from("---\ntitle: Cached\nauthor: A. Author\nlanguage: en\n");
    text.push_str("cover: images/cover.png\n---\n\n# Pictures\n\n");
    let cover = image::RgbImage::from_fn(60, 90, |x, y| image::Rgb([x as u8 * 4, y as u8, 90]));
    cover.save(book.join("images/cover.png")).unwrap();
    for n in 0..8u8 {
        let picture = image::RgbImage::from_fn(48, 32, |x, y| {
            image::Rgb([x as u8 * 5, y as u8 * 7, n.wrapping_mul(30)])
        });
        picture
            .save(book.join(format!("images/figure-{n}.png")))
            .unwrap();
        text.push_str(&format!(
            "![Figure {n}](images/figure-{n}.png \"Figure {n}.\")\n\n"
        ));
    }
    fs::write(book.join("essay.md"), text).unwrap();
    book
}

fn run(dir: &Path, args: &[&str], cache: &Path) -> Output {
    support::bindery(dir)
        .args(args)
        .env("BINDERY_CACHE_DIR", cache)
        .output()
        .unwrap()
}

fn ok(output: Output) -> (String, String) {
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    (stdout, stderr)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn objects(cache: &Path) -> Vec<PathBuf> {
    files(&cache.join("images-v2/objects"))
}

fn records(cache: &Path) -> Vec<PathBuf> {
    files(&cache.join("images-v2/entries"))
}

fn set_used(path: &Path, seconds_after_epoch: u64) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds_after_epoch))
        .unwrap();
}

#[test]
fn stats_prune_and_clear_keep_records_and_objects_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let book = book(dir.path());
    let cache = dir.path().join("cache");

    // Nothing cached yet: where the cache would be, and that it is empty.
    let (stdout, _) = ok(run(dir.path(), &["cache", "stats"], &cache));
    assert_eq!(
        stdout,
        format!("cache: {}\nobjects: 0 (0 B)\nrecords: 0\n", cache.display())
    );

    let book_arg = book.to_str().unwrap();
    ok(run(
        dir.path(),
        &["build", book_arg, "-o", "first.epub"],
        &cache,
    ));
    let first = fs::read(dir.path().join("first.epub")).unwrap();
    let stored = objects(&cache);
    assert_eq!(stored.len(), 9, "eight figures and the cover: {stored:?}");
    assert_eq!(records(&cache).len(), 9);
    let bytes: u64 = stored.iter().map(|p| fs::metadata(p).unwrap().len()).sum();

    // Three objects used long ago, the rest at known later times.
    for (n, object) in stored.iter().enumerate() {
        set_used(object, 1_600_000_000 + n as u64 * 86_400);
    }
    let (stdout, _) = ok(run(dir.path(), &["cache", "stats"], &cache));
    let human = if bytes >= 1000 {
        format!("{:.0} kB", bytes as f64 / 1e3)
    } else {
        format!("{bytes} B")
    };
    assert_eq!(
        stdout,
        format!(
            "cache: {}\nobjects: 9 ({human})\nrecords: 9\noldest use: 2020-09-13 12:26 UTC\n\
             newest use: 2020-09-21 12:26 UTC\n",
            cache.display()
        )
    );

    // Keep just under all of it: the least recently used go first, with their records.
    let oldest_len = fs::metadata(&stored[0]).unwrap().len();
    let limit = bytes - oldest_len;
    let (_, stderr) = ok(run(
        dir.path(),
        &["cache", "prune", "--max-size", &format!("{limit}B")],
        &cache,
    ));
    assert!(
        stderr.starts_with("pruned 1 least recently used image(s)"),
        "{stderr}"
    );
    assert_eq!(objects(&cache), stored[1..].to_vec());
    assert_eq!(
        records(&cache).len(),
        8,
        "the pruned object's record went with it"
    );
    for record in records(&cache) {
        let hash = fs::read_to_string(&record).unwrap();
        let hash = hash.lines().next().unwrap();
        assert!(
            objects(&cache).iter().any(|o| o
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(hash)),
            "{} names a pruned object",
            record.display()
        );
    }

    // A build after the prune is a plain miss for the pruned image (no damage reported),
    // processes it again, and writes the same book.
    let (_, stderr) = ok(run(
        dir.path(),
        &["build", book_arg, "-o", "second.epub", "-v"],
        &cache,
    ));
    assert!(
        !stderr.contains("not used"),
        "a pruned entry is a miss, not damage:\n{stderr}"
    );
    assert_eq!(fs::read(dir.path().join("second.epub")).unwrap(), first);
    assert_eq!(objects(&cache).len(), 9);

    // The build used every object just now: the hits were marked, so the newest use moved.
    let (stdout, _) = ok(run(dir.path(), &["cache", "stats"], &cache));
    assert!(!stdout.contains("newest use: 2020-"), "{stdout}");

    // --cache-dir names the folder as well as the environment does; clear empties it.
    let (_, stderr) = ok(support::bindery(dir.path())
        .args(["cache", "clear", "--cache-dir"])
        .arg(&cache)
        .output()
        .unwrap());
    assert!(stderr.starts_with("cleared "), "{stderr}");
    assert_eq!(objects(&cache), Vec::<PathBuf>::new());
    assert_eq!(records(&cache), Vec::<PathBuf>::new());
}

#[test]
fn the_default_cache_is_the_one_builds_use() {
    let dir = tempfile::tempdir().unwrap();
    let book = book(dir.path());
    let xdg = dir.path().join("xdg");
    let built = support::bindery(dir.path())
        .args(["build", book.to_str().unwrap(), "-q"])
        .env("XDG_CACHE_HOME", &xdg)
        .output()
        .unwrap();
    ok(built);
    let (stdout, _) = ok(support::bindery(dir.path())
        .args(["cache", "stats"])
        .env("XDG_CACHE_HOME", &xdg)
        .output()
        .unwrap());
    assert!(
        stdout.starts_with(&format!(
            "cache: {}\nobjects: 9 (",
            xdg.join("bindery").display()
        )),
        "{stdout}"
    );
}

#[test]
fn sizes_in_binary_units_and_a_cache_that_is_a_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let refused = run(
        dir.path(),
        &["cache", "prune", "--max-size", "5MiB"],
        &cache,
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("decimal units"));

    fs::write(&cache, "not a folder").unwrap();
    let refused = run(dir.path(), &["cache", "prune", "--max-size", "1MB"], &cache);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        format!(
            "error: cannot use the cache folder {}: it is not a folder\n",
            cache.display()
        )
    );
    assert_eq!(fs::read_to_string(&cache).unwrap(), "not a folder");
}

/// `cache prune` while builds run: each build may lose objects it has looked up (or just
/// stored) before it writes its EPUB; it must still succeed and write the same book.
#[test]
fn a_prune_during_builds_harms_no_build() {
    let dir = tempfile::tempdir().unwrap();
    let book = book(dir.path());
    let cache = dir.path().join("cache");
    let book_arg = book.to_str().unwrap().to_string();
    ok(run(
        dir.path(),
        &["build", &book_arg, "-o", "reference.epub"],
        &cache,
    ));
    let reference = fs::read(dir.path().join("reference.epub")).unwrap();

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pruner = {
        let (dir, cache, done) = (dir.path().to_path_buf(), cache.clone(), done.clone());
        std::thread::spawn(move || {
            let mut prunes = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                ok(run(&dir, &["cache", "prune", "--max-size", "0"], &cache));
                prunes += 1;
            }
            prunes
        })
    };
    for n in 0..6 {
        let name = format!("during-{n}.epub");
        let (_, stderr) = ok(run(
            dir.path(),
            &["build", &book_arg, "-o", &name, "-v"],
            &cache,
        ));
        assert_eq!(
            fs::read(dir.path().join(&name)).unwrap(),
            reference,
            "build {n} wrote another book:\n{stderr}"
        );
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let prunes = pruner.join().unwrap();
    assert!(
        prunes >= 2,
        "the prunes ran alongside the builds ({prunes})"
    );
}

/// `bindery cache stats | head -1`: a reader that stops early is not a crash.
#[test]
fn stats_to_a_closed_pipe_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = support::bindery(dir.path())
        .args(["cache", "stats", "--cache-dir"])
        .arg(dir.path().join("cache"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
