//! Markdown → cleaned XHTML tree, for one source file.
//!
//! pulldown-cmark parses the Markdown; this module rewrites the event stream where an EPUB
//! needs something other than web HTML, renders the rest with pulldown-cmark's own HTML
//! writer, and hands the HTML (raw HTML from the author included) to [`xhtml::sanitize`],
//! which parses it like a browser would and keeps only safe, valid XHTML.
//!
//! What is rewritten here:
//! - an image alone in its paragraph becomes a `<figure>` with an id, the image's description
//!   as `alt` and its title as the visible `<figcaption>`;
//! - headings get stable ids (`{#explicit}` or a slug of their text, unique in the file);
//! - footnotes become EPUB 3 notes: `epub:type="noteref"` references and
//!   `epub:type="footnote"` asides with links back, gathered at the end of the file;
//! - task-list checkboxes become text (a form control is not allowed in EPUB content);
//! - `$…$` and `$$…$$` become MathML with the TeX as `alttext` (see [`crate::markdown::mathml`]); a
//!   formula that cannot be converted is kept verbatim and listed in [`Rendered::tex_errors`].
//!
//! Generated elements carry `data-bindery-origin` (their byte offset in the file); the
//! sanitizer moves it into `Element::origin` (src/dom.rs) so later stages can point at a line.
//! Nothing here reads files: link and image targets are resolved later, on the tree.

pub mod attribute_block;
pub mod definition_markers;
pub mod mathml;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use crate::documents;
use crate::xhtml::dom::Node;
use crate::xhtml::nesting;
use crate::xhtml::{self, Removed};
use attribute_block::AttributeBlock;
use definition_markers::Insertions;

/// A rendered Markdown file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub nodes: Vec<Node>,
    /// What the sanitizer took out of the author's raw HTML.
    pub removed: Vec<Removed>,
    /// Formulas shown as TeX because they could not be converted to MathML.
    pub tex_errors: Vec<TexProblem>,
}

/// A formula the TeX converter could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TexProblem {
    /// Byte offset of the problem in the file (within the formula where the converter says).
    pub origin: usize,
    pub message: String,
}

/// The Markdown dialect: CommonMark plus the extensions books need.
fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        // `$…$` and `$$…$$` (the opening `$` not followed, the closing one not preceded, by a
        // space, so `$5 and $10` stays text; `\$` is a dollar sign).
        | Options::ENABLE_MATH
}

/// Renders `markdown` (the body of a file, after its front matter) to a cleaned tree.
///
/// `origin_base` is the byte offset of `markdown` within its file, so origins point into the
/// file. Figures are numbered from `*next_figure`, which is advanced, so ids stay unique
/// across the files of a book.
pub fn render(markdown: &str, origin_base: usize, next_figure: &mut usize) -> Rendered {
    let (html, deepest, tex_errors) = render_html_parts(markdown, origin_base, next_figure);
    let mut sanitized = xhtml::sanitize(&html);
    // Tags cut for nesting too deep that the Markdown itself made (`>>>>…`, lists in lists)
    // carry no origin; they are reported where the Markdown first nests that deep.
    for removed in &mut sanitized.removed {
        if removed.origin.is_none() && removed.what.starts_with(xhtml::NESTING_CUT) {
            removed.origin = deepest;
        }
    }
    Rendered {
        nodes: sanitized.nodes,
        removed: sanitized.removed,
        tex_errors,
    }
}

/// [`render`], with a panic in the parser caught and returned as its message.
///
/// pulldown-cmark 0.13.6 panics on some inputs (a slice out of range in `parse.rs`, found by
/// fuzzing: see docs/fuzzing.md); a writer must get an error naming the file, not a crash.
/// The panic hook is silenced for the call so no backtrace is printed; the binary renders
/// Markdown on one thread, before any other work starts, so nothing else panics meanwhile.
pub fn render_guarded(
    markdown: &str,
    origin_base: usize,
    next_figure: &mut usize,
) -> Result<Rendered, String> {
    let before = *next_figure;
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut figures = before;
    let outcome = std::panic::catch_unwind(move || {
        let rendered = render(markdown, origin_base, &mut figures);
        (rendered, figures)
    });
    std::panic::set_hook(previous_hook);
    match outcome {
        Ok((rendered, figures)) => {
            *next_figure = figures;
            Ok(rendered)
        }
        Err(payload) => Err(payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| "unknown panic".to_string())),
    }
}

/// The HTML pulldown-cmark would write, with bindery's rewrites applied.
#[cfg(test)]
fn render_html(markdown: &str, origin_base: usize, next_figure: &mut usize) -> String {
    render_html_parts(markdown, origin_base, next_figure).0
}

/// `render_html`'s HTML, the origin of the first Markdown element nested more than
/// [`nesting::MAX_NESTING`] deep (if one is), and the formulas that could not be converted.
fn render_html_parts(
    markdown: &str,
    origin_base: usize,
    next_figure: &mut usize,
) -> (String, Option<usize>, Vec<TexProblem>) {
    let mut options = parser_options();
    let guarded = definition_markers::guard(markdown, options);
    if guarded.disable {
        options.remove(Options::ENABLE_DEFINITION_LIST);
    }
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(&guarded.text, options)
        .into_offset_iter()
        .collect();
    let deepest =
        first_too_deep(&events).map(|offset| origin_base + guarded.inserted.source_offset(offset));
    let mut writer = EventRewriter {
        events: &events,
        text: &guarded.text,
        figure_ids: UniqueSlugs::default(),
        origin_base,
        offsets: &guarded.inserted,
        next_figure,
        heading_ids: UniqueSlugs::default(),
        github_slugs: GithubSlugs::default(),
        footnotes: Footnotes::default(),
        body: Vec::new(),
        notes: Vec::new(),
        in_footnote: 0,
        tex_errors: Vec::new(),
    };
    writer.run();
    let EventRewriter {
        body,
        notes,
        mut footnotes,
        tex_errors,
        ..
    } = writer;

    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, body.into_iter());
    if !notes.is_empty() {
        html.push_str("<section class=\"footnotes\" epub:type=\"footnotes\">\n");
        for note in notes {
            footnotes.write_note(note, &mut html);
        }
        html.push_str("</section>\n");
    }
    (html, deepest, tex_errors)
}

/// The offset of the first element the Markdown nests deeper than [`nesting::MAX_NESTING`].
fn first_too_deep(events: &[(Event<'_>, Range<usize>)]) -> Option<usize> {
    let mut depth = 0usize;
    for (event, range) in events {
        match event {
            Event::Start(_) => {
                depth += 1;
                if depth > nesting::MAX_NESTING {
                    return Some(range.start);
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// One footnote definition, rendered, waiting to be written at the end of the file.
struct Note<'a> {
    label: CowStr<'a>,
    events: Vec<Event<'a>>,
}

/// Numbers and ids of footnotes, in order of first reference.
///
/// The structure is the one that pops up on the most readers (issue 14): the reference is an
/// `epub:type="noteref"` link; the note is an `aside epub:type="footnote"` whose text starts
/// with its number as the link back, as pandoc writes since Kindle ran notes into each other
/// when the way back stood alone on a line after the text.
#[derive(Default)]
struct Footnotes {
    /// label → (number, how many references so far)
    by_label: HashMap<String, (usize, usize)>,
    /// Ids for definitions nobody refers to.
    slugs: UniqueSlugs,
}

impl Footnotes {
    /// The number of the note `label` and the id of this reference to it.
    fn reference(&mut self, label: &str) -> (usize, String) {
        let next_number = self.by_label.len() + 1;
        let entry = self
            .by_label
            .entry(label.to_string())
            .or_insert((next_number, 0));
        entry.1 += 1;
        let (number, count) = *entry;
        let reference_id = if count == 1 {
            format!("fnref-{number}")
        } else {
            format!("fnref-{number}-{count}")
        };
        (number, reference_id)
    }

    fn write_note(&mut self, note: Note<'_>, html: &mut String) {
        let mut body = String::new();
        pulldown_cmark::html::push_html(&mut body, note.events.into_iter());
        let Some(&(number, _)) = self.by_label.get(note.label.as_ref()) else {
            // A definition nobody refers to still holds the author's words; it is kept, with
            // an id of its own and no number or way back.
            let slug = self.slugs.unique(&slugify(&note.label));
            let _ = writeln!(
                html,
                "<aside id=\"fn-{slug}\" epub:type=\"footnote\" role=\"doc-footnote\">"
            );
            html.push_str(&body);
            html.push_str("</aside>\n");
            return;
        };
        let _ = writeln!(
            html,
            "<aside id=\"fn-{number}\" epub:type=\"footnote\" role=\"doc-footnote\">"
        );
        let back = format!(
            "<a href=\"#fnref-{number}\" class=\"footnote-back\" role=\"doc-backlink\">{number}</a>"
        );
        // The number goes into the note's first paragraph, so it reads "1 The note." on
        // readers that show the note inline; a note that opens with a list or a quote gets
        // a paragraph of its own for it.
        match body.strip_prefix("<p>") {
            Some(rest) => {
                let _ = write!(html, "<p>{back} {rest}");
            }
            None => {
                let _ = writeln!(html, "<p>{back}</p>");
                html.push_str(&body);
            }
        }
        html.push_str("</aside>\n");
    }
}

/// The most images one paragraph may set side by side as a row; more would be too small on
/// any screen, so a paragraph of four images stays a paragraph of inline images.
const MAX_ROW: usize = 3;

/// What every figure id made from a file name starts with, so cross-references read as
/// what they point at (`[](#fig:harbour)`).
pub const FIGURE_ID_PREFIX: &str = "fig:";

/// An image that stands as a figure, as the Markdown gave it.
struct FigureSource<'s> {
    src: &'s str,
    title: &'s str,
    alt: String,
    origin: usize,
    attributes: AttributeBlock,
}

/// The file name of an image path without folder or extension (`images/harbour.jpg` →
/// `harbour`), for the figure's id.
fn file_stem(src: &str) -> &str {
    let name = src
        .split(['?', '#'])
        .next()
        .unwrap_or(src)
        .rsplit('/')
        .next()
        .unwrap_or(src);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// A link's start tag, with `mailto:` for an autolinked address and the origin marker.
fn link_start(link_type: LinkType, dest_url: &str, title: &str, origin: usize) -> String {
    let mut html = String::from("<a href=\"");
    if link_type == LinkType::Email {
        html.push_str("mailto:");
    }
    let _ = escape_href(&mut html, dest_url);
    html.push('"');
    if !title.is_empty() {
        html.push_str(" title=\"");
        escape_into(&mut html, title);
        html.push('"');
    }
    let _ = write!(html, " data-bindery-origin=\"{origin}\">");
    html
}

/// A task list's box, as a symbol with a name screen readers say.
fn task_marker(done: bool) -> String {
    let (mark, label) = if done {
        ("\u{2611}", "done")
    } else {
        ("\u{2610}", "not done")
    };
    format!("<span class=\"task\" role=\"img\" aria-label=\"{label}\">{mark}</span> ")
}

struct EventRewriter<'e, 'a> {
    events: &'e [(Event<'a>, Range<usize>)],
    /// The text the events were parsed from (their ranges point into it).
    text: &'e str,
    /// Figure ids handed out in this file.
    figure_ids: UniqueSlugs,
    origin_base: usize,
    /// Backslashes put into the text before definition markers that are not ones.
    offsets: &'e Insertions,
    next_figure: &'e mut usize,
    heading_ids: UniqueSlugs,
    /// The ids GitHub would give the headings, for links written against them.
    github_slugs: GithubSlugs,
    footnotes: Footnotes,
    /// Events of the document body, in order.
    body: Vec<Event<'a>>,
    /// Footnote definitions, in order of appearance.
    notes: Vec<Note<'a>>,
    /// Depth of footnote definitions we are inside (they can, oddly, nest).
    in_footnote: usize,
    tex_errors: Vec<TexProblem>,
}

impl<'a> EventRewriter<'_, 'a> {
    fn emit(&mut self, event: Event<'a>) {
        if self.in_footnote > 0
            && let Some(note) = self.notes.last_mut()
        {
            note.events.push(event);
            return;
        }
        self.body.push(event);
    }

    fn emit_html(&mut self, html: String) {
        self.emit(Event::InlineHtml(CowStr::from(html)));
    }

    fn origin(&self, range: &Range<usize>) -> usize {
        self.origin_base + self.offsets.source_offset(range.start)
    }

    fn run(&mut self) {
        let mut index = 0;
        while index < self.events.len() {
            index = self.step(index);
        }
    }

    /// Handles the event at `index`; returns the index of the next unhandled event.
    fn step(&mut self, index: usize) -> usize {
        let (event, range) = &self.events[index];
        match event {
            Event::Start(Tag::Paragraph) => {
                if let Some(after) = self.try_figure(index) {
                    return after;
                }
                self.emit(event.clone());
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let (alt, end) = self.plain_text_until_end(index);
                let mut html = String::new();
                write_img(&mut html, dest_url, &alt, title, self.origin(range));
                self.emit_html(html);
                return end + 1;
            }
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => self.heading_start(index, *level, id.as_deref(), classes),
            Event::End(TagEnd::Heading(level)) => {
                self.emit(Event::Html(CowStr::from(format!("</{level}>\n"))));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                let html = link_start(*link_type, dest_url, title, self.origin(range));
                self.emit_html(html);
            }
            Event::End(TagEnd::Link) => self.emit_html("</a>".to_string()),
            Event::FootnoteReference(label) => {
                let (number, reference_id) = self.footnotes.reference(label);
                self.emit_html(format!(
                    "<a id=\"{reference_id}\" href=\"#fn-{number}\" class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" data-bindery-origin=\"{}\">{number}</a>",
                    self.origin(range)
                ));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.in_footnote += 1;
                self.notes.push(Note {
                    label: label.clone(),
                    events: Vec::new(),
                });
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                self.in_footnote = self.in_footnote.saturating_sub(1);
            }
            Event::InlineMath(tex) => self.math(tex, false, range),
            Event::DisplayMath(tex) => self.math(tex, true, range),
            Event::TaskListMarker(done) => self.emit_html(task_marker(*done)),
            Event::Html(html) | Event::InlineHtml(html) => {
                let marked = mark_start_tags(html, self.origin(range));
                match event {
                    Event::Html(_) => self.emit(Event::Html(CowStr::from(marked))),
                    _ => self.emit_html(marked),
                }
            }
            _ => self.emit(event.clone()),
        }
        index + 1
    }

    /// A heading's start tag: its unique id (the slug of its text unless given), the id
    /// GitHub would give it as an alias for links written against GitHub's rendering, its
    /// classes, and the origin marker.
    fn heading_start(
        &mut self,
        index: usize,
        level: pulldown_cmark::HeadingLevel,
        id: Option<&str>,
        classes: &[CowStr<'_>],
    ) {
        let (text, _) = self.plain_text_until_end(index);
        let wanted = match id {
            Some(id) => id.to_string(),
            None => slugify(&text),
        };
        let id = self.heading_ids.unique(&wanted);
        let mut html = format!("<{level} id=\"");
        escape_into(&mut html, &id);
        html.push('"');
        let github = self.github_slugs.slug(&text);
        if github != id && !github.is_empty() {
            let _ = write!(html, " {}=\"", documents::ALIAS_ATTRIBUTE);
            escape_into(&mut html, &github);
            html.push('"');
        }
        if !classes.is_empty() {
            html.push_str(" class=\"");
            escape_into(&mut html, &classes.join(" "));
            html.push('"');
        }
        let origin = self.origin(&self.events[index].1);
        let _ = write!(html, " data-bindery-origin=\"{origin}\">");
        self.emit(Event::Html(CowStr::from(html)));
    }

    /// A formula as MathML, or as its TeX verbatim (and a problem) when it cannot be converted.
    fn math(&mut self, tex: &str, display: bool, range: &Range<usize>) {
        let origin = self.origin(range);
        match crate::markdown::mathml::tex_to_mathml(tex, display, origin) {
            Ok(html) => self.emit_html(html),
            Err(error) => {
                // Where the TeX starts: after the `$` or `$$` that opens it.
                let delimiter = if display { 2 } else { 1 };
                self.tex_errors.push(TexProblem {
                    origin: origin + delimiter + error.offset,
                    message: error.message,
                });
                self.emit_html(crate::markdown::mathml::verbatim_tex(tex, display, origin));
            }
        }
    }

    /// A paragraph holding nothing but one image (and whitespace) becomes a figure; two or
    /// three become a row of figures side by side (issue 14). Each image may be followed,
    /// with no space between, by an attribute block (`{#fig:harbour .full credit="…"}`, see
    /// [`attribute_block`]). Returns the index after the paragraph when it did.
    fn try_figure(&mut self, paragraph: usize) -> Option<usize> {
        let is_blank = |event: &Event<'_>| match event {
            Event::Text(text) => text.trim().is_empty(),
            Event::SoftBreak => true,
            _ => false,
        };
        let events = self.events;
        let mut members: Vec<FigureSource<'_>> = Vec::new();
        let mut index = paragraph + 1;
        loop {
            while is_blank(&events.get(index)?.0) {
                index += 1;
            }
            let (event, range) = events.get(index)?;
            match event {
                Event::End(TagEnd::Paragraph) if !members.is_empty() => break,
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) if members.len() < MAX_ROW => {
                    let (alt, image_end) = self.plain_text_until_end(index);
                    index = image_end + 1;
                    let attributes =
                        match self.text.get(range.end..).and_then(attribute_block::parse) {
                            Some(block) => {
                                // The block's text events (and any emphasis in a credit) are
                                // consumed; an event running past the block means the block
                                // was not alone after the image.
                                let block_end = range.end + block.len;
                                while let Some((_, next)) = events.get(index) {
                                    // (A closing tag's range starts where its element does.)
                                    if next.start >= block_end || next.start < range.end {
                                        break;
                                    }
                                    if next.end > block_end {
                                        return None;
                                    }
                                    index += 1;
                                }
                                block
                            }
                            None => AttributeBlock::default(),
                        };
                    members.push(FigureSource {
                        src: dest_url,
                        title,
                        alt,
                        origin: self.origin(range),
                        attributes,
                    });
                }
                _ => return None,
            }
        }

        let html = if let [single] = members.as_slice() {
            self.figure_html(single)
        } else {
            let origin = members[0].origin;
            let mut html = format!("<figure class=\"row\" data-bindery-origin=\"{origin}\">");
            for member in &members {
                html.push_str(&self.figure_html(member));
            }
            html.push_str("</figure>\n");
            html
        };
        self.emit(Event::Html(CowStr::from(html)));
        Some(index + 1)
    }

    /// One `<figure>`: its id (from `{#…}`, else from the image's file name), classes, the
    /// image, and a caption holding the title and the credit.
    fn figure_html(&mut self, figure: &FigureSource<'_>) -> String {
        *self.next_figure += 1;
        let wanted = match &figure.attributes.id {
            Some(id) => id.clone(),
            None => match crate::output::slug(file_stem(&documents::percent_decode(figure.src))) {
                stem if stem.is_empty() => format!("{FIGURE_ID_PREFIX}figure"),
                stem => format!("{FIGURE_ID_PREFIX}{stem}"),
            },
        };
        let id = self.figure_ids.unique(&wanted);
        let origin = figure.origin;
        let mut html = String::from("<figure id=\"");
        escape_into(&mut html, &id);
        html.push('"');
        if !figure.attributes.classes.is_empty() {
            html.push_str(" class=\"");
            escape_into(&mut html, &figure.attributes.classes.join(" "));
            html.push('"');
        }
        let _ = write!(html, " data-bindery-origin=\"{origin}\">");
        write_img(&mut html, figure.src, &figure.alt, "", origin);
        let caption = figure.title.trim();
        let credit = figure
            .attributes
            .credit
            .as_deref()
            .filter(|c| !c.is_empty());
        if !caption.is_empty() || credit.is_some() {
            html.push_str("<figcaption>");
            escape_into(&mut html, caption);
            if let Some(credit) = credit {
                if !caption.is_empty() {
                    html.push(' ');
                }
                html.push_str("<small class=\"credit\">");
                escape_into(&mut html, credit);
                html.push_str("</small>");
            }
            html.push_str("</figcaption>");
        }
        html.push_str("</figure>\n");
        html
    }

    /// The plain text of the element starting at `start` (alt text, heading text), and the
    /// index of its end event.
    fn plain_text_until_end(&self, start: usize) -> (String, usize) {
        let mut text = String::new();
        let mut depth = 0usize;
        for (index, (event, _)) in self.events.iter().enumerate().skip(start) {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return (text, index);
                    }
                }
                Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                    text.push_str(t)
                }
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
        }
        (text, self.events.len().saturating_sub(1))
    }
}

/// The writer's raw HTML with the origin attribute added to each start tag, so whatever the
/// sanitizer removes from it is reported at its line (pulldown-cmark gives an HTML block one
/// event per line). Quoted attribute values are skipped, so their text is never touched; a
/// `<` that does not open a tag name (`</p>`, `<!--`, `a < b`) is left alone.
fn mark_start_tags(html: &str, origin: usize) -> String {
    let mut out = String::with_capacity(html.len() + 32);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let name_length = tag[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(tag.len() - 1);
        let name_end = 1 + name_length;
        let is_start_tag = tag[1..].starts_with(|c: char| c.is_ascii_alphabetic())
            && tag[name_end..]
                .starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/');
        if !is_start_tag {
            out.push('<');
            rest = &tag[1..];
            continue;
        }
        out.push_str(&tag[..name_end]);
        let _ = write!(out, " {}=\"{origin}\"", crate::xhtml::ORIGIN_ATTRIBUTE);
        // Copy the rest of the tag, quotes and all, up to its `>`.
        let mut quote: Option<char> = None;
        let mut end = tag.len();
        for (index, c) in tag[name_end..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = name_end + index + 1;
                    break;
                }
                (None, _) => {}
            }
        }
        out.push_str(&tag[name_end..end]);
        rest = &tag[end..];
    }
    out.push_str(rest);
    out
}

fn write_img(html: &mut String, src: &str, alt: &str, title: &str, origin: usize) {
    html.push_str("<img src=\"");
    let _ = escape_href(&mut *html, src);
    html.push_str("\" alt=\"");
    escape_into(html, alt);
    html.push('"');
    if !title.is_empty() {
        html.push_str(" title=\"");
        escape_into(html, title);
        html.push('"');
    }
    let _ = write!(html, " data-bindery-origin=\"{origin}\"/>");
}

fn escape_into(html: &mut String, text: &str) {
    let _ = escape_html(&mut *html, text);
}

/// A readable id from heading or label text, by bindery's one slug rule
/// ([`crate::output::slug`]). Ids that would not start with a letter get
/// a prefix, because older EPUB 2 reading systems treat ids as XML names.
pub fn slugify(text: &str) -> String {
    let slug = crate::output::slug(text);
    match slug.chars().next() {
        None => "section".to_string(),
        Some(first) if !first.is_alphabetic() => format!("s-{slug}"),
        Some(_) => slug,
    }
}

/// Heading ids as GitHub (and mdBook, with the same rule) make them, so that a README's
/// hand-written table of contents (`[Terminal & Console](#terminal--console)`) still
/// finds its headings. bindery's own ids stay as they are, so books that link to them and
/// the output of existing books do not change: a heading whose GitHub id differs carries it
/// as an alias, which the link stage resolves (see `documents::ALIAS_ATTRIBUTE`).
///
/// github-slugger's rule: lower-case the text, remove every character that is not a letter,
/// digit, mark, `-`, `_` or space, then make each space a `-` (so ` & ` becomes `--`). A
/// repeated slug gets `-1`, `-2`, … .
#[derive(Default)]
struct GithubSlugs {
    seen: HashMap<String, usize>,
}

impl GithubSlugs {
    fn slug(&mut self, text: &str) -> String {
        let base: String = text
            .trim()
            .chars()
            .flat_map(char::to_lowercase)
            .filter(|&c| c.is_alphanumeric() || is_mark(c) || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut slug = base.clone();
        while self.seen.contains_key(&slug) {
            let count = self.seen.entry(base.clone()).or_default();
            *count += 1;
            slug = format!("{base}-{count}");
        }
        self.seen.insert(slug.clone(), 0);
        slug
    }
}

/// Combining marks (accents written as separate characters, vowel signs of Indic scripts):
/// the common blocks, enough for slugs.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{483}'..='\u{489}' | '\u{591}'..='\u{5BD}'
        | '\u{610}'..='\u{61A}' | '\u{64B}'..='\u{65F}' | '\u{900}'..='\u{903}'
        | '\u{93A}'..='\u{94F}' | '\u{E31}' | '\u{E34}'..='\u{E3A}' | '\u{E47}'..='\u{E4E}'
        | '\u{3099}'..='\u{309A}' | '\u{FE20}'..='\u{FE2F}')
}

/// Slugs handed out so far, and for each wanted slug the suffix to try next, so that
/// 20,000 headings with the same text take linear time, not quadratic.
#[derive(Default)]
struct UniqueSlugs {
    taken: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl UniqueSlugs {
    /// `wanted`, or `wanted-2`, `wanted-3`, … — the first not yet taken, which it takes.
    fn unique(&mut self, wanted: &str) -> String {
        // Every suffix below the hint was taken when it was set, and nothing is ever freed.
        let mut n = self.next_suffix.get(wanted).copied().unwrap_or(1);
        let mut candidate = wanted.to_string();
        if n > 1 {
            candidate = format!("{wanted}-{n}");
        }
        while self.taken.contains(&candidate) {
            n += 1;
            candidate = format!("{wanted}-{n}");
        }
        self.next_suffix.insert(wanted.to_string(), n + 1);
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests;
