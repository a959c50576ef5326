//! The command line: clap definitions and their translation into a [`Config`].
//! This is the only module that imports clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{CacheMode, Config};
use crate::model::ImageSettings;

/// Turn a Markdown essay with YAML front matter and its captioned images into a small,
/// valid, reproducible EPUB 3.
#[derive(Debug, Parser)]
#[command(name = "bindery", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build an EPUB from Markdown files or book folders.
    Build(BuildArgs),
    /// Run every check of a build (front matter, Markdown, links, images) without writing an
    /// EPUB: exit 0 when clean, 1 on errors. Fast enough for a pre-commit hook.
    Check(CheckArgs),
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

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,

    /// Treat warnings as errors: fail, and write nothing, if there are any (for CI).
    #[arg(long)]
    pub deny_warnings: bool,
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
}

impl CheckArgs {
    /// The [`Config`] of a build of the same inputs; a check writes nothing and caches nothing.
    pub fn into_config(self) -> Config {
        Config {
            allow_missing_images: self.allow_missing_images,
            quiet: self.quiet,
            deny_warnings: self.deny_warnings,
            source_date_epoch: source_date_epoch(),
            ..Config::new(self.inputs)
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
            },
            cache,
            allow_missing_images: self.allow_missing_images,
            quiet: self.quiet,
            deny_warnings: self.deny_warnings,
        }
    }
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
