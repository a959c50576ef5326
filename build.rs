//! Build script: puts the git commit into `bindery --version` when the binary is built from a
//! git checkout, so a bug report names the exact source. Outside git (a source tarball,
//! `cargo install` from a registry) or without a `git` program, the version is the crate's
//! alone: the build never fails for want of git.

use std::path::Path;
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let full = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => format!("{version} ({commit})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=BINDERY_VERSION={full}");

    // Rebuild when HEAD moves: HEAD itself (a branch switch, a detached checkout), the branch
    // it points at (a commit), and packed-refs (where `git gc` moves branches). `--git-path`
    // resolves them correctly in linked worktrees too.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

/// The trimmed stdout of a successful `git` run in the crate's folder.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}
