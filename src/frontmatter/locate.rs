//! Pointing a message at the line of the first file's front matter that sets a key, for
//! problems found after the front matter was parsed (a cover that cannot be read, a title the
//! cover font cannot draw, a stylesheet outside the book).

use crate::diagnostics::{Diagnostic, Location};
use crate::source::SourceFile;

/// Where the top-level front-matter key `key` starts (`key:` in YAML, `key =` in TOML), for
/// pointing a message at it; `None` when it is not written as one line there.
pub fn key_offset(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        if index > 0 && (trimmed == "---" || trimmed == "+++") {
            return None;
        }
        if let Some(rest) = line.strip_prefix(key)
            && (rest.starts_with(':') || rest.trim_start().starts_with('='))
        {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// `diagnostic` located at the front-matter line that sets `key` in the first file (or at
/// the file when the line cannot be found).
pub fn at_key(diagnostic: Diagnostic, first: &SourceFile, key: &str) -> Diagnostic {
    match key_offset(&first.text, key) {
        Some(offset) => diagnostic.at(Location::at_offset(&first.path, &first.text, offset)),
        None => diagnostic.in_file(&first.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_yaml_and_toml_keys_inside_the_front_matter_only() {
        let yaml = "---\ntitle: A\ncss: style.css\n---\ncss: not this\n";
        assert_eq!(key_offset(yaml, "css"), Some(13));
        let toml = "+++\ntitle = \"A\"\ncss = \"style.css\"\n+++\n";
        assert_eq!(key_offset(toml, "css"), Some(16));
        assert_eq!(key_offset("---\ntitle: A\n---\ncover: x\n", "cover"), None);
        // A key that only starts like another is not it.
        assert_eq!(key_offset("---\ncssx: a\n---\n", "css"), None);
    }
}
