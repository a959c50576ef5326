//! The `bindery` binary: parse the command line, run the library, print what happened, and
//! map the outcome to an exit code (0 success, 1 problems in the input, 2 usage errors —
//! clap exits with 2 itself when it cannot parse the command line).
//!
//! stdout carries only what a script reads: the EPUB's path, or the `--report json` document,
//! or a completion script or man page. Everything for people goes to stderr, styled on a
//! terminal (see `cli::terminal`).

// Whatever the input, bindery reports a located problem and exits; it never panics. Tests
// (cfg(test)) may unwrap: there a panic is a failed test.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anstream::{eprint, eprintln};
use clap::Parser;

mod cli;

use bindery::config::Config;
use bindery::error::{Error, Result};
use bindery::{Report, validate};
use cli::args::{
    BuildCommand, CacheAction, CacheCommand, CheckArgs, Cli, Command, InitArgs, ReportFormat,
    ServeArgs, WatchArgs,
};
use cli::report::JsonReport;
use cli::terminal;

fn main() -> ExitCode {
    keep_large_buffers_out_of_the_heap();
    let cli = Cli::parse();
    match cli.command {
        Command::Build(command) => build(command),
        Command::Check(args) => check(args),
        Command::Init(args) => init(args),
        Command::Watch(args) => watch(args),
        Command::Serve(args) => serve(args),
        Command::Cache(command) => cache(command),
        Command::Completions(args) => {
            cli::args::write_completions(args.shell, &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man(args) => {
            let written = match &args.dir {
                Some(dir) => cli::args::write_man_pages(dir),
                None => cli::args::write_man_page(&mut std::io::stdout()),
            };
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!(
                        "{}",
                        terminal::error(&format!("cannot write the man page: {error}"))
                    );
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn build(command: BuildCommand) -> ExitCode {
    let configs = command.build.into_configs();
    clean_up_on_signals();
    // A validator that is not installed fails the run before any work is done.
    let tools = match command.validate.map(|with| validate::find(with.into())) {
        None => Ok(Vec::new()),
        Some(found) => found.map_err(|missing| Error::Input(vec![missing])),
    };
    let several = configs.len() > 1;
    let mut reports = Vec::new();
    let mut failed = false;
    for config in &configs {
        let started = Instant::now();
        let result = match &tools {
            Ok(tools) => {
                bindery::build_with_progress(config, &cli::progress::Bar::for_stderr(config.quiet))
                    .and_then(|report| validated(report, tools, config))
            }
            Err(missing) => Err(Error::Input(match missing {
                Error::Input(diagnostics) => diagnostics.clone(),
                other => vec![bindery::diagnostics::Diagnostic::error(other.to_string())],
            })),
        };
        let target = if several {
            format!(" for {}", config.target.name())
        } else {
            String::new()
        };
        print_outcome(config, &result, "built", &target);
        failed |= result.is_err();
        if command.report == Some(ReportFormat::Json) {
            let mut report = match &result {
                Ok(report) => JsonReport::built("build", report),
                Err(error) => JsonReport::failed("build", error, started.elapsed()),
            };
            report.target = config.target.name();
            reports.push(report);
        } else if let Ok(report) = &result
            && !config.quiet
        {
            // `-q` means nothing on success: a script that wants the path asks for the report.
            println!("{}", report.output.display());
        }
        if tools.is_err() {
            break;
        }
    }
    match reports.as_slice() {
        [] => {}
        [one] => println!("{}", one.to_json()),
        several => println!("{}", JsonReport::many_to_json(several)),
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs the validators on the written EPUB and joins their findings to the build's: errors
/// (or, with `--deny-warnings`, warnings) fail the run, and the EPUB stays for inspection.
fn validated(mut report: Report, tools: &[validate::Tool], config: &Config) -> Result<Report> {
    let findings: Vec<_> = tools
        .iter()
        .flat_map(|tool| validate::run(tool, &report.output))
        .collect();
    let failed = findings
        .iter()
        .any(|finding| finding.is_error() || config.deny_warnings);
    if failed {
        let mut all = std::mem::take(&mut report.warnings);
        all.extend(findings);
        return Err(Error::Validation {
            output: report.output,
            findings: all,
        });
    }
    report.warnings.extend(findings);
    Ok(report)
}

/// `bindery check`: every check of a build, nothing written.
fn check(args: CheckArgs) -> ExitCode {
    let config = args.to_config();
    let started = Instant::now();
    let result = bindery::check(&config);
    match &result {
        Ok(report) if !config.quiet => {
            eprint!(
                "{}",
                terminal::diagnostics(&report.warnings, config.verbose)
            );
            eprintln!("{}", report.summary());
        }
        Ok(_) => {}
        Err(error) => print_error(error, "check failed", "nothing was written", config.verbose),
    }
    if args.report == Some(ReportFormat::Json) {
        let report = match &result {
            Ok(report) => JsonReport::checked(report),
            Err(error) => JsonReport::failed("check", error, started.elapsed()),
        };
        println!("{}", report.to_json());
    }
    exit_code(&result)
}

fn init(args: InitArgs) -> ExitCode {
    match cli::init::init(&args.dir) {
        Ok(files) => {
            for file in files {
                eprintln!(
                    "{}",
                    terminal::done("created", &format!(" {}", file.display()))
                );
            }
            let dir = args.dir.display();
            eprintln!(
                "build it with `bindery build {dir}`, or `bindery watch {dir}` while you write"
            );
            ExitCode::SUCCESS
        }
        Err(Error::Input(clashes)) => {
            for clash in &clashes {
                eprintln!("{}", terminal::diagnostic(clash));
            }
            eprintln!("{}", terminal::error("init failed: nothing was written"));
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("{}", terminal::error(&error.to_string()));
            ExitCode::from(1)
        }
    }
}

fn watch(args: WatchArgs) -> ExitCode {
    let config = args.build.into_config();
    let Some(stop) = stop_on_ctrl_c() else {
        return ExitCode::from(1);
    };
    let watched = cli::watch::watch(&config, &stop, |result, changed| {
        let cause = changed_files(changed);
        print_outcome(&config, result, "built", &cause);
        if result.is_err() {
            eprintln!("the last good EPUB is kept; waiting for changes (Ctrl-C to stop)");
        } else if changed.is_empty() && !config.quiet {
            eprintln!("watching for changes (Ctrl-C to stop)");
        }
        // A script driving `watch` reads each new EPUB's path, as after `build`.
        if let Ok(report) = result {
            println!("{}", report.output.display());
            let _ = std::io::stdout().flush();
        }
    });
    stopped(&watched, &config, "stopped watching", "watch failed")
}

/// `bindery serve`: `watch`, with a reader page on 127.0.0.1. Its address is the first line
/// on stdout (for scripts and tests), then each new EPUB's path as `watch` prints it.
fn serve(args: ServeArgs) -> ExitCode {
    let config = args.build.into_config();
    let listener = match cli::serve::bind(args.port) {
        Ok(listener) => listener,
        Err(error) => {
            print_error(
                &error,
                "serve failed",
                "nothing was started",
                config.verbose,
            );
            return ExitCode::from(1);
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(error) => {
            eprintln!(
                "{}",
                terminal::error(&format!("cannot serve the preview: {error}"))
            );
            return ExitCode::from(1);
        }
    };
    let Some(stop) = stop_on_ctrl_c() else {
        return ExitCode::from(1);
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "http://{address}/");
    let _ = stdout.flush();
    if !config.quiet {
        eprintln!("previewing at http://{address}/ (Ctrl-C to stop)");
    }
    let served = cli::serve::serve(&config, listener, &stop, |result, changed| {
        print_outcome(&config, result, "built", &changed_files(changed));
        if result.is_err() {
            eprintln!("the preview keeps the last good book; waiting for changes");
        }
        // A script that stopped reading must not stop the preview (println! would panic).
        if let Ok(report) = result {
            let mut stdout = std::io::stdout();
            let _ = writeln!(stdout, "{}", report.output.display());
            let _ = stdout.flush();
        }
    });
    stopped(&served, &config, "stopped the preview", "serve failed")
}

/// `bindery cache stats | prune | clear`. `stats` is for scripts too, so it goes to stdout;
/// what `prune` and `clear` did is a message for people, on stderr.
fn cache(command: CacheCommand) -> ExitCode {
    use bindery::images::cache_admin::{self, Usage};
    let Some(dir) = command.dir() else {
        eprintln!(
            "{}",
            terminal::error(
                "no cache folder: HOME is not set; give --cache-dir or set BINDERY_CACHE_DIR"
            )
        );
        return ExitCode::from(1);
    };
    let held = |usage: &Usage| {
        format!(
            "{} processed image(s), {}",
            usage.objects,
            bindery::outcome::human_bytes(usage.bytes)
        )
    };
    let outcome = match command.action {
        CacheAction::Stats => cache_admin::usage(&dir).map(|usage| {
            let mut text = format!(
                "cache: {}\nobjects: {} ({})\nrecords: {}\n",
                dir.display(),
                usage.objects,
                bindery::outcome::human_bytes(usage.bytes),
                usage.records
            );
            if let (Some(oldest), Some(newest)) = (usage.oldest_use, usage.newest_use) {
                text.push_str(&format!(
                    "oldest use: {}\nnewest use: {}\n",
                    cache_admin::utc_minute(oldest),
                    cache_admin::utc_minute(newest)
                ));
            }
            // A reader that stopped early (`| head -1`) is not an error (println! would panic).
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
        }),
        CacheAction::Prune(args) => cache_admin::prune(&dir, args.max_size).map(|pruned| {
            eprintln!(
                "{}",
                terminal::done(
                    "pruned",
                    &format!(
                        " {} least recently used image(s), {}; {} left in {} (at most {})",
                        pruned.objects,
                        bindery::outcome::human_bytes(pruned.bytes),
                        held(&pruned.left),
                        dir.display(),
                        bindery::outcome::human_bytes(args.max_size)
                    )
                )
            );
        }),
        CacheAction::Clear => cache_admin::prune(&dir, 0).map(|pruned| {
            eprintln!(
                "{}",
                terminal::done(
                    "cleared",
                    &format!(
                        " {}: removed {} processed image(s), {}",
                        dir.display(),
                        pruned.objects,
                        bindery::outcome::human_bytes(pruned.bytes)
                    )
                )
            );
        }),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", terminal::error(&error.to_string()));
            ExitCode::from(1)
        }
    }
}

/// The flag Ctrl-C sets, for the commands that run until stopped; `None` (after saying why)
/// when the handler cannot be installed.
fn stop_on_ctrl_c() -> Option<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    match ctrlc::set_handler(move || handler_stop.store(true, Ordering::SeqCst)) {
        Ok(()) => Some(stop),
        Err(error) => {
            eprintln!(
                "{}",
                terminal::error(&format!("cannot handle Ctrl-C: {error}"))
            );
            None
        }
    }
}

/// How `watch` and `serve` end: stopped on Ctrl-C (exit 0), or failed to keep watching.
fn stopped(outcome: &Result<()>, config: &Config, done: &str, failed: &str) -> ExitCode {
    match outcome {
        Ok(()) => {
            if !config.quiet {
                eprintln!("{done}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            print_error(error, failed, "stopped", config.verbose);
            ExitCode::from(1)
        }
    }
}

/// ` (essay.md changed)`, naming at most three files.
fn changed_files(changed: &[PathBuf]) -> String {
    if changed.is_empty() {
        return String::new();
    }
    let names: Vec<String> = changed
        .iter()
        .take(3)
        .map(|path| {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let more = if changed.len() > 3 { ", …" } else { "" };
    format!(" after a change to {}{more}", names.join(", "))
}

/// The human side of a build: warnings, stage times with `-v`, the summary line; or the
/// errors. `--quiet` leaves only the errors.
fn print_outcome(config: &Config, result: &Result<Report>, word: &str, cause: &str) {
    match result {
        Ok(report) => {
            if config.quiet {
                return;
            }
            eprint!(
                "{}",
                terminal::diagnostics(&report.warnings, config.verbose)
            );
            if config.verbose {
                for note in &report.notes {
                    eprintln!("note: {note}");
                }
                for image in &report.image_sizes {
                    eprintln!("  {}", image.line());
                }
                for stage in &report.stages {
                    eprintln!(
                        "  {:<22} {:>8.1} ms",
                        stage.stage,
                        stage.elapsed.as_secs_f64() * 1000.0
                    );
                }
            }
            let summary = report.summary();
            let rest = summary.strip_prefix("built").unwrap_or(&summary);
            eprintln!("{}", terminal::done(word, &format!("{rest}{cause}")));
        }
        Err(error) => print_error(error, "build failed", "no EPUB was written", config.verbose),
    }
}

/// Prints `error`; for problems in the input, each diagnostic then one closing line,
/// `error: <failed>: N error(s) in the input; <consequence>`.
fn print_error(error: &Error, failed: &str, consequence: &str, verbose: bool) {
    match error {
        Error::Input(diagnostics) => {
            eprint!("{}", terminal::diagnostics(diagnostics, verbose));
            eprintln!(
                "{}",
                terminal::error(&format!("{failed}: {error}; {consequence}"))
            );
        }
        Error::Validation { output, findings } => {
            eprint!("{}", terminal::diagnostics(findings, verbose));
            eprintln!(
                "{}",
                terminal::error(&format!(
                    "validation failed: {error}; the EPUB is at {} for inspection",
                    output.display()
                ))
            );
        }
        other => eprintln!("{}", terminal::error(&other.to_string())),
    }
}

fn exit_code<T>(result: &Result<T>) -> ExitCode {
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    }
}

/// On SIGINT (Ctrl-C) or SIGTERM, a build removes its partial EPUB and scratch files and exits
/// with 128 + the signal's number (130, 143), as a shell reports a process the signal killed.
/// Without this the default action would end the process at once and leave them behind.
#[cfg(unix)]
fn clean_up_on_signals() {
    use signal_hook::consts::signal::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(signals) => signals,
        Err(error) => {
            // The build still works; only an interrupted one would leave files behind.
            eprintln!(
                "{}",
                terminal::error(&format!(
                    "cannot handle Ctrl-C ({error}); an interrupted build may leave temporary files"
                ))
            );
            return;
        }
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _stopped = bindery::interrupt::stop();
            eprintln!(
                "{}",
                terminal::error("build interrupted: no EPUB was written, temporary files removed")
            );
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
fn clean_up_on_signals() {}

/// Decoded photos and their source bytes are megabytes each. glibc serves such blocks from
/// mmap at first, but its threshold adapts upwards after the first frees, and from then on
/// they come from heaps that fragment: measured on a 1000-photo book, peak memory crept up by
/// about 70 KB an image (docs/benchmarks.md). Fixing the threshold at 128 KiB (glibc's
/// default, no longer adaptive once set) returns every large buffer to the system when freed,
/// so memory stays flat however many images a book has.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_buffers_out_of_the_heap() {
    // SAFETY: mallopt only adjusts allocator tuning; it is called before any thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_buffers_out_of_the_heap() {}
