//! The commands and flags around a build, run through the real binary: `init`, `watch`,
//! `--report json`, `--quiet`/`-v`, completions, the man page, `--version`, colours and exit
//! codes.

use crate::support;

use serde_json::json;

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary under test with an empty environment (no cache, no SOURCE_DATE_EPOCH, no
/// colour settings from this machine), run in `dir`.
fn bindery(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bindery"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the bindery binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `bindery init NAME` in `dir` and returns the new book's folder.
fn init_book(dir: &Path, name: &str) -> PathBuf {
    let result = run(bindery(dir).args(["init", name]));
    assert!(result.status.success(), "{}", text(&result.stderr));
    dir.join(name)
}

/// The text of every entry of an EPUB, concatenated.
fn epub_text(epub: &Path) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(epub).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..archive.len() {
        let mut bytes = Vec::new();
        archive
            .by_index(i)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        all.push_str(&String::from_utf8_lossy(&bytes));
    }
    all
}

fn assert_epubcheck_clean(epub: &Path) {
    if let Some(report) = support::epubcheck(epub) {
        assert!(
            report.errors().is_empty() && report.warnings().is_empty(),
            "epubcheck found problems in {}:\n{report}",
            epub.display()
        );
    }
}

#[test]
fn init_makes_a_book_that_builds_cleanly_and_passes_epubcheck() {
    let dir = tempfile::tempdir().unwrap();
    let result = run(bindery(dir.path()).args(["init", "new-book"]));
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(
        text(&result.stderr),
        "created new-book/essay.md\n\
         created new-book/images/example.png\n\
         created new-book/.gitignore\n\
         build it with `bindery build new-book`, or `bindery watch new-book` while you write\n"
    );
    let essay = fs::read_to_string(dir.path().join("new-book/essay.md")).unwrap();
    for key in bindery::frontmatter::KNOWN_KEYS {
        assert!(
            essay
                .lines()
                .any(|line| line.starts_with(&format!("{key}:"))),
            "the scaffold lacks `{key}`"
        );
    }

    let result = run(bindery(dir.path()).args(["build", "new-book", "--no-cache"]));
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(text(&result.stdout), "my-book.epub\n");
    let stderr = text(&result.stderr);
    assert!(
        stderr.starts_with("built my-book.epub: 2 chapters, 1 figure, 1 image + cover ")
            && stderr.lines().count() == 1,
        "one summary line and no warnings: {stderr}"
    );
    let epub = dir.path().join("my-book.epub");
    assert!(epub_text(&epub).contains("An example figure: replace it with your own photograph."));
    assert_epubcheck_clean(&epub);
}

#[test]
fn init_refuses_to_overwrite_and_names_each_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("essay.md"), "my own essay").unwrap();
    let result = run(bindery(dir.path()).arg("init"));
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(
        text(&result.stderr),
        "error: already exists; bindery init never overwrites a file\n \
         --> ./essay.md\n  \
         = help: run `bindery init` in an empty or new folder, e.g. `bindery init my-book`\n\n\
         error: init failed: nothing was written\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("essay.md")).unwrap(),
        "my own essay"
    );
    assert!(!dir.path().join("images").exists());
    assert!(!dir.path().join(".gitignore").exists());
}

#[test]
fn report_json_describes_a_build_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    init_book(dir.path(), "book");
    let result = run(bindery(dir.path()).args([
        "build",
        "book",
        "-o",
        "out.epub",
        "--no-cache",
        "--report",
        "json",
    ]));
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let json: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    let epub_size = fs::metadata(dir.path().join("out.epub")).unwrap().len();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["command"], "build");
    assert_eq!(json["success"], true);
    assert_eq!(json["target"], "generic");
    assert_eq!(json["output"], "out.epub");
    assert_eq!(json["epub_bytes"], epub_size);
    assert_eq!(
        json["counts"],
        serde_json::json!({"chapters": 2, "figures": 1, "images": 2, "cover": true})
    );
    let png_size = fs::metadata(dir.path().join("book/images/example.png"))
        .unwrap()
        .len();
    assert_eq!(json["image_bytes"]["in"], png_size);
    assert!(json["image_bytes"]["out"].as_u64().unwrap() > 0);
    // Each source image, bytes in and out (the generated cover has no source).
    let images = json["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{images:?}");
    assert!(
        images[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("example.png")
    );
    assert_eq!(images[0]["in"], png_size);
    assert!(images[0]["out"].as_u64().unwrap() <= png_size);
    assert_eq!(images[0]["cached"], false);
    let output = format!("OEBPS/images/{}", images[0]["output"].as_str().unwrap());
    let entry = support::epub_entries(&dir.path().join("out.epub"))
        .into_iter()
        .find(|(name, _)| *name == output)
        .unwrap_or_else(|| panic!("{output} in the EPUB"));
    assert_eq!(json!(entry.1.len()), images[0]["out"]);
    assert_eq!(json["warnings"], serde_json::json!([]));
    assert_eq!(json["errors"], serde_json::json!([]));
    let stages: Vec<&str> = json["timings"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["read and check sources", "images", "write EPUB"]);
    assert!(json["timings"]["total_ms"].as_f64().unwrap() > 0.0);
    // The human summary still goes to stderr.
    assert!(text(&result.stderr).starts_with("built out.epub: "));
}

#[test]
fn report_json_lists_errors_and_warnings_with_their_places() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("essay.md"),
        "---\ntitle: Broken\npublishr: Me\n---\n\nText.\n\n![A missing photo](images/gone.jpg)\n",
    )
    .unwrap();
    let result = run(bindery(dir.path()).args(["build", "essay.md", "--report", "json"]));
    assert_eq!(result.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(json["success"], false);
    assert_eq!(json["output"], serde_json::Value::Null);
    assert_eq!(
        json["warnings"],
        serde_json::json!([{
            "severity": "warning",
            "message": "unknown front matter key `publishr`",
            "file": "essay.md",
            "line": 3,
            "column": 1,
            "help": "did you mean `publisher`?"
        }])
    );
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["message"], "image `images/gone.jpg` not found");
    assert_eq!(errors[0]["file"], "essay.md");
    assert_eq!(errors[0]["line"], 8);
    assert_eq!(errors[0]["column"], 1);
    assert!(!dir.path().join("broken.epub").exists());
}

#[test]
fn quiet_prints_nothing_on_success_and_verbose_prints_each_stage() {
    let dir = tempfile::tempdir().unwrap();
    init_book(dir.path(), "book");
    let quiet = run(bindery(dir.path()).args(["build", "book", "--no-cache", "-q"]));
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(text(&quiet.stderr), "");
    assert_eq!(text(&quiet.stdout), "", "-q prints nothing on success");

    let verbose = run(bindery(dir.path()).args(["build", "book", "--no-cache", "-v"]));
    assert_eq!(verbose.status.code(), Some(0));
    let stderr = text(&verbose.stderr);
    // Each image's bytes in → out come first (`… 15 kB → 8 kB (-46 %)`), then the stages.
    assert!(
        stderr
            .lines()
            .next()
            .is_some_and(|l| l.contains(" → ") && l.ends_with("%)")),
        "{stderr}"
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.ends_with("%)")).collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    for (line, stage) in lines
        .iter()
        .zip(["read and check sources", "images", "write EPUB"])
    {
        let rest = line.trim_start().strip_prefix(stage).unwrap_or_else(|| {
            panic!("`{line}` should name the stage `{stage}`");
        });
        let millis = rest.trim().strip_suffix(" ms").unwrap();
        millis.trim().parse::<f64>().unwrap();
    }
    assert!(lines[3].starts_with("built my-book.epub: "));
}

#[test]
fn usage_errors_exit_with_2_and_help_and_version_with_0() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["frobnicate"][..],
        &["build", "--jpeg-quality", "0"],
        &["build", "--quiet", "--verbose"],
        &["build", "--report", "xml"],
        &["completions", "tcsh"],
    ] {
        let result = run(bindery(dir.path()).args(args));
        assert_eq!(result.status.code(), Some(2), "bindery {args:?}");
        assert!(text(&result.stderr).contains("error:"), "bindery {args:?}");
    }
    // No subcommand: the help, on stderr, and still a usage error.
    let bare = run(&mut bindery(dir.path()));
    assert_eq!(bare.status.code(), Some(2));
    assert!(text(&bare.stderr).contains("Usage: bindery <COMMAND>"));
    for args in [&["--help"][..], &["build", "--help"], &["--version"]] {
        let result = run(bindery(dir.path()).args(args));
        assert_eq!(result.status.code(), Some(0), "bindery {args:?}");
    }
}

#[test]
fn version_names_the_git_commit_it_was_built_from() {
    let result = run(bindery(Path::new(env!("CARGO_MANIFEST_DIR"))).arg("--version"));
    let version = text(&result.stdout);
    let expected = match git_head() {
        Some(commit) => format!("bindery {} ({commit})\n", env!("CARGO_PKG_VERSION")),
        None => format!("bindery {}\n", env!("CARGO_PKG_VERSION")),
    };
    assert_eq!(version, expected);
}

/// The commit the crate's folder is at, as build.rs reads it; `None` outside git.
fn git_head() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| text(&output.stdout).trim().to_string())
}

#[test]
fn completions_are_valid_scripts_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_bindery()"),
        ("zsh", "#compdef bindery"),
        ("fish", "complete -c bindery"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[bindery]"),
    ] {
        let result = run(bindery(dir.path()).args(["completions", shell]));
        assert_eq!(result.status.code(), Some(0), "{shell}");
        let script = text(&result.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in [
            "build",
            "init",
            "watch",
            "completions",
            "man",
            "max-image-size",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }

    // bash parses the script it would source.
    let script = dir.path().join("bindery.bash");
    let result = run(bindery(dir.path()).args(["completions", "bash"]));
    fs::write(&script, &result.stdout).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&script).output();
    match checked {
        Ok(checked) => assert!(checked.status.success(), "{}", text(&checked.stderr)),
        Err(_) if std::env::var_os("CI").is_none() => {
            support::skipped("bash not found, the completion script's syntax is unchecked")
        }
        Err(error) => panic!("bash must run on CI: {error}"),
    }
}

#[test]
fn man_prints_one_page_with_every_subcommand_and_every_option() {
    let dir = tempfile::tempdir().unwrap();
    let result = run(bindery(dir.path()).arg("man"));
    assert_eq!(result.status.code(), Some(0));
    let page = text(&result.stdout);
    assert!(
        page.lines().any(|line| line.starts_with(".TH bindery 1 ")),
        "{page}"
    );
    assert!(page.contains(".SH NAME\nbindery \\- Turn a Markdown essay"));
    assert!(
        !page.contains("(1)"),
        "no reference to a page `bindery man` does not print:\n{page}"
    );
    // Every option of every subcommand is documented there: checked where the command line
    // is defined, in the binary's own tests (src/cli/args.rs).
    for sub in [
        "build",
        "check",
        "init",
        "watch",
        "serve",
        "completions",
        "cache",
        "cache prune",
    ] {
        let heading = format!(".SH \"BINDERY {}\"", sub.to_uppercase());
        assert!(page.contains(&heading), "no section {heading}:\n{page}");
    }
}

#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let result = run(bindery(dir.path()).args(["man", "--dir", "pages"]));
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    for page in [
        "bindery.1",
        "bindery-build.1",
        "bindery-check.1",
        "bindery-serve.1",
        "bindery-cache-prune.1",
    ] {
        let roff = fs::read_to_string(dir.path().join("pages").join(page)).unwrap();
        assert!(roff.contains(".SH SYNOPSIS"), "{page}");
    }
    let build = fs::read_to_string(dir.path().join("pages/bindery-build.1")).unwrap();
    assert!(build.contains("\\-\\-max\\-image\\-size"), "{build}");
}

#[test]
fn colours_only_when_asked_for_and_never_under_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let failing = |configure: &dyn Fn(&mut Command)| {
        let mut command = bindery(dir.path());
        command.env_remove("NO_COLOR").args(["build", "missing"]);
        configure(&mut command);
        text(&run(&mut command).stderr)
    };
    let plain =
        "error: cannot read this input: No such file or directory (os error 2)\n --> missing";
    // stderr is a pipe here, not a terminal: no colour.
    assert!(failing(&|_| {}).starts_with(plain));
    // Forced colour (as on a terminal): the labels are styled.
    let forced = failing(&|c| {
        c.env("CLICOLOR_FORCE", "1");
    });
    assert!(
        forced.starts_with("\u{1b}[1m\u{1b}[91merror\u{1b}[0m\u{1b}[1m: cannot read"),
        "{forced:?}"
    );
    // NO_COLOR wins over everything.
    let no_color = failing(&|c| {
        c.env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1");
    });
    assert!(no_color.starts_with(plain), "{no_color:?}");
    assert!(!no_color.contains('\u{1b}'));
}

/// Lines of a child's stderr, as they come.
fn stderr_lines(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (sender, lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// Waits for a line starting with `prefix`; returns it and every line before it.
fn wait_for(lines: &mpsc::Receiver<String>, prefix: &str) -> (String, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.starts_with(prefix) => return (line, seen),
            Ok(line) => seen.push(line),
            Err(_) => panic!("no line starting with `{prefix}` in 60 s; got:\n{seen:#?}"),
        }
    }
}

#[test]
fn watch_rebuilds_on_change_keeps_the_last_good_epub_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let book = init_book(dir.path(), "book");
    let essay = book.join("essay.md");
    let epub = dir.path().join("out.epub");
    let mut child = bindery(dir.path())
        .args(["watch", "book", "-o", "out.epub", "--no-cache"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = stderr_lines(&mut child);

    let (first, _) = wait_for(&lines, "built ");
    assert!(
        first.starts_with("built out.epub: 2 chapters, 1 figure, "),
        "{first}"
    );
    wait_for(&lines, "watching for changes");
    let before = fs::read(&epub).unwrap();

    // An edit: the EPUB is rebuilt with it.
    let original = fs::read_to_string(&essay).unwrap();
    fs::write(
        &essay,
        format!("{original}\nA sentence written while watching.\n"),
    )
    .unwrap();
    let (rebuilt, _) = wait_for(&lines, "built ");
    assert!(
        rebuilt.ends_with(" after a change to essay.md"),
        "{rebuilt}"
    );
    let edited = fs::read(&epub).unwrap();
    assert_ne!(edited, before);
    assert!(epub_text(&epub).contains("A sentence written while watching."));

    // A broken source: the errors are printed, watching goes on, the EPUB stays.
    fs::write(&essay, format!("{original}\n![Gone](images/gone.png)\n")).unwrap();
    let (failed, messages) = wait_for(&lines, "error: build failed");
    assert_eq!(
        failed,
        "error: build failed: 1 error(s) in the input; no EPUB was written"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.ends_with("error: image `images/gone.png` not found")),
        "{messages:#?}"
    );
    wait_for(&lines, "the last good EPUB is kept");
    assert_eq!(fs::read(&epub).unwrap(), edited);

    // Fixed again: rebuilt.
    fs::write(&essay, &original).unwrap();
    wait_for(&lines, "built ");
    assert_eq!(fs::read(&epub).unwrap(), before, "builds are reproducible");

    // Ctrl-C ends it cleanly.
    // bash's built-in `kill`, so no procps is needed.
    let interrupted = Command::new("bash")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(interrupted.success());
    wait_for(&lines, "stopped watching");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn report_json_describes_a_check_and_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let book = init_book(dir.path(), "book");
    let clean = run(bindery(dir.path()).args(["check", "book", "--report", "json"]));
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    let json: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(json["command"], "check");
    assert_eq!(json["success"], true);
    assert_eq!(json["output"], serde_json::Value::Null);
    assert_eq!(json["warnings"], serde_json::json!([]));
    assert_eq!(json["errors"], serde_json::json!([]));

    fs::remove_file(book.join("images/example.png")).unwrap();
    let broken = run(bindery(dir.path()).args(["check", "book", "--report", "json"]));
    assert_eq!(broken.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_eq!(json["success"], false);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["message"], "image `images/example.png` not found");
    assert!(!dir.path().join("my-book.epub").exists());
}

/// README.md's tables of flags and commands say what `--help` says (issue 15): every flag of
/// `bindery build` has its row and every row names a real flag, every subcommand has its row,
/// and the defaults the README gives are the ones `--help` gives.
#[test]
fn the_readme_documents_every_flag_and_command_help_shows() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = |heading: &str| {
        let start = readme
            .find(heading)
            .unwrap_or_else(|| panic!("README has {heading}"));
        let rest = &readme[start + heading.len()..];
        rest[..rest.find("\n#").unwrap_or(rest.len())].to_string()
    };
    // `| `-o, --output FILE` | …` → ["--output"]
    let first_cells = |table: &str| -> Vec<String> {
        table
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .map(|line| line[..line.find("` |").unwrap_or(line.len())].to_string())
            .collect()
    };
    let long_flags = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|word| word.starts_with("--") && word.len() > 2)
            .map(str::to_string)
            .collect()
    };

    let dir = tempfile::tempdir().unwrap();
    let help = text(&run(bindery(dir.path()).args(["build", "--help"])).stdout);
    let mut in_help = long_flags(&help);
    in_help.remove("--help");
    let using = section("## Using it");
    let rows = first_cells(&using);
    let in_readme: std::collections::BTreeSet<String> =
        rows.iter().flat_map(|cell| long_flags(cell)).collect();
    assert_eq!(
        in_readme, in_help,
        "README's flag table and `bindery build --help`"
    );

    // Defaults: the README's numbers are --help's.
    for (flag, default) in [
        ("--max-image-size", "1600"),
        ("--jpeg-quality", "80"),
        ("--max-size", "50"),
    ] {
        let row = using
            .lines()
            .find(|line| line.starts_with(&format!("| `{flag}")))
            .unwrap();
        assert!(row.contains(default), "{row}");
        let described = &help[help.find(&format!("{flag} <")).unwrap()..];
        let described = &described[..described.find("\n  -").unwrap_or(described.len())];
        assert!(described.contains(default), "{flag}: {described}");
    }

    // Every subcommand has a row in "The other commands", or a synopsis line of its own
    // (`build` and `check` have their sections).
    let mut others = first_cells(&section("### The other commands"));
    others.extend(
        readme
            .lines()
            .filter(|line| line.starts_with("bindery "))
            .map(str::to_string),
    );
    let others = others.join("\n");
    let top = text(&run(bindery(dir.path()).arg("--help")).stdout);
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        // A wrapped description continues on a line indented further.
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert!(commands.contains(&"cache"), "{top}");
    for command in commands {
        assert!(
            others.contains(&format!("bindery {command}")),
            "README's other commands lack `bindery {command}`:\n{others}"
        );
    }
}

/// The README's JSON report example has exactly the fields a real report has, at every level,
/// and its error example is what bindery prints for that mistake (issue 15: the docs showed a
/// format the tool did not print).
#[test]
fn the_readme_examples_of_the_report_and_an_error_are_real() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let block_after = |marker: &str, fence: &str| -> String {
        let at = readme
            .find(marker)
            .unwrap_or_else(|| panic!("README has {marker}"));
        let rest = &readme[at..];
        let rest = &rest[rest.find(fence).unwrap() + fence.len()..];
        rest[..rest.find("```").unwrap()].to_string()
    };
    fn shape(value: &serde_json::Value, at: &str, into: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    let path = format!("{at}.{key}");
                    into.push(path.clone());
                    shape(inner, &path, into);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items.iter().take(1) {
                    shape(item, &format!("{at}[]"), into);
                }
            }
            _ => {}
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let book = init_book(dir.path(), "book");
    // The README's example has a misspelt key, so its warnings have their fields.
    let essay = fs::read_to_string(book.join("essay.md")).unwrap();
    fs::write(
        book.join("essay.md"),
        essay.replacen("---\n", "---\npublishr: X\n", 1),
    )
    .unwrap();
    let built = run(bindery(dir.path()).args(["build", "book", "--report", "json"]));
    assert!(built.status.success(), "{}", text(&built.stderr));
    let real: serde_json::Value = serde_json::from_slice(&built.stdout).unwrap();
    let shown: serde_json::Value =
        serde_json::from_str(&block_after("### The JSON report", "```json\n")).unwrap();
    let (mut real_shape, mut shown_shape) = (Vec::new(), Vec::new());
    shape(&real, "", &mut real_shape);
    shape(&shown, "", &mut shown_shape);
    real_shape.sort();
    shown_shape.sort();
    assert_eq!(
        shown_shape, real_shape,
        "README's report example and a real report"
    );

    // The error example: a book whose line 9 uses a misspelt image name.
    fs::write(
        book.join("essay.md"),
        "---\ntitle: Harbour\nauthor: A. Author\nlanguage: en\n---\n\n# Dawn\n\n\
         ![A harbour at dawn](images/fhoto.jpg \"The harbour.\")\n",
    )
    .unwrap();
    let failed = run(bindery(dir.path()).args(["build", "book"]));
    assert_eq!(failed.status.code(), Some(1));
    let shown = block_after("Problems are printed the way cargo prints", "```text\n");
    let printed = text(&failed.stderr);
    assert!(
        printed.starts_with(&shown),
        "README shows:\n{shown}\nbindery prints:\n{printed}"
    );
}
