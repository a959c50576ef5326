//! What a run tells a machine: the JSON document `--report json` prints.
//!
//! CI reads one JSON document from stdout while people read stderr, so the two never mix.
//! The document has the same shape for a finished build, a failed one and (for `bindery
//! check`) a run that writes nothing: fields that do not apply are `null`, never missing, so a
//! script can read `.errors` or `.output` without first asking which kind of run it was.
//! Bump [`SCHEMA_VERSION`] when a field changes meaning or goes away; adding one does not.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use bindery::diagnostics::{Diagnostic, Severity};
use bindery::error::Error;
use bindery::{CheckReport, Report};

/// The version of the JSON document's shape.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// The JSON document of one run. Build it with [`JsonReport::built`] or
/// [`JsonReport::failed`], then print it with [`JsonReport::to_json`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonReport {
    pub schema: u32,
    /// The subcommand: `build`, `check`, …
    pub command: &'static str,
    /// `true` when the run did what was asked (for `build`: the EPUB was written).
    pub success: bool,
    /// The device target the book was built for (`generic` without `--target`).
    pub target: &'static str,
    /// The EPUB written, or `null` when none was.
    pub output: Option<String>,
    /// Size of the EPUB in bytes.
    pub epub_bytes: Option<u64>,
    pub counts: Option<Counts>,
    /// Bytes of the source images read, and of the images put in the EPUB.
    pub image_bytes: Option<ByteCounts>,
    /// Each source image and the file it became, in the order of the book.
    pub images: Option<Vec<JsonImage>>,
    pub warnings: Vec<JsonDiagnostic>,
    pub errors: Vec<JsonDiagnostic>,
    pub timings: JsonTimings,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Counts {
    pub chapters: usize,
    pub figures: usize,
    /// Image files in the EPUB, the cover's included.
    pub images: usize,
    /// Whether one of them is the cover.
    pub cover: bool,
}

/// One source image and the file it became.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonImage {
    pub source: String,
    /// Its name in the EPUB's `images/` folder.
    pub output: String,
    #[serde(rename = "in")]
    pub bytes_in: u64,
    #[serde(rename = "out")]
    pub bytes_out: u64,
    /// Taken from the image cache rather than processed in this run.
    pub cached: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ByteCounts {
    #[serde(rename = "in")]
    pub bytes_in: u64,
    #[serde(rename = "out")]
    pub bytes_out: u64,
}

/// A diagnostic, with its place split into fields.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonDiagnostic {
    pub severity: &'static str,
    pub message: String,
    /// The file it is about: its location's file, else the file it names.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonTimings {
    pub total_ms: f64,
    /// Each stage that finished, in order.
    pub stages: Vec<JsonStage>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonStage {
    pub stage: &'static str,
    pub ms: f64,
}

impl JsonReport {
    /// A finished build.
    pub(crate) fn built(command: &'static str, report: &Report) -> Self {
        let (warnings, errors) = split_by_severity(&report.warnings);
        JsonReport {
            schema: SCHEMA_VERSION,
            command,
            success: true,
            target: "generic",
            output: Some(path_text(&report.output)),
            epub_bytes: Some(report.epub_bytes),
            counts: Some(Counts {
                chapters: report.chapters,
                figures: report.figures,
                images: report.images,
                cover: report.has_cover,
            }),
            image_bytes: Some(ByteCounts {
                bytes_in: report.image_bytes_in,
                bytes_out: report.image_bytes_out,
            }),
            images: Some(
                report
                    .image_sizes
                    .iter()
                    .map(|image| JsonImage {
                        source: path_text(&image.source_shown()),
                        output: image.output.clone(),
                        bytes_in: image.bytes_in,
                        bytes_out: image.bytes_out,
                        cached: image.cache_hit,
                    })
                    .collect(),
            ),
            warnings,
            errors,
            timings: JsonTimings {
                total_ms: millis(report.elapsed),
                stages: report
                    .stages
                    .iter()
                    .map(|s| JsonStage {
                        stage: s.stage,
                        ms: millis(s.elapsed),
                    })
                    .collect(),
            },
        }
    }

    /// A `check` that passed: no EPUB, so no output, sizes or counts; its warnings.
    pub(crate) fn checked(report: &CheckReport) -> Self {
        JsonReport::without_book("check", true, &report.warnings, report.elapsed)
    }

    /// A run that failed with `error` after `elapsed`. An error that is not about the input
    /// (an unwritable output, say) becomes one error without a place.
    pub(crate) fn failed(command: &'static str, error: &Error, elapsed: Duration) -> Self {
        let diagnostics = match error {
            Error::Input(diagnostics) => diagnostics.clone(),
            Error::Validation { findings, .. } => findings.clone(),
            other => vec![Diagnostic::error(other.to_string())],
        };
        JsonReport::without_book(command, false, &diagnostics, elapsed)
    }

    /// A report with no EPUB behind it (a check, a failed run): only its diagnostics and time.
    fn without_book(
        command: &'static str,
        success: bool,
        diagnostics: &[Diagnostic],
        elapsed: Duration,
    ) -> Self {
        let (warnings, errors) = split_by_severity(diagnostics);
        JsonReport {
            schema: SCHEMA_VERSION,
            command,
            success,
            target: "generic",
            output: None,
            epub_bytes: None,
            counts: None,
            image_bytes: None,
            images: None,
            warnings,
            errors,
            timings: JsonTimings {
                total_ms: millis(elapsed),
                stages: Vec::new(),
            },
        }
    }

    /// Several documents (one per `--target`) as one JSON array, pretty-printed.
    pub(crate) fn many_to_json(reports: &[JsonReport]) -> String {
        serde_json::to_string_pretty(reports).unwrap_or_else(|error| {
            serde_json::json!({ "schema": SCHEMA_VERSION, "error": error.to_string() }).to_string()
        })
    }

    /// The document, pretty-printed (CI logs are read by people too).
    pub(crate) fn to_json(&self) -> String {
        // Serializing plain structs of strings and numbers cannot fail; should it ever, a
        // JSON error object is still valid JSON for the reader.
        serde_json::to_string_pretty(self).unwrap_or_else(|error| {
            serde_json::json!({ "schema": SCHEMA_VERSION, "error": error.to_string() }).to_string()
        })
    }
}

fn split_by_severity(diagnostics: &[Diagnostic]) -> (Vec<JsonDiagnostic>, Vec<JsonDiagnostic>) {
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
        .iter()
        .map(JsonDiagnostic::from)
        .partition(|d| d.severity == "error");
    (warnings, errors)
}

impl From<&Diagnostic> for JsonDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        let file = d
            .location
            .as_ref()
            .map(|l| l.path.as_path())
            .or(d.path.as_deref())
            .map(path_text);
        JsonDiagnostic {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: d.message.clone(),
            file,
            line: d.location.as_ref().map(|l| l.line),
            column: d.location.as_ref().map(|l| l.column),
            help: d.help.clone(),
        }
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Milliseconds with microsecond precision: stages of a small book take well under 1 ms.
fn millis(duration: Duration) -> f64 {
    (duration.as_micros() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use bindery::diagnostics::Location;

    #[test]
    fn a_failed_run_lists_errors_and_warnings_with_their_places() {
        let error = Error::Input(vec![
            Diagnostic::warning("unknown front matter key `publishr`")
                .at(Location {
                    path: "book/essay.md".into(),
                    line: 3,
                    column: 1,
                })
                .with_help("did you mean `publisher`?"),
            Diagnostic::error("image `x.jpg` not found").in_file(Path::new("book/essay.md")),
        ]);
        let json: serde_json::Value = serde_json::from_str(
            &JsonReport::failed("build", &error, Duration::from_millis(5)).to_json(),
        )
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "schema": 1,
                "command": "build",
                "success": false,
                "target": "generic",
                "output": null,
                "epub_bytes": null,
                "counts": null,
                "image_bytes": null,
                "images": null,
                "warnings": [{
                    "severity": "warning",
                    "message": "unknown front matter key `publishr`",
                    "file": "book/essay.md",
                    "line": 3,
                    "column": 1,
                    "help": "did you mean `publisher`?"
                }],
                "errors": [{
                    "severity": "error",
                    "message": "image `x.jpg` not found",
                    "file": "book/essay.md",
                    "line": null,
                    "column": null,
                    "help": null
                }],
                "timings": { "total_ms": 5.0, "stages": [] }
            })
        );
    }
}
