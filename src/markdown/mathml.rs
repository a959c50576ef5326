//! Mathematics: TeX from the Markdown (`$…$`, `$$…$$`) to MathML, and the MathML vocabulary
//! the sanitizer keeps (from the converter and from the author's raw `<math>`).
//!
//! EPUB 3 reading systems show MathML natively (or read it aloud); they do not run TeX.
//! The TeX is converted with math-core, chosen by measurement over 131 real formulas from
//! SymPy's documentation (see `tests/corpus/math/README.md`): it converted every one, and 130
//! gave the same symbols as pandoc's texmath, against 111 well-formed for pulldown-latex and 87
//! for latex2mathml. The TeX as written stays on the `<math>` as `alttext`, for screen readers
//! and for copying. A formula math-core cannot read is shown as its TeX, verbatim, in
//! `<code class="math">`, and reported with its line: never silently changed (issue 9, item 8).
//!
//! Only presentation MathML is kept, in the MathML namespace: EPUB 3 allows content MathML
//! only as an annotation, and links (`href`), images (`mglyph`) or actions (`maction`) inside a
//! formula are more than a book needs to vet. Attributes are allowlisted with their values
//! checked, so epubcheck accepts what is kept.

use html5ever::{QualName, ns};
use markup5ever_rcdom::{Handle, NodeData};
use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

use crate::xhtml::dom::{Element, Node, escape_attribute};
use crate::xhtml::{MAX_DEPTH, ORIGIN_ATTRIBUTE, Removed};

/// The MathML namespace, declared on every `<math>` written.
pub const NAMESPACE: &str = "http://www.w3.org/1998/Math/MathML";

/// A formula the converter could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TexError {
    /// Byte offset of the problem within the TeX.
    pub offset: usize,
    /// What is wrong, in the converter's words (`unknown command \foo`).
    pub message: String,
}

/// Converts TeX math to a `<math>` element as HTML text, with the TeX as `alttext` and
/// `origin` as the Markdown stage's origin attribute; the sanitizer parses it like any raw HTML.
pub fn tex_to_mathml(tex: &str, display: bool, origin: usize) -> Result<String, TexError> {
    if tex.len() > MAX_TEX_BYTES {
        return Err(TexError {
            offset: 0,
            message: format!(
                "the formula is {} bytes long; bindery converts formulas of up to {MAX_TEX_BYTES}",
                tex.len()
            ),
        });
    }
    // math-core's parser recurses once per nesting level (`{{{…}}}`, `\sqrt\sqrt…`): a few
    // thousand levels overflow a main thread's 8 MiB stack and abort the process. A formula
    // of at most `MAX_TEX_BYTES` cannot nest deeper than that stack holds.
    let converted = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("tex".into())
            .stack_size(CONVERTER_STACK_BYTES)
            .spawn_scoped(scope, || {
                convert(tex, display).or_else(|first| {
                    // Formulas written for a Markdown renderer that runs before the math
                    // engine (rustdoc or Jekyll with KaTeX/MathJax) escape Markdown's own
                    // characters inside them: `S\_2\'` for `S_2'`. When the TeX as written
                    // does not convert, it is tried once with those escapes undone; the
                    // `alttext` keeps what the author wrote.
                    let unescaped = without_markdown_escapes(tex);
                    if unescaped == tex {
                        return Err(first);
                    }
                    convert(&unescaped, display).map_err(|_| first)
                })
            })
            .map(|thread| thread.join())
    });
    let converted = match converted {
        Ok(Ok(result)) => result?,
        Ok(Err(_)) | Err(_) => {
            return Err(TexError {
                offset: 0,
                message: "the converter failed on this formula".into(),
            });
        }
    };
    let Some(rest) = converted.strip_prefix("<math") else {
        return Err(TexError {
            offset: 0,
            message: "the converter gave no <math> element".into(),
        });
    };
    let mut html = String::with_capacity(converted.len() + tex.len() + 48);
    html.push_str("<math ");
    html.push_str(ORIGIN_ATTRIBUTE);
    html.push_str(&format!("=\"{origin}\" alttext=\""));
    escape_attribute(tex, &mut html);
    html.push('"');
    html.push_str(rest);
    Ok(html)
}

/// The longest formula converted. Real ones are far shorter: the longest of the SymPy corpus
/// is under 1 KiB; a large matrix may take a few.
pub const MAX_TEX_BYTES: usize = 16 * 1024;

/// The converter's stack: measured, a nesting level takes at most a few KiB, and 16 KiB of
/// TeX nests at most 8,192 levels deep. Only the pages used are ever committed.
const CONVERTER_STACK_BYTES: usize = 256 * 1024 * 1024;

/// `tex` with CommonMark's backslash escapes of `_`, `*`, `^` and `'` undone: the characters a
/// Markdown writer escapes so that emphasis does not eat a formula. (Other escapes, `\{` and
/// `\\` above all, mean the same in TeX and stay.)
fn without_markdown_escapes(tex: &str) -> String {
    let mut out = String::with_capacity(tex.len());
    let mut chars = tex.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('_' | '*' | '\'' | '^') => {
                    if let Some(escaped) = chars.next() {
                        out.push(escaped);
                    }
                    continue;
                }
                Some('\\') => {
                    // `\\` is TeX's line break: keep both, and do not read the second as
                    // the start of an escape.
                    out.push('\\');
                    if let Some(second) = chars.next() {
                        out.push(second);
                    }
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

fn convert(tex: &str, display: bool) -> Result<String, TexError> {
    // One converter per call: its state (equation numbers) must not leak between formulas,
    // and creating one with no macros costs nothing measurable.
    let converter = LatexToMathML::new(MathCoreConfig::default()).map_err(|error| TexError {
        offset: 0,
        message: error.0.error_message(),
    })?;
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    let converted = converter
        .convert_with_local_state(tex, mode)
        .map_err(|error| TexError {
            offset: error.0.start.min(tex.len()),
            message: error.error_message(),
        })?;
    Ok(converted.mathml)
}

/// The TeX shown as it was written, when it could not be converted.
pub fn verbatim_tex(tex: &str, display: bool, origin: usize) -> String {
    let mut html = format!(
        "<code class=\"math{}\" {ORIGIN_ATTRIBUTE}=\"{origin}\">",
        if display { " math-display" } else { "" }
    );
    crate::xhtml::dom::escape_text(tex, &mut html);
    html.push_str("</code>");
    html
}

/// Presentation MathML elements kept (MathML 3, as the EPUB 3 schema has it).
const ELEMENTS: &[&str] = &[
    "annotation",
    "maligngroup",
    "malignmark",
    "menclose",
    "merror",
    "mfenced",
    "mfrac",
    "mi",
    "mlabeledtr",
    "mlongdiv",
    "mmultiscripts",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "ms",
    "mscarries",
    "mscarry",
    "msgroup",
    "msline",
    "mspace",
    "msqrt",
    "msrow",
    "mstack",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "none",
    "semantics",
];

/// Whether `name` is an element this module keeps (`math` included).
#[cfg(test)]
pub(crate) fn is_mathml_element(name: &str) -> bool {
    name == "math" || ELEMENTS.contains(&name)
}

/// Removed with their content: an image, content MathML or arbitrary markup as an annotation.
const DROPPED: &[&str] = &["mglyph", "annotation-xml"];

/// Cleans the `<math>` element at `handle` (already known to be in the MathML namespace).
pub(crate) fn filter_math(
    handle: &Handle,
    attrs: &[html5ever::Attribute],
    depth: usize,
    inherited_origin: Option<usize>,
    removed: &mut Vec<Removed>,
) -> Element {
    let origin = origin_of(attrs).or(inherited_origin);
    let mut math = Element::new("math");
    math.origin = origin;
    math.attrs.push(("xmlns".into(), NAMESPACE.into()));
    math.attrs
        .extend(filter_attributes("math", attrs, origin, removed));
    math.children = filter_children(handle, depth + 1, origin, removed);
    wrap_loose_text(&mut math);
    math
}

/// Elements whose content is text; in every other one MathML 3 allows only elements.
const TOKEN_ELEMENTS: &[&str] = &["mi", "mn", "mo", "ms", "mtext", "annotation"];

/// Text left directly in a layout element (`<math>x</math>`, or the text of a flattened or
/// unwrapped element) goes into an `<mtext>`, so it stays visible and valid.
fn wrap_loose_text(element: &mut Element) {
    if TOKEN_ELEMENTS.contains(&element.name.as_str()) {
        return;
    }
    for child in &mut element.children {
        if let Node::Text(text) = child
            && !text.trim().is_empty()
        {
            let mtext = Element::new("mtext").with_text(std::mem::take(text));
            *child = Node::Element(mtext);
        }
    }
}

fn filter_children(
    parent: &Handle,
    depth: usize,
    origin: Option<usize>,
    removed: &mut Vec<Removed>,
) -> Vec<Node> {
    let mut out = Vec::new();
    for child in parent.children.borrow().iter() {
        match &child.data {
            NodeData::Text { contents } => push_text(&mut out, &contents.borrow()),
            NodeData::Element { name, attrs, .. } => filter_element(
                child,
                name,
                &attrs.borrow(),
                depth,
                origin,
                removed,
                &mut out,
            ),
            _ => {}
        }
    }
    out
}

fn filter_element(
    handle: &Handle,
    name: &QualName,
    attrs: &[html5ever::Attribute],
    depth: usize,
    inherited_origin: Option<usize>,
    removed: &mut Vec<Removed>,
    out: &mut Vec<Node>,
) {
    let origin = origin_of(attrs).or(inherited_origin);
    let local: &str = &name.local;
    let report = |removed: &mut Vec<Removed>, what: String| removed.push(Removed { what, origin });
    if name.ns != ns!(mathml) {
        // HTML inside a token element (`<mtext><b>x</b></mtext>`) is MathML Core, not the
        // MathML 3 that EPUB validates; SVG has no place in a formula.
        if name.ns == ns!(html) {
            report(
                removed,
                format!("<{local}> inside a formula (its text is kept)"),
            );
            push_text(out, &text_of(handle));
        } else {
            report(removed, format!("<{local}> element inside a formula"));
        }
        return;
    }
    if DROPPED.contains(&local) {
        report(removed, format!("<{local}> element inside a formula"));
        return;
    }
    if !ELEMENTS.contains(&local) || depth >= MAX_DEPTH {
        let why = if depth >= MAX_DEPTH {
            format!(
                "<{local}> element nested more than {MAX_DEPTH} levels deep (only its text is kept)"
            )
        } else {
            format!("<{local}> tag inside a formula (its content is kept)")
        };
        report(removed, why);
        if depth >= MAX_DEPTH {
            push_text(out, &text_of(handle));
        } else {
            for node in filter_children(handle, depth, origin, removed) {
                match node {
                    Node::Text(text) => push_text(out, &text),
                    element => out.push(element),
                }
            }
        }
        return;
    }
    let mut element = Element::new(local);
    element.origin = origin_of(attrs);
    element.attrs = filter_attributes(local, attrs, origin, removed);
    element.children = filter_children(handle, depth + 1, origin, removed);
    wrap_loose_text(&mut element);
    out.push(Node::Element(with_style_in_mstyle(element)));
}

/// MathML Core (what math-core writes) puts `displaystyle` and `scriptlevel` on any element;
/// MathML 3, which EPUB validates, only on `<mstyle>` (and `displaystyle` on `<mtable>`). The
/// same rendering in MathML 3 is the element inside an `<mstyle>` that carries them.
fn with_style_in_mstyle(mut element: Element) -> Element {
    let kind = element.name.clone();
    let allows = |name: &str| match name {
        "displaystyle" => matches!(kind.as_str(), "mstyle" | "mtable"),
        _ => kind == "mstyle",
    };
    let moved: Vec<(String, String)> = ["displaystyle", "scriptlevel"]
        .into_iter()
        .filter(|name| !allows(name))
        .filter_map(|name| Some((name.to_string(), element.remove_attr(name)?)))
        .collect();
    if moved.is_empty() {
        return element;
    }
    let mut style = Element::new("mstyle");
    style.origin = element.origin;
    style.attrs = moved;
    style.children.push(Node::Element(element));
    style
}

fn filter_attributes(
    element: &str,
    attrs: &[html5ever::Attribute],
    origin: Option<usize>,
    removed: &mut Vec<Removed>,
) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    for attr in attrs {
        let name: &str = &attr.name.local;
        // `xmlns` (the parser puts it in its own namespace) is written by us; `xlink:href`
        // and its kind are links.
        if name == ORIGIN_ATTRIBUTE || (!attr.name.ns.is_empty() && name == "xmlns") {
            continue;
        }
        let value: &str = &attr.value;
        if attr.name.ns.is_empty() && attribute_allowed(element, name, value) {
            kept.push((name.to_string(), value.to_string()));
        } else {
            removed.push(Removed {
                what: format!("{name}=\"{value}\" attribute on <{element}>"),
                origin,
            });
        }
    }
    kept
}

/// Whether MathML 3 allows `name="value"` on `element`, as far as epubcheck checks it.
fn attribute_allowed(element: &str, name: &str, value: &str) -> bool {
    let boolean = || matches!(value, "true" | "false");
    match name {
        "id" => !value.is_empty() && !value.chars().any(char::is_whitespace),
        "class" => true,
        "dir" => matches!(value, "ltr" | "rtl"),
        "display" => element == "math" && matches!(value, "block" | "inline"),
        "alttext" => element == "math",
        "encoding" => element == "annotation",
        "style" => is_layout_style(value),
        "mathvariant" => MATHVARIANTS.contains(&value),
        "stretchy" | "symmetric" | "largeop" | "movablelimits" | "accent" | "accentunder"
        | "fence" | "separator" | "displaystyle" | "bevelled" | "equalrows" | "equalcolumns" => {
            boolean()
        }
        "form" => matches!(value, "prefix" | "infix" | "postfix"),
        "scriptlevel" => is_signed_integer(value),
        "rowspan" | "columnspan" => value.parse::<u32>().is_ok_and(|n| n > 0),
        "lspace" | "rspace" | "width" | "height" | "depth" | "voffset" | "minsize" | "maxsize"
        | "mathsize" | "linethickness" => is_length(value),
        "notation" | "open" | "close" | "separators" | "columnalign" | "rowalign"
        | "columnlines" | "rowlines" | "columnspacing" | "rowspacing" | "frame"
        | "framespacing" | "align" | "numalign" | "denomalign" | "mathcolor" | "mathbackground"
        | "side" | "lquote" | "rquote" | "columnwidth" => value.chars().all(is_plain_value_char),
        _ => false,
    }
}

const MATHVARIANTS: &[&str] = &[
    "normal",
    "bold",
    "italic",
    "bold-italic",
    "double-struck",
    "bold-fraktur",
    "script",
    "bold-script",
    "fraktur",
    "sans-serif",
    "bold-sans-serif",
    "sans-serif-italic",
    "sans-serif-bold-italic",
    "monospace",
    "initial",
    "tailed",
    "looped",
    "stretched",
];

fn is_plain_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, ' ' | '.' | '%' | '#' | '-' | '+' | ',')
        || !c.is_ascii() && !c.is_control()
}

fn is_signed_integer(value: &str) -> bool {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// A MathML length: a number with an optional unit, or a named space.
fn is_length(value: &str) -> bool {
    const NAMED: &[&str] = &[
        "veryverythinmathspace",
        "verythinmathspace",
        "thinmathspace",
        "mediummathspace",
        "thickmathspace",
        "verythickmathspace",
        "veryverythickmathspace",
        "negativeveryverythinmathspace",
        "negativeverythinmathspace",
        "negativethinmathspace",
        "negativemediummathspace",
        "negativethickmathspace",
        "negativeverythickmathspace",
        "negativeveryverythickmathspace",
        "infinity",
        "thin",
        "medium",
        "thick",
        "small",
        "normal",
        "big",
    ];
    let value = value.trim();
    if NAMED.contains(&value) {
        return true;
    }
    let number_end = value
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+')))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(number_end);
    let digits = number.strip_prefix(['+', '-']).unwrap_or(number);
    !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && matches!(
            unit,
            "" | "em" | "ex" | "px" | "in" | "cm" | "mm" | "pt" | "pc" | "%"
        )
}

/// The converter aligns table columns with inline styles (`text-align`, `padding`); only such
/// layout declarations are kept, with plain values, so no style can fetch or hide anything.
fn is_layout_style(style: &str) -> bool {
    style
        .split(';')
        .map(str::trim)
        .filter(|declaration| !declaration.is_empty())
        .all(|declaration| {
            let Some((property, value)) = declaration.split_once(':') else {
                return false;
            };
            matches!(
                property.trim(),
                "text-align"
                    | "justify-items"
                    | "padding-left"
                    | "padding-right"
                    | "padding-top"
                    | "padding-bottom"
                    | "margin-left"
                    | "margin-right"
            ) && value
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ' ' | '%'))
        })
}

fn origin_of(attrs: &[html5ever::Attribute]) -> Option<usize> {
    attrs
        .iter()
        .find(|a| a.name.ns.is_empty() && &*a.name.local == ORIGIN_ATTRIBUTE)
        .and_then(|a| a.value.trim().parse().ok())
}

fn push_text(out: &mut Vec<Node>, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(text),
        _ => out.push(Node::Text(text.to_string())),
    }
}

/// The text of a subtree, gathered without recursion (it may be arbitrarily deep).
fn text_of(handle: &Handle) -> String {
    let mut text = String::new();
    let mut stack = vec![handle.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => text.push_str(&contents.borrow()),
            _ => stack.extend(node.children.borrow().iter().rev().cloned()),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xhtml::dom::write_xhtml;
    use crate::xhtml::sanitize;

    fn clean(html: &str) -> (String, Vec<String>) {
        let sanitized = sanitize(html);
        let mut out = String::new();
        write_xhtml(&sanitized.nodes, &mut out);
        (out, sanitized.removed.into_iter().map(|r| r.what).collect())
    }

    #[test]
    fn markdown_escaped_tex_converts_and_keeps_what_was_written() {
        assert_eq!(
            without_markdown_escapes(r"S\_2\' + a\*b \\ \{x\}"),
            r"S_2' + a*b \\ \{x\}"
        );
        let html = tex_to_mathml(r"S\_2\' + T\_3", false, 7).unwrap();
        assert!(html.contains(r#"alttext="S\_2\' + T\_3""#), "{html}");
        assert!(html.contains("<msub>"), "{html}");
    }

    #[test]
    fn tex_becomes_mathml_with_the_tex_as_alttext() {
        let html = tex_to_mathml(r"x^* \le \frac{a}{b}", false, 7).unwrap();
        let (xhtml, removed) = clean(&html);
        assert_eq!(removed, Vec::<String>::new());
        assert!(
            xhtml.starts_with(
                "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" alttext=\"x^* \\le \\frac{a}{b}\"><msup><mi>x</mi>"
            ),
            "{xhtml}"
        );
        assert!(
            xhtml.contains("<mo>≤</mo><mfrac><mi>a</mi><mi>b</mi></mfrac>"),
            "{xhtml}"
        );
        let block = tex_to_mathml("a", true, 0).unwrap();
        assert!(clean(&block).0.contains(" display=\"block\""));
    }

    #[test]
    fn unreadable_tex_is_an_error_at_its_place() {
        let error = tex_to_mathml(r"a + \frobnicate{b}", false, 0).unwrap_err();
        assert_eq!(error.offset, 4);
        assert!(error.message.contains("frobnicate"), "{}", error.message);
        assert_eq!(
            verbatim_tex("a < \\\\ b", true, 3),
            "<code class=\"math math-display\" data-bindery-origin=\"3\">a &lt; \\\\ b</code>"
        );
    }

    #[test]
    fn raw_mathml_keeps_presentation_markup_and_loses_links_and_content_markup() {
        let (xhtml, removed) = clean(
            r#"<p><math display="block" href="javascript:alert(1)"><mrow onclick="x()"><mi mathvariant="bold">x</mi><mo>=</mo><mtext><b>two</b></mtext></mrow><mglyph src="http://x/y.png"/><semantics><mn>2</mn><annotation-xml encoding="text/html"><script>x</script></annotation-xml><annotation encoding="TeX">2</annotation></semantics><maction actiontype="toggle"><mi>a</mi></maction></math></p>"#,
        );
        assert_eq!(
            xhtml,
            "<p><math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\"><mrow><mi mathvariant=\"bold\">x</mi><mo>=</mo><mtext>two</mtext></mrow><semantics><mn>2</mn><annotation encoding=\"TeX\">2</annotation></semantics><mi>a</mi></math></p>"
        );
        assert_eq!(
            removed,
            [
                "href=\"javascript:alert(1)\" attribute on <math>",
                "onclick=\"x()\" attribute on <mrow>",
                "<b> inside a formula (its text is kept)",
                "<mglyph> element inside a formula",
                "<annotation-xml> element inside a formula",
                "<maction> tag inside a formula (its content is kept)",
            ]
            .map(String::from)
        );
    }

    #[test]
    fn deeply_nested_tex_is_converted_or_refused_but_never_crashes() {
        let half = MAX_TEX_BYTES / 2;
        let braces = format!("{}x{}", "{".repeat(half - 1), "}".repeat(half - 1));
        assert!(tex_to_mathml(&braces, false, 0).is_ok());
        let roots = "\\sqrt ".repeat(MAX_TEX_BYTES / 6 - 1) + "x";
        assert!(tex_to_mathml(&roots, false, 0).is_ok());
        let error = tex_to_mathml(&"{x}".repeat(MAX_TEX_BYTES), false, 0).unwrap_err();
        assert!(error.message.contains("bytes long"), "{}", error.message);
    }

    #[test]
    fn loose_text_goes_into_mtext() {
        let (xhtml, _) = clean("<math>a<mrow> <mi>b</mi>c<unknown>d</unknown></mrow></math>");
        assert_eq!(
            xhtml,
            "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mtext>a</mtext><mrow> <mi>b</mi><mtext>cd</mtext></mrow></math>"
        );
    }

    #[test]
    fn display_style_moves_to_an_mstyle_as_mathml_3_wants() {
        let (xhtml, _) = clean(
            r#"<math><mfrac displaystyle="true" scriptlevel="0"><mn>1</mn><mn>2</mn></mfrac><mtable displaystyle="false" scriptlevel="1"><mtr><mtd><mi>a</mi></mtd></mtr></mtable></math>"#,
        );
        assert_eq!(
            xhtml,
            "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mstyle displaystyle=\"true\" scriptlevel=\"0\"><mfrac><mn>1</mn><mn>2</mn></mfrac></mstyle><mstyle scriptlevel=\"1\"><mtable displaystyle=\"false\"><mtr><mtd><mi>a</mi></mtd></mtr></mtable></mstyle></math>"
        );
    }

    #[test]
    fn attribute_values_are_checked() {
        assert!(attribute_allowed("mo", "lspace", "0.2778em"));
        assert!(attribute_allowed("mspace", "width", "-0.1667em"));
        assert!(!attribute_allowed("mo", "lspace", "url(x)"));
        assert!(!attribute_allowed("mi", "mathvariant", "blink"));
        assert!(attribute_allowed(
            "mtd",
            "style",
            "text-align: left;justify-items: start;padding-right: 0;"
        ));
        assert!(!attribute_allowed(
            "mtd",
            "style",
            "background: url(http://x)"
        ));
        assert!(!attribute_allowed("mi", "href", "https://example.org"));
    }
}
