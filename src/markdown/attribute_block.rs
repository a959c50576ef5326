//! The `{#id .class credit="…"}` block written right after a figure's image (issue 14).
//!
//! pulldown-cmark 0.13 reads attribute blocks only on headings, so after an image the block is
//! plain text. The Markdown stage asks [`parse`] about the source text that directly follows
//! the image (no space between): only a complete, valid block on one line is taken as
//! attributes; anything else (`{not an attribute}`, `{.full` without its brace, an unknown
//! key) stays the author's text, because silently eating prose would be worse than showing a
//! stray brace.

/// Keys a block may set with `key="value"`.
pub const KEYS: &[&str] = &["credit"];

/// A valid attribute block and how many bytes of the source it spans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttributeBlock {
    /// `#fig:harbour`: the figure's id, as written.
    pub id: Option<String>,
    /// `.full`, `.wide`: classes, in order.
    pub classes: Vec<String>,
    /// `credit="Photo: Ann Lee"`: the photographer's credit, shown under the caption.
    pub credit: Option<String>,
    /// Length in bytes of the block, braces included.
    pub len: usize,
}

/// The attribute block at the very start of `text`, if there is a valid one.
pub fn parse(text: &str) -> Option<AttributeBlock> {
    let rest = text.strip_prefix('{')?;
    let close = find_close(rest)?;
    let inner = &rest[..close];
    let mut block = AttributeBlock {
        len: close + 2,
        ..AttributeBlock::default()
    };
    let mut cursor = inner.trim_start();
    if cursor.is_empty() {
        return None;
    }
    while !cursor.is_empty() {
        let taken = if let Some(id) = cursor.strip_prefix('#') {
            let (name, used) = word(id)?;
            if block.id.replace(name.to_string()).is_some() {
                return None;
            }
            used + 1
        } else if let Some(class) = cursor.strip_prefix('.') {
            let (name, used) = word(class)?;
            block.classes.push(name.to_string());
            used + 1
        } else {
            let (key, used) = word(cursor)?;
            let after_key = cursor[used..].strip_prefix('=')?;
            let (value, value_used) = value(after_key)?;
            match key {
                "credit" if block.credit.is_none() => block.credit = Some(value.trim().to_string()),
                _ => return None,
            }
            used + 1 + value_used
        };
        let after = &cursor[taken..];
        // Items are separated by whitespace.
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return None;
        }
        cursor = after.trim_start();
    }
    Some(block)
}

/// Where the `}` that ends the block is in `rest`, skipping quoted values; `None` when the
/// block does not end on its line.
fn find_close(rest: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (index, c) in rest.char_indices() {
        match (quote, c) {
            (_, '\n' | '\r') => return None,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{') => return None,
            (None, '}') => return Some(index),
            (None, _) => {}
        }
    }
    None
}

/// A name (`fig:harbour`, `full`, `credit`): a run of characters that are not space, quote,
/// `=`, `#`, `.` at its start, or braces. Returns it and its length.
fn word(text: &str) -> Option<(&str, usize)> {
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | '{' | '}'))
        .unwrap_or(text.len());
    let name = &text[..end];
    (!name.is_empty() && !name.starts_with(['#', '.'])).then_some((name, end))
}

/// A value: `"…"`, `'…'` or a bare word. Returns it and its length in the source.
fn value(text: &str) -> Option<(&str, usize)> {
    match text.chars().next()? {
        quote @ ('"' | '\'') => {
            let body = &text[1..];
            let end = body.find(quote)?;
            Some((&body[..end], end + 2))
        }
        _ => word(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_classes_and_credits_are_read() {
        let text = "{#fig:harbour .full credit=\"Photo: Ann {Lee}\"} rest";
        let block = parse(text).expect("valid");
        assert_eq!(block.id.as_deref(), Some("fig:harbour"));
        assert_eq!(block.classes, ["full"]);
        assert_eq!(block.credit.as_deref(), Some("Photo: Ann {Lee}"));
        assert_eq!(&text[block.len..], " rest");
        assert_eq!(parse("{ .full }").map(|b| b.len), Some(9));
        assert_eq!(
            parse("{credit=Ann}").and_then(|b| b.credit),
            Some("Ann".into())
        );
    }

    #[test]
    fn anything_that_is_not_a_whole_valid_block_is_text() {
        for text in [
            "{}",
            "{ }",
            "{not an attribute}",
            "{.full",
            "{#a #b}",
            "{width=3}",
            "{credit=\"unclosed}",
            "{.full\n}",
            "{credit=\"a\"#b}",
            " {.full}",
            "{{.full}}",
            "{.}",
            "{#}",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
        // A class may hold a dot after its first character; the id is everything to the space.
        assert_eq!(parse("{#a.b}").and_then(|b| b.id), Some("a.b".to_string()));
    }
}
