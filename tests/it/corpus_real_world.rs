//! Real-world Markdown, built as people wrote it (issue 9, item 1).
//!
//! Every other test builds input written here; this one builds excerpts of public Markdown
//! nobody here wrote — an mdBook guide, blog posts as Jekyll, Hugo, Zola and Astro write them,
//! GitHub READMEs with raw HTML, `<details>` and task lists, Persian, Japanese, a math-heavy
//! text and SVG diagrams from Graphviz, matplotlib, Inkscape and Illustrator. Where they come
//! from, and exactly what was changed, is in `tests/corpus/real-world/README.md`.
//!
//! For each source: the build succeeds, epubcheck reports nothing, and the EPUB says what the
//! source says. "Says" is measured against pandoc reading the same Markdown: the words of
//! `pandoc -t plain` against the words of the chapters' XHTML (within 1 %), and every image,
//! heading, table, code block, footnote and internal link in pandoc's AST (`pandoc -t json`,
//! raw HTML included) against the same elements in the XHTML. Each source is its own test,
//! and each reports every check that fails, so one run shows the whole picture.

use crate::support;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::bindery;

/// One corpus source: its folder under `tests/corpus/real-world/`, the files given to
/// `bindery build` in order, the extra flags, and the Markdown dialect pandoc reads it as.
struct Source {
    folder: &'static str,
    inputs: &'static [&'static str],
    flags: &'static [&'static str],
    /// pandoc's reader: `gfm`, or `gfm+attributes` where the generator reads `{#id}`.
    dialect: &'static str,
}

/// READMEs written for the web show badges from remote servers: a draft build, as the
/// README tells people to build such Markdown, shows their alt text instead.
const WEB: &[&str] = &["--allow-missing-images"];

/// The things that must all come through.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    images: usize,
    headings: usize,
    tables: usize,
    code_blocks: usize,
    footnotes: usize,
    internal_links: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} images, {} headings, {} tables, {} code blocks, {} footnotes, {} internal links",
            self.images,
            self.headings,
            self.tables,
            self.code_blocks,
            self.footnotes,
            self.internal_links
        )
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.images += other.images;
        self.headings += other.headings;
        self.tables += other.tables;
        self.code_blocks += other.code_blocks;
        self.footnotes += other.footnotes;
        self.internal_links += other.internal_links;
    }
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/real-world")
}

/// Builds `source`, then checks it; panics listing every check that failed.
fn check(source: &Source) {
    let folder = corpus().join(source.folder);
    let scratch = tempfile::tempdir().unwrap();
    let epub = scratch.path().join("book.epub");
    let result = bindery(scratch.path())
        .arg("build")
        .args(source.inputs.iter().map(|input| folder.join(input)))
        .args(source.flags)
        .arg("--no-cache")
        .arg("-o")
        .arg(&epub)
        .output()
        .expect("the bindery binary runs");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        result.status.success(),
        "{}: the build failed\n{stderr}",
        source.folder
    );

    let mut failures = Vec::new();
    if let Some(report) = support::epubcheck(&epub)
        && (!report.errors().is_empty() || !report.warnings().is_empty())
    {
        failures.push(format!("epubcheck is not clean:\n{report}"));
    }
    let Some(pandoc) = support::pandoc() else {
        finish(source, failures, &stderr);
        return;
    };

    let mut expected_words = 0;
    let mut expected = Counts::default();
    for input in source.inputs {
        let path = folder.join(input);
        let markdown = std::fs::read_to_string(&path).unwrap();
        let body = without_front_matter(&markdown);
        let plain = run_pandoc(&pandoc, source.dialect, "plain", body);
        let ast: Value = serde_json::from_str(&run_pandoc(&pandoc, source.dialect, "json", body))
            .expect("pandoc's JSON AST");
        let mut found = SourceFacts::default();
        found.walk(
            &ast["blocks"],
            &Context {
                folder: &folder,
                file_folder: path.parent().unwrap(),
                inputs: source.inputs,
            },
        );
        // pandoc's plain writer prints each note's label twice (at the reference and before
        // the note), an EPUB once; a figure's caption (an image's title, alone in its
        // paragraph) is text in the EPUB but not in pandoc's plain output; an image in raw
        // HTML has its alt text in the EPUB as in Markdown.
        expected_words += words(&plain) + words(&found.extra_text) - found.counts.footnotes;
        expected += found.counts;
    }

    let chapters = chapter_documents(&epub);
    let mut produced_words = 0;
    let mut produced = Counts::default();
    for (name, xhtml) in &chapters {
        let facts = epub_facts(name, xhtml);
        produced_words += words(&facts.text);
        produced += facts.counts;
    }

    // Printed for passing sources too (on the stderr handle, which the harness does not
    // capture), so a run shows how close each one is.
    let _ = writeln!(
        std::io::stderr(),
        "corpus {}: {produced_words} words (pandoc: {expected_words}); EPUB: {produced}",
        source.folder
    );
    // A right-to-left language sets the direction of every document (issue 9, item 7): a
    // Persian or Arabic book laid out left to right has its punctuation at the wrong end.
    let language = book_language(&epub);
    if RIGHT_TO_LEFT.contains(&language.split('-').next().unwrap_or("")) {
        for (name, xhtml) in &chapters {
            if !root_is_rtl(xhtml) {
                failures.push(format!(
                    "{name}: the book's language is `{language}`, but the document is not \
                     dir=\"rtl\""
                ));
            }
        }
    }
    let tolerance = expected_words / 100;
    if produced_words.abs_diff(expected_words) > tolerance {
        failures.push(format!(
            "word count: {produced_words} in the EPUB, {expected_words} in pandoc's reading of \
             the source (more than 1 % apart)"
        ));
    }
    if produced != expected {
        failures.push(format!(
            "content lost or changed:\n  source: {expected}\n  EPUB:   {produced}"
        ));
    }
    finish(source, failures, &stderr);
}

/// Languages written right to left, by their primary subtag.
const RIGHT_TO_LEFT: &[&str] = &["ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"];

/// The `dc:language` of the package.
fn book_language(epub: &Path) -> String {
    let opf = support::epub_entry_text(epub, "OEBPS/content.opf");
    let start = opf
        .find("<dc:language>")
        .map_or(0, |i| i + "<dc:language>".len());
    let end = opf[start..].find('<').map_or(start, |i| start + i);
    opf[start..end].trim().to_owned()
}

/// Whether the document's `html` or `body` element says `dir="rtl"`.
fn root_is_rtl(xhtml: &str) -> bool {
    start_tags(xhtml)
        .iter()
        .filter(|tag| tag.name == "html" || tag.name == "body")
        .any(|tag| tag.attribute("dir") == Some("rtl"))
}

fn finish(source: &Source, failures: Vec<String>, stderr: &str) {
    assert!(
        failures.is_empty(),
        "{}:\n- {}\n\nbindery said:\n{stderr}",
        source.folder,
        failures.join("\n- ")
    );
}

/// The Markdown after its front matter: YAML between `---` lines, or TOML between `+++`
/// lines (Hugo, Zola). pandoc would read TOML as text, and front matter is not the text.
fn without_front_matter(markdown: &str) -> &str {
    for fence in ["---", "+++"] {
        let Some(rest) = markdown.strip_prefix(fence) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix('\n') else {
            continue;
        };
        let closing = format!("\n{fence}\n");
        if let Some(end) = rest.find(&closing) {
            return &rest[end + closing.len()..];
        }
        if rest.starts_with(&format!("{fence}\n")) {
            return &rest[fence.len() + 1..];
        }
    }
    markdown
}

fn run_pandoc(pandoc: &Path, dialect: &str, to: &str, markdown: &str) -> String {
    // A Lua filter that drops formulas from the plain text: their words are not prose, and
    // bindery shows them as MathML or as their TeX, neither of which reads as pandoc's text.
    let filter = std::env::temp_dir().join("bindery-corpus-drop-math.lua");
    std::fs::write(&filter, "function Math(m) return {} end\n").unwrap();
    let mut command = Command::new(pandoc);
    command.args(["-f", dialect, "-t", to, "--wrap=none", "--quiet"]);
    if to == "plain" {
        command.arg("--lua-filter").arg(&filter);
    }
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running pandoc");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(markdown.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "pandoc failed");
    String::from_utf8(output.stdout).unwrap()
}

/// Counted words: runs of letters, digits and combining marks; each Han, kana or Hangul
/// character is a word of its own (Japanese and Chinese put no spaces between words).
fn words(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            count += 1;
            in_word = false;
        } else if c.is_alphanumeric() || is_joiner_or_mark(c) {
            if !in_word {
                count += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    count
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF
        | 0x20000..=0x2FFFF)
}

/// Marks and joiners inside words: combining diacritics, Hebrew points, Arabic harakat,
/// Persian's zero-width non-joiner.
fn is_joiner_or_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0591..=0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670
        | 0x06D6..=0x06ED | 0x200C | 0x200D | 0x3099 | 0x309A)
}

struct Context<'a> {
    /// The source's folder: a local image must be inside it.
    folder: &'a Path,
    /// The folder of the Markdown file, which relative links start from.
    file_folder: &'a Path,
    inputs: &'a [&'a str],
}

#[derive(Default)]
struct SourceFacts {
    counts: Counts,
    /// Text the EPUB shows that pandoc's plain output does not (see `check`).
    extra_text: String,
}

impl SourceFacts {
    fn walk(&mut self, value: &Value, context: &Context) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| self.walk(item, context)),
            Value::Object(node) => {
                let content = &node.get("c").cloned().unwrap_or(Value::Null);
                let target = content[2][0].as_str().unwrap_or("");
                match node.get("t").and_then(Value::as_str) {
                    Some("Header") => self.counts.headings += 1,
                    Some("Table") => self.counts.tables += 1,
                    Some("CodeBlock") => self.counts.code_blocks += 1,
                    Some("Note") => self.counts.footnotes += 1,
                    Some("Image") if is_local_file(target, context) => self.counts.images += 1,
                    Some("Link") if is_internal(target, context) => {
                        self.counts.internal_links += 1;
                    }
                    Some("Para") => {
                        if let [image] = content.as_array().map(Vec::as_slice).unwrap_or(&[])
                            && image["t"] == "Image"
                        {
                            self.extra_text.push(' ');
                            self.extra_text
                                .push_str(image["c"][2][1].as_str().unwrap_or(""));
                        }
                    }
                    Some("RawBlock" | "RawInline") if content[0] == "html" => {
                        self.raw_html(content[1].as_str().unwrap_or(""), context);
                    }
                    _ => {}
                }
                self.walk(content, context);
            }
            _ => {}
        }
    }

    /// The elements counted above, written as raw HTML.
    fn raw_html(&mut self, html: &str, context: &Context) {
        for tag in start_tags(html) {
            match tag.name.as_str() {
                "img" => {
                    if is_local_file(tag.attribute("src").unwrap_or(""), context) {
                        self.counts.images += 1;
                    }
                    self.extra_text.push(' ');
                    self.extra_text
                        .push_str(tag.attribute("alt").unwrap_or_default());
                }
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.counts.headings += 1,
                "table" => self.counts.tables += 1,
                "pre" => self.counts.code_blocks += 1,
                "a" if is_internal(tag.attribute("href").unwrap_or(""), context) => {
                    self.counts.internal_links += 1;
                }
                _ => {}
            }
        }
    }
}

/// A relative reference to a file inside the source's folder.
fn is_local_file(url: &str, context: &Context) -> bool {
    if url.is_empty() || url.contains(':') || url.starts_with('/') {
        return false;
    }
    let path = context.file_folder.join(percent_decode(url));
    path.is_file() && path.starts_with(context.folder)
}

/// A link to a place in the book: a fragment, or one of the book's own files (by its `.md`
/// name or the `.html`/`.xhtml` name a static site gives it), with or without a fragment.
fn is_internal(url: &str, context: &Context) -> bool {
    if url.starts_with('#') {
        return url.len() > 1;
    }
    if url.contains(':') || url.starts_with('/') || url.is_empty() {
        return false;
    }
    let path = url.split('#').next().unwrap_or("");
    let path = percent_decode(path);
    let Some(stem) = path
        .strip_suffix(".md")
        .or_else(|| path.strip_suffix(".html"))
        .or_else(|| path.strip_suffix(".xhtml"))
    else {
        return false;
    };
    let target = context.file_folder.join(format!("{stem}.md"));
    context
        .inputs
        .iter()
        .any(|input| context.folder.join(input) == normalise(&target))
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A start tag found in raw HTML: its lower-cased name and attributes.
struct StartTag {
    name: String,
    attributes: BTreeMap<String, String>,
}

impl StartTag {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

/// The start tags of a fragment of HTML; enough for the tags counted here.
fn start_tags(html: &str) -> Vec<StartTag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        let attributes = parse_attributes(&rest[name.len()..end]);
        tags.push(StartTag { name, attributes });
        rest = &rest[end..];
    }
    tags
}

fn parse_attributes(text: &str) -> BTreeMap<String, String> {
    let mut attributes = BTreeMap::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (quoted, remainder) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(quote).unwrap_or(inner.len());
                    (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let close = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..close], &after[close..])
                }
            };
            value = quoted.to_owned();
            rest = remainder;
        } else if name.is_empty() {
            rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
        }
        if !name.is_empty() {
            attributes.insert(name, value);
        }
        rest = rest.trim_start();
    }
    attributes
}

/// The EPUB's chapters: every text document but the cover, title page and list of
/// illustrations, which bindery writes itself.
fn chapter_documents(epub: &Path) -> Vec<(String, String)> {
    support::epub_entries(epub)
        .into_iter()
        .filter(|(name, _)| {
            name.starts_with("OEBPS/text/")
                && name.ends_with(".xhtml")
                && ![
                    "OEBPS/text/cover.xhtml",
                    "OEBPS/text/title.xhtml",
                    "OEBPS/text/illustrations.xhtml",
                ]
                .contains(&name.as_str())
        })
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

struct EpubFacts {
    counts: Counts,
    text: String,
}

/// Elements after which a reader starts a new line: their text never runs into the next.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "td",
    "th",
    "tr",
    "table",
    "caption",
    "pre",
    "blockquote",
    "figure",
    "figcaption",
    "br",
    "hr",
    "details",
    "summary",
    "header",
    "footer",
    "nav",
];

fn epub_facts(name: &str, xhtml: &str) -> EpubFacts {
    let document = roxmltree::Document::parse_with_options(
        xhtml,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|error| panic!("{name} is not well-formed: {error}"));
    let mut facts = EpubFacts {
        counts: Counts::default(),
        text: String::new(),
    };
    let Some(body) = document
        .root_element()
        .children()
        .find(|n| n.has_tag_name("body") || n.tag_name().name() == "body")
    else {
        return facts;
    };
    collect(body, &mut facts);
    facts
}

fn collect(node: roxmltree::Node, facts: &mut EpubFacts) {
    const EPUB: &str = "http://www.idpf.org/2007/ops";
    for child in node.children() {
        if child.is_text() {
            facts.text.push_str(child.text().unwrap_or(""));
            continue;
        }
        if !child.is_element() {
            continue;
        }
        let tag = child.tag_name().name();
        // Formulas are not prose: their words are not counted on either side (pandoc's are
        // dropped by a filter, see `run_pandoc`), whether bindery wrote MathML or, for TeX
        // its converter refused, the TeX as written in a `<code class="math">`.
        if tag == "math" || (tag == "code" && child.attribute("class") == Some("math")) {
            facts.text.push(' ');
            continue;
        }
        // A note's leading number is its way back (issue 14): the label pandoc's plain
        // writer also prints before the note, which is already allowed for once.
        if tag == "a" && child.attribute("role") == Some("doc-backlink") {
            facts.text.push(' ');
            continue;
        }
        match tag {
            "img" => {
                facts.counts.images += 1;
                facts.text.push(' ');
                facts.text.push_str(child.attribute("alt").unwrap_or(""));
                facts.text.push(' ');
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => facts.counts.headings += 1,
            "table" => facts.counts.tables += 1,
            "pre" => facts.counts.code_blocks += 1,
            "aside" if child.attribute((EPUB, "type")) == Some("footnote") => {
                facts.counts.footnotes += 1;
            }
            "a" => {
                let href = child.attribute("href").unwrap_or("");
                let note_machinery = child.attribute((EPUB, "type")) == Some("noteref")
                    || child.attribute("role") == Some("doc-backlink");
                if !href.is_empty() && !href.contains(':') && !note_machinery {
                    facts.counts.internal_links += 1;
                }
            }
            _ => {}
        }
        // A note reference is set apart as pandoc's `[1]` is, not glued to the word before.
        let block = BLOCKS.contains(&tag)
            || (tag == "a" && child.attribute((EPUB, "type")) == Some("noteref"));
        if block {
            facts.text.push(' ');
        }
        collect(child, facts);
        if block {
            facts.text.push(' ');
        }
    }
}

macro_rules! corpus_tests {
    ($($test:ident: $folder:literal, [$($input:literal),+ $(,)?], $flags:expr, $dialect:literal;)+) => {
        $(
            #[test]
            fn $test() {
                check(&Source {
                    folder: $folder,
                    inputs: &[$($input),+],
                    flags: $flags,
                    dialect: $dialect,
                });
            }
        )+
    };
}

corpus_tests! {
    mdbook_guide_pyo3: "pyo3-guide", [
        "_title.md", "getting-started.md", "rust-from-python.md", "module.md", "function.md",
        "python-from-rust.md", "parallelism.md", "exception.md",
    ], &[], "gfm";
    jekyll_post_chirpy: "jekyll-chirpy", ["2022-11-11-installing-go.md"], &[], "gfm";
    hugo_toml_and_yaml_front_matter: "hugo-lunr", ["test-toml.md", "test-yaml.md"], &[], "gfm";
    zola_post: "zola-kitchen-sink", ["kitchen_sink.md"], &[], "gfm+attributes";
    astro_post: "astro-accelerator", ["sample-post-1.md"], &[], "gfm";
    readme_raw_img_and_matplotlib_svg: "blake3-readme", ["_title.md", "README.md"], WEB, "gfm";
    readme_details_and_a_name_anchors: "portable-atomic-readme", ["_title.md", "README.md"], WEB, "gfm";
    readme_task_lists_and_inline_math: "pulldown-latex-readme", ["_title.md", "README.md"], WEB, "gfm";
    readme_raw_table_with_images: "unicode-ident-readme", ["_title.md", "README.md"], WEB, "gfm";
    readme_footnotes: "rand-chacha-readme", ["_title.md", "README.md"], WEB, "gfm";
    math_heavy_text: "curve25519-formulas", ["_title.md", "parallel-formulas.md"], &[], "gfm";
    japanese_readme: "textlint-ja", ["_title.md", "README.md"], WEB, "gfm";
    persian_readme_right_to_left: "jalali-moment-fa", ["_title.md", "README.fa.md"], &[], "gfm";
    svg_from_graphviz_matplotlib_inkscape_illustrator: "svg-diagrams", ["diagrams.md"], &[], "gfm";
}

#[test]
fn the_word_count_counts_each_cjk_character_and_keeps_marks_inside_words() {
    assert_eq!(words("Hello, world! 2 x²"), 4);
    assert_eq!(words("吾輩は猫である。"), 7);
    assert_eq!(words("می‌خواهم  کتاب"), 2);
    assert_eq!(words("naïve café"), 2);
}

#[test]
fn front_matter_of_either_kind_is_not_text() {
    assert_eq!(
        without_front_matter("---\ntitle: A\n---\n\nBody\n"),
        "\nBody\n"
    );
    assert_eq!(
        without_front_matter("+++\ntitle = \"A\"\n+++\nBody\n"),
        "Body\n"
    );
    assert_eq!(
        without_front_matter("No front matter\n"),
        "No front matter\n"
    );
}

#[test]
fn raw_html_tags_and_attributes_are_read() {
    let tags =
        start_tags(r#"<p align="center"><IMG src='media/speed.svg' alt="performance graph"></p>"#);
    assert_eq!(tags.len(), 2);
    assert_eq!(tags[1].name, "img");
    assert_eq!(tags[1].attribute("src"), Some("media/speed.svg"));
    assert_eq!(tags[1].attribute("alt"), Some("performance graph"));
}
