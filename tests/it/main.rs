//! bindery's integration tests: one test binary (one link after a change in the library,
//! not one per file), a module per feature. Where a new test goes, how goldens are blessed
//! and which external tools run: `tests/README.md`.

mod support;

mod build;
mod cache_admin;
mod corpus_real_world;
mod epub_writer;
mod errors;
mod golden;
mod guide;
mod hostile;
mod images;
mod in_memory;
mod memory;
mod photo_colour;
mod photo_essay;
mod photos;
mod quality_target;
mod readers;
mod release_workflow;
mod rendering;
mod scripts_math;
mod serve;
mod targets;
mod tooling;
mod validate;
