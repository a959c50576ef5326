//! Hostile cases for the process (issue 10, item 7): every way a build can fail — bad input,
//! an unwritable output, a warning denied, a signal, a full disk — leaves no partial EPUB, no
//! scratch folder in TMPDIR, and the previous EPUB as it was. The table covers the error
//! paths; the tests below it need a process to interrupt or a limit to set.

use std::fs;
use std::time::{Duration, Instant};

use crate::hostile::scene::{self, Case, Scene, command, leftovers, ok, plain};

fn broken_image(s: &Scene) {
    s.write(
        "book/images/photo.jpg",
        b"\xff\xd8\xff\xe0 not really a JPEG",
    )
}
fn broken_front_matter(s: &Scene) {
    s.edit_essay("title: Tides\n", "title: [Tides\n")
}
fn unused_image(s: &Scene) {
    s.write("book/images/unused.jpg", &scene::small_jpeg(8, 8))
}
fn missing_image(s: &Scene) {
    s.append("\n![Gone](images/gone.jpg)\n")
}
fn not_utf8(s: &Scene) {
    s.write("book/zz.md", b"caf\xe9\n")
}
fn second_broken_image(s: &Scene) {
    s.write("book/images/b.png", b"\x89PNG\r\n\x1a\n broken");
    s.append("\n![B](images/b.png)\n")
}

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("a broken image leaves nothing behind", broken_image, &["build", "{book}", "-o", "{out}/book.epub"], 1, "photo.jpg", ok),
    Case::new("a broken image leaves nothing behind without a cache", broken_image, &["build", "{book}", "-o", "{out}/book.epub", "--no-cache"], 1, "photo.jpg", ok),
    Case::new("broken front matter leaves nothing behind", broken_front_matter, &["build", "{book}", "-o", "{out}/book.epub"], 1, "essay.md", ok),
    Case::new("a denied warning leaves nothing behind", unused_image, &["build", "{book}", "-o", "{out}/book.epub", "--deny-warnings"], 1, "denied by --deny-warnings", ok),
    Case::new("a missing image leaves nothing behind", missing_image, &["build", "{book}", "-o", "{out}/book.epub"], 1, "image `images/gone.jpg` not found", ok),
    Case::new("a chapter that is not UTF-8 leaves nothing behind", not_utf8, &["build", "{book}", "-o", "{out}/book.epub"], 1, "is not UTF-8", ok),
    Case::new("two broken images after a good one leave nothing behind", second_broken_image, &["build", "{book}", "-o", "{out}/book.epub", "--no-cache"], 1, "b.png", ok),
    Case::new("an unwritable output folder leaves nothing behind", plain, &["build", "{book}", "-o", "/proc/book.epub"], 1, "cannot write the EPUB here", ok),
];

/// A book that takes a while: `images` noisy photos (slow to decode and encode) and a long
/// chapter (slow to deflate at the best level).
fn slow_book(scene: &Scene, images: u32, text_mib: usize) {
    let mut essay = String::from(scene::GOOD_ESSAY);
    for i in 0..images {
        let mut seed = 0x9e37_79b9_u32.wrapping_mul(i + 1);
        let pixels = image::RgbImage::from_fn(1800, 1200, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            image::Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8])
        });
        let mut bytes = std::io::Cursor::new(Vec::new());
        pixels
            .write_to(&mut bytes, image::ImageFormat::Jpeg)
            .expect("encode a JPEG");
        scene.write(&format!("book/images/noise{i}.jpg"), &bytes.into_inner());
        essay.push_str(&format!("\n![Noise {i}](images/noise{i}.jpg)\n"));
    }
    let words = [
        "harbour", "tide", "boat", "gull", "rope", "dawn", "salt", "net", "oar",
    ];
    let mut seed = 7u32;
    while essay.len() < text_mib << 20 {
        for _ in 0..12 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            essay.push_str(words[(seed >> 16) as usize % words.len()]);
            essay.push(' ');
        }
        essay.push_str("\n\n");
    }
    scene.write("book/essay.md", essay.as_bytes());
}

/// Starts a build of the scene's book, waits until `ready` sees the moment to interrupt, sends
/// `signal`, and returns the exit code (`None`: the build ended before the moment came).
#[cfg(unix)]
fn interrupt(scene: &Scene, signal: i32, ready: impl Fn(&Scene) -> bool) -> Option<i32> {
    let mut child = command(
        scene,
        &["build", "{book}", "-o", "{out}/book.epub", "--no-cache"],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("start bindery");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("poll the build").is_some() {
            return None;
        }
        if ready(scene) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the build never got there"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let pid = i32::try_from(child.id()).expect("a pid");
    // SAFETY: kill only sends a signal to the child started above.
    unsafe {
        libc::kill(pid, signal);
    }
    let output = child.wait_with_output().expect("wait for the build");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("build interrupted"), "{stderr}");
    output.status.code()
}

fn has_entry(scene: &Scene, folder: &str, pattern: impl Fn(&str) -> bool) -> bool {
    fs::read_dir(scene.path(folder))
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| pattern(&e.file_name().to_string_lossy()))
}

fn assert_clean(scene: &Scene) {
    assert_eq!(
        leftovers(scene),
        Vec::<String>::new(),
        "temporary files left"
    );
    assert_eq!(
        fs::read(scene.path("out/book.epub")).unwrap(),
        b"previous EPUB, must survive a failed run"
    );
    let in_tmp: Vec<_> = fs::read_dir(scene.path("tmp")).unwrap().flatten().collect();
    assert!(in_tmp.is_empty(), "TMPDIR holds {in_tmp:?}");
}

fn fresh_scene() -> Scene {
    let scene = Scene::new_for_test();
    scene::good(&scene);
    scene
}

/// While images are processed (the scratch folder exists in TMPDIR).
#[cfg(unix)]
fn during_images(signal: i32, code: i32) {
    let scene = fresh_scene();
    slow_book(&scene, 6, 0);
    let exit = interrupt(&scene, signal, |s| {
        has_entry(s, "tmp", |n| n.starts_with(".bindery-"))
    });
    assert_eq!(exit, Some(code), "exit status after signal {signal}");
    assert_clean(&scene);
}

#[cfg(unix)]
#[test]
fn sigint_while_images_are_processed_leaves_nothing() {
    during_images(libc::SIGINT, 130);
}

#[cfg(unix)]
#[test]
fn sigterm_while_images_are_processed_leaves_nothing() {
    during_images(libc::SIGTERM, 143);
}

/// While the EPUB is written (the `.part` file exists beside the output): a long chapter
/// makes that stage last long enough to be caught; tried a few times, as a fast machine may
/// finish first.
#[cfg(unix)]
#[test]
fn sigint_while_the_epub_is_written_leaves_no_part_file() {
    for text_mib in [4, 8, 12] {
        let scene = fresh_scene();
        slow_book(&scene, 0, text_mib);
        let exit = interrupt(&scene, libc::SIGINT, |s| {
            has_entry(s, "out", |n| n.ends_with(".part"))
        });
        match exit {
            Some(code) => {
                assert_eq!(code, 130);
                assert_clean(&scene);
                return;
            }
            None => continue,
        }
    }
    panic!("every build finished before its .part file was seen");
}

/// A write that fails half-way (here the file-size limit, as a full disk would) is one plain
/// error line naming the output, with no zip-crate text, and leaves nothing.
#[cfg(unix)]
#[test]
fn a_failing_write_is_one_clean_line_and_leaves_nothing() {
    use std::os::unix::process::CommandExt;
    let scene = fresh_scene();
    let first = command(
        &scene,
        &["build", "{book}", "-o", "{root}/size.epub", "--no-cache"],
    )
    .output()
    .expect("run bindery");
    assert!(first.status.success());
    let size = fs::metadata(scene.path("size.epub")).unwrap().len();
    let limit = size - 200;
    let mut build = command(
        &scene,
        &["build", "{book}", "-o", "{out}/book.epub", "--no-cache"],
    );
    // SAFETY: only async-signal-safe calls (signal, setrlimit) between fork and exec.
    unsafe {
        build.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = build.output().expect("run bindery");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line:\n{stderr}");
    assert!(
        lines[0].contains("cannot write") && lines[0].contains("book.epub"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("I/O error") && !stderr.contains("Io("),
        "{stderr}"
    );
    assert_clean(&scene);
}

/// Two builds sharing one cache at the same time both succeed and make the same book.
#[test]
fn concurrent_builds_sharing_a_cache_agree() {
    let scene = fresh_scene();
    slow_book(&scene, 3, 0);
    let start = |name: &str| {
        command(
            &scene,
            &["build", "{book}", "-o", &format!("{{root}}/{name}.epub")],
        )
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run bindery")
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| start("a"));
        let b = s.spawn(|| start("b"));
        (a.join().unwrap(), b.join().unwrap())
    });
    for output in [&a, &b] {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(
        fs::read(scene.path("a.epub")).unwrap(),
        fs::read(scene.path("b.epub")).unwrap()
    );
}
