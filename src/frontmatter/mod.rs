//! Front matter: split it from the Markdown, read it (YAML or TOML) into a located tree, and
//! validate that tree into typed [`Meta`].
//!
//! Pure: it takes the file's text and uses the path only for messages. Every problem is a
//! located [`Diagnostic`] whose line and column are those of the Markdown file (not of the
//! block), so an editor can jump there; and every problem of a run is reported, not just the
//! first. YAML is read with serde-saphyr (pure Rust, with budgets that refuse alias bombs),
//! TOML with the `toml` crate.
//!
//! - [`split()`]: the block and the body, told apart by their fences;
//! - `tree`: YAML or TOML to one located tree, with hints for the usual syntax mistakes;
//! - `check`: how a key is checked — wrong types, unknown and repeated keys, at any depth;
//! - `keys`: one validator per group of keys;
//! - `dates`, `identifier`: the values that have a grammar of their own.

mod check;
mod dates;
mod identifier;
mod keys;
pub mod locate;
pub mod split;
mod tree;

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};
use crate::model::Meta;

pub use crate::script::is_well_formed_language_tag;
pub use check::did_you_mean;
pub use dates::{normalize_date, parse_w3c_date};
// For the cache's last-use times (`bindery cache stats`).
pub use dates::civil_from_timestamp;
pub use keys::{GENERATOR_KEYS, IGNORED_GENERATOR_KEYS, KNOWN_KEYS};
pub use split::{Format, Split, split};

/// What the parse produced besides [`Meta`]: warnings to show.
#[derive(Debug)]
pub struct Parsed {
    pub meta: Meta,
    pub warnings: Vec<Diagnostic>,
}

/// Settings of the run that decide metadata values front matter may not give.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetaDefaults {
    /// `SOURCE_DATE_EPOCH`; wins over `modified` and `date` for `dcterms:modified`.
    pub source_date_epoch: Option<i64>,
}

/// Parses and validates the front matter of the book's first file. `book_dir` is the folder
/// that relative paths (`cover`, `css`, `chapters`) are resolved against.
pub fn parse_meta(
    path: &Path,
    text: &str,
    split: &Split<'_>,
    book_dir: &Path,
    defaults: MetaDefaults,
) -> Result<Parsed, Vec<Diagnostic>> {
    let block = split.block.unwrap_or("");
    let first_line = Location::at_offset(path, text, split.block_offset).line;
    let root = read_block(path, first_line, block, split.format)?;
    let mut checker = check::Checker::new(path, first_line, block, split.format);
    let meta = keys::meta(&mut checker, &root, book_dir, defaults);
    let has_errors = checker.diagnostics.has_errors();
    // The validators go group by group; the author reads top to bottom.
    let mut diagnostics = checker.diagnostics.into_vec();
    diagnostics.sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.column)));
    match meta {
        Some(meta) if !has_errors => Ok(Parsed {
            meta,
            warnings: diagnostics,
        }),
        _ => Err(diagnostics),
    }
}

/// The `chapters:` list of a file's front matter, each path as written with the location of
/// its entry; empty when the file has none. Only its own problems are reported here (the rest
/// of the front matter is checked by [`parse_meta`]).
pub fn chapter_list(path: &Path, text: &str) -> Result<Vec<(String, Location)>, Vec<Diagnostic>> {
    let Ok(split) = split(path, text) else {
        return Ok(Vec::new());
    };
    let Some(block) = split.block else {
        return Ok(Vec::new());
    };
    let first_line = Location::at_offset(path, text, split.block_offset).line;
    let Ok(root) = read_block(path, first_line, block, split.format) else {
        return Ok(Vec::new());
    };
    let tree::Value::Map(entries) = &root.value else {
        return Ok(Vec::new());
    };
    let mut checker = check::Checker::new(path, first_line, block, split.format);
    let entry = entries.iter().find(|e| e.key == "chapters");
    let list = keys::chapter_entries(&mut checker, entry);
    if checker.diagnostics.has_errors() {
        return Err(checker.diagnostics.into_vec());
    }
    Ok(list
        .into_iter()
        .map(|(written, pos)| (written, checker.at(pos)))
        .collect())
}

/// The block as a located tree; a block that cannot be read is one located error.
fn read_block(
    path: &Path,
    first_line: usize,
    block: &str,
    format: Format,
) -> Result<tree::Node, Vec<Diagnostic>> {
    let checker = check::Checker::new(path, first_line, block, format);
    let block_start = tree::Pos { line: 1, column: 1 };
    if block.len() > tree::MAX_BLOCK_BYTES {
        return Err(vec![
            Diagnostic::error(format!(
                "the front matter is too long ({:.1} MiB; at most {} MiB)",
                block.len() as f64 / f64::from(1 << 20),
                tree::MAX_BLOCK_BYTES >> 20
            ))
            .at(checker.at(block_start))
            .with_help("front matter holds short metadata; put long text in the Markdown"),
        ]);
    }
    if block.trim().is_empty() {
        return Ok(tree::Node::null(block_start));
    }
    let read = match format {
        Format::Yaml => tree::read_yaml(block),
        Format::Toml => tree::read_toml(block),
    };
    read.map_err(|error| {
        let location = checker.at(error.pos.unwrap_or(block_start));
        let help = error.help.unwrap_or_else(|| {
            format!(
                "front matter is {} between `{}` lines; see the README for the keys and their types",
                format.name(),
                format.fence()
            )
        });
        vec![Diagnostic::error(error.message).at(location).with_help(help)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Creator, Identifier, ImageSettings, ListOfIllustrations, Series};
    use std::path::PathBuf;

    fn parse(text: &str) -> Result<Parsed, Vec<Diagnostic>> {
        let path = Path::new("book/essay.md");
        let split = split(path, text).map_err(|d| vec![d])?;
        parse_meta(
            path,
            text,
            &split,
            Path::new("book"),
            MetaDefaults::default(),
        )
    }

    #[test]
    fn full_metadata_is_typed() {
        let parsed = parse(
            "---\ntitle: ' The Book '\nsubtitle: Sub\nauthor:\n  - name: Ann Author\n    file-as: Author, Ann\n  - {name: Pat Photo, role: pht}\nlanguage: pt-BR\ndate: 2016-05-03\nidentifier: 978-0-306-40615-7\nsubjects: [Korea, Photography]\nseries: Essays\nseries-index: 2\ncover: images/cover.jpg\nlist-of-illustrations: {title: Photographs}\nimages: {max-size: 1200, quality: 70, grayscale: true}\n---\n",
        )
        .unwrap();
        let m = parsed.meta;
        assert_eq!(m.title, "The Book");
        assert_eq!(
            m.creators[0],
            Creator {
                name: "Ann Author".into(),
                role: "aut".into(),
                file_as: Some("Author, Ann".into())
            }
        );
        assert_eq!(m.creators[1].role, "pht");
        assert_eq!(m.language, "pt-BR");
        assert_eq!(m.date.as_deref(), Some("2016-05-03"));
        assert_eq!(m.modified, "2016-05-03T00:00:00Z");
        assert_eq!(m.identifier, Identifier::Isbn("9780306406157".into()));
        assert_eq!(m.subjects, ["Korea", "Photography"]);
        assert_eq!(
            m.series,
            Some(Series {
                name: "Essays".into(),
                index: Some("2".into())
            })
        );
        assert_eq!(m.cover, Some(PathBuf::from("book/images/cover.jpg")));
        assert_eq!(
            m.list_of_illustrations,
            ListOfIllustrations {
                enabled: true,
                title: "Photographs".into()
            }
        );
        assert_eq!(
            m.images,
            ImageSettings {
                max_size: Some(1200),
                quality: Some(70),
                quality_target: None,
                grayscale: Some(true),
                animation: None,
            }
        );
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn defaults_fill_what_is_not_given_and_the_uuid_is_stable() {
        let a = parse("---\ntitle: T\nauthor: Me\n---\n").unwrap().meta;
        let b = parse("---\ntitle: T\nauthor: Me\n---\nother body\n")
            .unwrap()
            .meta;
        let c = parse("---\ntitle: T2\nauthor: Me\n---\n").unwrap().meta;
        assert_eq!(a.language, "en");
        assert_eq!(a.identifier, b.identifier);
        assert_ne!(a.identifier, c.identifier);
        assert_eq!(a.modified, "2000-01-01T00:00:00Z");
        assert_eq!((a.toc_depth, a.split_level), (3, 1));
        assert!(a.list_of_illustrations.enabled);
    }

    #[test]
    fn source_date_epoch_wins_for_modified() {
        let text = "---\ntitle: T\ndate: 2016\nmodified: 2020-02-03T04:05:06+01:00\n---\n";
        let path = Path::new("a.md");
        let s = split(path, text).unwrap();
        let with_epoch = parse_meta(
            path,
            text,
            &s,
            Path::new("."),
            MetaDefaults {
                source_date_epoch: Some(1_700_000_000),
            },
        )
        .unwrap();
        assert_eq!(with_epoch.meta.modified, "2023-11-14T22:13:20Z");
        let without = parse_meta(path, text, &s, Path::new("."), MetaDefaults::default()).unwrap();
        assert_eq!(without.meta.modified, "2020-02-03T03:05:06Z");
    }

    #[test]
    fn unknown_keys_warn_with_a_suggestion_at_their_line() {
        let parsed = parse("---\ntitle: T\npublishr: Me\n---\n").unwrap();
        assert_eq!(
            parsed.warnings[0].to_string(),
            "book/essay.md:3:1: warning: unknown front matter key `publishr`\n  help: did you mean `publisher`?"
        );
    }

    #[test]
    fn errors_are_located_in_the_markdown_file() {
        let errors = parse("---\ntitle: T\nlanguage: english!\ndate: 2016-13-01\nidentifier: 978-0-306-40615-8\n---\n").unwrap_err();
        let lines: Vec<String> = errors
            .iter()
            .map(|e| e.to_string().lines().next().unwrap().to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "book/essay.md:3:1: error: `english!` is not a BCP 47 language tag",
                "book/essay.md:4:1: error: `2016-13-01` is not a date",
                "book/essay.md:5:1: error: `978-0-306-40615-8` is not a valid ISBN-13: its check digit is wrong",
            ]
        );
    }

    #[test]
    fn missing_title_and_wrong_types_are_errors() {
        let e = parse("---\nsubtitle: S\n---\n").unwrap_err();
        assert!(
            e[0].to_string().contains("error: the book has no title"),
            "{}",
            e[0]
        );
        let e = parse("---\ntitle: T\nauthor: 3\n---\n").unwrap_err();
        assert!(e[0].to_string().starts_with("book/essay.md:3:"), "{}", e[0]);
    }

    #[test]
    fn malformed_yaml_points_at_the_markdown_line() {
        let e = parse("---\ntitle: T\nsubtitle: [unclosed\n---\n").unwrap_err();
        let location = e[0].location.clone().unwrap();
        assert!(location.line >= 3, "{}", e[0]);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut yaml = String::from("---\ntitle: T\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='k' {
            yaml.push_str(&format!("{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
            previous = name;
        }
        yaml.push_str("---\n");
        let start = std::time::Instant::now();
        assert!(parse(&yaml).is_err());
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn language_tags_are_checked_for_shape() {
        for good in ["en", "en-GB", "zh-Hant-TW", "sr-Latn", "x-private", "ko"] {
            assert!(is_well_formed_language_tag(good), "{good}");
        }
        for bad in ["", "e", "english!", "en-", "en_GB", "toolongtag-x"] {
            assert!(!is_well_formed_language_tag(bad), "{bad}");
        }
    }

    fn first_lines(diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| d.to_string().lines().next().unwrap_or_default().to_string())
            .collect()
    }

    #[test]
    fn unknown_keys_at_any_depth_warn_with_a_suggestion() {
        let parsed = parse("---\ntitle: T\nauthor:\n  - name: A\n    rol: pht\n    fileas: A\nlist-of-illustrations: {titel: X}\nimages: {qualty: 7}\naccessibility: {sumary: S}\n---\n").unwrap();
        let helps: Vec<String> = parsed
            .warnings
            .iter()
            .map(|w| w.help.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            first_lines(&parsed.warnings),
            [
                "book/essay.md:5:5: warning: unknown front matter key `rol` in `author`",
                "book/essay.md:6:5: warning: unknown front matter key `fileas` in `author`",
                "book/essay.md:7:25: warning: unknown front matter key `titel` in `list-of-illustrations`",
                "book/essay.md:8:10: warning: unknown front matter key `qualty` in `images`",
                "book/essay.md:9:17: warning: unknown front matter key `sumary` in `accessibility`",
            ]
        );
        assert_eq!(helps[0], "did you mean `role`?");
        assert_eq!(helps[1], "did you mean `file-as`?");
        assert_eq!(helps[2], "did you mean `title`?");
    }

    #[test]
    fn every_wrong_type_is_reported_in_the_authors_words() {
        let errors = parse("---\ntitle: T\ntoc-depth: three\nsplit-level: 9\nimages: {grayscale: maybe}\nlanguage: [en]\ntitle: U\n---\n").unwrap_err();
        assert_eq!(
            first_lines(&errors),
            [
                "book/essay.md:3:12: error: `toc-depth` must be a whole number from 1 to 6, found `three`",
                "book/essay.md:4:14: error: `split-level` must be a whole number from 0 to 6, found `9`",
                "book/essay.md:5:21: error: `images.grayscale` must be `true` or `false`, found `maybe`",
                "book/essay.md:6:11: error: `language` must be text, found a list",
                "book/essay.md:7:1: error: `title` is given twice (lines 2 and 7)",
            ]
        );
    }

    #[test]
    fn the_quality_target_is_read_and_checked() {
        let parsed = parse("---\ntitle: T\nimages: {quality-target: 85}\n---\n").unwrap();
        assert_eq!(parsed.meta.images.quality_target, Some(85));
        assert_eq!(parsed.meta.images.quality, None);
        let errors = parse("---\ntitle: T\nimages: {quality-target: 101}\n---\n").unwrap_err();
        assert_eq!(
            first_lines(&errors),
            [
                "book/essay.md:3:26: error: `images.quality-target` must be a whole number from 1 to 100, found `101`"
            ]
        );
    }

    #[test]
    fn toml_front_matter_reads_like_yaml() {
        let text = "+++\ntitle = \"T\"\nlanguage = \"ja\"\ndate = 2015-05-21T11:00:00-07:00\ntags = [\"sea\"]\ndirection = \"rtl\"\nwriting-mode = \"vertical\"\nchapters = [\"a.md\"]\ndraft = true\n+++\n";
        let parsed = parse(text).unwrap();
        let m = parsed.meta;
        assert_eq!(m.date.as_deref(), Some("2015-05-21T11:00:00-07:00"));
        assert_eq!(m.modified, "2015-05-21T18:00:00Z");
        assert_eq!(m.subjects, ["sea"]);
        assert_eq!(m.direction, Some(crate::model::TextDirection::Rtl));
        assert_eq!(m.writing_mode, Some(crate::model::WritingMode::Vertical));
        assert_eq!(m.chapters, [PathBuf::from("book/a.md")]);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn generator_keys_are_read_or_quietly_ignored() {
        let parsed = parse("---\ntitle: T\nlayout: post\nslug: t\npermalink: /t/\ndraft: false\ndate: 2015-05-21 11:00:00 -0700\ncategories: [Travel]\ntags: boats\nsummary: About boats.\nauthors: [Ann]\n---\n").unwrap();
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let m = parsed.meta;
        assert_eq!(m.subjects, ["boats", "Travel"]);
        assert_eq!(m.description.as_deref(), Some("About boats."));
        assert_eq!(m.creators[0].name, "Ann");
        assert_eq!(m.date.as_deref(), Some("2015-05-21T11:00:00-07:00"));
    }

    #[test]
    fn a_huge_block_is_too_long_not_a_bomb() {
        let text = format!("---\ntitle: {}\n---\n", "t".repeat(2 << 20));
        let errors = parse(&text).unwrap_err();
        assert!(
            errors[0]
                .message
                .starts_with("the front matter is too long"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn plain_scalars_that_look_like_booleans_or_numbers_stay_as_written() {
        let m = parse("---\ntitle: 1e3\nlanguage: no\nseries: Essays\nseries-index: 2.50\n---\n")
            .unwrap()
            .meta;
        assert_eq!((m.title.as_str(), m.language.as_str()), ("1e3", "no"));
        assert_eq!(m.series.and_then(|s| s.index).as_deref(), Some("2.50"));
    }
}
