//! The command line: clap definitions and their translation into a [`Config`].
//! This is the only module that imports clap.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use bindery::config::{CacheMode, Config, DEFAULT_MAX_EPUB_BYTES, OutputFormat};
use bindery::model::ImageSettings;
use bindery::target::{self, Explicit, Target};

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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build an EPUB from Markdown files or book folders.
    Build(BuildCommand),
    /// Run every check of a build (front matter, Markdown, links, images) without writing an
    /// EPUB: exit 0 when clean, 1 on errors. Fast enough for a pre-commit hook.
    Check(CheckArgs),
    /// Start a new book: essay.md with every front-matter key, an example figure, a .gitignore.
    Init(InitArgs),
    /// Build, then build again whenever the Markdown, an image or the stylesheet changes.
    Watch(WatchArgs),
    /// Preview the book in a browser: build, serve a reader page on 127.0.0.1 that shows the
    /// EPUB as a phone, an e-ink reader, a colour e-reader or a tablet would, and reload it
    /// after every change. A failed rebuild shows its errors over the last good book.
    Serve(ServeArgs),
    /// Show or bound the cache of processed images: `stats`, `prune --max-size 500MB`,
    /// `clear`. The cache is --cache-dir, else BINDERY_CACHE_DIR, else
    /// $XDG_CACHE_HOME/bindery (~/.cache/bindery).
    Cache(CacheCommand),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout: every subcommand and every option in one page,
    /// or, with --dir, write bindery.1 and one page per subcommand into a folder.
    Man(ManArgs),
}

/// `bindery build`: the build settings and how to report.
#[derive(Debug, Args)]
pub(crate) struct BuildCommand {
    #[command(flatten)]
    pub build: BuildArgs,

    /// Print one JSON document describing the run on stdout (output, sizes, counts, warnings
    /// and errors with their places, timings); human messages stay on stderr.
    #[arg(long, value_name = "FORMAT")]
    pub report: Option<ReportFormat>,

    /// After writing the EPUB, run epubcheck on it (`--validate`), Ace by DAISY
    /// (`--validate=ace`) or both (`--validate=all`), and report their findings with bindery's
    /// own: an error fails the run (the EPUB stays for inspection). epubcheck is found through
    /// EPUBCHECK_JAR or on PATH, Ace through ACE_CLI or on PATH; a missing one fails before
    /// the build starts.
    #[arg(
        long,
        value_name = "WHICH",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "epubcheck"
    )]
    pub validate: Option<ValidateWith>,
}

/// The validators `--validate` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateWith {
    Epubcheck,
    Ace,
    All,
}

impl From<ValidateWith> for bindery::validate::Validators {
    fn from(with: ValidateWith) -> Self {
        match with {
            ValidateWith::Epubcheck => bindery::validate::Validators::Epubcheck,
            ValidateWith::Ace => bindery::validate::Validators::Ace,
            ValidateWith::All => bindery::validate::Validators::All,
        }
    }
}

/// Machine-readable reports `--report` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The folder for the new book; created if missing. Existing files are never overwritten.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub build: BuildArgs,

    /// The port on 127.0.0.1 to serve the preview on [default: a free one, printed at start].
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,
}

/// `bindery cache`: one action on one cache folder.
#[derive(Debug, Args)]
pub(crate) struct CacheCommand {
    #[command(subcommand)]
    pub action: CacheAction,

    /// The cache folder [default: $XDG_CACHE_HOME/bindery, else ~/.cache/bindery].
    #[arg(long, value_name = "DIR", env = "BINDERY_CACHE_DIR", global = true)]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CacheAction {
    /// Print where the cache is, how many processed images it holds and their size, and when
    /// the least and the most recently used were last used (stdout).
    Stats,
    /// Remove the least recently used images until the cache holds at most --max-size. A
    /// build running meanwhile is not harmed: an image it finds gone is processed again.
    Prune(PruneArgs),
    /// Remove every processed image from the cache (`prune` to nothing).
    Clear,
}

#[derive(Debug, Args)]
pub(crate) struct PruneArgs {
    /// The most the cache may hold afterwards, in decimal units: `500MB`, `2GB`, `800kB`
    /// (1 MB = 1,000,000 bytes); a bare number is megabytes, as in `build --max-size`.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: u64,
}

impl CacheCommand {
    /// The folder the command works on: the flag, the environment, or the default a build
    /// uses; `None` when there is no home folder to find the default in.
    pub(crate) fn dir(&self) -> Option<PathBuf> {
        self.cache_dir.clone().or_else(default_cache_dir)
    }
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write bindery.1 and `bindery-<subcommand>.1` pages into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// Markdown files, or folders whose *.md files (in name order) are the chapters. The first
    /// file's YAML front matter is the book's metadata.
    #[arg(value_name = "INPUT", default_value = "book")]
    pub inputs: Vec<PathBuf>,

    /// Where to write the EPUB [default: the title as a file name, e.g. `my-book.epub`, in the current folder].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// What to write: a plain EPUB, or a Kobo kepub (`.kepub.epub`: reading statistics,
    /// highlights and pop-up notes on Kobo readers).
    /// [default: epub, or the target's].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Longest edge of images in pixels; larger images are scaled down, never up
    /// [default: front matter `images.max-size`, else 1600].
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(16..=10000))]
    pub max_image_size: Option<u32>,

    /// A fixed JPEG quality, 1–100; wins over --quality-target
    /// [default: front matter `images.quality`, else 80].
    #[arg(long, value_name = "Q", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub jpeg_quality: Option<u8>,

    /// Search each JPEG's quality: the lowest whose SSIMULACRA2 score against the resized
    /// image reaches this (70: high quality; 90: visually lossless); slower, opt-in
    /// [default: front matter `images.quality-target`, else off].
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality_target: Option<u8>,

    /// Convert images to grayscale: smaller books for e-ink readers.
    #[arg(long)]
    pub grayscale: bool,

    /// Folder for processed images, reused across builds [default: $XDG_CACHE_HOME/bindery].
    #[arg(long, value_name = "DIR", env = "BINDERY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Process every image again instead of reusing cached results; wins over --cache-dir
    /// and BINDERY_CACHE_DIR (a cache set in the environment must not stop a one-off
    /// uncached build).
    #[arg(long)]
    pub no_cache: bool,

    /// Show a missing or remote image's alt text instead of failing (for drafts).
    #[arg(long)]
    pub allow_missing_images: bool,

    /// Warn when the EPUB is larger than this many megabytes (1 MB = 1,000,000 bytes;
    /// decimals are allowed, `--max-size 0.5`) [default: 50, Send to Kindle's limit, or the
    /// target's].
    #[arg(long, value_name = "MB", value_parser = parse_megabytes)]
    pub max_size: Option<f64>,

    /// Tune the book for where it will be read: `kindle` (Send to Kindle's 50 MB limit is an
    /// error), `kobo` (a kepub, 1680 px images), `apple` (2360 px images, each under 5.6 MP), `eink` (grey
    /// images in a 1448 px box), `generic` (the defaults). Several, comma-separated, build
    /// one file each, named for its target (`book.kindle.epub`). Flags given here win over
    /// a target's settings. `watch` and `serve` use the first.
    #[arg(long, value_enum, value_name = "TARGET", value_delimiter = ',')]
    pub target: Vec<TargetArg>,

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
pub(crate) enum FormatArg {
    Epub,
    Kepub,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
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
    pub(crate) fn to_config(&self) -> Config {
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
    /// One [`Config`] per `--target` (one, untargeted, without the flag), each named for its
    /// target when there are several.
    pub(crate) fn into_configs(self) -> Vec<Config> {
        let targets: Vec<Target> = self.target.iter().map(|&t| t.into()).collect();
        let explicit = self.explicit();
        let name_files = targets.len() > 1;
        let base = self.into_untargeted_config();
        if targets.is_empty() {
            return vec![base];
        }
        let mut seen = Vec::new();
        targets
            .into_iter()
            .filter(|target| {
                let first = !seen.contains(target);
                seen.push(*target);
                first
            })
            .map(|target| target::configure(base.clone(), target, explicit, name_files))
            .collect()
    }

    /// The config of the first target (or none): what `watch` and `serve` build.
    pub(crate) fn into_config(self) -> Config {
        let first = self.target.first().map(|&t| Target::from(t));
        let explicit = self.explicit();
        let base = self.into_untargeted_config();
        match first {
            Some(target) => target::configure(base, target, explicit, false),
            None => base,
        }
    }

    fn explicit(&self) -> Explicit {
        Explicit {
            max_image_size: self.max_image_size.is_some(),
            grayscale: self.grayscale,
            format: self.format.is_some(),
            size_budget: self.max_size.is_some(),
        }
    }

    /// Resolves the flags and the environment into a [`Config`], before any target.
    fn into_untargeted_config(self) -> Config {
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
                quality_target: self.quality_target,
                grayscale: self.grayscale.then_some(true),
                animation: None,
            },
            cache,
            allow_missing_images: self.allow_missing_images,
            quiet: self.quiet,
            verbose: self.verbose,
            // At most 100,000 MB (checked when parsed), so this cannot overflow.
            max_epub_bytes: self
                .max_size
                .map_or(DEFAULT_MAX_EPUB_BYTES, |mb| (mb * 1e6).round() as u64),
            format: match self.format {
                None | Some(FormatArg::Epub) => OutputFormat::Epub,
                Some(FormatArg::Kepub) => OutputFormat::Kepub,
            },
            deny_warnings: self.deny_warnings,
            ..Config::new(Vec::new())
        }
    }
}

/// The device targets `--target` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    Generic,
    Kindle,
    Kobo,
    Apple,
    Eink,
}

impl From<TargetArg> for Target {
    fn from(target: TargetArg) -> Self {
        match target {
            TargetArg::Generic => Target::Generic,
            TargetArg::Kindle => Target::Kindle,
            TargetArg::Kobo => Target::Kobo,
            TargetArg::Apple => Target::Apple,
            TargetArg::Eink => Target::Eink,
        }
    }
}

/// A size in megabytes: a positive number up to 100,000 (100 GB).
fn parse_megabytes(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of megabytes"))?;
    if value.is_finite() && value > 0.0 && value <= 100_000.0 {
        Ok(value)
    } else {
        Err(format!(
            "`{text}` must be more than 0 and at most 100000 (MB)"
        ))
    }
}

/// A size in bytes, written with a decimal unit (`500MB`, `1.5 GB`, `800kB`, `0`); a bare
/// number is megabytes, as `--max-size` of `build` reads it. Binary units (MiB) are refused
/// rather than read as decimal ones: bindery counts in one kind of unit everywhere.
fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "mb" | "m" => 1e6,
        "b" => 1.0,
        "kb" | "k" => 1e3,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" | "mib" | "gib" | "tib" => {
            return Err(format!(
                "`{text}`: bindery counts in decimal units (1 MB = 1,000,000 bytes); write it \
                 with kB, MB or GB"
            ));
        }
        _ => {
            return Err(format!(
                "`{text}` is not a size: write a number with B, kB, MB or GB, e.g. `500MB`"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write a number first, e.g. `500MB`"))?;
    let bytes = value * scale;
    if bytes.is_finite() && (0.0..=1e15).contains(&bytes) {
        Ok(bytes.round() as u64)
    } else {
        Err(format!("`{text}` must be at most 1000 TB"))
    }
}

/// Writes the completion script for `shell` to `out`.
pub(crate) fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "bindery", out);
}

/// Writes one complete man page as roff to `out`: bindery(1), then a section for each
/// subcommand with its synopsis and every option, so `man bindery` documents every flag.
pub(crate) fn write_man_page(out: &mut dyn Write) -> std::io::Result<()> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut top = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut top)?;
    let mut page = String::from_utf8_lossy(&top).into_owned();
    let mut sections = String::new();
    let mut names = Vec::new();
    // Subcommands of subcommands (`cache prune`) get sections of their own, after their parent.
    let mut queue: Vec<(String, clap::Command)> = command
        .get_subcommands()
        .map(|sub| (sub.get_name().to_string(), sub.clone()))
        .collect();
    queue.reverse();
    while let Some((name, sub)) = queue.pop() {
        names.push(name.clone());
        let man = clap_mangen::Man::new(sub.clone());
        sections.push_str(&format!(".SH \"BINDERY {}\"\n", name.to_uppercase()));
        let mut renders = vec![
            clap_mangen::Man::render_description_section,
            clap_mangen::Man::render_synopsis_section,
            clap_mangen::Man::render_options_section,
        ];
        if sub.has_subcommands() {
            renders.push(clap_mangen::Man::render_subcommands_section);
        }
        for render in renders {
            let mut part = Vec::new();
            render(&man, &mut part)?;
            let part = String::from_utf8_lossy(&part)
                .replacen(".SH DESCRIPTION", ".SS Description", 1)
                .replacen(".SH SYNOPSIS", ".SS Synopsis", 1)
                .replacen(".SH OPTIONS", ".SS Options", 1)
                .replacen(".SH SUBCOMMANDS", ".SS Subcommands", 1);
            sections.push_str(&part);
        }
        let nested: Vec<_> = sub
            .get_subcommands()
            .filter(|nested| nested.get_name() != "help")
            .map(|nested| (format!("{name} {}", nested.get_name()), nested.clone()))
            .collect();
        queue.extend(nested.into_iter().rev());
    }
    // The subcommands' sections go before the closing ones (exit status, version).
    match page.find("\n.SH EXTRA") {
        Some(at) => page.insert_str(at + 1, &sections),
        None => page.push_str(&sections),
    }
    // The lists of subcommands name pages of their own (`bindery-build(1)`, written by
    // `bindery man --dir`); in this page they are the sections below.
    for name in names {
        page = page.replace(
            &format!("bindery\\-{}(1)", name.replace(' ', "\\-")),
            &format!("\\fBbindery {name}\\fR (below)"),
        );
    }
    out.write_all(page.as_bytes())
}

/// Writes bindery.1 and one page per subcommand (bindery-build.1, …) into `dir`.
pub(crate) fn write_man_pages(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)
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

    #[test]
    fn the_man_page_documents_every_option_of_every_subcommand() {
        let mut page = Vec::new();
        write_man_page(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        let mut command = Cli::command().disable_help_subcommand(true);
        command.build();
        // Subcommands of subcommands (`cache prune`) too.
        let mut all: Vec<(String, &clap::Command)> = Vec::new();
        for sub in command.get_subcommands() {
            all.push((sub.get_name().to_string(), sub));
            for nested in sub.get_subcommands().filter(|n| n.get_name() != "help") {
                all.push((format!("{} {}", sub.get_name(), nested.get_name()), nested));
            }
        }
        assert!(all.iter().any(|(name, _)| name == "cache prune"));
        for (name, sub) in all {
            let heading = format!(".SH \"BINDERY {}\"", name.to_uppercase());
            let start = page
                .find(&heading)
                .unwrap_or_else(|| panic!("no section {heading}:\n{page}"));
            let section = &page[start..];
            let section = &section[..section[1..].find("\n.SH ").map_or(section.len(), |i| i + 1)];
            for option in sub.get_arguments().filter_map(|a| a.get_long()) {
                let roff = format!("\\fB\\-\\-{}\\fR", option.replace('-', "\\-"));
                assert!(
                    section.contains(&roff),
                    "`bindery {name} --{option}` is documented:\n{section}"
                );
            }
        }
    }

    #[test]
    fn sizes_are_decimal() {
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("1.5 GB"), Ok(1_500_000_000));
        assert_eq!(parse_size("800kB"), Ok(800_000));
        assert_eq!(parse_size("800KB"), Ok(800_000));
        assert_eq!(parse_size("12 B"), Ok(12));
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("2"), Ok(2_000_000));
        assert!(parse_size("500MiB").unwrap_err().contains("decimal units"));
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
        assert!(parse_size("5 parsecs").unwrap_err().contains("not a size"));
        assert!(parse_size("-5MB").is_err());
    }
}
