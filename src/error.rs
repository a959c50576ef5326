//! The ways a build can fail.
//!
//! Problems in the user's input are [`Error::Input`]: a list of located diagnostics (warnings
//! found on the way are kept in it, so they are printed too). Everything else names the file it
//! was working on, so the user never sees a bare "No such file or directory".

use std::io;
use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The manuscript has problems the user must fix. Holds errors and warnings in the order
    /// they were found.
    #[error("{} error(s) in the input", .0.iter().filter(|d| d.is_error()).count())]
    Input(Vec<Diagnostic>),

    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The EPUB was written, but a validator run by `--validate` found errors in it. Holds
    /// every finding, warnings too, in the order found.
    #[error("{} error(s) from the validators", .findings.iter().filter(|d| d.is_error()).count())]
    Validation {
        output: PathBuf,
        findings: Vec<Diagnostic>,
    },

    /// The generated cover could not be drawn (a fault in bindery, not in the input).
    #[error("cannot generate the cover: {0}")]
    Cover(#[from] crate::images::generated_cover::CoverError),
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Extension for `io::Result` that attaches the action and path to the error.
pub trait IoContext<T> {
    fn context(self, action: &'static str, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn context(self, action: &'static str, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|source| Error::io(action, path, source))
    }
}
