//! The `bindery` binary: parse the command line, run the library, print what happened, and
//! map the outcome to an exit code (0 built, 1 problems in the input, 2 usage errors).

use std::process::ExitCode;

use clap::Parser;

use bindery::cli::{Cli, Command};
use bindery::error::Error;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let config = args.into_config();
            match bindery::build(&config) {
                Ok(report) => {
                    for warning in &report.warnings {
                        eprintln!("{warning}");
                    }
                    if !config.quiet {
                        eprintln!("{}", report.summary());
                    }
                    println!("{}", report.output.display());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    print_error(&error);
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn print_error(error: &Error) {
    match error {
        Error::Input(diagnostics) => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
            eprintln!("error: build failed: {error}; no EPUB was written");
        }
        other => eprintln!("error: {other}"),
    }
}
