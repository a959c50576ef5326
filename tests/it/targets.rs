//! `--target`: the sample book built for every device at once, each file named for its
//! target, each with its own image box, colour, format and size rule, each valid.

use crate::support;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn sample_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book")
}

/// One image cache for these tests: the same photos at the same settings are processed once.
fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("targets-image-cache")
}

/// The longest side and the colour type of every JPEG/PNG figure in the EPUB.
fn images(epub: &Path) -> Vec<(String, u32, bool)> {
    // The cover (the `cover-image` item of the OPF) has its own box.
    let opf = support::epub_entry_text(epub, "OEBPS/content.opf");
    let cover = opf
        .split("<item ")
        .skip(1)
        .find(|item| item.contains("cover-image"))
        .and_then(|item| item.split("href=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
        .to_string();
    support::epub_entries(epub)
        .into_iter()
        .filter(|(name, _)| {
            name.contains("/images/") && (cover.is_empty() || !name.ends_with(&cover))
        })
        .filter_map(|(name, bytes)| {
            let image = image::load_from_memory(&bytes).ok()?;
            let grey = matches!(
                image.color(),
                image::ColorType::L8 | image::ColorType::L16 | image::ColorType::La8
            );
            Some((name, image.width().max(image.height()), grey))
        })
        .collect()
}

#[test]
fn every_target_builds_the_sample_book_with_its_own_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let output = support::bindery(dir.path())
        .arg("build")
        .arg(sample_book())
        .args(["-o", "out/essay.epub", "--report", "json"])
        .arg("--cache-dir")
        .arg(shared_cache())
        .args(["--target", "generic,kindle,kobo,apple,eink"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let reports: Value = serde_json::from_slice(&output.stdout).unwrap();
    let reports = reports.as_array().expect("one JSON document per target");
    let targets: Vec<&str> = reports
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["generic", "kindle", "kobo", "apple", "eink"]);
    let outputs: Vec<&str> = reports
        .iter()
        .map(|r| r["output"].as_str().unwrap())
        .collect();
    assert_eq!(
        outputs,
        [
            "out/essay.generic.epub",
            "out/essay.kindle.epub",
            "out/essay.kobo.kepub.epub",
            "out/essay.apple.epub",
            "out/essay.eink.epub",
        ]
    );
    for line in [
        "for generic",
        "for kindle",
        "for kobo",
        "for apple",
        "for eink",
    ] {
        assert!(
            stderr.contains(line),
            "each build says its target: {stderr}"
        );
    }

    let epub = |name: &str| dir.path().join("out").join(name);
    let longest = |name: &str| {
        images(&epub(name))
            .iter()
            .map(|(_, side, _)| *side)
            .max()
            .unwrap()
    };
    // The sample book's photos are 12 MP, so every box is filled.
    assert_eq!(longest("essay.generic.epub"), 1600);
    assert_eq!(longest("essay.kindle.epub"), 1600);
    assert_eq!(longest("essay.kobo.kepub.epub"), 1680);
    assert_eq!(longest("essay.apple.epub"), 2360);
    assert_eq!(longest("essay.eink.epub"), 1448);
    assert!(
        images(&epub("essay.eink.epub"))
            .iter()
            .all(|(_, _, grey)| *grey),
        "e-ink images are grey"
    );
    assert!(
        images(&epub("essay.generic.epub"))
            .iter()
            .any(|(_, _, grey)| !grey),
        "the generic book keeps colour"
    );
    let kobo_chapter = support::epub_entries(&epub("essay.kobo.kepub.epub"))
        .into_iter()
        .find(|(name, _)| name.ends_with(".xhtml") && name.contains("chapter-"))
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .unwrap();
    assert!(kobo_chapter.contains("koboSpan"), "Kobo's book is a kepub");

    for name in [
        "essay.generic.epub",
        "essay.kindle.epub",
        "essay.kobo.kepub.epub",
        "essay.apple.epub",
        "essay.eink.epub",
    ] {
        if let Some(report) = support::epubcheck(&epub(name)) {
            assert!(
                report.errors().is_empty() && report.warnings().is_empty(),
                "{name}: {report}"
            );
        }
    }
}

#[test]
fn send_to_kindles_limit_is_an_error_for_the_kindle_target_and_a_warning_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let run = |extra: &[&str]| {
        support::bindery(dir.path())
            .arg("build")
            .arg(sample_book())
            .args(["-o", "out/essay.epub", "--max-size", "1"])
            .arg("--cache-dir")
            .arg(shared_cache())
            .args(extra)
            .output()
            .unwrap()
    };
    let generic = run(&[]);
    let stderr = String::from_utf8_lossy(&generic.stderr);
    assert_eq!(generic.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("over the size budget of 1 MB"), "{stderr}");

    let previous = std::fs::read(dir.path().join("out/essay.epub")).unwrap();
    let kindle = run(&["--target", "kindle"]);
    let stderr = String::from_utf8_lossy(&kindle.stderr);
    assert_eq!(kindle.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("over the 1 MB that --target kindle allows"),
        "{stderr}"
    );
    assert!(
        std::fs::read(dir.path().join("out/essay.epub")).unwrap() == previous,
        "the refused book replaced nothing: the previous EPUB is as it was"
    );
}

/// The guide's claim about `--grayscale` (Recipes, Kobo): on the sample book every image comes
/// out smaller, by 5–12 %, and the figures 8 % smaller in all — a grey JPEG drops its colour
/// planes, but 4:2:0 JPEG kept colour cheaply.
#[test]
fn grayscale_saves_what_the_guide_says_on_the_sample_book() {
    let dir = tempfile::tempdir().unwrap();
    let figure_bytes = |name: &str, extra: &[&str]| -> Vec<(String, u64)> {
        let output = support::bindery(dir.path())
            .arg("build")
            .arg(sample_book())
            .args(["-o", name, "-q", "--report", "json"])
            .arg("--cache-dir")
            .arg(shared_cache())
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut sizes: Vec<(String, u64)> = report["images"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|image| {
                Some((
                    image["source"].as_str()?.to_string(),
                    image["out"].as_u64()?,
                ))
            })
            .collect();
        sizes.sort();
        sizes
    };
    let colour = figure_bytes("colour.epub", &[]);
    let grey = figure_bytes("grey.epub", &["--grayscale"]);
    assert_eq!(colour.len(), 14);
    for ((name, colour), (_, grey)) in colour.iter().zip(&grey) {
        let saved = 100.0 * (*colour as f64 - *grey as f64) / *colour as f64;
        assert!(
            (5.0..=12.0).contains(&saved),
            "{name}: {saved:.1} % smaller"
        );
    }
    let total = |sizes: &[(String, u64)]| sizes.iter().map(|(_, bytes)| bytes).sum::<u64>() as f64;
    let saved = 100.0 * (total(&colour) - total(&grey)) / total(&colour);
    assert!((7.0..=9.0).contains(&saved), "{saved:.1} % smaller in all");
}
