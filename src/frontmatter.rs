//! YAML front matter: split it from the Markdown, parse it into typed, validated [`Meta`].
//!
//! Pure: it takes the file's text and uses the path only for messages. Every problem is a
//! located [`Diagnostic`] whose line and column are those of the Markdown file (not of the
//! YAML block), so an editor can jump there. YAML is parsed with serde-saphyr (pure Rust,
//! with budgets that refuse alias bombs) instead of the archived serde_yaml.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::model::{
    AccessibilitySettings, Creator, Identifier, ImageSettings, ListOfIllustrations, Meta, Series,
};

/// Every top-level key bindery understands, for the unknown-key warning.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "author",
    "language",
    "date",
    "modified",
    "identifier",
    "publisher",
    "rights",
    "description",
    "subjects",
    "series",
    "series-index",
    "cover",
    "css",
    "toc-depth",
    "split-level",
    "list-of-illustrations",
    "images",
    "accessibility",
];

/// A Markdown file cut in two at the end of its front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, if the file has front matter.
    pub yaml: Option<&'a str>,
    /// Byte offset of the YAML in the file (for mapping positions).
    pub yaml_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

/// Splits `---`-fenced front matter from the start of `text`. The block ends at a line that is
/// `---` or `...`. A file whose first line is `---` but never closes it is an error: treating
/// it as Markdown would put the whole manuscript in a horizontal-rule-led paragraph.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let no_front_matter = Split {
        yaml: None,
        yaml_offset: 0,
        body: text,
        body_offset: 0,
    };
    let Some(first_line_end) = text.find('\n') else {
        return Ok(no_front_matter);
    };
    if text[..first_line_end].trim_end() != "---" {
        return Ok(no_front_matter);
    }
    let yaml_offset = first_line_end + 1;
    let mut line_start = yaml_offset;
    while line_start <= text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let line = text[line_start..line_end].trim_end();
        if line == "---" || line == "..." {
            let body_offset = (line_end + 1).min(text.len());
            return Ok(Split {
                yaml: Some(&text[yaml_offset..line_start]),
                yaml_offset,
                body: &text[body_offset..],
                body_offset,
            });
        }
        if line_end == text.len() {
            break;
        }
        line_start = line_end + 1;
    }
    Err(Diagnostic::error("front matter is not closed")
        .at(Location::at_offset(path, text, 0))
        .with_help("end the YAML block with a line holding only `---`"))
}

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
/// that relative paths (`cover`, `css`) are resolved against.
pub fn parse_meta(
    path: &Path,
    text: &str,
    split: &Split<'_>,
    book_dir: &Path,
    defaults: MetaDefaults,
) -> Result<Parsed, Vec<Diagnostic>> {
    let mut diagnostics = Diagnostics::new();
    let yaml = split.yaml.unwrap_or("");
    let locate = |line: usize, column: usize| -> Location {
        // serde-saphyr counts lines from 1 within the block, which starts on line 2.
        let block_line = Location::at_offset(path, text, split.yaml_offset).line;
        Location {
            path: path.to_path_buf(),
            line: block_line + line.saturating_sub(1),
            column: column.max(1),
        }
    };
    let key_location = |key: &str| -> Location {
        let mut offset = split.yaml_offset;
        for line in yaml.split_inclusive('\n') {
            if line
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
            {
                return Location::at_offset(path, text, offset);
            }
            offset += line.len();
        }
        Location::at_offset(path, text, split.yaml_offset)
    };

    let raw: RawMeta = if yaml.trim().is_empty() {
        RawMeta::default()
    } else {
        match parse_yaml::<RawMeta>(yaml) {
            Ok(raw) => raw,
            Err((message, position)) => {
                let location = match position {
                    Some((line, column)) => locate(line, column),
                    None => Location::at_offset(path, text, split.yaml_offset),
                };
                return Err(vec![
                    Diagnostic::error(format!("front matter: {message}"))
                        .at(location)
                        .with_help(
                            "front matter is YAML between `---` lines; see the README for the keys and their types",
                        ),
                ]);
            }
        }
    };

    if let Ok(keys) = parse_yaml::<BTreeMap<String, IgnoredAny>>(yaml) {
        for key in keys.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
            let mut warning = Diagnostic::warning(format!("unknown front matter key `{key}`"))
                .at(key_location(key));
            warning = match did_you_mean(key, KNOWN_KEYS) {
                Some(known) => warning.with_help(format!("did you mean `{known}`?")),
                None => warning.with_help(format!(
                    "bindery ignores it; known keys: {}",
                    KNOWN_KEYS.join(", ")
                )),
            };
            diagnostics.push(warning);
        }
    }

    let title = match raw.title.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => title.to_string(),
        _ => {
            let location = Location::at_offset(path, text, 0);
            diagnostics.push(
                Diagnostic::error("the book has no title")
                    .at(location)
                    .with_help("start the first file with front matter:\n---\ntitle: My Book\n---"),
            );
            String::new()
        }
    };

    let language = raw.language.clone().unwrap_or_else(|| "en".to_string());
    if !is_well_formed_language_tag(&language) {
        diagnostics.push(
            Diagnostic::error(format!("`{language}` is not a BCP 47 language tag"))
                .at(key_location("language"))
                .with_help("use a tag such as `en`, `en-GB`, `fr`, `pt-BR` or `zh-Hant`"),
        );
    }

    for (key, value) in [("date", &raw.date), ("modified", &raw.modified)] {
        if let Some(value) = value
            && parse_w3c_date(&value.0).is_none()
        {
            diagnostics.push(
                Diagnostic::error(format!("`{}` is not a date", value.0))
                    .at(key_location(key))
                    .with_help("write YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"),
            );
        }
    }

    let creators = raw
        .author
        .clone()
        .map(RawAuthors::into_creators)
        .unwrap_or_default();
    for creator in &creators {
        if !is_marc_relator(&creator.role) {
            diagnostics.push(
                Diagnostic::error(format!("`{}` is not a MARC relator role", creator.role))
                    .at(key_location("author"))
                    .with_help("use a code such as aut (author), pht (photographer), edt (editor), ill (illustrator), trl (translator)"),
            );
        }
    }

    let identifier = match raw.identifier.as_deref().map(str::trim) {
        Some(written) => match parse_identifier(written) {
            Ok(identifier) => identifier,
            Err(problem) => {
                diagnostics.push(
                    Diagnostic::error(problem.message)
                        .at(key_location("identifier"))
                        .with_help(problem.help),
                );
                Identifier::Uuid(String::new())
            }
        },
        None => Identifier::Uuid(derived_uuid(&title, &creators)),
    };

    for (key, value) in [
        ("toc-depth", raw.toc_depth),
        ("split-level", raw.split_level),
    ] {
        let allowed = if key == "toc-depth" { 1..=6 } else { 0..=6 };
        if let Some(value) = value
            && !allowed.contains(&value)
        {
            diagnostics.push(
                Diagnostic::error(format!(
                    "`{key}` must be between {} and {}",
                    allowed.start(),
                    allowed.end()
                ))
                .at(key_location(key)),
            );
        }
    }
    let images = raw.images.clone().unwrap_or_default();
    if let Some(quality) = images.quality
        && !(1..=100).contains(&quality)
    {
        diagnostics.push(
            Diagnostic::error("`images.quality` must be between 1 and 100")
                .at(key_location("images")),
        );
    }
    if let Some(size) = images.max_size
        && !(16..=10000).contains(&size)
    {
        diagnostics.push(
            Diagnostic::error("`images.max-size` must be between 16 and 10000 pixels")
                .at(key_location("images")),
        );
    }

    if diagnostics.has_errors() {
        return Err(diagnostics.into_vec());
    }

    let modified = modified_timestamp(
        defaults.source_date_epoch,
        raw.modified.as_ref().map(|s| s.0.as_str()),
        raw.date.as_ref().map(|s| s.0.as_str()),
    );
    let list_of_illustrations = match raw.list_of_illustrations {
        None => ListOfIllustrations {
            enabled: true,
            title: DEFAULT_LOI_TITLE.to_string(),
        },
        Some(RawLoi::Switch(enabled)) => ListOfIllustrations {
            enabled,
            title: DEFAULT_LOI_TITLE.to_string(),
        },
        Some(RawLoi::Settings { title, enabled }) => ListOfIllustrations {
            enabled: enabled.unwrap_or(true),
            title: title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_LOI_TITLE.to_string()),
        },
    };
    let meta = Meta {
        title,
        subtitle: non_empty(raw.subtitle),
        creators,
        language,
        date: raw.date.map(|d| d.0),
        modified,
        identifier,
        publisher: non_empty(raw.publisher),
        rights: non_empty(raw.rights),
        description: non_empty(raw.description),
        subjects: raw.subjects.map(OneOrMany::into_vec).unwrap_or_default(),
        series: non_empty(raw.series).map(|name| Series {
            name,
            index: raw.series_index.map(|i| i.0),
        }),
        cover: raw.cover.map(|p| resolve_book_path(book_dir, &p)),
        css: raw.css.map(|p| resolve_book_path(book_dir, &p)),
        toc_depth: raw.toc_depth.unwrap_or(3),
        split_level: raw.split_level.unwrap_or(1),
        list_of_illustrations,
        images: ImageSettings {
            max_size: images.max_size,
            quality: images.quality,
            grayscale: images.grayscale,
            animation: images.animation.map(|choice| match choice {
                RawAnimation::Keep => crate::images::animation::Animation::Keep,
                RawAnimation::FirstFrame => crate::images::animation::Animation::FirstFrame,
            }),
        },
        accessibility: raw
            .accessibility
            .map(|a| AccessibilitySettings {
                summary: non_empty(a.summary),
                certified_by: non_empty(a.certified_by),
            })
            .unwrap_or_default(),
    };
    Ok(Parsed {
        meta,
        warnings: diagnostics.into_vec(),
    })
}

const DEFAULT_LOI_TITLE: &str = "List of Illustrations";

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn resolve_book_path(book_dir: &Path, written: &str) -> PathBuf {
    book_dir.join(written)
}

/// Parses YAML with budgets that stop alias bombs and absurd nesting early; on error, the
/// message and the (line, column) within the YAML.
fn parse_yaml<T: de::DeserializeOwned>(yaml: &str) -> Result<T, (String, Option<(usize, usize)>)> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_aliases = 100;
    budget.max_anchors = 100;
    budget.max_depth = 32;
    budget.max_nodes = 10_000;
    budget.max_total_scalar_bytes = 1 << 20;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options::<T>(yaml, options).map_err(|error| {
        let position = error
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| (l.line() as usize, l.column() as usize));
        (plain_message(&error), position)
    })
}

/// serde-saphyr renders errors with a source snippet and position; we print our own
/// position, so keep just the first line of the message and drop its own "at line" suffix.
fn plain_message(error: &serde_saphyr::Error) -> String {
    let rendered = error.without_snippet().to_string();
    let first = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let first = match first.find(" at line ") {
        Some(index) => &first[..index],
        None => first,
    };
    // The budget's own words ("budget breached: Nodes { nodes: 10001 }") mean nothing to a
    // writer; what tripped it is nearly always aliases expanding without end.
    if first.contains("budget breached") {
        return "too many nodes, aliases or nesting levels (a YAML alias bomb?); refused".into();
    }
    first.trim_start_matches("error: ").to_string()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawMeta {
    title: Option<String>,
    subtitle: Option<String>,
    author: Option<RawAuthors>,
    language: Option<String>,
    date: Option<Scalar>,
    modified: Option<Scalar>,
    identifier: Option<String>,
    publisher: Option<String>,
    rights: Option<String>,
    description: Option<String>,
    subjects: Option<OneOrMany>,
    series: Option<String>,
    series_index: Option<Scalar>,
    cover: Option<String>,
    css: Option<String>,
    toc_depth: Option<u8>,
    split_level: Option<u8>,
    list_of_illustrations: Option<RawLoi>,
    images: Option<RawImages>,
    accessibility: Option<RawAccessibility>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawAccessibility {
    summary: Option<String>,
    certified_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawImages {
    max_size: Option<u32>,
    quality: Option<u8>,
    grayscale: Option<bool>,
    animation: Option<RawAnimation>,
}

/// `images.animation`: see `images/animation.rs`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    expecting = "expected `images.animation` to be `keep` or `first-frame`"
)]
enum RawAnimation {
    Keep,
    FirstFrame,
}

#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "expected `list-of-illustrations` to be `true`, `false`, or a map with `title` and `enabled`"
)]
enum RawLoi {
    Switch(bool),
    Settings {
        title: Option<String>,
        enabled: Option<bool>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "expected `author` to be a name, a list of names, or a list of {name, role, file-as}"
)]
enum RawAuthors {
    One(String),
    Many(Vec<RawAuthor>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "expected each author to be a name or a map with `name`, `role`, `file-as`"
)]
enum RawAuthor {
    Name(String),
    Full {
        name: String,
        role: Option<String>,
        #[serde(rename = "file-as")]
        file_as: Option<String>,
    },
}

impl RawAuthors {
    fn into_creators(self) -> Vec<Creator> {
        let authors = match self {
            RawAuthors::One(name) => vec![RawAuthor::Name(name)],
            RawAuthors::Many(list) => list,
        };
        authors
            .into_iter()
            .map(|author| match author {
                RawAuthor::Name(name) => Creator {
                    name: name.trim().to_string(),
                    role: "aut".to_string(),
                    file_as: None,
                },
                RawAuthor::Full {
                    name,
                    role,
                    file_as,
                } => Creator {
                    name: name.trim().to_string(),
                    role: role
                        .map(|r| r.trim().to_ascii_lowercase())
                        .unwrap_or_else(|| "aut".to_string()),
                    file_as: non_empty(file_as),
                },
            })
            .filter(|creator| !creator.name.is_empty())
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, expecting = "expected a string or a list of strings")]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        let all = match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        };
        all.into_iter().filter_map(|s| non_empty(Some(s))).collect()
    }
}

/// Any YAML scalar as text: `date: 2016-05-03` and `series-index: 2` are not strings to YAML.
#[derive(Debug, Clone, PartialEq)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl de::Visitor<'_> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date, number or text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.trim().to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// The closest known key within a small edit distance, for "did you mean".
pub fn did_you_mean<'k>(unknown: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(unknown, k), *k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Well-formedness per BCP 47's syntax (RFC 5646 §2.1): a 2–3 letter (or 4–8 letter) primary
/// language, then subtags of 1–8 letters or digits; or a private-use `x-…` tag. Whether a
/// subtag is registered is not checked — reading systems only need the shape.
pub fn is_well_formed_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let Some(primary) = subtags.next() else {
        return false;
    };
    let primary_ok = (primary.eq_ignore_ascii_case("x") || primary.eq_ignore_ascii_case("i"))
        || ((2..=3).contains(&primary.len()) || (4..=8).contains(&primary.len()))
            && primary.chars().all(|c| c.is_ascii_alphabetic());
    primary_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
        && !tag.ends_with('-')
}

/// Parses a W3CDTF date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or with `Thh:mm[:ss[.s]]` and a
/// zone) into (year, month, day, hour, minute, second) in UTC, checking each field's range.
pub fn parse_w3c_date(text: &str) -> Option<(i64, u32, u32, u32, u32, u32)> {
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year_text = parts.next()?;
    if year_text.len() != 4 || !year_text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let year: i64 = year_text.parse().ok()?;
    let number =
        |part: Option<&str>, range: std::ops::RangeInclusive<u32>| -> Option<Option<u32>> {
            match part {
                None => Some(None),
                Some(p) if p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()) => {
                    let n: u32 = p.parse().ok()?;
                    range.contains(&n).then_some(Some(n))
                }
                Some(_) => None,
            }
        };
    let month = number(parts.next(), 1..=12)?;
    let day = number(parts.next(), 1..=31)?;
    if parts.next().is_some() {
        return None;
    }
    if let (Some(m), Some(d)) = (month, day)
        && d > days_in_month(year, m)
    {
        return None;
    }
    let (mut hour, mut minute, mut second, mut offset_minutes) = (0u32, 0u32, 0u32, 0i64);
    if let Some(time) = time {
        day?;
        let (clock, zone) = split_zone(time)?;
        let mut fields = clock.split(':');
        hour = number(fields.next(), 0..=23)??;
        minute = number(fields.next(), 0..=59)??;
        if let Some(seconds) = fields.next() {
            let whole = seconds.split('.').next()?;
            second = number(Some(whole), 0..=60)??.min(59);
        }
        if fields.next().is_some() {
            return None;
        }
        offset_minutes = zone;
    }
    let mut utc = days_from_civil(year, month.unwrap_or(1), day.unwrap_or(1)) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    utc -= offset_minutes * 60;
    let (y, mo, d, h, mi, s) = civil_from_timestamp(utc);
    Some((y, mo, d, h, mi, s))
}

/// Splits `hh:mm:ss+01:00` / `hh:mmZ` into the clock and the zone offset in minutes.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let sign_at = time.rfind(['+', '-'])?;
    let (clock, zone) = time.split_at(sign_at);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let (h, m) = zone[1..].split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let hours: i64 = h.parse().ok()?;
    let minutes: i64 = m.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 60 + minutes)))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// UTC calendar fields of a Unix timestamp.
fn civil_from_timestamp(timestamp: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = timestamp.div_euclid(86_400);
    let secs = timestamp.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
    )
}

/// `dcterms:modified`: from `SOURCE_DATE_EPOCH`, else `modified`, else `date`, else a fixed
/// instant — never the clock, so that the same sources always give the same EPUB.
fn modified_timestamp(epoch: Option<i64>, modified: Option<&str>, date: Option<&str>) -> String {
    let fields = epoch
        .map(civil_from_timestamp)
        .or_else(|| modified.and_then(parse_w3c_date))
        .or_else(|| date.and_then(parse_w3c_date))
        .unwrap_or((2000, 1, 1, 0, 0, 0));
    let (y, mo, d, h, mi, s) = fields;
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

struct IdentifierProblem {
    message: String,
    help: String,
}

/// Accepts an ISBN-13 (hyphens and spaces allowed, checksum verified), any other `urn:`, or
/// an http(s) URL.
fn parse_identifier(written: &str) -> Result<Identifier, IdentifierProblem> {
    let lower = written.to_ascii_lowercase();
    let isbn_text = lower
        .strip_prefix("urn:isbn:")
        .or_else(|| lower.strip_prefix("isbn:"))
        .or_else(|| lower.strip_prefix("isbn "))
        .unwrap_or(&lower);
    let digits: String = isbn_text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    let looks_like_isbn =
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == 'x');
    if looks_like_isbn {
        if digits.len() != 13 {
            return Err(IdentifierProblem {
                message: format!("`{written}` is not an ISBN-13 ({} digits)", digits.len()),
                help: "give the 13-digit ISBN (978… or 979…); an ISBN-10 can be converted by prefixing 978 and recomputing the check digit".into(),
            });
        }
        let sum: u32 = digits
            .chars()
            .filter_map(|c| c.to_digit(10))
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d } else { d * 3 })
            .sum();
        if !sum.is_multiple_of(10) || !(digits.starts_with("978") || digits.starts_with("979")) {
            return Err(IdentifierProblem {
                message: format!("`{written}` is not a valid ISBN-13: its check digit is wrong"),
                help: "check the ISBN for a typo".into(),
            });
        }
        return Ok(Identifier::Isbn(digits));
    }
    if lower.starts_with("urn:") && written.len() > 4 {
        return Ok(Identifier::Urn(written.to_string()));
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match url::Url::parse(written) {
            Ok(url) => Ok(Identifier::Url(url.to_string())),
            Err(error) => Err(IdentifierProblem {
                message: format!("`{written}` is not a valid URL: {error}"),
                help: "use an ISBN-13, a URN (urn:…) or a URL".into(),
            }),
        };
    }
    if uuid::Uuid::try_parse(written).is_ok() {
        return Ok(Identifier::Uuid(written.to_ascii_lowercase()));
    }
    Err(IdentifierProblem {
        message: format!("`{written}` is not an ISBN-13, URN, URL or UUID"),
        help:
            "use an ISBN-13, a URN (urn:…), a URL, or leave `identifier` out to get a stable UUID"
                .into(),
    })
}

/// A UUID v5 of the title and the authors: stable across builds and machines, different for
/// different books.
fn derived_uuid(title: &str, creators: &[Creator]) -> String {
    let mut name = format!("bindery:{title}");
    for creator in creators {
        name.push('\n');
        name.push_str(&creator.name);
    }
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}

/// MARC relator codes are three lower-case letters; bindery accepts any code of that shape
/// and the common ones are documented.
fn is_marc_relator(role: &str) -> bool {
    role.len() == 3 && role.chars().all(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn splits_front_matter_from_the_body() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(s.yaml, Some("title: A\n"));
        assert_eq!(s.body, "# Body\n");
        assert_eq!(&text[s.body_offset..], s.body);
    }

    #[test]
    fn a_file_without_front_matter_is_all_body() {
        let s = split(Path::new("a.md"), "# Only body\n").unwrap();
        assert_eq!((s.yaml, s.body), (None, "# Only body\n"));
    }

    #[test]
    fn unclosed_front_matter_is_an_error_at_line_one() {
        let e = split(Path::new("a.md"), "---\ntitle: A\n# Body\n").unwrap_err();
        assert_eq!(
            e.to_string().lines().next(),
            Some("a.md:1:1: error: front matter is not closed")
        );
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
    fn dates_are_checked_and_normalized_to_utc() {
        assert_eq!(parse_w3c_date("2016"), Some((2016, 1, 1, 0, 0, 0)));
        assert_eq!(parse_w3c_date("2024-02-29"), Some((2024, 2, 29, 0, 0, 0)));
        assert_eq!(parse_w3c_date("2023-02-29"), None);
        assert_eq!(
            parse_w3c_date("2016-05-03T23:30:00-01:00"),
            Some((2016, 5, 4, 0, 30, 0))
        );
        assert_eq!(parse_w3c_date("2016-5-3"), None);
        assert_eq!(parse_w3c_date("yesterday"), None);
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

    #[test]
    fn identifiers_of_each_kind() {
        assert!(matches!(
            parse_identifier("urn:isbn:9780306406157"),
            Ok(Identifier::Isbn(_))
        ));
        assert!(matches!(
            parse_identifier("urn:doi:10.1000/182"),
            Ok(Identifier::Urn(_))
        ));
        assert!(matches!(
            parse_identifier("https://example.org/book"),
            Ok(Identifier::Url(_))
        ));
        assert!(parse_identifier("0-306-40615-2").is_err());
        assert!(parse_identifier("my book").is_err());
    }
}
