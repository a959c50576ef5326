//! URLs in attributes: normalized the way a browser reads them, and kept only with a scheme
//! a book may use.

use super::*;

pub(super) fn url_verdict(name: &str, value: &str) -> Verdict {
    match clean_url(value) {
        Ok(url) => Verdict::Keep(url),
        Err(UrlProblem::Forbidden(scheme)) => Verdict::Remove(match name {
            "href" => format!("{scheme}: link"),
            "src" => format!("{scheme}: image source"),
            _ => format!("{scheme}: URL in {name} attribute"),
        }),
        Err(UrlProblem::Unsupported(scheme)) => Verdict::Remove(format!(
            "{name}=\"{value}\" (reading systems do not support {scheme}: URLs)"
        )),
        Err(UrlProblem::Invalid) => {
            Verdict::Remove(format!("{name}=\"{value}\" (not a valid URL)"))
        }
        Err(UrlProblem::Empty) => Verdict::Remove(format!("empty {name} attribute")),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum UrlProblem {
    /// Script-capable (`javascript:`, `vbscript:`), inline (`data:`, which would bypass the
    /// image pipeline) or local (`file:`).
    Forbidden(&'static str),
    /// A scheme reading systems do not handle (epubcheck warns about unregistered ones).
    Unsupported(String),
    Invalid,
    Empty,
}

/// Schemes a book may link to. An allowlist, as in every HTML sanitizer: new script-capable
/// schemes appear from time to time, useful ones rarely.
pub(super) const ALLOWED_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "sms", "geo", "urn", "news", "irc", "xmpp",
];

/// Normalizes a URL the way a browser reads it, so the XHTML holds a valid URL, or says why
/// it cannot be kept. Relative URLs stay relative (resolving them is the link stage's job).
///
/// Browsers strip leading and trailing spaces and control characters, remove tabs and line
/// breaks anywhere, and compare schemes case-insensitively, so ` java\tscript:` and
/// `JaVaScRiPt:` are `javascript:`. Characters a URL cannot contain (spaces, backslashes,
/// backticks, …) are percent-encoded, as pulldown-cmark does for Markdown link destinations.
pub(super) fn clean_url(raw: &str) -> Result<String, UrlProblem> {
    let url: String = raw
        .trim_matches(is_url_space)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if url.is_empty() {
        return Err(UrlProblem::Empty);
    }
    let scheme = url_scheme(&url);
    if let Some(scheme) = &scheme {
        if let Some(forbidden) = ["javascript", "vbscript", "data", "file"]
            .into_iter()
            .find(|f| scheme == f)
        {
            return Err(UrlProblem::Forbidden(forbidden));
        }
        if !ALLOWED_SCHEMES.contains(&scheme.as_str()) {
            return Err(UrlProblem::Unsupported(scheme.clone()));
        }
    }
    let mut out = String::with_capacity(url.len());
    // A colon in the first segment of a relative path would read as a scheme: `./` keeps
    // `foo):bar` a path.
    let first_segment = url.split(['/', '?', '#']).next().unwrap_or_default();
    if scheme.is_none() && first_segment.contains(':') {
        out.push_str("./");
    }
    let mut seen_fragment = false;
    let bytes = url.as_bytes();
    for (index, c) in url.char_indices() {
        let escape = match c {
            '%' => {
                !(bytes.get(index + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(index + 2).is_some_and(u8::is_ascii_hexdigit))
            }
            '#' => std::mem::replace(&mut seen_fragment, true),
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => true,
            c => c.is_ascii_control(),
        };
        if escape {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if scheme.is_some() && !is_valid_absolute_url(&out) {
        return Err(UrlProblem::Invalid);
    }
    Ok(out)
}

/// The lower-cased scheme of `url`, if it starts with one (RFC 3986: a letter, then letters,
/// digits, `+`, `-` or `.`). Controls and spaces inside the would-be scheme are ignored, as
/// browsers do, so obfuscated schemes are still seen. bindery's one URL-scheme classifier:
/// HTML attributes, links and the stylesheet's `url()`s all go through it.
pub fn url_scheme(url: &str) -> Option<String> {
    let (candidate, _) = url.split_once(':')?;
    let scheme: String = candidate
        .chars()
        .filter(|&c| !is_url_space(c) && c != '\u{7f}')
        .flat_map(char::to_lowercase)
        .collect();
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

pub(super) fn is_valid_absolute_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    // The WHATWG parser the `url` crate implements accepts empty host labels (`https://../`);
    // epubcheck, rightly, does not.
    match parsed.host_str() {
        Some(host) if parsed.scheme().starts_with("http") || parsed.scheme() == "ftp" => {
            let host = host.strip_suffix('.').unwrap_or(host);
            !host.is_empty() && host.split('.').all(|label| !label.is_empty())
        }
        _ => true,
    }
}

pub(super) fn is_url_space(c: char) -> bool {
    c <= ' '
}
