//! Pass 2: the content model repaired. Each class of nesting the schema rejects is fixed by
//! one general rule (rename, unwrap or wrap), found by running epubcheck over the CommonMark
//! spec and pulldown-cmark's test suite.

use super::*;

/// What the ancestors of a node allow in it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Context {
    /// Only phrasing content (text-level elements) is allowed.
    phrasing: bool,
    /// Inside `<a>`: no interactive content (links, `<details>`).
    in_link: bool,
    in_dfn: bool,
    /// Inside `<header>`, `<footer>`, `<address>`, `<dt>` or `<th>`.
    no_header_footer: bool,
    /// Inside `<address>`, `<dt>` or `<th>`: no headings or sectioning elements.
    no_heading_sectioning: bool,
    in_address: bool,
    /// Inside `<caption>`: no tables.
    no_table: bool,
    /// Origin of the nearest ancestor that has one, for reports.
    origin: Option<usize>,
}

impl Context {
    pub(super) const FLOW: Context = Context {
        phrasing: false,
        in_link: false,
        in_dfn: false,
        no_header_footer: false,
        no_heading_sectioning: false,
        in_address: false,
        no_table: false,
        origin: None,
    };

    pub(super) fn inside(self, element: &Element) -> Context {
        let name = element.name.as_str();
        let restricts_headers = matches!(name, "header" | "footer" | "address" | "dt" | "th");
        Context {
            phrasing: if is_transparent(name) {
                self.phrasing
            } else {
                is_phrasing(name)
                    || matches!(name, "p" | "pre" | "summary" | "rt" | "rp")
                    || is_heading(name)
            },
            in_link: self.in_link || name == "a",
            in_dfn: self.in_dfn || name == "dfn",
            no_header_footer: self.no_header_footer || restricts_headers,
            no_heading_sectioning: self.no_heading_sectioning
                || matches!(name, "address" | "dt" | "th"),
            in_address: self.in_address || name == "address",
            no_table: self.no_table || name == "caption",
            origin: element.origin.or(self.origin),
        }
    }
}

/// How an element must change to fit where it is.
pub(super) enum Fix {
    Rename(&'static str),
    Unwrap,
    Drop,
}

/// The required parent of elements that only make sense inside one.
pub(super) fn misplaced(name: &str, parent: &str) -> bool {
    match name {
        "caption" | "colgroup" | "thead" | "tbody" | "tfoot" => parent != "table",
        "tr" => !matches!(parent, "table" | "thead" | "tbody" | "tfoot"),
        "td" | "th" => parent != "tr",
        "col" => parent != "colgroup",
        "figcaption" => parent != "figure",
        "summary" => parent != "details",
        "rt" | "rp" => parent != "ruby",
        _ => false,
    }
}

/// The first change `element` needs in `parent` under `context`, if any. Applied repeatedly,
/// since one fix can expose another (a misplaced `<tr>` becomes a `<div>`, which inside a
/// `<span>` must become a `<span>`).
pub(super) fn needed_fix(element: &Element, parent: &str, context: Context) -> Option<Fix> {
    let name = element.name.as_str();
    if misplaced(name, parent) {
        return Some(match name {
            "col" | "colgroup" => Fix::Drop,
            "rt" | "rp" => Fix::Rename("span"),
            _ => Fix::Rename("div"),
        });
    }
    if context.in_link && name == "a" || context.in_dfn && name == "dfn" {
        return Some(Fix::Unwrap);
    }
    if context.in_link && name == "details" {
        return Some(Fix::Rename("div"));
    }
    if context.no_header_footer && matches!(name, "header" | "footer")
        || context.no_heading_sectioning && is_sectioning(name)
        || context.in_address && name == "address"
        || context.no_table && name == "table"
    {
        return Some(Fix::Rename("div"));
    }
    if context.no_heading_sectioning && is_heading(name) {
        return Some(Fix::Rename("p"));
    }
    // `main` must be unique and hierarchically correct in its document; a chapter fragment
    // cannot know that, and reading systems do nothing with it.
    if name == "main" {
        return Some(Fix::Rename("div"));
    }
    if name == "bdo" && element.attr("dir").is_none_or(|dir| dir == "auto") {
        return Some(Fix::Rename("span"));
    }
    if context.phrasing && !is_phrasing(name) && !(parent == "ruby" && matches!(name, "rt" | "rp"))
    {
        return Some(if VOID_ELEMENTS.contains(&name) {
            Fix::Drop
        } else {
            Fix::Rename("span")
        });
    }
    None
}

pub(super) struct Repair<'a> {
    pub(super) removed: &'a mut Vec<Removed>,
}

impl Repair<'_> {
    pub(super) fn report(&mut self, what: impl Into<String>, origin: Option<usize>) {
        self.removed.push(Removed {
            what: what.into(),
            origin,
        });
    }

    pub(super) fn children(&mut self, nodes: &mut Vec<Node>, parent: &str, context: Context) {
        let old = std::mem::take(nodes);
        for node in old {
            match node {
                Node::Text(text) => push_text(nodes, &text),
                Node::Element(element) => self.element(element, parent, context, nodes),
            }
        }
        if !matches!(parent, "ul" | "ol") {
            self.wrap_runs(
                nodes,
                &["li"],
                "ul",
                "<li> outside a list (wrapped in <ul>)",
                context,
            );
        }
        if parent != "dl" {
            self.wrap_runs(
                nodes,
                &["dt", "dd"],
                "dl",
                "<dt>/<dd> outside a <dl> (wrapped in <dl>)",
                context,
            );
        }
    }

    pub(super) fn element(
        &mut self,
        mut element: Element,
        parent: &str,
        context: Context,
        out: &mut Vec<Node>,
    ) {
        if element.name == "math" {
            // Phrasing content wherever it is; its inside is MathML, not HTML (see `mathml`).
            out.push(Node::Element(element));
            return;
        }
        let origin = element.origin.or(context.origin);
        while let Some(fix) = needed_fix(&element, parent, context) {
            let from = std::mem::take(&mut element.name);
            match fix {
                Fix::Rename(to) => {
                    self.report(
                        format!("<{from}> not allowed here (changed to <{to}>)"),
                        origin,
                    );
                    element.name = to.to_string();
                    // Keep only the attributes the new element allows (`colspan` on a
                    // former `<td>` would be invalid on a `<div>`).
                    element.attrs.retain(|(name, value)| {
                        matches!(name.as_str(), "xml:lang")
                            || matches!(check_attribute(to, name, value), Verdict::Keep(_))
                    });
                }
                Fix::Unwrap => {
                    self.report(
                        format!("<{from}> not allowed here (its content is kept)"),
                        origin,
                    );
                    let mut children = element.children;
                    self.children(&mut children, parent, context);
                    append_nodes(out, children);
                    return;
                }
                Fix::Drop => {
                    self.report(format!("<{from}> not allowed here"), origin);
                    return;
                }
            }
        }
        let inner = context.inside(&element);
        self.children(&mut element.children, &element.name, inner);
        let name = element.name.clone();
        match name.as_str() {
            "ul" | "ol" => self.wrap_non_items(&mut element, inner),
            "dl" => self.complete_definition_list(&mut element, inner),
            "table" => self.order_table(&mut element, inner),
            "figure" => self.place_figure_caption(&mut element, inner),
            // Moves the summary into place as a side effect; false when there is none.
            "details" if !self.place_summary(&mut element, inner) => {
                self.report(
                    "<details> without <summary> (changed to <div>)",
                    inner.origin,
                );
                element.name = "div".into();
                element.remove_attr("open");
            }
            _ => {}
        }
        out.push(Node::Element(element));
    }

    /// Wraps each run of `names` elements (and the whitespace between them) in a new
    /// `wrapper` element.
    pub(super) fn wrap_runs(
        &mut self,
        nodes: &mut Vec<Node>,
        names: &[&str],
        wrapper: &str,
        what: &str,
        context: Context,
    ) {
        let is_member =
            |node: &Node| matches!(node, Node::Element(e) if names.contains(&e.name.as_str()));
        if !nodes.iter().any(is_member) {
            return;
        }
        let old = std::mem::take(nodes);
        let mut run: Option<Element> = None;
        let mut pending_space: Vec<Node> = Vec::new();
        for node in old {
            if is_member(&node) {
                let run = run.get_or_insert_with(|| {
                    self.report(what, node_origin(&node).or(context.origin));
                    Element::new(wrapper)
                });
                run.children.append(&mut pending_space);
                run.children.push(node);
            } else if run.is_some() && is_whitespace(&node) {
                pending_space.push(node);
            } else {
                if let Some(done) = run.take() {
                    nodes.push(Node::Element(done));
                }
                nodes.append(&mut pending_space);
                nodes.push(node);
            }
        }
        if let Some(done) = run {
            nodes.push(Node::Element(done));
        }
        nodes.append(&mut pending_space);
    }

    /// Lists hold only `<li>`: anything else (a paragraph the parser let in) is wrapped in one.
    pub(super) fn wrap_non_items(&mut self, list: &mut Element, context: Context) {
        let old = std::mem::take(&mut list.children);
        let mut item: Option<Element> = None;
        for node in old {
            let is_item = matches!(&node, Node::Element(e) if e.name == "li");
            if is_item || item.is_none() && is_whitespace(&node) {
                if let Some(done) = item.take() {
                    list.children.push(Node::Element(done));
                }
                list.children.push(node);
            } else {
                item.get_or_insert_with(|| {
                    self.report(
                        format!("content directly inside <{}> (wrapped in <li>)", list.name),
                        context.origin,
                    );
                    Element::new("li")
                })
                .children
                .push(node);
            }
        }
        if let Some(done) = item {
            list.children.push(Node::Element(done));
        }
    }

    /// A `<dl>` is groups of one or more `<dt>` followed by one or more `<dd>`. Stray content
    /// goes into a `<dd>`; a definition without a term gets an empty `<dt>`, a term without a
    /// definition an empty `<dd>`.
    pub(super) fn complete_definition_list(&mut self, list: &mut Element, context: Context) {
        let old = std::mem::take(&mut list.children);
        let mut stray: Option<Element> = None;
        let mut kinds_seen_last: Option<&'static str> = None;
        let mut out = Vec::new();
        for node in old {
            let kind = match &node {
                Node::Element(e) if e.name == "dt" => Some("dt"),
                Node::Element(e) if e.name == "dd" => Some("dd"),
                _ => None,
            };
            match kind {
                Some(kind) => {
                    if let Some(done) = stray.take() {
                        out.push(Node::Element(done));
                        kinds_seen_last = Some("dd");
                    }
                    if kind == "dd" && kinds_seen_last.is_none() {
                        self.report(
                            "definition without a term (empty <dt> added)",
                            context.origin,
                        );
                        out.push(Node::Element(Element::new("dt")));
                    }
                    out.push(node);
                    kinds_seen_last = Some(kind);
                }
                None if is_whitespace(&node) && stray.is_none() => out.push(node),
                None => {
                    if stray.is_none() && kinds_seen_last.is_none() {
                        self.report(
                            "definition without a term (empty <dt> added)",
                            context.origin,
                        );
                        out.push(Node::Element(Element::new("dt")));
                        kinds_seen_last = Some("dt");
                    }
                    stray
                        .get_or_insert_with(|| {
                            self.report(
                                "content directly inside <dl> (wrapped in <dd>)",
                                context.origin,
                            );
                            Element::new("dd")
                        })
                        .children
                        .push(node);
                }
            }
        }
        if let Some(done) = stray.take() {
            out.push(Node::Element(done));
            kinds_seen_last = Some("dd");
        }
        if kinds_seen_last == Some("dt") {
            self.report(
                "term without a definition (empty <dd> added)",
                context.origin,
            );
            out.push(Node::Element(Element::new("dd")));
        }
        list.children = out;
    }

    /// Puts a table's parts in the order the schema requires: one caption, column groups,
    /// one head, bodies, one foot. Extra heads and feet become bodies; rows directly in the
    /// table are wrapped in a body.
    pub(super) fn order_table(&mut self, table: &mut Element, context: Context) {
        let mut caption: Option<Element> = None;
        let mut colgroups = Vec::new();
        let mut head: Option<Element> = None;
        let mut bodies: Vec<Element> = Vec::new();
        let mut foot: Option<Element> = None;
        // Rows found directly in the table, collected into a body until another part comes.
        let mut loose_rows: Option<Element> = None;
        for node in std::mem::take(&mut table.children) {
            let Node::Element(mut part) = node else {
                continue;
            };
            if part.name == "tr" {
                loose_rows
                    .get_or_insert_with(|| Element::new("tbody"))
                    .children
                    .push(Node::Element(part));
                continue;
            }
            bodies.extend(loose_rows.take());
            match part.name.as_str() {
                "caption" => match &mut caption {
                    Some(first) => {
                        self.report(
                            "second <caption> in a table (merged into the first)",
                            context.origin,
                        );
                        first.children.push(Node::Text(" ".into()));
                        first.children.append(&mut part.children);
                    }
                    None => caption = Some(part),
                },
                "colgroup" => {
                    // A column group is sized either by `span` or by its `<col>`s, not both.
                    if part.children.iter().any(|n| matches!(n, Node::Element(_))) {
                        part.remove_attr("span");
                    }
                    colgroups.push(part)
                }
                "thead" if head.is_none() => head = Some(part),
                "tfoot" if foot.is_none() => foot = Some(part),
                "thead" | "tfoot" => {
                    self.report(
                        format!("second <{}> in a table (changed to <tbody>)", part.name),
                        context.origin,
                    );
                    part.name = "tbody".into();
                    bodies.push(part);
                }
                _ => bodies.push(part),
            }
        }
        bodies.extend(loose_rows);
        let parts = caption
            .into_iter()
            .chain(colgroups)
            .chain(head)
            .chain(bodies)
            .chain(foot);
        table.children = parts.map(Node::Element).collect();
    }

    /// A figure may have one `<figcaption>`, as its first or last child. Others become `<div>`s.
    pub(super) fn place_figure_caption(&mut self, figure: &mut Element, context: Context) {
        let significant: Vec<usize> = (0..figure.children.len())
            .filter(|&i| !is_whitespace(&figure.children[i]))
            .collect();
        let is_caption =
            |i: usize| matches!(&figure.children[i], Node::Element(e) if e.name == "figcaption");
        let kept = match (significant.first(), significant.last()) {
            (Some(&first), _) if is_caption(first) => Some(first),
            (_, Some(&last)) if is_caption(last) => Some(last),
            _ => None,
        };
        for (index, node) in figure.children.iter_mut().enumerate() {
            if let Node::Element(e) = node
                && e.name == "figcaption"
                && Some(index) != kept
            {
                e.name = "div".into();
                self.removed.push(Removed {
                    what: "<figcaption> not first or last in its <figure>, or not the only one (changed to <div>)".into(),
                    origin: e.origin.or(context.origin),
                });
            }
        }
    }

    /// `<details>` needs a `<summary>` as its first child. The first summary anywhere in it is
    /// moved there (browsers show it first anyway); others become `<div>`s. Returns false when
    /// there is none.
    pub(super) fn place_summary(&mut self, details: &mut Element, context: Context) -> bool {
        let Some(first) = details
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name == "summary"))
        else {
            return false;
        };
        let summary = details.children.remove(first);
        for node in &mut details.children {
            if let Node::Element(e) = node
                && e.name == "summary"
            {
                e.name = "div".into();
                self.removed.push(Removed {
                    what: "second <summary> in <details> (changed to <div>)".into(),
                    origin: e.origin.or(context.origin),
                });
            }
        }
        details.children.insert(0, summary);
        true
    }
}

pub(super) fn node_origin(node: &Node) -> Option<usize> {
    match node {
        Node::Element(e) => e.origin,
        Node::Text(_) => None,
    }
}

pub(super) fn is_whitespace(node: &Node) -> bool {
    matches!(node, Node::Text(text) if text.chars().all(|c| c.is_ascii_whitespace()))
}
