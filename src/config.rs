//! The resolved settings of one run: plain data, built from the command line in `cli.rs`.
//! Nothing below the CLI sees clap types, and nothing here does I/O.

use std::path::PathBuf;

use crate::model::ImageSettings;
use crate::target::Target;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Markdown files, or folders whose `*.md` files (in name order) are the chapters.
    pub inputs: Vec<PathBuf>,
    /// Where to write the EPUB; `None`: `<slug of title>.epub` in the current folder.
    pub output: Option<PathBuf>,
    /// `SOURCE_DATE_EPOCH`, the reproducible-builds convention for "now".
    pub source_date_epoch: Option<i64>,
    /// Image settings from the command line; they override front matter.
    pub images: ImageSettings,
    pub cache: CacheMode,
    /// Turn a missing or unreachable image into a warning (its alt text is shown instead).
    /// For drafts, and for building Markdown written for the web.
    pub allow_missing_images: bool,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Also print each stage of the build and its time.
    pub verbose: bool,
    /// Warn when the EPUB is larger than this many bytes (Send to Kindle refuses over 50 MB).
    pub max_epub_bytes: u64,
    /// A plain EPUB, or Kobo's kepub flavour of it.
    pub format: OutputFormat,
    /// Fail on warnings as on errors (for CI).
    pub deny_warnings: bool,
    /// The device or store the book is for (`--target`); its preset is already applied to
    /// the settings above.
    pub target: Target,
    /// Going over `max_epub_bytes` fails the build instead of warning (Send to Kindle).
    pub size_budget_is_limit: bool,
    /// Put before the output's extension (`book.kindle.epub`) when several targets are built.
    pub output_suffix: Option<&'static str>,
}

/// What kind of book to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// EPUB 3 for every reader: `.epub`.
    #[default]
    Epub,
    /// Kobo's kepub: the same EPUB with Kobo's sentence spans and wrappers, `.kepub.epub`.
    Kepub,
}

impl OutputFormat {
    /// The file name ending of the default output.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Epub => "epub",
            OutputFormat::Kepub => "kepub.epub",
        }
    }
}

/// Send to Kindle's limit for an e-mailed or uploaded document.
pub const DEFAULT_MAX_EPUB_BYTES: u64 = 50 * 1000 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheMode {
    /// Keep processed images in this folder, keyed by content and settings.
    Directory(PathBuf),
    /// Process every image every time.
    Disabled,
}

impl Config {
    /// A config for `inputs` with every other setting at its default and no cache.
    pub fn new(inputs: Vec<PathBuf>) -> Self {
        Config {
            inputs,
            output: None,
            source_date_epoch: None,
            images: ImageSettings::default(),
            cache: CacheMode::Disabled,
            allow_missing_images: false,
            quiet: false,
            verbose: false,
            max_epub_bytes: DEFAULT_MAX_EPUB_BYTES,
            format: OutputFormat::Epub,
            deny_warnings: false,
            target: Target::Generic,
            size_budget_is_limit: false,
            output_suffix: None,
        }
    }
}
