//! Bounding the nesting of HTML before html5ever sees it, and finding where it may be cut
//! into pieces that parse alone.
//!
//! html5ever's tree builder follows the HTML standard, which checks "is there a `<p>` in
//! button scope" and the like by walking the stack of open elements on every start tag. On
//! 100,000 nested `<div>`s that walk makes the parse quadratic: over two minutes for 1.1 MB
//! of Markdown (issue 10). No tree builder can be told to stop nesting, so this pass does it
//! before the parse: a small scanner follows the tags of the HTML (raw HTML and the HTML the
//! Markdown stage wrote alike), keeps a model of the open elements, and removes start tags
//! (and their end tags) that would open an element deeper than [`MAX_NESTING`]. Their text is
//! kept. Every stage after it (the parse, the filter, the repair, the serializer) then works
//! on a tree at most that deep, in time linear in the input.
//!
//! The model is simpler than the standard's tree construction, on purpose. It knows the
//! elements that close themselves (`<li>` after `<li>`, a block after an open `<p>`, …), void
//! elements, raw-text elements and comments; where it guesses wrong, it only changes where a
//! cut happens, never what is safe: the sanitizer still parses and filters whatever comes out.
//!
//! The same model tells where nothing is open. There the HTML can be parsed in pieces
//! ([`Bounded::pieces`]), each piece's parser tree dropped before the next is built, which
//! keeps the memory of a large file's parse to that of one piece.

use std::collections::HashMap;
use std::ops::Range;

/// Elements are nested at most this deep; deeper start tags are removed, their text kept.
/// Real books stay far below it (a block quote in a list in a table is a depth of five). It
/// is the sanitizer's limit too, which stays as a second guard ([`crate::xhtml::MAX_DEPTH`]).
pub const MAX_NESTING: usize = crate::xhtml::MAX_DEPTH;

/// A piece is closed at the first place nothing is open after this many bytes.
const PIECE_BYTES: usize = 256 * 1024;

/// The HTML with over-deep tags removed, the places where it may be cut, and the cuts made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounded {
    pub html: String,
    /// Consecutive ranges of `html` that cover it; each starts and ends with nothing open.
    pub pieces: Vec<Range<usize>>,
    /// One entry per run of removed tags: the first tag's name and its origin attribute.
    pub cuts: Vec<(String, Option<usize>)>,
}

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose content is text up to their end tag, not markup.
const RAW_TEXT: &[&str] = &[
    "iframe", "noembed", "noframes", "script", "style", "textarea", "title", "xmp",
];

/// Start tags that close an open `<p>` (the standard's list, less the rarities).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "search",
    "section",
    "summary",
    "table",
    "ul",
    "dd",
    "dt",
];

/// Elements that stop the search for an element to close implicitly (the last two only
/// for list items).
const SCOPE: &[&str] = &[
    "applet", "button", "caption", "html", "marquee", "object", "table", "td", "template", "th",
    "svg", "math", "ol", "ul",
];

/// Removes start tags nested deeper than [`MAX_NESTING`] (with their end tags) and finds the
/// places where the HTML may be cut into pieces.
pub fn bound(html: &str) -> Bounded {
    let mut scan = Scan::default();
    let mut out = String::with_capacity(html.len());
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let (length, keep) = scan.markup(tail);
        if keep {
            out.push_str(&tail[..length]);
        }
        rest = &tail[length..];
        if scan.open.is_empty() && scan.cut.is_empty() && out.len() - piece_start >= PIECE_BYTES {
            pieces.push(piece_start..out.len());
            piece_start = out.len();
        }
    }
    out.push_str(rest);
    if piece_start < out.len() || pieces.is_empty() {
        pieces.push(piece_start..out.len());
    }
    Bounded {
        html: out,
        pieces,
        cuts: scan.cuts,
    }
}

#[derive(Default)]
struct Scan {
    /// The open elements the model keeps, at most [`MAX_NESTING`].
    open: Vec<String>,
    /// Open elements whose start tag was removed, innermost last, and how many of each name
    /// (so an end tag can ask "is one open?" without a walk).
    cut: Vec<String>,
    cut_names: HashMap<String, usize>,
    /// How many `<svg>`/`<math>` are open: in them `/>` closes an element, as in XML.
    foreign: usize,
    cuts: Vec<(String, Option<usize>)>,
}

impl Scan {
    /// Reads the markup at the start of `tail` (which starts with `<`): returns its length
    /// and whether to keep it.
    fn markup(&mut self, tail: &str) -> (usize, bool) {
        let bytes = tail.as_bytes();
        if let Some(comment) = tail.strip_prefix("<!--") {
            // `<!-->` and `<!--->` are whole (empty) comments to an HTML parser.
            let end = if comment.starts_with('>') {
                5
            } else if comment.starts_with("->") {
                6
            } else {
                comment.find("-->").map_or(tail.len(), |i| 4 + i + 3)
            };
            return (end, true);
        }
        if matches!(bytes.get(1), Some(b'!' | b'?')) {
            return (tail.find('>').map_or(tail.len(), |i| i + 1), true);
        }
        let is_end = bytes.get(1) == Some(&b'/');
        let name_start = if is_end { 2 } else { 1 };
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            // `a < b`, `</ x>`: text to a parser (a bogus comment at worst: no element).
            return (1, true);
        }
        let name_end = tail[name_start..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(tail.len(), |i| name_start + i);
        let name = tail[name_start..name_end].to_ascii_lowercase();
        let (tag_end, self_closing) = tag_end(tail, name_end);
        if is_end {
            return (tag_end, self.end_tag(&name));
        }
        if RAW_TEXT.contains(&name.as_str()) {
            // Its content is text; copy it through to the end tag, whole, as a leaf.
            let close = format!("</{name}");
            let content_end = find_ascii_case_insensitive(&tail[tag_end..], &close)
                .map_or(tail.len(), |i| tag_end + i);
            return (content_end, true);
        }
        if name == "plaintext" {
            return (tail.len(), true);
        }
        let keep = self.start_tag(name, self_closing, &tail[..tag_end]);
        (tag_end, keep)
    }

    fn start_tag(&mut self, name: String, self_closing: bool, tag: &str) -> bool {
        if VOID.contains(&name.as_str()) || self_closing && self.foreign > 0 {
            return true;
        }
        if !self.cut.is_empty() || self.open.len() >= MAX_NESTING {
            if self.cut.is_empty() {
                self.cuts.push((name.clone(), origin_in(tag)));
            }
            *self.cut_names.entry(name.clone()).or_default() += 1;
            self.cut.push(name);
            return false;
        }
        self.close_implied_by(&name);
        if matches!(name.as_str(), "svg" | "math") {
            self.foreign += 1;
        }
        self.open.push(name);
        true
    }

    /// The elements a start tag `name` closes: an open `<p>` before a block, the previous
    /// item before `<li>`, `<dt>`, `<dd>`, a row's cell before the next, and so on.
    fn close_implied_by(&mut self, name: &str) {
        if self.foreign > 0 {
            return;
        }
        const TABLE: &[&str] = &["table", "template", "html"];
        let (siblings, boundary): (&[&str], &[&str]) = match name {
            "li" => (&["li"], SCOPE),
            "dt" | "dd" => (&["dt", "dd"], SCOPE),
            // Popping to the row (or section) closes the cells in it too.
            "tr" => (&["tr"], TABLE),
            "td" | "th" => (&["td", "th"], &["tr", "table", "template", "html"]),
            "thead" | "tbody" | "tfoot" => (&["thead", "tbody", "tfoot"], TABLE),
            "option" => (&["option"], SCOPE),
            "rt" | "rp" | "rb" => (&["rt", "rp", "rb"], SCOPE),
            _ => (&[], &[]),
        };
        if !siblings.is_empty() {
            self.close_nearest(siblings, boundary);
        }
        if CLOSES_P.contains(&name) {
            // "Button scope": lists do not stop it.
            self.close_nearest(&["p"], &SCOPE[..SCOPE.len() - 2]);
        }
    }

    /// Pops to (and including) the innermost open element named in `names`, unless one in
    /// `boundary` comes first. The walk is bounded by [`MAX_NESTING`].
    fn close_nearest(&mut self, names: &[&str], boundary: &[&str]) {
        for index in (0..self.open.len()).rev() {
            let open = self.open[index].as_str();
            if names.contains(&open) {
                self.pop_to(index);
                return;
            }
            if boundary.contains(&open) {
                return;
            }
        }
    }

    fn pop_to(&mut self, index: usize) {
        for closed in self.open.drain(index..) {
            if matches!(closed.as_str(), "svg" | "math") {
                self.foreign -= 1;
            }
        }
    }

    /// Whether to keep the end tag `</name>`: not when it closes an element whose start tag
    /// was removed.
    fn end_tag(&mut self, name: &str) -> bool {
        if self.cut_names.get(name).is_some_and(|&n| n > 0) {
            while let Some(closed) = self.cut.pop() {
                if let Some(count) = self.cut_names.get_mut(&closed) {
                    *count -= 1;
                }
                if closed == name {
                    break;
                }
            }
            return false;
        }
        if let Some(index) = self.open.iter().rposition(|open| open == name) {
            // Closing a kept element closes everything in it, removed ones included.
            self.cut.clear();
            self.cut_names.clear();
            self.pop_to(index);
        }
        true
    }
}

/// The end of the tag whose name ends at `from` (just past its `>`), and whether it ends
/// with `/>`. A quote opens a quoted value only after `=`, as in the HTML tokenizer.
fn tag_end(tail: &str, from: usize) -> (usize, bool) {
    let mut quote: Option<u8> = None;
    let mut last_significant = 0u8;
    for (index, &byte) in tail.as_bytes().iter().enumerate().skip(from) {
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if (byte == b'"' || byte == b'\'') && last_significant == b'=' => {
                quote = Some(byte)
            }
            None if byte == b'>' => return (index + 1, last_significant == b'/'),
            None if byte.is_ascii_whitespace() => {}
            None => last_significant = byte,
        }
        if quote.is_some() {
            last_significant = 0;
        }
    }
    (tail.len(), false)
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

/// The value of the origin attribute the Markdown stage put in `tag`, if any.
fn origin_in(tag: &str) -> Option<usize> {
    let marker = format!("{}=\"", crate::xhtml::ORIGIN_ATTRIBUTE);
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    tag[start..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_html_is_untouched_and_one_piece() {
        let html = "<p>a <b>b</b></p>\n<ul><li>x<li>y</ul><!-- <div> --><script>\"<div>\"</script>";
        let bounded = bound(html);
        assert_eq!(bounded.html, html);
        assert_eq!(bounded.pieces, vec![0..html.len()]);
        assert!(bounded.cuts.is_empty());
    }

    #[test]
    fn tags_deeper_than_the_limit_are_removed_with_their_end_tags_and_reported_once() {
        let n = MAX_NESTING + 50;
        let html = format!(
            "{}text{}<p>after</p>",
            "<div data-bindery-origin=\"7\">".repeat(n),
            "</div>".repeat(n)
        );
        let bounded = bound(&html);
        let expected = format!(
            "{}text{}<p>after</p>",
            "<div data-bindery-origin=\"7\">".repeat(MAX_NESTING),
            "</div>".repeat(MAX_NESTING)
        );
        assert_eq!(bounded.html, expected);
        assert_eq!(bounded.cuts, vec![("div".to_string(), Some(7))]);
    }

    #[test]
    fn elements_that_close_themselves_do_not_nest() {
        let items = "<li>item".repeat(MAX_NESTING * 2);
        let paragraphs = "<p>para".repeat(MAX_NESTING * 2);
        let cells = "<tr><td>a<td>b".repeat(MAX_NESTING * 2);
        for html in [
            format!("<ul>{items}</ul>"),
            paragraphs,
            format!("<table>{cells}</table>"),
        ] {
            let bounded = bound(&html);
            assert!(bounded.cuts.is_empty(), "{}", &html[..40]);
            assert_eq!(bounded.html, html);
        }
    }

    #[test]
    fn self_closing_html_tags_still_nest_but_svg_ones_do_not() {
        let html = "<div/>".repeat(MAX_NESTING + 1);
        assert_eq!(bound(&html).cuts.len(), 1);
        let svg = format!("<svg>{}</svg>", "<path/>".repeat(MAX_NESTING * 2));
        assert!(bound(&svg).cuts.is_empty());
    }

    #[test]
    fn quoted_attribute_values_and_comments_hide_their_brackets() {
        let html = format!(
            "<a title='<div><div>' href=\"x>\">{}</a>",
            "<!--<div>-->".repeat(MAX_NESTING * 2)
        );
        assert!(bound(&html).cuts.is_empty());
    }

    #[test]
    fn large_html_is_cut_where_nothing_is_open() {
        let paragraph = format!("<p>{}</p>\n", "word ".repeat(100));
        let html = paragraph.repeat(2000);
        let bounded = bound(&html);
        assert!(bounded.pieces.len() > 1);
        assert_eq!(bounded.pieces.first().map(|p| p.start), Some(0));
        assert_eq!(bounded.pieces.last().map(|p| p.end), Some(html.len()));
        for pair in bounded.pieces.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(
                bounded.html[pair[1].clone()]
                    .trim_start()
                    .starts_with("<p>")
            );
        }
    }

    #[test]
    fn a_hundred_thousand_nested_divs_take_linear_time() {
        let n = 100_000;
        let html = format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
        let started = std::time::Instant::now();
        let bounded = bound(&html);
        assert_eq!(bounded.html.matches("<div>").count(), MAX_NESTING);
        assert!(started.elapsed().as_secs() < 5);
    }
}
