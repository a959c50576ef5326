//! Device targets (`--target kindle|kobo|apple|eink|generic`): one book, tuned for where it
//! will be read.
//!
//! A target is a preset of settings a user could give by hand — the image box, grey images,
//! kepub, the size budget — named after the reader or store that wants them, so nobody has
//! to look up Kobo's screen size or Send to Kindle's limit. Flags given on the command line
//! still win over a target's preset; a target wins over the front matter's `images:`, since
//! the front matter describes the book and the target the device. Several targets make
//! several files, each named for its target (`book.kindle.epub`, `book.kobo.kepub.epub`).

use crate::config::{Config, OutputFormat};

/// Where the book will be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// Any EPUB 3 reader: today's defaults.
    #[default]
    Generic,
    /// Send to Kindle: its 50 MB limit is an error, not a warning.
    Kindle,
    /// Kobo e-readers: a kepub, images for their 1680-pixel screens.
    Kobo,
    /// Apple Books on iPad and iPhone: larger images, each under the 5.6 million pixels
    /// Apple's asset guide allows (a 2360-pixel box: even a square image is 5.57 MP).
    Apple,
    /// A 6-inch e-ink reader: grey images in a 1448-pixel box (1072 × 1448 screens).
    Eink,
}

/// The settings a target stands for. `None`: the target has no opinion (the usual default
/// or the front matter applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub max_image_size: Option<u32>,
    pub grayscale: Option<bool>,
    pub format: OutputFormat,
    /// The size budget in bytes, and whether going over it fails the build.
    pub size_budget: u64,
    pub size_budget_is_limit: bool,
}

/// Send to Kindle's limit for a document, in bytes (decimal megabytes, as Amazon states it).
const SEND_TO_KINDLE_LIMIT: u64 = 50 * 1000 * 1000;

/// The largest box whose square fits Apple Books' 5.6-million-pixel image limit:
/// 2360 × 2360 is 5,569,600 pixels, so no image in it, of any shape, goes over.
pub const APPLE_BOOKS_BOX: u32 = 2360;
const APPLE_BOOKS_MAX_PIXELS: u64 = 5_600_000;
const _: () = assert!(APPLE_BOOKS_BOX as u64 * APPLE_BOOKS_BOX as u64 <= APPLE_BOOKS_MAX_PIXELS);

/// Apple Books takes books up to 2 GB; a budget warning well before that.
const APPLE_BOOKS_LIMIT: u64 = 2000 * 1000 * 1000;

impl Target {
    /// Every target, in the order `--help` lists them.
    pub const ALL: [Target; 5] = [
        Target::Generic,
        Target::Kindle,
        Target::Kobo,
        Target::Apple,
        Target::Eink,
    ];

    /// The name on the command line, in file names and in the JSON report.
    pub fn name(self) -> &'static str {
        match self {
            Target::Generic => "generic",
            Target::Kindle => "kindle",
            Target::Kobo => "kobo",
            Target::Apple => "apple",
            Target::Eink => "eink",
        }
    }

    pub fn preset(self) -> Preset {
        let generic = Preset {
            max_image_size: None,
            grayscale: None,
            format: OutputFormat::Epub,
            size_budget: SEND_TO_KINDLE_LIMIT,
            size_budget_is_limit: false,
        };
        match self {
            Target::Generic => generic,
            Target::Kindle => Preset {
                size_budget_is_limit: true,
                ..generic
            },
            Target::Kobo => Preset {
                max_image_size: Some(1680),
                format: OutputFormat::Kepub,
                ..generic
            },
            Target::Apple => Preset {
                max_image_size: Some(APPLE_BOOKS_BOX),
                size_budget: APPLE_BOOKS_LIMIT,
                ..generic
            },
            Target::Eink => Preset {
                max_image_size: Some(1448),
                grayscale: Some(true),
                ..generic
            },
        }
    }
}

/// What the user said on the command line, before a target fills the gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Explicit {
    pub max_image_size: bool,
    pub grayscale: bool,
    pub format: bool,
    pub size_budget: bool,
}

/// `config` for `target`: the preset fills every setting the user did not give. With
/// `name_files`, the output's name gets the target's name (`book.kindle.epub`), so several
/// targets never write to the same file.
pub fn configure(
    mut config: Config,
    target: Target,
    explicit: Explicit,
    name_files: bool,
) -> Config {
    let preset = target.preset();
    if !explicit.max_image_size {
        config.images.max_size = preset.max_image_size.or(config.images.max_size);
    }
    if !explicit.grayscale {
        config.images.grayscale = preset.grayscale.or(config.images.grayscale);
    }
    if !explicit.format {
        config.format = preset.format;
    }
    if !explicit.size_budget {
        config.max_epub_bytes = preset.size_budget;
    }
    config.size_budget_is_limit = preset.size_budget_is_limit;
    config.target = target;
    if name_files {
        config.output_suffix = Some(target.name());
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn base() -> Config {
        Config::new(vec![PathBuf::from("book")])
    }

    #[test]
    fn a_target_fills_only_what_the_user_did_not_say() {
        let mut config = base();
        config.images.max_size = Some(1200);
        let explicit = Explicit {
            max_image_size: true,
            ..Explicit::default()
        };
        let eink = configure(config, Target::Eink, explicit, false);
        assert_eq!(eink.images.max_size, Some(1200), "the flag wins");
        assert_eq!(eink.images.grayscale, Some(true));
        assert_eq!(eink.output_suffix, None);
    }

    #[test]
    fn kobo_writes_a_kepub_and_kindle_makes_its_limit_an_error() {
        let kobo = configure(base(), Target::Kobo, Explicit::default(), true);
        assert_eq!(kobo.format, OutputFormat::Kepub);
        assert_eq!(kobo.output_suffix, Some("kobo"));
        let kindle = configure(base(), Target::Kindle, Explicit::default(), true);
        assert!(kindle.size_budget_is_limit);
        assert_eq!(kindle.max_epub_bytes, 50_000_000);
        let generic = configure(base(), Target::Generic, Explicit::default(), false);
        assert_eq!(generic, Config { ..base() });
    }
}
