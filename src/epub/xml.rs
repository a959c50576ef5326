//! A tiny indenting XML writer for the documents bindery generates (OPF, NCX, nav, title
//! page…). Generated documents are indented one element per line so golden files and
//! `unzip -p` output stay readable; chapter bodies, where whitespace can matter, are written by
//! `dom::write_xhtml` instead and only placed on their own line here.
//!
//! Every text and attribute value goes through `dom::escape_text` / `dom::escape_attribute`,
//! so nothing a user writes can break the markup.

use crate::xhtml::dom::{escape_attribute, escape_text};

pub(crate) const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

pub(crate) struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// A document that starts with the XML declaration.
    pub(crate) fn new() -> Self {
        XmlWriter {
            out: XML_DECLARATION.to_owned(),
            depth: 0,
        }
    }

    /// A line written as given (already escaped markup), at the current indentation.
    pub(crate) fn raw_line(&mut self, markup: &str) {
        self.indent();
        self.out.push_str(markup);
        self.out.push('\n');
    }

    pub(crate) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        start_tag(&mut self.out, name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs>text</name>` on one line.
    pub(crate) fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.indent();
        start_tag(&mut self.out, name, attrs);
        self.out.push('>');
        escape_text(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs/>`.
    pub(crate) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        start_tag(&mut self.out, name, attrs);
        self.out.push_str("/>\n");
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

fn start_tag(out: &mut String, name: &str, attrs: &[(&str, &str)]) {
    out.push('<');
    out.push_str(name);
    for (attr, value) in attrs {
        out.push(' ');
        out.push_str(attr);
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_nested_elements_and_escapes_text_and_attributes() {
        let mut xml = XmlWriter::new();
        xml.open("a", &[("x", "1 \"<2>\" & 3")]);
        xml.leaf("b", &[], "Tom & <Jerry>");
        xml.empty("c", &[("y", "z")]);
        xml.close("a");
        assert_eq!(
            xml.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <a x=\"1 &quot;&lt;2&gt;&quot; &amp; 3\">\n  \
             <b>Tom &amp; &lt;Jerry&gt;</b>\n  \
             <c y=\"z\"/>\n\
             </a>\n"
        );
    }
}
