//! The `bindery` binary: parse the command line, run the library, print what happened, and
//! map the outcome to an exit code (0 built, 1 problems in the input, 2 usage errors).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use bindery::cli::{Cli, Command};
use bindery::diagnostics::Diagnostic;
use bindery::error::Error;
use bindery::snippets::SnippetRenderer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let config = args.into_config();
            match bindery::build(&config) {
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    if !config.quiet {
                        eprintln!("{}", report.summary());
                    }
                    println!("{}", report.output.display());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    print_error(&error, "no EPUB was written");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check(args) => {
            let config = args.into_config();
            match bindery::check(&config) {
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    if !config.quiet {
                        eprintln!("{}", report.summary());
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    print_error(&error, "check failed");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// Each diagnostic with its source line, a blank line between them, as cargo prints.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut renderer = SnippetRenderer::new(color);
    for diagnostic in diagnostics {
        eprintln!("{}\n", renderer.render(diagnostic));
    }
}

fn print_error(error: &Error, outcome: &str) {
    match error {
        Error::Input(diagnostics) => {
            print_diagnostics(diagnostics);
            eprintln!("error: {error}; {outcome}");
        }
        other => eprintln!("error: {other}; {outcome}"),
    }
}
