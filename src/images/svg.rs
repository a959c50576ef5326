//! SVG images, passed through after sanitising.
//!
//! An SVG is a document, not pixels: it can run scripts, react to events and load other files,
//! all of which a reading system may honour inside a book (and epubcheck flags scripted
//! content). So an SVG is parsed and written out again keeping only what draws: SVG elements
//! from an allowlist, their presentation attributes, and references inside the file (`#id`).
//! Scripts, event handlers (`on…`), `foreignObject`, embedded `image`s, links to other files,
//! comments and editor metadata (Inkscape, Sodipodi, RDF, Illustrator) are dropped. A link
//! element `<a>` is unwrapped: its drawing stays, the link goes. CSS (`<style>`, `style=`, and
//! presentation attributes, which browsers read as CSS values) goes through
//! [`crate::css`], so escapes cannot smuggle a `url(…)` past the checks.
//!
//! Tools write a `<!DOCTYPE svg PUBLIC …>` (Graphviz, matplotlib, Illustrator; issue 9): the
//! DOCTYPE is removed before parsing and its external identifier is never resolved. Entities
//! declared in its internal subset (Illustrator declares its namespaces that way) are
//! expanded by `prolog` only when each is plain text, so expansion is linear and bounded;
//! an entity built from other entities (the shape of a "billion laughs" bomb), a parameter
//! entity or one read from a file is refused.
//!
//! The tree is walked with an explicit stack, never recursion, and a drawing nested deeper
//! than [`MAX_DEPTH`] elements is refused at the element that passes it (issue 10, item 5).

use std::fmt::Write;

use roxmltree::{Document, Node, ParsingOptions};

use crate::css;

pub(crate) mod prolog;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Largest SVG accepted; real drawings are far smaller, generated ones can be huge.
pub const MAX_SVG_BYTES: usize = 8 * 1024 * 1024;

/// Deepest element nesting accepted. Drawings nest groups a few dozen deep at most; the limit
/// keeps reading systems (which render SVG recursively) safe too.
pub const MAX_DEPTH: usize = 256;

/// Elements that only draw or describe drawing.
const ALLOWED_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "switch",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "pattern",
    "clipPath",
    "mask",
    "marker",
    "style",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// A sanitised SVG and the size it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitizedSvg {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SvgError {
    #[error("the SVG file is larger than {} MiB", MAX_SVG_BYTES >> 20)]
    TooLarge,
    #[error("the SVG file is not UTF-8 text")]
    NotUtf8,
    #[error("the SVG file is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the file's root element is not an SVG <svg> element")]
    NotSvg,
    #[error(
        "the SVG nests elements more than {MAX_DEPTH} deep (line {line}, column {column}); no drawing needs that many levels"
    )]
    TooDeep { line: u32, column: u32 },
    #[error("the SVG's DOCTYPE {0}; bindery does not expand such entities")]
    Entities(String),
}

/// Parses `bytes` and writes them back with only drawing content (see the module docs).
pub fn sanitize(bytes: &[u8]) -> Result<SanitizedSvg, SvgError> {
    if bytes.len() > MAX_SVG_BYTES {
        return Err(SvgError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| SvgError::NotUtf8)?;
    let text = text.trim_start_matches('\u{feff}');
    let text = prolog::without_doctype(text, MAX_SVG_BYTES)?;
    // roxmltree's parser recurses once per open element: measure the depth before it does.
    check_depth(&text)?;
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(&text, options)
        .map_err(|error| SvgError::Malformed(error.to_string()))?;
    let root = document.root_element();
    if root.tag_name().namespace() != Some(SVG_NS) || root.tag_name().name() != "svg" {
        return Err(SvgError::NotSvg);
    }
    let (width, height) = declared_size(root);
    let mut body = String::new();
    let uses_xlink = write_tree(&mut body, &document, root)?;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // The namespace declarations go on the root; `write_tree` leaves room for them.
    let declarations = if uses_xlink {
        format!(" xmlns=\"{SVG_NS}\" xmlns:xlink=\"{XLINK_NS}\"")
    } else {
        format!(" xmlns=\"{SVG_NS}\"")
    };
    out.push_str(&body.replacen("<svg", &format!("<svg{declarations}"), 1));
    out.push('\n');
    Ok(SanitizedSvg {
        bytes: out.into_bytes(),
        width,
        height,
    })
}

/// Refuses markup nested deeper than [`MAX_DEPTH`] elements, scanning the text once, without
/// recursion: start tags (quoted attribute values skipped), end tags, empty-element tags,
/// comments, CDATA sections and processing instructions.
fn check_depth(text: &str) -> Result<(), SvgError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    let skip_past = |from: usize, end: &str| {
        text[from..]
            .find(end)
            .map_or(text.len(), |found| from + found + end.len())
    };
    while let Some(found) = text[at..].find('<') {
        let start = at + found;
        let rest = &text[start..];
        at = if rest.starts_with("<!--") {
            skip_past(start, "-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_past(start, "]]>")
        } else if rest.starts_with("<?") {
            skip_past(start, "?>")
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            skip_past(start, ">")
        } else {
            // A start tag: to its `>` outside quotes; `/>` opens nothing.
            let mut index = start + 1;
            let mut quote = None;
            while index < bytes.len() {
                match (quote, bytes[index]) {
                    (Some(open), byte) if byte == open => quote = None,
                    (Some(_), _) => {}
                    (None, byte @ (b'"' | b'\'')) => quote = Some(byte),
                    (None, b'>') => break,
                    _ => {}
                }
                index += 1;
            }
            if index < bytes.len() && bytes[index - 1] != b'/' {
                depth += 1;
                if depth > MAX_DEPTH + 1 {
                    let before = &text[..start];
                    let line = before.matches('\n').count() + 1;
                    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
                        .chars()
                        .count()
                        + 1;
                    return Err(SvgError::TooDeep {
                        line: u32::try_from(line).unwrap_or(u32::MAX),
                        column: u32::try_from(column).unwrap_or(u32::MAX),
                    });
                }
            }
            // Past the `>`, or the end of an unterminated tag (the parser then says what is wrong).
            (index + 1).min(text.len())
        };
    }
    Ok(())
}

/// One step of the walk: enter a node (at a depth), or close an element written earlier.
enum Step<'a, 'input> {
    Enter(Node<'a, 'input>, usize),
    Close(&'a str),
}

/// Writes the allowed part of the tree under `root`, depth first, with an explicit stack;
/// returns whether an `xlink:` attribute was written.
fn write_tree(
    out: &mut String,
    document: &Document<'_>,
    root: Node<'_, '_>,
) -> Result<bool, SvgError> {
    let mut uses_xlink = false;
    let mut stack = vec![Step::Enter(root, 0)];
    while let Some(step) = stack.pop() {
        let (node, depth) = match step {
            Step::Close(name) => {
                let _ = write!(out, "</{name}>");
                continue;
            }
            Step::Enter(node, depth) => (node, depth),
        };
        if node.is_text() {
            out.push_str(&escape(node.text().unwrap_or_default(), false));
            continue;
        }
        // Comments and processing instructions are dropped.
        if !node.is_element() {
            continue;
        }
        if depth > MAX_DEPTH {
            let at = document.text_pos_at(node.range().start);
            return Err(SvgError::TooDeep {
                line: at.row,
                column: at.col,
            });
        }
        let name = node.tag_name();
        if name.namespace() != Some(SVG_NS) {
            continue;
        }
        let children = node.children().rev();
        if name.name() == "a" {
            // Unwrapped: the drawing inside stays where the link was.
            stack.extend(children.map(|child| Step::Enter(child, depth + 1)));
            continue;
        }
        if !ALLOWED_ELEMENTS.contains(&name.name()) || (name.name() == "svg" && depth > 0) {
            continue;
        }
        uses_xlink |= write_start_tag(out, node);
        stack.push(Step::Close(name.name()));
        if name.name() == "style" {
            // The whole text of the element (CDATA included), sanitised as one stylesheet.
            let css: String = node.children().filter_map(|child| child.text()).collect();
            let clean = css::sanitize(&css, css::Context::Svg, &Default::default());
            out.push_str(&escape(&clean.css, false));
            continue;
        }
        stack.extend(children.map(|child| Step::Enter(child, depth + 1)));
    }
    Ok(uses_xlink)
}

/// `<name attributes…>` with the safe attributes only; returns whether one was `xlink:`.
fn write_start_tag(out: &mut String, node: Node<'_, '_>) -> bool {
    let mut uses_xlink = false;
    out.push('<');
    out.push_str(node.tag_name().name());
    for attribute in node.attributes() {
        let prefix = match attribute.namespace() {
            None => "",
            Some(XLINK_NS) => "xlink:",
            Some(XML_NS) => "xml:",
            // Editor data (inkscape:, sodipodi:, i: …) carries nothing a reader draws.
            Some(_) => continue,
        };
        let Some(value) = safe_attribute_value(attribute.name(), attribute.value()) else {
            continue;
        };
        uses_xlink |= prefix == "xlink:";
        let _ = write!(
            out,
            " {prefix}{}=\"{}\"",
            attribute.name(),
            escape(&value, true)
        );
    }
    out.push('>');
    uses_xlink
}

/// The value to write for an attribute, or `None` to leave the attribute out.
fn safe_attribute_value(name: &str, value: &str) -> Option<String> {
    if name.to_ascii_lowercase().starts_with("on") {
        return None;
    }
    if name == "href" {
        return value
            .trim_start()
            .starts_with('#')
            .then(|| value.to_string());
    }
    if name == "style" {
        let clean = css::sanitize(value, css::Context::Svg, &Default::default());
        let kept = clean.css.trim();
        return (!kept.is_empty()).then(|| kept.to_string());
    }
    // Presentation attributes (`fill`, `filter`, `mask`, …) are read as CSS values, escapes
    // and all: the value stays only if it is a value that loads nothing.
    if value.contains(['(', '\\', '@']) {
        let probe = format!("x:{value}");
        let clean = css::sanitize(&probe, css::Context::Svg, &Default::default());
        if clean.dropped > 0 {
            return None;
        }
    }
    Some(value.to_string())
}

fn escape(text: &str, in_attribute: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' if in_attribute => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// `width`/`height` when given in pixels (or unitless), else the `viewBox` size, else the
/// CSS default size of a replaced element (300×150).
fn declared_size(root: Node<'_, '_>) -> (u32, u32) {
    let pixels = |name: &str| {
        root.attribute(name)
            .map(|v| v.trim().trim_end_matches("px"))
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 1.0)
    };
    let view_box: Option<Vec<f64>> = root.attribute("viewBox").map(|v| {
        v.split([' ', ',', '\t', '\n'])
            .filter(|part| !part.is_empty())
            .filter_map(|part| part.parse::<f64>().ok())
            .collect()
    });
    let from_view_box = view_box
        .filter(|parts| parts.len() == 4 && parts[2] >= 1.0 && parts[3] >= 1.0)
        .map(|parts| (parts[2], parts[3]));
    let (width, height) = match (pixels("width"), pixels("height"), from_view_box) {
        (Some(w), Some(h), _) => (w, h),
        (_, _, Some(size)) => size,
        _ => (300.0, 150.0),
    };
    let round = |v: f64| v.round().clamp(1.0, f64::from(u32::MAX)) as u32;
    (round(width), round(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(svg: &str) -> String {
        String::from_utf8(sanitize(svg.as_bytes()).unwrap().bytes).unwrap()
    }

    #[test]
    fn scripts_handlers_and_external_references_are_removed() {
        let svg = r##"<?xml version="1.0"?>
<!-- made by hand -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     width="120" height="80" onload="alert(1)" inkscape:version="1.3">
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
  <script>alert(1)</script>
  <style>@import url(https://example.org/x.css);</style>
  <style>.a { fill: url(#grad) }</style>
  <defs><linearGradient id="grad"><stop offset="0" stop-color="red"/></linearGradient></defs>
  <a xlink:href="https://example.org"><rect class="a" width="10" height="10" onclick="x()"/></a>
  <use xlink:href="#grad"/><use xlink:href="other.svg#shape"/>
  <image xlink:href="https://example.org/track.png" width="1" height="1"/>
  <foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>
  <circle r="5" fill="url(https://example.org/paint)" style="fill:url( 'http://x/y' )"/>
  <text x="1" y="2">5 &lt; 6 &amp; "q"</text>
</svg>"##;
        assert_eq!(
            clean(svg),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
             width=\"120\" height=\"80\">\n  \n  \n  <style></style>\n  \
             <style>.a { fill: url(\"#grad\") }</style>\n  \
             <defs><linearGradient id=\"grad\"><stop offset=\"0\" stop-color=\"red\"></stop></linearGradient></defs>\n  \
             <rect class=\"a\" width=\"10\" height=\"10\"></rect>\n  \
             <use xlink:href=\"#grad\"></use><use></use>\n  \n  \n  \
             <circle r=\"5\"></circle>\n  \
             <text x=\"1\" y=\"2\">5 &lt; 6 &amp; \"q\"</text>\n\
             </svg>\n"
        );
    }

    #[test]
    fn the_size_comes_from_width_and_height_or_the_view_box() {
        let size = |svg: &str| {
            let s = sanitize(svg.as_bytes()).unwrap();
            (s.width, s.height)
        };
        let ns = "xmlns=\"http://www.w3.org/2000/svg\"";
        assert_eq!(
            size(&format!("<svg {ns} width=\"64px\" height=\"32\"/>")),
            (64, 32)
        );
        assert_eq!(
            size(&format!(
                "<svg {ns} width=\"50%\" viewBox=\"0 0 400.4 300\"/>"
            )),
            (400, 300)
        );
        assert_eq!(size(&format!("<svg {ns}/>")), (300, 150));
    }

    #[test]
    fn entity_bombs_and_other_documents_are_refused() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\
                    <svg xmlns=\"http://www.w3.org/2000/svg\"><text>&b;</text></svg>";
        assert!(matches!(
            sanitize(bomb.as_bytes()),
            Err(SvgError::Entities(_))
        ));
        assert_eq!(
            sanitize(b"<html xmlns=\"http://www.w3.org/1999/xhtml\"/>"),
            Err(SvgError::NotSvg)
        );
        assert_eq!(
            sanitize(b"<svg><unclosed></svg>").map(|_| ()),
            Err(SvgError::Malformed(
                "expected 'unclosed' tag, not 'svg' at 1:16".into()
            ))
        );
    }

    #[test]
    fn a_million_nested_groups_are_refused_without_recursion() {
        let depth = 1_000_000;
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\">\n{}{}</svg>",
            "<g>".repeat(depth),
            "</g>".repeat(depth)
        );
        assert_eq!(
            sanitize(svg.as_bytes()),
            Err(SvgError::TooDeep {
                line: 2,
                column: 3 * MAX_DEPTH as u32 + 1
            })
        );
        let fine = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\">{}{}</svg>",
            "<g>".repeat(MAX_DEPTH),
            "</g>".repeat(MAX_DEPTH)
        );
        assert!(sanitize(fine.as_bytes()).is_ok());
    }

    #[test]
    fn css_escapes_do_not_smuggle_urls() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg">
<style><![CDATA[@\69mport "https://e.example/a.css"; rect { fill: u\72l(https://e.example/p) } circle { fill: red }]]></style>
<rect style="fill: u\72l(https://e.example/q); stroke: blue" filter="u\72l(https://e.example/f)" fill="url(#ok)"/>
</svg>"#;
        let out = clean(svg);
        assert!(!out.contains("e.example"), "{out}");
        assert!(out.contains("circle { fill: red }"), "{out}");
        assert!(
            out.contains(r#"<rect style="stroke: blue" fill="url(#ok)">"#),
            "{out}"
        );
    }

    #[test]
    fn unterminated_tags_are_errors_not_panics() {
        for text in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><g a=\"x",
            "<svg",
            "<svg><",
            "<a b='>",
        ] {
            assert!(sanitize(text.as_bytes()).is_err(), "{text}");
        }
    }
}
