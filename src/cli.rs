//! The command line: clap definitions and their translation into a [`Config`].
//! This is the only module that imports clap.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::{CacheMode, Config, OutputFormat};
use crate::model::ImageSettings;

/// Turn a Markdown essay with YAML front matter and its captioned images into a small,
/// valid, reproducible EPUB 3.
#[derive(Debug, Parser)]
#[command(
    name = "bindery",
    version = env!("BINDERY_VERSION"),
    about,
    long_about = None,
    after_help = "Exit status: 0 success, 1 problems in the input (nothing written), 2 usage errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build an EPUB from Markdown files or book folders.
    Build(BuildCommand),
    /// Run every check of a build (front matter, Markdown, links, images) without writing an
    /// EPUB: exit 0 when clean, 1 on errors. Fast enough for a pre-commit hook.
    Check(CheckArgs),
    /// Start a new book: essay.md with every front-matter key, an example figure, a .gitignore.
    Init(InitArgs),
    /// Build, then build again whenever the Markdown, an image or the stylesheet changes.
    Watch(WatchArgs),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    Man,
}

/// `bindery build`: the build settings and how to report.
#[derive(Debug, Args)]
pub struct BuildCommand {
    #[command(flatten)]
    pub build: BuildArgs,

    /// Print one JSON document describing the run on stdout (output, sizes, counts, warnings
    /// and errors with their places, timings); human messages stay on stderr.
    #[arg(long, value_name = "FORMAT")]
    pub report: Option<ReportFormat>,
}

/// Machine-readable reports `--report` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder for the new book; created if missing. Existing files are never overwritten.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Markdown files, or folders whose *.md files (in name order) are the chapters. The first
    /// file's YAML front matter is the book's metadata.
    #[arg(value_name = "INPUT", default_value = "book")]
    pub inputs: Vec<PathBuf>,

    /// Where to write the EPUB [default: <slug of the title>.epub in the current folder].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// What to write: a plain EPUB, or a Kobo kepub (`.kepub.epub`: reading statistics,
    /// highlights and pop-up notes on Kobo readers).
    #[arg(long, value_enum, default_value_t = FormatArg::Epub)]
    pub format: FormatArg,

    /// Longest edge of images in pixels; larger images are scaled down, never up
    /// [default: front matter `images.max-size`, else 1600].
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(16..=10000))]
    pub max_image_size: Option<u32>,

    /// JPEG quality, 1–100 [default: front matter `images.quality`, else 80].
    #[arg(long, value_name = "Q", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub jpeg_quality: Option<u8>,

    /// Convert images to grayscale: smaller books for e-ink readers.
    #[arg(long)]
    pub grayscale: bool,

    /// Folder for processed images, reused across builds [default: $XDG_CACHE_HOME/bindery].
    #[arg(long, value_name = "DIR", env = "BINDERY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Process every image again instead of reusing cached results.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,

    /// Show a missing or remote image's alt text instead of failing (for drafts).
    #[arg(long)]
    pub allow_missing_images: bool,

    /// Warn when the EPUB is larger than this many megabytes (1 MB = 1,000,000 bytes);
    /// Send to Kindle refuses books over 50 MB.
    #[arg(long, value_name = "MB", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_size: u64,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,

    /// Also print each stage of the build and how long it took.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Treat warnings as errors: fail, and write nothing, if there are any (for CI).
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Epub,
    Kepub,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Markdown files, or folders whose *.md files (in name order) are the chapters.
    #[arg(value_name = "INPUT", default_value = "book")]
    pub inputs: Vec<PathBuf>,

    /// Report a missing or remote image as a warning instead of an error (for drafts).
    #[arg(long)]
    pub allow_missing_images: bool,

    /// Treat warnings as errors: exit 1 if there are any (for CI).
    #[arg(long)]
    pub deny_warnings: bool,

    /// Print nothing but problems.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print one JSON document describing the check on stdout (warnings and errors with their
    /// places, time taken); human messages stay on stderr.
    #[arg(long, value_name = "FORMAT")]
    pub report: Option<ReportFormat>,
}

impl CheckArgs {
    /// The [`Config`] of a build of the same inputs; a check writes nothing and caches nothing.
    pub fn into_config(&self) -> Config {
        Config {
            allow_missing_images: self.allow_missing_images,
            quiet: self.quiet,
            deny_warnings: self.deny_warnings,
            source_date_epoch: source_date_epoch(),
            ..Config::new(self.inputs.clone())
        }
    }
}

impl BuildArgs {
    /// Resolves the flags and the environment into a [`Config`].
    pub fn into_config(self) -> Config {
        let cache = if self.no_cache {
            CacheMode::Disabled
        } else {
            match self.cache_dir.or_else(default_cache_dir) {
                Some(dir) => CacheMode::Directory(dir),
                None => CacheMode::Disabled,
            }
        };
        Config {
            inputs: self.inputs,
            output: self.output,
            source_date_epoch: source_date_epoch(),
            images: ImageSettings {
                max_size: self.max_image_size,
                quality: self.jpeg_quality,
                grayscale: self.grayscale.then_some(true),
                animation: None,
            },
            cache,
            allow_missing_images: self.allow_missing_images,
            quiet: self.quiet,
            verbose: self.verbose,
            max_epub_bytes: self.max_size * 1000 * 1000,
            format: match self.format {
                FormatArg::Epub => OutputFormat::Epub,
                FormatArg::Kepub => OutputFormat::Kepub,
            },
            deny_warnings: self.deny_warnings,
        }
    }
}

/// Writes the completion script for `shell` to `out`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "bindery", out);
}

/// Writes the man page, bindery(1) with every subcommand, as roff to `out`.
pub fn write_man_page(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// `$XDG_CACHE_HOME/bindery`, else `~/.cache/bindery`.
fn default_cache_dir() -> Option<PathBuf> {
    let from_xdg = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let from_home = || {
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|home| PathBuf::from(home).join(".cache"))
    };
    from_xdg.or_else(from_home).map(|dir| dir.join("bindery"))
}

/// `SOURCE_DATE_EPOCH` when set to an integer; an unparsable value is ignored, as the
/// reproducible-builds specification asks of tools that cannot honour it.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
