//! One validator per group of keys: the book's names, its people, its dates and identifier,
//! its files, its layout, its images, its accessibility, and the keys static-site generators
//! write. Each reads the located tree, reports every problem it finds (a run shows them all),
//! and gives its part of [`Meta`].

use crate::script::is_well_formed_language_tag;
use std::path::{Path, PathBuf};

use super::MetaDefaults;
use super::check::{Checker, Fields, MAX_LINE_CHARS, MAX_PARAGRAPH_CHARS};
use super::dates::{modified_timestamp, normalize_date};
use super::identifier::{derived_uuid, parse_identifier};
use super::tree::{Entry, Node, Value};
use crate::diagnostics::Diagnostic;
use crate::images::animation::Animation;
use crate::model::{
    AccessibilitySettings, Creator, FigureSettings, Identifier, ImageSettings, ListOfIllustrations,
    Meta, NotePlacement, Series, TextDirection, WritingMode,
};

/// Every top-level key bindery defines (the guide's front-matter table lists each).
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
    "direction",
    "writing-mode",
    "chapters",
    "figures",
    "notes",
];

/// Keys of Jekyll, Hugo, Zola and Astro posts that bindery reads as its own: `tags`,
/// `categories` and `keywords` add subjects; `summary` and `excerpt` are the description when
/// there is none; `authors` is `author`; `lastmod` and `updated` are `modified`.
pub const GENERATOR_KEYS: &[&str] = &[
    "tags",
    "categories",
    "keywords",
    "summary",
    "excerpt",
    "authors",
    "lastmod",
    "updated",
];

/// Keys of static-site generators that mean nothing in a book: accepted without a word, so
/// that a blog post builds without a flood of warnings.
pub const IGNORED_GENERATOR_KEYS: &[&str] = &[
    "draft",
    "slug",
    "layout",
    "permalink",
    "aliases",
    "weight",
    "extra",
    "taxonomies",
    "toc",
    "comments",
    "image",
    "url",
    "type",
    "template",
    "published",
    "publishDate",
    "expiryDate",
    "sitemap",
    "menu",
    "headless",
    "cascade",
    "outputs",
    "resources",
    "markup",
    "linkTitle",
    "render",
    "in_search_index",
    "redirect_to",
    "math",
    "mathjax",
    "katex",
    "featured_image",
    "thumbnail",
    "header",
    "sidebar",
    "share",
    "author_profile",
    "related",
    "hidden",
    "pinned",
    "categories_weight",
];

const DEFAULT_LOI_TITLE: &str = "List of Illustrations";

/// Validates the whole block; `None` when it is not a map at all (the error is reported).
pub(super) fn meta(
    c: &mut Checker<'_>,
    root: &Node,
    book_dir: &Path,
    defaults: MetaDefaults,
) -> Option<Meta> {
    let entries: &[Entry] = match &root.value {
        Value::Map(entries) => entries,
        Value::Null => &[],
        _ => {
            c.wrong("front matter", root, "`key: value` lines");
            return None;
        }
    };
    let known: Vec<&'static str> = KNOWN_KEYS.iter().chain(GENERATOR_KEYS).copied().collect();
    let f = c.fields(entries, "", &known, IGNORED_GENERATOR_KEYS);

    let title = title(c, &f);
    let creators = people(c, &f);
    let language = language(c, &f);
    let (date, modified) = dates(c, &f, defaults);
    let identifier = identifier(c, &f, &title, &creators);
    let (toc_depth, split_level, list_of_illustrations) = layout(c, &f);
    let (direction, writing_mode) = script(c, &f, &language);
    let series = c.text("series", f.get("series"), MAX_LINE_CHARS);
    let series_index = c.text("series-index", f.get("series-index"), 40);
    let description = c
        .text("description", f.get("description"), MAX_PARAGRAPH_CHARS)
        .or_else(|| c.text("summary", f.get("summary"), MAX_PARAGRAPH_CHARS))
        .or_else(|| c.text("excerpt", f.get("excerpt"), MAX_PARAGRAPH_CHARS));
    let subjects = subjects(c, &f);
    let meta = Meta {
        subtitle: c.text("subtitle", f.get("subtitle"), MAX_LINE_CHARS),
        publisher: c.text("publisher", f.get("publisher"), MAX_LINE_CHARS),
        rights: c.text("rights", f.get("rights"), MAX_PARAGRAPH_CHARS),
        description,
        subjects,
        series: series.map(|name| Series {
            name,
            index: series_index,
        }),
        cover: book_path(c, "cover", f.get("cover"), book_dir),
        css: book_path(c, "css", f.get("css"), book_dir),
        images: images(c, f.get("images")),
        accessibility: accessibility(c, f.get("accessibility")),
        figures: figures(c, f.get("figures")),
        notes: notes(c, f.get("notes")),
        chapters: chapter_entries(c, f.get("chapters"))
            .into_iter()
            .map(|(written, _)| book_dir.join(written))
            .collect(),
        title,
        creators,
        language,
        date,
        modified,
        identifier,
        toc_depth,
        split_level,
        list_of_illustrations,
        direction,
        writing_mode,
    };
    Some(meta)
}

/// `subjects`, with a generator's `tags`, `categories` and `keywords`, and the word lists
/// under Zola's `[taxonomies]`, in that order; each once.
fn subjects(c: &mut Checker<'_>, f: &Fields<'_>) -> Vec<String> {
    let mut subjects = Vec::new();
    for key in ["subjects", "tags", "categories", "keywords"] {
        for subject in c.text_list(key, f.get(key)) {
            if !subjects.contains(&subject) {
                subjects.push(subject);
            }
        }
    }
    // Zola files tags and categories under `[taxonomies]`; any list of words there is a
    // subject, anything else there is the site's business.
    if let Some(Entry {
        value: Node {
            value: Value::Map(taxonomies),
            ..
        },
        ..
    }) = f.get("taxonomies")
    {
        for taxonomy in taxonomies {
            if let Value::List(items) = &taxonomy.value.value {
                for word in items.iter().filter_map(Node::scalar_text) {
                    let word = word.trim();
                    if !word.is_empty()
                        && word.len() <= MAX_LINE_CHARS
                        && !subjects.iter().any(|s| s == word)
                    {
                        subjects.push(word.to_string());
                    }
                }
            }
        }
    }
    subjects
}

fn title(c: &mut Checker<'_>, f: &Fields<'_>) -> String {
    let problems_before = c.diagnostics.items().len();
    match c.text("title", f.get("title"), MAX_LINE_CHARS) {
        Some(title) => title,
        None => {
            // A title of the wrong type or length is reported already.
            let reported = c.diagnostics.items()[problems_before..]
                .iter()
                .any(|d| d.is_error());
            if !reported {
                let start = c.file_start();
                c.diagnostics.push(
                    Diagnostic::error("the book has no title")
                        .at(start)
                        .with_help(
                            "start the first file with front matter:\n---\ntitle: My Book\n---",
                        ),
                );
            }
            String::new()
        }
    }
}

fn language(c: &mut Checker<'_>, f: &Fields<'_>) -> String {
    let entry = f.get("language");
    let language = c
        .text("language", entry, 100)
        .unwrap_or_else(|| "en".to_string());
    if !is_well_formed_language_tag(&language)
        && let Some(entry) = entry
    {
        c.error(
            entry.pos,
            format!("`{language}` is not a BCP 47 language tag"),
            Some("use a tag such as `en`, `en-GB`, `fr`, `pt-BR` or `zh-Hant`".into()),
        );
    }
    language
}

/// `date` as written (normalised to W3CDTF) and the `dcterms:modified` instant.
fn dates(c: &mut Checker<'_>, f: &Fields<'_>, defaults: MetaDefaults) -> (Option<String>, String) {
    let mut date_of = |key: &str| -> Option<String> {
        let entry = f.get(key)?;
        let written = c.text(key, Some(entry), 100)?;
        let normalized = normalize_date(&written);
        if normalized.is_none() {
            c.error(
                entry.pos,
                format!("`{written}` is not a date"),
                Some("write YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (2015-05-21 11:00:00 -0700 works too)".into()),
            );
        }
        normalized
    };
    let date = date_of("date");
    let modified = date_of("modified")
        .or_else(|| date_of("lastmod"))
        .or_else(|| date_of("updated"));
    let modified = modified_timestamp(
        defaults.source_date_epoch,
        modified.as_deref(),
        date.as_deref(),
    );
    (date, modified)
}

fn identifier(
    c: &mut Checker<'_>,
    f: &Fields<'_>,
    title: &str,
    creators: &[Creator],
) -> Identifier {
    let entry = f.get("identifier");
    match (c.text("identifier", entry, 200), entry) {
        (Some(written), Some(entry)) => match parse_identifier(&written) {
            Ok(identifier) => identifier,
            Err(problem) => {
                c.error(entry.pos, problem.message, Some(problem.help));
                Identifier::Uuid(String::new())
            }
        },
        _ => Identifier::Uuid(derived_uuid(title, creators)),
    }
}

/// `author` (or a generator's `authors`): a name, a list of names, or a list of
/// `{name, role, file-as}`.
fn people(c: &mut Checker<'_>, f: &Fields<'_>) -> Vec<Creator> {
    let (key, entry) = match (f.get("author"), f.get("authors")) {
        (Some(entry), _) => ("author", entry),
        (None, Some(entry)) => ("authors", entry),
        (None, None) => return Vec::new(),
    };
    const EXPECTED: &str = "a name, a list of names, or a list of {name, role, file-as}";
    let items: Vec<&Node> = match &entry.value.value {
        Value::Null => return Vec::new(),
        Value::Text(_) | Value::Map(_) => vec![&entry.value],
        Value::List(items) => items.iter().collect(),
        _ => {
            c.wrong(key, &entry.value, EXPECTED);
            return Vec::new();
        }
    };
    let mut creators = Vec::new();
    for item in items {
        match &item.value {
            Value::Null => {}
            Value::Text(name) => {
                if let Some(name) = person_name(c, key, item, name) {
                    creators.push(Creator {
                        name,
                        role: "aut".into(),
                        file_as: None,
                    });
                }
            }
            Value::Map(entries) => {
                if let Some(creator) = creator(c, key, item, entries) {
                    creators.push(creator);
                }
            }
            _ => c.wrong(
                &format!("each entry of `{key}`"),
                item,
                "a name or a map with `name`, `role`, `file-as`",
            ),
        }
    }
    creators
}

fn person_name(c: &mut Checker<'_>, key: &str, node: &Node, name: &str) -> Option<String> {
    let length = name.chars().count();
    if length > MAX_LINE_CHARS {
        c.error(
            node.pos,
            format!(
                "a name in `{key}` is too long ({length} characters; at most {MAX_LINE_CHARS})"
            ),
            None,
        );
        return None;
    }
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn creator(c: &mut Checker<'_>, key: &str, item: &Node, entries: &[Entry]) -> Option<Creator> {
    let f = c.fields(entries, key, &["name", "role", "file-as"], &[]);
    let name = match f.get("name").map(|e| &e.value) {
        Some(
            node @ Node {
                value: Value::Text(name),
                ..
            },
        ) => person_name(c, key, node, name),
        Some(node) if !matches!(node.value, Value::Null) => {
            c.wrong(&format!("{key}: name"), node, "a name");
            return None;
        }
        _ => None,
    };
    let Some(name) = name else {
        c.error(
            item.pos,
            format!("an entry of `{key}` has no `name`"),
            Some("write each person as {name: Ann Author, role: aut}".into()),
        );
        return None;
    };
    let role_entry = f.get("role");
    let role = c
        .text("role", role_entry, 20)
        .map(|r| r.to_ascii_lowercase())
        .unwrap_or_else(|| "aut".to_string());
    if !is_marc_relator(&role)
        && let Some(entry) = role_entry
    {
        c.error(
            entry.pos,
            format!("`{role}` is not a MARC relator role"),
            Some("use a code such as aut (author), pht (photographer), edt (editor), ill (illustrator), trl (translator)".into()),
        );
    }
    Some(Creator {
        name,
        role,
        file_as: c.text("file-as", f.get("file-as"), MAX_LINE_CHARS),
    })
}

/// `cover:` and `css:`, resolved against the book folder (whether they exist is checked where
/// they are read).
fn book_path(
    c: &mut Checker<'_>,
    key: &str,
    entry: Option<&Entry>,
    book_dir: &Path,
) -> Option<PathBuf> {
    c.text(key, entry, 4096)
        .map(|written| book_dir.join(written))
}

/// `chapters:`: a list of paths relative to the book folder, each with its entry's position.
pub(super) fn chapter_entries(
    c: &mut Checker<'_>,
    entry: Option<&Entry>,
) -> Vec<(String, super::tree::Pos)> {
    let Some(entry) = entry else {
        return Vec::new();
    };
    let items = match &entry.value.value {
        Value::Null => return Vec::new(),
        Value::List(items) => items,
        _ => {
            c.wrong(
                "chapters",
                &entry.value,
                "a list of Markdown files, e.g. [intro.md, 01-harbour.md]",
            );
            return Vec::new();
        }
    };
    let mut chapters = Vec::new();
    for item in items {
        match &item.value {
            Value::Text(path) if !path.trim().is_empty() && path.len() <= 4096 => {
                chapters.push((path.trim().to_string(), item.pos));
            }
            _ => c.wrong(
                "each entry of `chapters`",
                item,
                "the path of a Markdown file",
            ),
        }
    }
    chapters
}

fn layout(c: &mut Checker<'_>, f: &Fields<'_>) -> (u8, u8, ListOfIllustrations) {
    let as_level =
        |n: Option<i64>, default: u8| n.and_then(|n| u8::try_from(n).ok()).unwrap_or(default);
    let toc_depth = as_level(c.whole_number("toc-depth", f.get("toc-depth"), 1..=6), 3);
    let split_level = as_level(
        c.whole_number("split-level", f.get("split-level"), 0..=6),
        1,
    );
    let mut loi = ListOfIllustrations {
        enabled: true,
        title: DEFAULT_LOI_TITLE.to_string(),
    };
    if let Some(entry) = f.get("list-of-illustrations") {
        match &entry.value.value {
            Value::Null => {}
            Value::Bool(enabled) => loi.enabled = *enabled,
            Value::Map(entries) => {
                let g = c.fields(entries, "list-of-illustrations", &["title", "enabled"], &[]);
                if let Some(title) = c.text(
                    "list-of-illustrations.title",
                    g.get("title"),
                    MAX_LINE_CHARS,
                ) {
                    loi.title = title;
                }
                if let Some(enabled) = c.boolean("list-of-illustrations.enabled", g.get("enabled"))
                {
                    loi.enabled = enabled;
                }
            }
            _ => c.wrong(
                "list-of-illustrations",
                &entry.value,
                "`true`, `false`, or a map with `title` and `enabled`",
            ),
        }
    }
    (toc_depth, split_level, loi)
}

fn script(
    c: &mut Checker<'_>,
    f: &Fields<'_>,
    language: &str,
) -> (Option<TextDirection>, Option<WritingMode>) {
    let direction = c
        .choice("direction", f.get("direction"), &["ltr", "rtl", "auto"])
        .map(|word| match word {
            "rtl" => TextDirection::Rtl,
            "auto" => TextDirection::Auto,
            _ => TextDirection::Ltr,
        });
    // CSS's own names are accepted too: people copy them from stylesheets.
    let writing_mode = c
        .choice(
            "writing-mode",
            f.get("writing-mode"),
            &[
                "horizontal-tb",
                "vertical-rl",
                "vertical-lr",
                "horizontal",
                "vertical",
            ],
        )
        .map(|word| match word {
            "vertical" | "vertical-rl" | "vertical-lr" => WritingMode::Vertical,
            _ => WritingMode::Horizontal,
        });
    if writing_mode == Some(WritingMode::Vertical)
        && crate::script::vertical_writing_mode(language).is_none()
        && let Some(entry) = f.get("writing-mode")
    {
        c.warning(
            entry.pos,
            format!(
                "`writing-mode: vertical` is for Chinese, Japanese, Korean or Mongolian text, and the book's language is `{language}`; the book stays horizontal"
            ),
            "set `language:` to the book's language (such as `ja` or `zh-Hant`), or remove `writing-mode`".to_string(),
        );
        return (direction, None);
    }
    (direction, writing_mode)
}

/// `figures: {numbering: true, label: Plate, credits: embedded}` (issue 14).
fn figures(c: &mut Checker<'_>, entry: Option<&Entry>) -> FigureSettings {
    let mut settings = FigureSettings::default();
    let Some(entry) = entry else {
        return settings;
    };
    match &entry.value.value {
        Value::Null => {}
        Value::Map(entries) => {
            let g = c.fields(entries, "figures", &["numbering", "label", "credits"], &[]);
            if let Some(numbering) = c.boolean("figures.numbering", g.get("numbering")) {
                settings.numbering = numbering;
            }
            if let Some(label) = c.text("figures.label", g.get("label"), 40) {
                settings.label = label;
            }
            settings.embedded_credits = c
                .choice(
                    "figures.credits",
                    g.get("credits"),
                    &["markdown", "embedded"],
                )
                .is_some_and(|word| word == "embedded");
        }
        _ => c.wrong(
            "figures",
            &entry.value,
            "a map with `numbering`, `label` and `credits`",
        ),
    }
    settings
}

/// `notes: footnotes` (the default) or `notes: end`.
fn notes(c: &mut Checker<'_>, entry: Option<&Entry>) -> NotePlacement {
    match c.choice("notes", entry, &["footnotes", "end"]) {
        Some("end") => NotePlacement::End,
        _ => NotePlacement::Footnotes,
    }
}

fn images(c: &mut Checker<'_>, entry: Option<&Entry>) -> ImageSettings {
    let mut settings = ImageSettings::default();
    let Some(entry) = entry else {
        return settings;
    };
    match &entry.value.value {
        Value::Null => {}
        Value::Map(entries) => {
            let g = c.fields(
                entries,
                "images",
                &[
                    "max-size",
                    "quality",
                    "quality-target",
                    "grayscale",
                    "animation",
                ],
                &[],
            );
            settings.max_size = c
                .whole_number("images.max-size", g.get("max-size"), 16..=10_000)
                .and_then(|n| u32::try_from(n).ok());
            settings.quality = c
                .whole_number("images.quality", g.get("quality"), 1..=100)
                .and_then(|n| u8::try_from(n).ok());
            // The SSIMULACRA2 score each JPEG must reach (src/images/quality.rs).
            settings.quality_target = c
                .whole_number("images.quality-target", g.get("quality-target"), 1..=100)
                .and_then(|n| u8::try_from(n).ok());
            settings.grayscale = c.boolean("images.grayscale", g.get("grayscale"));
            // What to do with an animated GIF, WebP or PNG (src/images/animation.rs).
            settings.animation = c
                .choice(
                    "images.animation",
                    g.get("animation"),
                    &["keep", "first-frame"],
                )
                .map(|word| match word {
                    "first-frame" => Animation::FirstFrame,
                    _ => Animation::Keep,
                });
        }
        _ => c.wrong(
            "images",
            &entry.value,
            "a map with `max-size`, `quality`, `quality-target`, `grayscale` and `animation`",
        ),
    }
    settings
}

fn accessibility(c: &mut Checker<'_>, entry: Option<&Entry>) -> AccessibilitySettings {
    let mut settings = AccessibilitySettings::default();
    let Some(entry) = entry else {
        return settings;
    };
    match &entry.value.value {
        Value::Null => {}
        Value::Map(entries) => {
            let g = c.fields(entries, "accessibility", &["summary", "certified-by"], &[]);
            settings.summary = c.text(
                "accessibility.summary",
                g.get("summary"),
                MAX_PARAGRAPH_CHARS,
            );
            settings.certified_by = c.text(
                "accessibility.certified-by",
                g.get("certified-by"),
                MAX_LINE_CHARS,
            );
        }
        _ => c.wrong(
            "accessibility",
            &entry.value,
            "a map with `summary` and `certified-by`",
        ),
    }
    settings
}

/// MARC relator codes are three lower-case letters; bindery accepts any code of that shape
/// and the common ones are documented.
fn is_marc_relator(role: &str) -> bool {
    role.len() == 3 && role.chars().all(|c| c.is_ascii_lowercase())
}
