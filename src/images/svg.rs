//! SVG images, passed through after sanitising.
//!
//! An SVG is a document, not pixels: it can run scripts, react to events and load other files,
//! all of which a reading system may honour inside a book (and epubcheck flags scripted
//! content). So an SVG is parsed (without a DTD: no entity expansion bombs) and written out
//! again keeping only what draws: SVG elements from an allowlist, their presentation
//! attributes, and references inside the file (`#id`). Scripts, event handlers
//! (`on…`), `foreignObject`, embedded `image`s, links to other files, `url(…)` pointing outside
//! the file, `@import`, comments and editor metadata (Inkscape, Sodipodi, RDF) are dropped.
//! A link element `<a>` is unwrapped: its drawing stays, the link goes.

use std::fmt::Write;

use roxmltree::{Document, Node, ParsingOptions};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Largest SVG accepted; real drawings are far smaller, generated ones can be huge.
pub const MAX_SVG_BYTES: usize = 8 * 1024 * 1024;

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
    #[error("the SVG file is larger than {} MB", MAX_SVG_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the SVG file is not UTF-8 text")]
    NotUtf8,
    #[error("the SVG file is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the file's root element is not an SVG <svg> element")]
    NotSvg,
}

/// Parses `bytes` and writes them back with only drawing content (see the module docs).
pub fn sanitize(bytes: &[u8]) -> Result<SanitizedSvg, SvgError> {
    if bytes.len() > MAX_SVG_BYTES {
        return Err(SvgError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| SvgError::NotUtf8)?;
    let text = text.trim_start_matches('\u{feff}');
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options)
        .map_err(|error| SvgError::Malformed(error.to_string()))?;
    let root = document.root_element();
    if root.tag_name().namespace() != Some(SVG_NS) || root.tag_name().name() != "svg" {
        return Err(SvgError::NotSvg);
    }
    let (width, height) = declared_size(root);
    let mut body = String::new();
    let uses_xlink = write_element(&mut body, root, true);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // The namespace declarations go on the root; `write_element` leaves room for them.
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

/// Writes `node` if it is allowed (unwrapping `<a>`); returns whether an `xlink:` attribute
/// was written.
fn write_element(out: &mut String, node: Node<'_, '_>, is_root: bool) -> bool {
    let name = node.tag_name();
    if name.namespace() != Some(SVG_NS) {
        return false;
    }
    if name.name() == "a" {
        return write_children(out, node);
    }
    if !ALLOWED_ELEMENTS.contains(&name.name()) || (name.name() == "svg" && !is_root) {
        return false;
    }
    if name.name() == "style" && node.text().is_some_and(|css| !css_is_self_contained(css)) {
        return false;
    }
    let mut uses_xlink = false;
    out.push('<');
    out.push_str(name.name());
    for attribute in node.attributes() {
        let prefix = match attribute.namespace() {
            None => "",
            Some(XLINK_NS) => "xlink:",
            Some(XML_NS) => "xml:",
            Some(_) => continue,
        };
        let value = attribute.value();
        if !attribute_is_safe(attribute.name(), value) {
            continue;
        }
        uses_xlink |= prefix == "xlink:";
        let _ = write!(
            out,
            " {prefix}{}=\"{}\"",
            attribute.name(),
            escape(value, true)
        );
    }
    out.push('>');
    uses_xlink |= write_children(out, node);
    let _ = write!(out, "</{}>", name.name());
    uses_xlink
}

fn write_children(out: &mut String, node: Node<'_, '_>) -> bool {
    let mut uses_xlink = false;
    for child in node.children() {
        if child.is_element() {
            uses_xlink |= write_element(out, child, false);
        } else if child.is_text() {
            out.push_str(&escape(child.text().unwrap_or_default(), false));
        }
        // Comments and processing instructions are dropped.
    }
    uses_xlink
}

fn attribute_is_safe(name: &str, value: &str) -> bool {
    if name.to_ascii_lowercase().starts_with("on") {
        return false;
    }
    if name == "href" {
        return value.trim_start().starts_with('#');
    }
    css_is_self_contained(value)
}

/// No `url(…)` but to a fragment of this file, and no `@import`.
fn css_is_self_contained(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return false;
    }
    lower.match_indices("url(").all(|(at, _)| {
        let target = lower[at + 4..].trim_start_matches([' ', '\t', '\n', '"', '\'']);
        target.starts_with('#')
    })
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
             width=\"120\" height=\"80\">\n  \n  \n  \n  \
             <style>.a { fill: url(#grad) }</style>\n  \
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
            Err(SvgError::Malformed(_))
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
}
