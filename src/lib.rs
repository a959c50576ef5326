//! bindery turns a Markdown essay with YAML front matter and its captioned images into a
//! small, valid, reproducible EPUB 3.
//!
//! Data flows one way:
//!
//! ```text
//! Config ─► source (read files) ─► frontmatter + markdown (pure) ─► links resolved
//!        ─► images (decode, resize, encode, cache) ─► epub (XHTML, OPF, nav, NCX) ─► package (zip)
//! ```

pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod dom;
pub mod epub;
pub mod error;
pub mod frontmatter;
pub mod images;
pub mod markdown;
pub mod model;
pub mod package;
pub mod source;
pub mod xhtml;
