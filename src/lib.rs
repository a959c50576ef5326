//! bindery turns a Markdown essay with YAML front matter and its captioned images into a
//! small, valid, reproducible EPUB 3.
//!
//! Data flows one way, and the modules below are listed in that order:
//!
//! ```text
//! Config ─► source (read files) ─► frontmatter + markdown (pure) ─► xhtml (sanitise)
//!        ─► documents (split, links, figures) ─► images (decode, resize, encode, cache)
//!        ─► epub (XHTML, OPF, nav, NCX) ─► package (zip) ─► output
//! ```
//!
//! [`pipeline`] holds the stage order; [`build`] and [`check`] are the entry points, and
//! [`compile`] is the build in memory (manuscript in, EPUB entries and warnings out), which
//! the fuzz target and the tests call. The
//! command line (arguments, terminal output, watch, serve, the JSON report) is the binary's
//! business and lives beside `main.rs`, not here.

// Whatever the input, bindery reports a located problem and exits; it never panics. Tests
// (cfg(test)) may unwrap: there a panic is a failed test.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The run: what it is asked, in what order it goes, what it says.
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod outcome;
pub mod pipeline;
pub mod progress;
pub mod target;

// The stages, in pipeline order.
pub mod css;
pub mod documents;
pub mod epub;
pub mod frontmatter;
pub mod images;
pub mod markdown;
pub mod output;
pub mod package;
pub mod source;
pub mod xhtml;

// Shared by several stages.
pub mod interrupt;
pub mod model;
pub mod script;

// After the build: the reference validators run on the finished EPUB.
pub mod validate;

pub use outcome::{CheckReport, ImageSize, Report};
pub use pipeline::{Compiled, build, build_with_progress, check, compile};
