//! The element vocabulary of the sanitizer: which elements are kept, dropped with their
//! content, or unwrapped, and the content-model classes (phrasing, transparent, heading,
//! sectioning) the repair pass reasons with; and the block elements the chapter writer puts
//! on lines of their own. (The nesting bound and kepub keep lists of their own on purpose: the
//! first is the HTML parser's vocabulary, obsolete elements included; the second counts
//! paragraphs exactly as kepubify does, so Kobo's reading positions match.)

/// What to do with an HTML element found in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Disposition {
    Keep,
    /// Remove the element and everything in it: it runs code, embeds remote or interactive
    /// content, or only makes sense in `<head>`.
    Drop,
    /// Keep the content, lose the tag: unknown, obsolete or purely presentational.
    Unwrap,
}

/// Elements allowed in the body of an EPUB 3 XHTML document that we keep.
pub(super) const KEPT_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "main",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements removed together with their content.
pub(super) const DROPPED_ELEMENTS: &[&str] = &[
    // Code and styling.
    "script", "style", "template", "slot", // Embedded and remote content.
    "iframe", "frame", "frameset", "noframes", "object", "embed", "applet", "param", "audio",
    "video", "source", "track", "canvas", "area", "portal",
    // Forms and their controls.
    "form", "input", "button", "select", "textarea", "option", "optgroup", "datalist", "output",
    "keygen", // Head-only elements.
    "head", "title", "meta", "link", "base",
];

pub(super) fn disposition(name: &str) -> Disposition {
    if KEPT_ELEMENTS.contains(&name) {
        Disposition::Keep
    } else if DROPPED_ELEMENTS.contains(&name) {
        Disposition::Drop
    } else {
        Disposition::Unwrap
    }
}

/// Elements whose content is phrasing content (text-level markup only).
pub(super) const PHRASING_ELEMENTS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
    "ins", "kbd", "mark", "q", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr",
];

pub(super) fn is_phrasing(name: &str) -> bool {
    PHRASING_ELEMENTS.contains(&name)
}

/// Elements that take the content model of their parent.
pub(super) fn is_transparent(name: &str) -> bool {
    matches!(name, "a" | "ins" | "del")
}

pub(super) fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

pub(super) fn is_sectioning(name: &str) -> bool {
    matches!(name, "article" | "aside" | "nav" | "section")
}

/// Block-level elements of the XHTML bindery writes: each starts a line of its own in the
/// chapter file, and inline runs between them are kept together, as written.
pub const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];
