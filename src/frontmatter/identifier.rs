//! `identifier:`: an ISBN-13 (checksum verified), a URN, a URL or a UUID; and the stable UUID
//! a book gets when it gives none.

use crate::model::{Creator, Identifier};

/// Why an identifier cannot be used, in the author's words.
pub(super) struct IdentifierProblem {
    pub message: String,
    pub help: String,
}

/// Accepts an ISBN-13 (hyphens and spaces allowed, checksum verified), any other `urn:`, or
/// an http(s) URL.
pub(super) fn parse_identifier(written: &str) -> Result<Identifier, IdentifierProblem> {
    let lower = written.to_ascii_lowercase();
    let isbn_text = lower
        .strip_prefix("urn:isbn:")
        .or_else(|| lower.strip_prefix("isbn:"))
        .or_else(|| lower.strip_prefix("isbn "))
        .unwrap_or(&lower);
    let digits: String = isbn_text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    let looks_like_isbn =
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == 'x');
    if looks_like_isbn {
        if digits.len() != 13 {
            return Err(IdentifierProblem {
                message: format!("`{written}` is not an ISBN-13 ({} digits)", digits.len()),
                help: "give the 13-digit ISBN (978… or 979…); an ISBN-10 can be converted by prefixing 978 and recomputing the check digit".into(),
            });
        }
        let sum: u32 = digits
            .chars()
            .filter_map(|c| c.to_digit(10))
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d } else { d * 3 })
            .sum();
        if !sum.is_multiple_of(10) || !(digits.starts_with("978") || digits.starts_with("979")) {
            return Err(IdentifierProblem {
                message: format!("`{written}` is not a valid ISBN-13: its check digit is wrong"),
                help: "check the ISBN for a typo".into(),
            });
        }
        return Ok(Identifier::Isbn(digits));
    }
    if lower.starts_with("urn:") && written.len() > 4 {
        return Ok(Identifier::Urn(written.to_string()));
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match url::Url::parse(written) {
            Ok(url) => Ok(Identifier::Url(url.to_string())),
            Err(error) => Err(IdentifierProblem {
                message: format!("`{written}` is not a valid URL: {error}"),
                help: "use an ISBN-13, a URN (urn:…) or a URL".into(),
            }),
        };
    }
    if uuid::Uuid::try_parse(written).is_ok() {
        return Ok(Identifier::Uuid(written.to_ascii_lowercase()));
    }
    Err(IdentifierProblem {
        message: format!("`{written}` is not an ISBN-13, URN, URL or UUID"),
        help:
            "use an ISBN-13, a URN (urn:…), a URL, or leave `identifier` out to get a stable UUID"
                .into(),
    })
}

/// A UUID v5 of the title and the authors: stable across builds and machines, different for
/// different books.
pub(super) fn derived_uuid(title: &str, creators: &[Creator]) -> String {
    let mut name = format!("bindery:{title}");
    for creator in creators {
        name.push('\n');
        name.push_str(&creator.name);
    }
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_of_each_kind() {
        assert!(matches!(
            parse_identifier("urn:isbn:9780306406157"),
            Ok(Identifier::Isbn(_))
        ));
        assert!(matches!(
            parse_identifier("urn:doi:10.1000/182"),
            Ok(Identifier::Urn(_))
        ));
        assert!(matches!(
            parse_identifier("https://example.org/book"),
            Ok(Identifier::Url(_))
        ));
        assert!(parse_identifier("0-306-40615-2").is_err());
        assert!(parse_identifier("my book").is_err());
    }
}
