//! The generated cover's words: who the byline names, which parts the bundled font cannot
//! draw (each a warning at its front-matter line), and the cover made from them when the book
//! names no `cover:` image.

use std::path::Path;

use super::ProcessedImage;
use super::generated_cover::{self, CoverText};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::{IoContext, Result};
use crate::frontmatter;
use crate::model::Meta;
use crate::source::SourceFile;

/// What a generated cover says: the title, subtitle and authors.
fn cover_text(meta: &Meta) -> CoverText {
    let authors: Vec<&str> = meta
        .creators
        .iter()
        .filter(|c| matches!(c.role.as_str(), "aut" | "cre"))
        .map(|c| c.name.as_str())
        .collect();
    // A book without an author (an anthology, a photo essay) is credited to whoever made it.
    let names: Vec<&str> = if authors.is_empty() {
        meta.creators.iter().map(|c| c.name.as_str()).collect()
    } else {
        authors
    };
    CoverText {
        title: meta.title.clone(),
        subtitle: meta.subtitle.clone(),
        byline: list_of_words(&names),
    }
}

/// A warning for each part of a generated cover's text that the bundled font cannot draw
/// and that is therefore left off it (never drawn as empty boxes), in `check` and `build`.
pub fn cover_warnings(
    meta: &Meta,
    first: &SourceFile,
    diagnostics: &mut Diagnostics,
) -> Result<()> {
    if meta.cover.is_some() {
        return Ok(());
    }
    for left in generated_cover::left_off(&cover_text(meta))? {
        let sample: String = left.characters.chars().take(8).collect();
        let (what, key) = match left.part {
            "title" => ("the title", "title"),
            "subtitle" => ("the subtitle", "subtitle"),
            _ => ("the names", "author"),
        };
        let warning = Diagnostic::warning(format!(
            "the generated cover leaves out {what}: its font, EB Garamond, cannot draw {} (`{sample}`)",
            list_of_words(&left.scripts),
        ))
        .with_help(format!(
            "the title page still shows {what}; for a cover that does, set `cover:` to an image"
        ));
        diagnostics.push(frontmatter::locate::at_key(warning, first, key));
    }
    Ok(())
}

/// `a`, `a and b`, `a, b and c`.
fn list_of_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Every book gets a cover: readers' library views show a sideloaded book by its cover image.
/// Without `cover:` one is typeset from the title, subtitle and authors.
pub fn generate_cover(meta: &Meta, grayscale: bool, scratch: &Path) -> Result<ProcessedImage> {
    let text = cover_text(meta);
    let bytes = generated_cover::render(&text, grayscale)?;
    let file_name = super::work::output_file_name(&bytes, generated_cover::FORMAT);
    let path = scratch.join(&file_name);
    std::fs::write(&path, &bytes).context("write the generated cover", &path)?;
    Ok(ProcessedImage {
        source: path.clone(),
        file_name,
        media_type: generated_cover::FORMAT.media_type(),
        path,
        width: generated_cover::WIDTH,
        height: generated_cover::HEIGHT,
        bytes_in: 0,
        bytes_out: bytes.len() as u64,
        embedded_caption: None,
        embedded_credit: None,
        cache_hit: false,
        cache_note: None,
        warning: None,
    })
}
