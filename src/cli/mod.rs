//! The command line: everything only the `bindery` binary needs — parsing arguments into a
//! [`bindery::config::Config`], printing for people (styled diagnostics with source
//! snippets, the progress bar) and for machines (`--report json`), and the long-running
//! commands `watch` and `serve`. Nothing here is reachable from the library.

pub(crate) mod args;
pub(crate) mod init;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod snippets;
pub(crate) mod terminal;
pub(crate) mod watch;
