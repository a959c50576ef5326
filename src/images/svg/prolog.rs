//! The part of an SVG before its root element, made safe to parse without a DTD.
//!
//! roxmltree either refuses every DOCTYPE or processes the internal subset itself, and tools
//! write one on most SVGs (`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "…svg11.dtd">`).
//! So the DOCTYPE is cut out here, replaced by as many line breaks as it held so error
//! positions stay right, and never resolved: nothing is read from its `SYSTEM`/`PUBLIC`
//! identifier. Illustrator declares its namespace URIs as entities in the internal subset
//! (`<!ENTITY ns_svg "http://www.w3.org/2000/svg">`, used as `xmlns="&ns_svg;"`), so general
//! entities whose value is plain text are expanded; the output is capped, and since no value
//! may refer to another entity, expansion is one pass and linear. Everything else an internal
//! subset can do to a parser is refused with [`SvgError::Entities`].

use std::borrow::Cow;
use std::collections::HashMap;

use super::SvgError;

/// Most entities one internal subset may declare; Illustrator writes about a dozen.
const MAX_ENTITIES: usize = 256;

/// `text` with its DOCTYPE (if any) removed and its plain-text entities expanded; at most
/// `max_len` bytes.
pub(crate) fn without_doctype(text: &str, max_len: usize) -> Result<Cow<'_, str>, SvgError> {
    let Some((start, end)) = find_doctype(text) else {
        return Ok(Cow::Borrowed(text));
    };
    let doctype = &text[start..end];
    let entities = internal_entities(doctype)?;
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(std::iter::repeat_n('\n', doctype.matches('\n').count()));
    if entities.is_empty() {
        out.push_str(&text[end..]);
    } else {
        expand(&text[end..], &entities, max_len, &mut out)?;
    }
    Ok(Cow::Owned(out))
}

/// Byte range of `<!DOCTYPE …>`, if the prolog has one (after the XML declaration, comments
/// and processing instructions; never after the root element starts).
fn find_doctype(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("<?") {
            at += trimmed.find("?>")? + 2;
        } else if trimmed.starts_with("<!--") {
            at += trimmed.find("-->")? + 3;
        } else if trimmed.starts_with("<!DOCTYPE") {
            return Some((at, at + doctype_len(trimmed)?));
        } else {
            return None;
        }
    }
}

/// Length of the DOCTYPE at the start of `text` (from `<!DOCTYPE`, or from `!DOCTYPE`): up to the `>` outside quotes, comments and
/// the internal subset.
pub(crate) fn doctype_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut quote = None;
    let mut in_subset = false;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        match (quote, byte) {
            (Some(open), _) if byte == open => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(byte),
            (None, b'<') if in_subset && text[index..].starts_with("<!--") => {
                index += text[index..].find("-->")? + 3;
                continue;
            }
            (None, b'[') => in_subset = true,
            (None, b']') => in_subset = false,
            (None, b'>') if !in_subset => return Some(index + 1),
            _ => {}
        }
        index += 1;
    }
    None
}

/// The general entities the internal subset declares, each a plain-text value; an error for
/// anything that could read a file or expand out of proportion.
fn internal_entities(doctype: &str) -> Result<HashMap<&str, &str>, SvgError> {
    let mut entities = HashMap::new();
    let Some(open) = doctype.find('[') else {
        return Ok(entities);
    };
    let subset = &doctype[open + 1..];
    let mut at = 0;
    while at < subset.len() {
        let rest = &subset[at..];
        if rest.starts_with("<!--") {
            at += rest.find("-->").map_or(rest.len(), |end| end + 3);
        } else if rest.starts_with("<!ENTITY") {
            let len = declaration_len(rest);
            let (name, value) = entity(&rest[..len])?;
            if entities.len() >= MAX_ENTITIES {
                return Err(SvgError::Entities(format!(
                    "declares more than {MAX_ENTITIES} entities"
                )));
            }
            entities.insert(name, value);
            at += len;
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            // `<!ELEMENT>`, `<!ATTLIST>`, `<!NOTATION>`, processing instructions: rules for a
            // validating parser, which bindery is not.
            at += declaration_len(rest);
        } else if rest.starts_with('%') {
            return Err(SvgError::Entities(
                "uses a parameter entity (`%…;`)".to_string(),
            ));
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    Ok(entities)
}

/// Length of the markup declaration at the start of `text`, up to its `>` outside quotes.
fn declaration_len(text: &str) -> usize {
    let mut quote = None;
    for (index, byte) in text.bytes().enumerate() {
        match (quote, byte) {
            (Some(open), _) if byte == open => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(byte),
            (None, b'>') => return index + 1,
            _ => {}
        }
    }
    text.len()
}

/// Name and value of `<!ENTITY name "value">`.
fn entity(declaration: &str) -> Result<(&str, &str), SvgError> {
    let body = declaration
        .trim_start_matches("<!ENTITY")
        .trim_end_matches('>')
        .trim();
    if body.starts_with('%') {
        return Err(SvgError::Entities(
            "declares a parameter entity (`<!ENTITY % …>`)".to_string(),
        ));
    }
    let (name, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    let rest = rest.trim();
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''));
    let Some(quote) = quote else {
        // `SYSTEM "file"` or `PUBLIC "id" "file"`: an external entity.
        return Err(SvgError::Entities(format!(
            "declares the entity `{name}` as the contents of another file ({})",
            rest.split_whitespace().collect::<Vec<_>>().join(" ")
        )));
    };
    let value = rest[1..].split(quote).next().unwrap_or_default();
    if value.contains(['&', '%', '<']) {
        return Err(SvgError::Entities(format!(
            "defines the entity `{name}` from other entities or markup (the shape of an entity bomb)"
        )));
    }
    Ok((name, value))
}

/// Copies `text` to `out`, replacing `&name;` for each declared entity (outside comments and
/// CDATA sections, where a reference is just text).
fn expand(
    text: &str,
    entities: &HashMap<&str, &str>,
    max_len: usize,
    out: &mut String,
) -> Result<(), SvgError> {
    let too_large = || {
        SvgError::Entities(format!(
            "declares entities that make the file larger than {} MiB",
            max_len / 1024 / 1024
        ))
    };
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let verbatim = [("<!--", "-->"), ("<![CDATA[", "]]>")]
            .iter()
            .find(|(open, _)| tail.starts_with(open));
        let consumed = if let Some((_, close)) = verbatim {
            let len = tail.find(close).map_or(tail.len(), |end| end + close.len());
            out.push_str(&tail[..len]);
            len
        } else if let Some(value) = tail
            .strip_prefix('&')
            .and_then(|after| after.split_once(';'))
            .and_then(|(name, _)| entities.get(name).map(|value| (name, value)))
            .map(|(name, value)| {
                // Inside an attribute, the replacement text must not end the value.
                out.push_str(&value.replace('"', "&quot;").replace('\'', "&apos;"));
                name.len() + 2
            })
        {
            value
        } else {
            out.push_str(&tail[..1]);
            1
        };
        if out.len() > max_len {
            return Err(too_large());
        }
        rest = &tail[consumed..];
    }
    out.push_str(rest);
    if out.len() > max_len {
        return Err(too_large());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(text: &str) -> Result<String, SvgError> {
        without_doctype(text, 1 << 20).map(Cow::into_owned)
    }

    #[test]
    fn the_doctype_tools_write_is_removed_and_lines_kept() {
        let graphviz = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
             <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n\
             <!-- Generated by graphviz -->\n<svg/>";
        assert_eq!(
            strip(graphviz).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\n\n<!-- Generated by graphviz -->\n<svg/>"
        );
        assert_eq!(strip("<svg/>").unwrap(), "<svg/>");
        // A DOCTYPE after the root element is not in the prolog; the parser refuses it.
        assert_eq!(strip("<svg/><!DOCTYPE x>").unwrap(), "<svg/><!DOCTYPE x>");
    }

    #[test]
    fn illustrator_namespace_entities_are_expanded() {
        let text = "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"svg11.dtd\" [\n\
             <!ENTITY ns_svg \"http://www.w3.org/2000/svg\">\n<!-- a ] comment > -->\n\
             <!ENTITY q 'say \"hi\"'>\n]>\n\
             <svg xmlns=\"&ns_svg;\" a=\"&q;\"><![CDATA[&ns_svg;]]>&amp;&lt;</svg>";
        assert_eq!(
            strip(text).unwrap(),
            "\n\n\n\n\n<svg xmlns=\"http://www.w3.org/2000/svg\" a=\"say &quot;hi&quot;\"><![CDATA[&ns_svg;]]>&amp;&lt;</svg>"
        );
    }

    #[test]
    fn bombs_files_and_parameter_entities_are_refused() {
        let refused = |text: &str| match strip(text) {
            Err(SvgError::Entities(why)) => why,
            other => panic!("{other:?}"),
        };
        assert!(
            refused("<!DOCTYPE svg [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><svg/>")
                .contains("entity bomb")
        );
        assert!(
            refused("<!DOCTYPE svg [<!ENTITY x SYSTEM \"/etc/passwd\">]><svg>&x;</svg>")
                .contains("SYSTEM \"/etc/passwd\"")
        );
        assert!(refused("<!DOCTYPE svg [<!ENTITY % p \"x\"> %p;]><svg/>").contains("parameter"));
        let wide = format!(
            "<!DOCTYPE svg [<!ENTITY a \"{}\">]><svg>{}</svg>",
            "a".repeat(1000),
            "&a;".repeat(2000)
        );
        assert!(refused(&wide).contains("larger than 1 MiB"));
    }
}
