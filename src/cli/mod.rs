//! The command line: everything only the `bindery` binary needs — parsing arguments into a
//! [`bindery::config::Config`], printing for people (styled diagnostics with source
//! snippets, the progress bar) and for machines (`--report json`), and the long-running
//! commands `watch` and `serve`. Nothing here is reachable from the library.

pub mod args;
pub mod init;
pub mod progress;
pub mod report;
pub mod serve;
pub mod snippets;
pub mod terminal;
pub mod watch;
