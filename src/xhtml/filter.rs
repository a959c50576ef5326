//! Pass 1: html5ever's parse tree into bindery's own tree, through the element and
//! attribute allowlists; what is removed is reported with what the reader loses.

use super::*;

pub(super) struct Filter<'a> {
    pub(super) removed: &'a mut Vec<Removed>,
}

impl Filter<'_> {
    pub(super) fn report(&mut self, what: impl Into<String>, origin: Option<usize>) {
        self.removed.push(Removed {
            what: what.into(),
            origin,
        });
    }

    pub(super) fn children(
        &mut self,
        parent: &Handle,
        depth: usize,
        origin: Option<usize>,
    ) -> Vec<Node> {
        let mut out = Vec::new();
        for child in parent.children.borrow().iter() {
            match &child.data {
                NodeData::Text { contents } => push_text(&mut out, &contents.borrow()),
                NodeData::Element { name, attrs, .. } => {
                    self.element(child, name, &attrs.borrow(), depth, origin, &mut out)
                }
                // Comments are the author's notes to themselves; the rest cannot occur in a
                // fragment.
                NodeData::Comment { .. }
                | NodeData::ProcessingInstruction { .. }
                | NodeData::Doctype { .. }
                | NodeData::Document => {}
            }
        }
        out
    }

    pub(super) fn element(
        &mut self,
        handle: &Handle,
        name: &QualName,
        attrs: &[html5ever::Attribute],
        depth: usize,
        inherited_origin: Option<usize>,
        out: &mut Vec<Node>,
    ) {
        let origin = origin_of(attrs).or(inherited_origin);
        let local: &str = &name.local;
        if name.ns == ns!(mathml) && local == "math" {
            // Formulas keep their presentation MathML, vetted by its own vocabulary.
            let math =
                crate::markdown::mathml::filter_math(handle, attrs, depth, origin, self.removed);
            out.push(Node::Element(math));
            return;
        }
        if name.ns != ns!(html) {
            // `<svg>` subtrees (and anything else not HTML or MathML): their namespaces are not
            // declared in our documents, and their content (scripts, remote references) is
            // beyond what we can vet.
            self.report(
                format!("<{local}> element{}", lost_content(local, handle)),
                origin,
            );
            return;
        }
        if local == "noscript" {
            // An EPUB runs no scripts, so what a page shows without them is the content;
            // nothing is lost, so nothing is reported.
            let children = self.children(handle, depth, origin);
            append_nodes(out, children);
            return;
        }
        match disposition(local) {
            Disposition::Drop => {
                if let Some(mark) = checkbox_mark(local, attrs) {
                    // Task-list items: keep the state visible as a character.
                    self.report(format!("checkbox <input> (shown as {mark})"), origin);
                    push_text(out, mark);
                } else {
                    self.report(
                        format!("<{local}> element{}", lost_content(local, handle)),
                        origin,
                    );
                }
            }
            Disposition::Unwrap => {
                self.report(format!("<{local}> tag (its content is kept)"), origin);
                let children = self.children(handle, depth, origin);
                append_nodes(out, children);
            }
            Disposition::Keep if depth >= MAX_DEPTH => {
                self.report(
                    format!("<{local}> element nested more than {MAX_DEPTH} levels deep (only its text is kept)"),
                    origin,
                );
                push_text(out, &text_of_subtree(handle));
            }
            Disposition::Keep => {
                let mut element = Element::new(local);
                element.origin = origin_of(attrs);
                element.attrs = self.attributes(local, attrs, origin);
                element.children = self.children(handle, depth + 1, origin);
                if local == "img" && element.attr("src").is_none() {
                    self.report(
                        "<img> without a usable source (its alt text is kept)",
                        origin,
                    );
                    push_text(out, element.attr("alt").unwrap_or_default());
                } else if local == "data" && element.attr("value").is_none() {
                    self.report("<data> without a value (its content is kept)", origin);
                    append_nodes(out, element.children);
                } else {
                    out.push(Node::Element(element));
                }
            }
        }
    }

    pub(super) fn attributes(
        &mut self,
        element: &str,
        attrs: &[html5ever::Attribute],
        origin: Option<usize>,
    ) -> Vec<(String, String)> {
        let mut kept: Vec<(String, String)> = Vec::new();
        let mut extra_classes = Vec::new();
        for attr in attrs {
            // On HTML elements the parser leaves every attribute in no namespace, with the
            // name as written (lower-cased), `epub:type` and `xml:lang` included.
            if !attr.name.ns.is_empty() {
                continue;
            }
            let name: &str = &attr.name.local;
            let value: &str = &attr.value;
            if name == ORIGIN_ATTRIBUTE {
                continue;
            }
            if element == "a" && name == "name" {
                // `<a name="x">`, the old way to make a link target: it becomes the id, so
                // links to `#x` still land (an `id` written too wins).
                if !attrs.iter().any(|a| &*a.name.local == "id") {
                    match check_attribute(element, "id", value) {
                        Verdict::Keep(id) => kept.push(("id".into(), id)),
                        _ => self.report(
                            format!(
                                "name=\"{value}\" attribute on <a> (not usable as a link target)"
                            ),
                            origin,
                        ),
                    }
                }
                continue;
            }
            match check_attribute(element, name, value) {
                Verdict::Keep(value) => {
                    if name == "lang" {
                        kept.push(("lang".into(), value.clone()));
                        kept.push(("xml:lang".into(), value));
                    } else {
                        kept.push((name.to_string(), value));
                    }
                }
                Verdict::AddClass(class) => extra_classes.push(class),
                Verdict::Remove(what) => self.report(what, origin),
            }
        }
        if !extra_classes.is_empty() {
            let class = match kept.iter().position(|(n, _)| n == "class") {
                Some(index) => kept.remove(index).1,
                None => String::new(),
            };
            let merged = std::iter::once(class.as_str())
                .chain(extra_classes.iter().map(String::as_str))
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            kept.push(("class".into(), merged));
        }
        kept
    }
}

pub(super) fn origin_of(attrs: &[html5ever::Attribute]) -> Option<usize> {
    attrs
        .iter()
        .find(|a| a.name.ns.is_empty() && &*a.name.local == ORIGIN_ATTRIBUTE)
        .and_then(|a| a.value.trim().parse().ok())
}

/// `☑`/`☐` for a task-list checkbox, `None` for any other element.
pub(super) fn checkbox_mark(element: &str, attrs: &[html5ever::Attribute]) -> Option<&'static str> {
    let has = |wanted: &str| attrs.iter().find(|a| &*a.name.local == wanted);
    let is_checkbox =
        element == "input" && has("type").is_some_and(|t| t.value.eq_ignore_ascii_case("checkbox"));
    is_checkbox.then(|| {
        if has("checked").is_some() {
            "☑"
        } else {
            "☐"
        }
    })
}

/// What a reader loses with the removed element `handle`: ` with its content: 12 words
/// ("First words …"), 1 image (a.png)`, or nothing for an element that holds only code or
/// whitespace. Gathered without recursion.
pub(super) fn lost_content(name: &str, handle: &Handle) -> String {
    if matches!(name, "script" | "style" | "template") {
        return String::new();
    }
    let mut words: Vec<String> = Vec::new();
    let mut word_count = 0usize;
    let mut images: Vec<String> = Vec::new();
    let mut image_count = 0usize;
    let mut stack = vec![handle.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => {
                for word in contents.borrow().split_whitespace() {
                    word_count += 1;
                    if words.len() < 6 {
                        words.push(word.to_string());
                    }
                }
            }
            NodeData::Element { name, attrs, .. } => {
                if matches!(&*name.local, "script" | "style") {
                    continue;
                }
                if matches!(&*name.local, "img" | "image") {
                    image_count += 1;
                    let source = attrs.borrow().iter().find_map(|a| {
                        matches!(&*a.name.local, "src" | "href").then(|| a.value.to_string())
                    });
                    if images.len() < 3
                        && let Some(source) = source
                    {
                        images.push(source);
                    }
                }
                stack.extend(node.children.borrow().iter().rev().cloned());
            }
            _ => {}
        }
    }
    let mut parts = Vec::new();
    if word_count > 0 {
        let more = if word_count > words.len() { " …" } else { "" };
        let plural = if word_count == 1 { "" } else { "s" };
        parts.push(format!(
            "{word_count} word{plural} of text (“{}{more}”)",
            words.join(" ")
        ));
    }
    if image_count > 0 {
        let plural = if image_count == 1 { "" } else { "s" };
        let more = if image_count > images.len() {
            ", …"
        } else {
            ""
        };
        parts.push(format!(
            "{image_count} image{plural} ({}{more})",
            images.join(", ")
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" with its content: {}", parts.join(", "))
    }
}

/// The text a reader would see in `handle`'s subtree, gathered without recursion (the
/// subtree may be arbitrarily deep).
pub(super) fn text_of_subtree(handle: &Handle) -> String {
    let mut text = String::new();
    let mut stack = vec![handle.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => text.push_str(&contents.borrow()),
            NodeData::Element { name, .. }
                if name.ns != ns!(html) || disposition(&name.local) == Disposition::Drop => {}
            _ => stack.extend(node.children.borrow().iter().rev().cloned()),
        }
    }
    text
}

pub(super) fn push_text(out: &mut Vec<Node>, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(text),
        _ => out.push(Node::Text(text.to_string())),
    }
}

pub(super) fn append_nodes(out: &mut Vec<Node>, nodes: Vec<Node>) {
    for node in nodes {
        match node {
            Node::Text(text) => push_text(out, &text),
            element => out.push(element),
        }
    }
}
