//! The front matter as a located tree, the same for YAML and TOML: every value and every key
//! keeps the line and column it was written at, and every key of a map is kept, repeated ones
//! too. The validators read this tree rather than typed serde structs because they must report
//! every problem of a run, each at its own line, in the author's words: serde stops at the
//! first wrong type, and loses positions inside `#[serde(flatten)]` and untagged enums.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A position within the front-matter block, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Pos {
    pub line: usize,
    pub column: usize,
}

/// One value of the front matter.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub value: Value,
    pub pos: Pos,
    /// A plain scalar that YAML read as a boolean or a number, as written: `language: no`
    /// is Norwegian, not `false`, and `title: 1e3` is not `1000`.
    pub written: Option<String>,
    /// Where a YAML boolean or number lies in the block, until `read_yaml` fills `written`.
    span: Option<std::ops::Range<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// Nothing written (`key:`), `null` or `~`: the default.
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    /// A TOML date or date-time, in RFC 3339 form.
    Date(String),
    List(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` of a map.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub key: String,
    pub pos: Pos,
    pub value: Node,
}

impl Node {
    /// A value found nowhere in particular (an empty block).
    pub(super) fn null(pos: Pos) -> Self {
        Node {
            value: Value::Null,
            pos,
            written: None,
            span: None,
        }
    }

    /// The value as the author wrote it, for "found `…`": scalars as text (cut short), lists
    /// and maps by their kind.
    pub(super) fn found(&self) -> String {
        let text = match &self.value {
            _ if self.written.is_some() => self.written.clone().unwrap_or_default(),
            Value::Null => return "nothing".into(),
            Value::List(_) => return "a list".into(),
            Value::Map(_) => return "a map of keys".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Text(t) | Value::Date(t) => t.clone(),
        };
        const SHOWN: usize = 40;
        if text.chars().count() > SHOWN {
            let cut: String = text.chars().take(SHOWN).collect();
            format!("`{cut}…`")
        } else {
            format!("`{text}`")
        }
    }

    /// A scalar as text (`2016` and `true` included), for keys whose value is free text.
    pub(super) fn scalar_text(&self) -> Option<String> {
        if let Some(written) = &self.written {
            return Some(written.clone());
        }
        match &self.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Text(t) | Value::Date(t) => Some(t.clone()),
            Value::Null | Value::List(_) | Value::Map(_) => None,
        }
    }
}

/// A YAML node as serde-saphyr hands it over; its position comes from the `Spanned` wrapper
/// it is read in.
struct YamlValue(Value);

struct YamlNode(Node);

fn pos_of(location: &serde_saphyr::Location) -> Pos {
    Pos {
        line: usize::try_from(location.line()).unwrap_or(usize::MAX),
        column: usize::try_from(location.column()).unwrap_or(usize::MAX),
    }
}

impl<'de> Deserialize<'de> for YamlNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<YamlValue>::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        // `read_yaml`, which has the text, fills `written` from this span.
        let span = match spanned.value.0 {
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => span
                .byte_offset()
                .zip(span.byte_len())
                .and_then(|(offset, len)| {
                    let offset = usize::try_from(offset).ok()?;
                    Some(offset..offset.checked_add(usize::try_from(len).ok()?)?)
                }),
            _ => None,
        };
        Ok(YamlNode(Node {
            pos: pos_of(&spanned.referenced),
            value: spanned.value.0,
            written: None,
            span,
        }))
    }
}

impl<'de> Deserialize<'de> for YamlValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlVisitor)
    }
}

struct YamlVisitor;

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = YamlValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<YamlValue, E> {
        Ok(YamlValue(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<YamlValue, E> {
        Ok(YamlValue(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YamlValue, D::Error> {
        YamlValue::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<YamlValue, E> {
        Ok(YamlValue(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YamlValue, E> {
        Ok(YamlValue(Value::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YamlValue, E> {
        Ok(YamlValue(match i64::try_from(v) {
            Ok(v) => Value::Int(v),
            Err(_) => Value::Text(v.to_string()),
        }))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<YamlValue, E> {
        Ok(YamlValue(Value::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<YamlValue, E> {
        Ok(YamlValue(Value::Text(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<YamlValue, E> {
        Ok(YamlValue(Value::Text(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlValue, A::Error> {
        let mut items = Vec::new();
        while let Some(YamlNode(node)) = seq.next_element::<YamlNode>()? {
            items.push(node);
        }
        Ok(YamlValue(Value::List(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(YamlNode(key)) = map.next_key::<YamlNode>()? {
            let YamlNode(value) = map.next_value::<YamlNode>()?;
            let Some(name) = key.scalar_text() else {
                return Err(de::Error::custom(
                    "a key must be a plain word, not a list or a map",
                ));
            };
            entries.push(Entry {
                key: name,
                pos: key.pos,
                value,
            });
        }
        Ok(YamlValue(Value::Map(entries)))
    }
}

/// Why a block could not be read, with the position in the block when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub message: String,
    pub pos: Option<Pos>,
    pub help: Option<String>,
}

/// Largest front-matter block read: far above any real book's metadata, far below what
/// would cost memory. A bigger block (a 10 MB title) is "too long", not parsed.
pub(super) const MAX_BLOCK_BYTES: usize = 1 << 20;

/// Reads a YAML block into a tree, with budgets that stop alias bombs and absurd nesting
/// early. Repeated keys are kept (the validators name both lines).
pub(super) fn read_yaml(yaml: &str) -> Result<Node, SyntaxError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_aliases = 100;
    budget.max_anchors = 100;
    budget.max_depth = 32;
    budget.max_nodes = 10_000;
    budget.max_total_scalar_bytes = MAX_BLOCK_BYTES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    match serde_saphyr::from_str_with_options::<YamlNode>(yaml, options) {
        Ok(YamlNode(mut node)) => {
            fill_written(&mut node, yaml);
            Ok(node)
        }
        Err(error) => Err(yaml_error(yaml, &error)),
    }
}

/// Sets `written` of YAML booleans and numbers to the text their span covers (a span
/// that is not plain text of the block, e.g. an alias's, leaves the value as YAML read it).
fn fill_written(node: &mut Node, yaml: &str) {
    if let Some(span) = node.span.take() {
        node.written = yaml
            .get(span)
            .map(str::trim)
            .filter(|text| !text.is_empty() && !text.starts_with(['*', '&', '!']))
            .map(str::to_string);
    }
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|item| fill_written(item, yaml)),
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|entry| fill_written(&mut entry.value, yaml)),
        _ => {}
    }
}

fn yaml_error(yaml: &str, error: &serde_saphyr::Error) -> SyntaxError {
    let pos = error
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| pos_of(&l));
    let mut inner = error;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }
    if let serde_saphyr::Error::Budget { breach, .. } = inner {
        use serde_saphyr::budget::BudgetBreach;
        let message = match breach {
            BudgetBreach::Depth { .. } => {
                "front matter nests lists or maps more than 32 levels deep; refused"
            }
            BudgetBreach::ScalarBytes { .. } => "front matter is too long; refused",
            // Aliases that expand without end trip the other budgets; without aliases, it is
            // just too much metadata.
            _ if yaml.contains('&') && yaml.contains('*') => {
                "front matter has too many aliases, anchors or values (a YAML alias bomb?); refused"
            }
            _ => "front matter has too many values (over 10000); refused",
        };
        return SyntaxError {
            message: message.into(),
            pos,
            help: Some("front matter holds a book's metadata: a few dozen short values".into()),
        };
    }
    let mut message = plain_message(error);
    let (pos, help) = match syntax_hint(yaml, pos) {
        Some((hint_pos, help)) => (Some(hint_pos), Some(help)),
        None => (pos, None),
    };
    if message.is_empty() {
        message = "this is not valid YAML".into();
    }
    SyntaxError {
        message: format!("front matter: {message}"),
        pos,
        help,
    }
}

/// serde-saphyr renders errors with a source snippet and position; we print our own
/// position, so keep just the first line of the message and drop its own "at line" suffix.
fn plain_message(error: &serde_saphyr::Error) -> String {
    let rendered = error.without_snippet().to_string();
    let first = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let first = match first.find(" at line ") {
        Some(index) => &first[..index],
        None => first,
    };
    first.trim_start_matches("error: ").to_string()
}

/// The usual causes of a YAML syntax error in front matter, which YAML's own words ("mapping
/// values are not allowed in this context") do not name: a tab, an unclosed quote, an
/// unquoted `: ` inside a value. Returns the line to point at and what to do.
fn syntax_hint(yaml: &str, pos: Option<Pos>) -> Option<(Pos, String)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let error_line = pos.map_or(lines.len(), |p| p.line);
    // A quote opened and never closed swallows the lines after it, so YAML complains far
    // below; the culprit is the first line at or above the error with an unbalanced quote.
    for (index, line) in lines.iter().enumerate().take(error_line.max(1)) {
        if let Some((key, value)) = key_and_value(line) {
            // Where the value starts: the place of an unclosed bracket or quote.
            let at = Pos {
                line: index + 1,
                column: line.len() - value.len() + 1,
            };
            for (open, close) in [('[', ']'), ('{', '}')] {
                if value.starts_with(open) && !closes_bracket(value, open, close) {
                    return Some((
                        at,
                        format!(
                            "the `{open}` that starts the value of `{key}` is never closed; end it with `{close}` on the same line, or put the {key} in quotes if the `{open}` is part of it"
                        ),
                    ));
                }
            }
            for quote in ['"', '\''] {
                if value.starts_with(quote) && !closes_quote(&value[1..], quote) {
                    return Some((
                        at,
                        format!(
                            "the quote {quote} that starts the value of `{key}` is never closed; end the value with {quote} on the same line"
                        ),
                    ));
                }
            }
        }
    }
    let index = error_line.checked_sub(1)?;
    for candidate in [index, index.saturating_sub(1)] {
        let line = lines.get(candidate)?;
        let at = |column: usize| Pos {
            line: candidate + 1,
            column,
        };
        if let Some(tab) = line.find('\t') {
            let indent_end = line.len() - line.trim_start().len();
            if tab < indent_end.max(1) || line[..tab].trim().is_empty() {
                return Some((
                    at(tab + 1),
                    "YAML does not allow tabs for indentation; indent with spaces".into(),
                ));
            }
        }
        if let Some((key, value)) = key_and_value(line)
            && !value.starts_with(['"', '\'', '[', '{', '|', '>'])
        {
            if let Some(colon) = value.find(": ") {
                let column = line.len() - value.len() + colon + 1;
                return Some((
                    at(column),
                    format!(
                        "a `: ` inside a value ends the key in YAML; put the {key} in quotes: {key}: \"{}\"",
                        value.trim().replace('"', "\\\"")
                    ),
                ));
            }
            if value.starts_with(['@', '`', '%', '*', '&', '!']) {
                return Some((
                    at(line.len() - value.len() + 1),
                    format!(
                        "a value starting with `{}` must be quoted in YAML: {key}: \"{}\"",
                        &value[..1],
                        value.trim().replace('"', "\\\"")
                    ),
                ));
            }
        }
    }
    None
}

/// `key: value` on one line (the key a plain word), value without leading spaces.
fn key_and_value(line: &str) -> Option<(&str, &str)> {
    let trimmed = line.trim_start().trim_start_matches("- ");
    let (key, value) = trimmed.split_once(": ")?;
    let plain_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    plain_key.then(|| (key, value.trim_start()))
}

/// Whether a flow list or map that starts `value` closes on the same line (quotes aside).
fn closes_bracket(value: &str, open: char, close: char) -> bool {
    let mut depth = 0usize;
    let mut quote = None;
    for c in value.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c == open => depth += 1,
            (None, c) if c == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether a quoted scalar that began just before `rest` ends on this line.
fn closes_quote(rest: &str, quote: char) -> bool {
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            // In single quotes, '' is an escaped quote.
            if quote == '\'' && chars.peek() == Some(&'\'') {
                chars.next();
            } else {
                return true;
            }
        }
    }
    false
}

/// Reads a TOML block into a tree. TOML itself refuses repeated keys.
pub(super) fn read_toml(toml_text: &str) -> Result<Node, SyntaxError> {
    let position = |offset: usize| -> Pos {
        let before = &toml_text[..offset.min(toml_text.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    };
    match toml::de::DeTable::parse(toml_text) {
        Ok(table) => {
            let pos = position(table.span().start);
            Ok(Node {
                value: toml_table(table.get_ref(), &position),
                pos,
                written: None,
                span: None,
            })
        }
        Err(error) => {
            let message = error.message().trim().to_string();
            let pos = error.span().map(|span| position(span.start));
            let help = if message.contains("quote") || message.contains("string") {
                Some("in TOML, text is quoted: title = \"My Book\"".to_string())
            } else {
                None
            };
            Err(SyntaxError {
                message: format!("front matter: {message}"),
                pos,
                help,
            })
        }
    }
}

fn toml_table(table: &toml::de::DeTable<'_>, position: &dyn Fn(usize) -> Pos) -> Value {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            pos: position(key.span().start),
            value: toml_node(value, position),
        })
        .collect();
    // The table is kept in key order; the author's order reads better in messages.
    entries.sort_by_key(|entry| (entry.pos.line, entry.pos.column));
    Value::Map(entries)
}

fn toml_node(
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    position: &dyn Fn(usize) -> Pos,
) -> Node {
    use toml::de::DeValue;
    let pos = position(value.span().start);
    let value = match value.get_ref() {
        DeValue::String(text) => Value::Text(text.to_string()),
        DeValue::Integer(integer) => {
            let digits = integer.as_str().replace('_', "");
            match i64::from_str_radix(
                digits
                    .trim_start_matches("0x")
                    .trim_start_matches("0o")
                    .trim_start_matches("0b"),
                integer.radix(),
            ) {
                Ok(number) => Value::Int(number),
                Err(_) => Value::Text(integer.as_str().to_string()),
            }
        }
        DeValue::Float(float) => match float.as_str().replace('_', "").parse::<f64>() {
            Ok(number) => Value::Float(number),
            Err(_) => Value::Text(float.as_str().to_string()),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(datetime) => Value::Date(datetime.to_string()),
        DeValue::Array(items) => {
            Value::List(items.iter().map(|item| toml_node(item, position)).collect())
        }
        DeValue::Table(table) => toml_table(table, position),
    };
    Node {
        value,
        pos,
        written: None,
        span: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(node: &Node) -> Vec<(String, usize)> {
        match &node.value {
            Value::Map(entries) => entries
                .iter()
                .map(|e| (e.key.clone(), e.pos.line))
                .collect(),
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn yaml_keeps_positions_and_repeated_keys() {
        let node = read_yaml("title: A\nauthor:\n  - name: B\ntitle: C\n").unwrap();
        assert_eq!(
            keys(&node),
            [
                ("title".into(), 1),
                ("author".into(), 2),
                ("title".into(), 4)
            ]
        );
        let Value::Map(entries) = &node.value else {
            unreachable!()
        };
        assert_eq!(entries[0].value.pos, Pos { line: 1, column: 8 });
        assert_eq!(entries[0].value.value, Value::Text("A".into()));
    }

    #[test]
    fn toml_gives_the_same_tree() {
        let node =
            read_toml("title = \"A\"\ndate = 1979-05-27T07:32:00-08:00\n[extra]\nx = 1\n").unwrap();
        assert_eq!(
            keys(&node),
            [("title".into(), 1), ("date".into(), 2), ("extra".into(), 3)]
        );
    }

    #[test]
    fn an_unquoted_colon_is_explained_at_its_line() {
        let error = read_yaml("language: en\ntitle: Korea: a journey\n").unwrap_err();
        assert_eq!(error.pos.map(|p| p.line), Some(2));
        assert!(
            error
                .help
                .as_deref()
                .unwrap_or("")
                .contains("put the title in quotes"),
            "{error:?}"
        );
    }

    #[test]
    fn an_unclosed_quote_points_at_the_line_that_opens_it() {
        let error = read_yaml("title: \"Tides\nlanguage: en\nauthor: Ann\n").unwrap_err();
        assert_eq!(error.pos.map(|p| p.line), Some(1), "{error:?}");
        assert!(error.help.unwrap_or_default().contains("never closed"));
    }

    #[test]
    fn a_tab_is_named() {
        let error = read_yaml("images:\n\tquality: 80\n").unwrap_err();
        assert!(
            error.help.unwrap_or_default().contains("tabs"),
            "{}",
            error.message
        );
    }

    #[test]
    fn toml_errors_are_located() {
        let error = read_toml("title = \"A\"\nlanguage = en\n").unwrap_err();
        assert_eq!(error.pos.map(|p| p.line), Some(2), "{error:?}");
    }
}
