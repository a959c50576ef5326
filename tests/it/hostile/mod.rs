//! The hostile-input suite (issue 10): one table of one-line cases per area, each run against
//! the real binary in a fresh scene. Every case states the exit code and a fragment of the
//! message it expects; the runner then checks what every case must keep, whatever it is:
//!
//! - exit 1 or 2: every input file (and every file outside the book the case planted) is
//!   byte-for-byte as it was, the previous EPUB is unchanged, and no `.bindery-*` temporary
//!   file or scratch folder is left in the output folder or in TMPDIR;
//! - exit 0: the EPUB passes epubcheck (skipped, and counted, where epubcheck is missing).
//!
//! A new case is one line in the table of its area (`paths.rs`, `frontmatter.rs`, …): a name,
//! a setup function that plants files in the scene, the arguments (`{book}`, `{out}`,
//! `{outside}`, `{cache}` are replaced by the scene's folders), the exit code, a message
//! fragment and a check on the outcome (`ok` when the common checks are enough).

mod images;
mod scene;

mod cache;
mod figures;
mod formats;
mod frontmatter;
mod markdown;
mod outputs;
mod paths;
mod process;
mod scripts_math;
mod stylesheets;
mod svg;

use scene::{Case, run_table};

#[test]
fn images_cases() {
    run_table("images", images::CASES)
}

#[test]
fn example_cases() {
    run_table("example", EXAMPLE);
}

#[test]
fn cache_cases() {
    run_table("cache", cache::CASES);
}

#[test]
fn figures_cases() {
    run_table("figures", figures::CASES);
}

#[test]
fn formats_cases() {
    run_table("formats", formats::CASES);
}

#[test]
fn frontmatter_cases() {
    run_table("frontmatter", frontmatter::CASES);
}

#[test]
fn markdown_cases() {
    run_table("markdown", markdown::CASES);
}

#[test]
fn outputs_cases() {
    run_table("outputs", outputs::CASES);
}

#[test]
fn paths_cases() {
    run_table("paths", paths::CASES);
}

#[test]
fn process_cases() {
    run_table("process", process::CASES);
}

#[test]
fn stylesheets_cases() {
    run_table("stylesheets", stylesheets::CASES);
}

#[test]
fn svg_cases() {
    run_table("svg", svg::CASES);
}

#[test]
fn scripts_math_cases() {
    run_table("scripts_math", scripts_math::CASES);
}

#[rustfmt::skip]
/// The harness's own cases: a good book builds, a missing book is refused.
const EXAMPLE: &[Case] = &[
    Case::new("a good book builds", scene::good, &["build", "{book}", "-o", "{out}/book.epub"], 0, "", scene::ok),
    Case::new("a missing input is refused", scene::good, &["build", "{book}/nope.md", "-o", "{out}/book.epub"], 1, "nope.md", scene::ok),
];
