//! bindery's own document tree, and its XHTML serialization.
//!
//! Markdown is rendered to HTML, parsed by an HTML5 parser and cleaned into this tree
//! (see `xhtml.rs`). Later stages rewrite links and image sources on it, split it into
//! documents, and finally write it out as XHTML. Owning the tree (instead of keeping the
//! parser's reference-counted DOM) keeps those stages plain data transformations.

/// A node of a document body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Lower-case local name, e.g. `p`, `figure`.
    pub name: String,
    /// Attributes in source order. Names are as written in XHTML (`epub:type`, `xml:lang`).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// Byte offset in the Markdown source this element came from, when known. Used only to
    /// point diagnostics at a line; never serialized.
    pub origin: Option<usize>,
}

/// Elements that never have content; written as `<br/>`.
pub const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            attrs: Vec::new(),
            children: Vec::new(),
            origin: None,
        }
    }

    pub fn with_attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_attr(name, value);
        self
    }

    pub fn with_child(mut self, child: Node) -> Self {
        self.children.push(child);
        self
    }

    pub fn with_text(self, text: impl Into<String>) -> Self {
        self.with_child(Node::Text(text.into()))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.attrs.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((name, value)),
        }
    }

    pub fn remove_attr(&mut self, name: &str) -> Option<String> {
        let index = self.attrs.iter().position(|(n, _)| n == name)?;
        Some(self.attrs.remove(index).1)
    }

    pub fn text_content(&self) -> String {
        text_content(&self.children)
    }
}

impl From<Element> for Node {
    fn from(element: Element) -> Self {
        Node::Element(element)
    }
}

/// The concatenated text of `nodes`, as a reader would see it.
pub fn text_content(nodes: &[Node]) -> String {
    let mut out = String::new();
    collect_text(nodes, &mut out);
    out
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(element) => collect_text(&element.children, out),
        }
    }
}

/// Calls `visit` on every element of `nodes`, parents before children.
pub fn for_each_element_mut(nodes: &mut [Node], visit: &mut impl FnMut(&mut Element)) {
    for node in nodes {
        if let Node::Element(element) = node {
            visit(element);
            for_each_element_mut(&mut element.children, visit);
        }
    }
}

/// Calls `visit` on every element of `nodes`, parents before children.
pub fn for_each_element<'a>(nodes: &'a [Node], visit: &mut impl FnMut(&'a Element)) {
    for node in nodes {
        if let Node::Element(element) = node {
            visit(element);
            for_each_element(&element.children, visit);
        }
    }
}

/// Replaces, bottom-up, every element for which `replace` returns `Some` with those nodes.
/// Used to unwrap a link (keep its text) or drop an element entirely.
pub fn replace_elements(
    nodes: &mut Vec<Node>,
    replace: &mut impl FnMut(&mut Element) -> Option<Vec<Node>>,
) {
    let mut index = 0;
    while index < nodes.len() {
        if let Node::Element(element) = &mut nodes[index] {
            replace_elements(&mut element.children, replace);
            if let Some(replacement) = replace(element) {
                let count = replacement.len();
                nodes.splice(index..=index, replacement);
                index += count;
                continue;
            }
        }
        index += 1;
    }
}

/// Writes `nodes` as XHTML. Text and attribute values are escaped; void elements are
/// self-closed; every other element gets an explicit end tag (`<p></p>`), which all reading
/// systems parse the same way.
pub fn write_xhtml(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => escape_text(text, out),
            Node::Element(element) => write_element(element, out),
        }
    }
}

fn write_element(element: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&element.name);
    for (name, value) in &element.attrs {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
    if VOID_ELEMENTS.contains(&element.name.as_str()) {
        out.push_str("/>");
        return;
    }
    out.push('>');
    write_xhtml(&element.children, out);
    out.push_str("</");
    out.push_str(&element.name);
    out.push('>');
}

/// Escapes text content for XML. Characters XML 1.0 forbids (most C0 controls) are dropped:
/// they cannot be represented at all, and a reader would show nothing for them.
pub fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Escapes an attribute value for a double-quoted XML attribute.
pub fn escape_attribute(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Literal newlines and tabs in attributes are normalized away by XML parsers.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Convenience: the escaped form of `text` as a new string.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_text(text, &mut out);
    out
}

/// An id written as the fragment of an `href`: ids may hold any character but whitespace,
/// while a URL fragment may not hold `` ` ``, `%`, `<`, `"` and a few others, which are
/// percent-encoded (non-ASCII letters are fine as they are).
pub fn encode_fragment(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len());
    for c in fragment.chars() {
        match c {
            '%' | '"' | '<' | '>' | '`' | '#' | '{' | '}' | '|' | '\\' | '^' | '[' | ']' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c if c.is_control() || c == ' ' => {
                let mut buffer = [0u8; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// `1` for `h1` … `6` for `h6`; `None` for any other element name.
pub fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', digit @ b'1'..=b'6'] => Some(digit - b'0'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_void_elements_self_closed_and_escapes() {
        let nodes = vec![
            Element::new("p")
                .with_text("a < b & \"c\"")
                .with_child(Element::new("br").into())
                .into(),
            Element::new("img")
                .with_attr("src", "a&b.jpg")
                .with_attr("alt", "say \"hi\"\n")
                .into(),
        ];
        let mut out = String::new();
        write_xhtml(&nodes, &mut out);
        assert_eq!(
            out,
            "<p>a &lt; b &amp; \"c\"<br/></p><img src=\"a&amp;b.jpg\" alt=\"say &quot;hi&quot;&#10;\"/>"
        );
    }

    #[test]
    fn fragments_are_percent_encoded_only_where_urls_need_it() {
        assert_eq!(encode_fragment("`code`"), "%60code%60");
        assert_eq!(encode_fragment("50%<x>"), "50%25%3Cx%3E");
        assert_eq!(encode_fragment("북한-사진"), "북한-사진");
    }

    #[test]
    fn drops_characters_xml_cannot_hold() {
        assert_eq!(escaped("a\u{0}b\u{1b}c\u{FFFE}"), "abc");
    }

    #[test]
    fn replace_elements_unwraps_links_keeping_text() {
        let mut nodes = vec![
            Element::new("p")
                .with_text("see ")
                .with_child(
                    Element::new("a")
                        .with_attr("href", "x")
                        .with_text("there")
                        .into(),
                )
                .into(),
        ];
        replace_elements(&mut nodes, &mut |e| {
            (e.name == "a").then(|| std::mem::take(&mut e.children))
        });
        let mut out = String::new();
        write_xhtml(&nodes, &mut out);
        assert_eq!(out, "<p>see there</p>");
    }
}
