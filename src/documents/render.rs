//! Every Markdown file rendered and split into content documents, with what rendering
//! removed or could not convert reported at its line.

use super::Document;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::frontmatter;
use crate::markdown;
use crate::source::{Manuscript, SourceFile};
use crate::xhtml::{self, nesting};

/// Renders every file and splits it into content documents.
pub fn render_documents(
    manuscript: &Manuscript,
    config: &Config,
    split_level: u8,
    diagnostics: &mut Diagnostics,
) -> Vec<Document> {
    let mut next_figure = 0;
    let mut next_document = 0;
    let mut documents = Vec::new();
    for (index, file) in manuscript.files.iter().enumerate() {
        let split = match frontmatter::split(&file.path, &file.text) {
            Ok(split) => split,
            // The first file's unclosed front matter is reported by `read_meta`. In a later
            // file front matter means nothing, so a first line of `---` or `+++` that no
            // fence closes is what CommonMark says it is: a thematic break, or text. Either
            // way the file is rendered whole: skipping it would make its images "unused" and
            // links to its headings "removed", warnings that only follow from the error
            // (issue 10, item 8).
            Err(_) => frontmatter::Split::all_body(&file.text),
        };
        if index > 0 && split.block.is_some() {
            diagnostics.push(
                Diagnostic::warning("front matter in a later file is ignored")
                    .in_file(&file.path)
                    .with_help("the book's metadata comes from the first file only"),
            );
        }
        let rendered = match markdown::render_guarded(
            split.body,
            split.body_offset,
            &mut next_figure,
        ) {
            Ok(rendered) => rendered,
            Err(panic) => {
                let first_line = panic.lines().next().unwrap_or_default().to_string();
                diagnostics.push(
                        Diagnostic::error(format!(
                            "the Markdown parser failed on this file ({first_line})"
                        ))
                        .in_file(&file.path)
                        .with_help(
                            "this is a bug in pulldown-cmark, not in your text; simplify unusual raw HTML or stray `<` and `>` until it passes, and please report it",
                        ),
                    );
                continue;
            }
        };
        for removed in rendered.removed {
            let diagnostic = removal_diagnostic(&removed.what, config);
            diagnostics.push(super::located(diagnostic, file, removed.origin));
        }
        for problem in rendered.tex_errors {
            diagnostics.push(formula_diagnostic(problem, file));
        }
        documents.extend(super::split_into_documents(
            index,
            rendered.nodes,
            split_level,
            &mut next_document,
        ));
    }
    if documents.is_empty() && !manuscript.files.is_empty() {
        // A book of front matter alone still has its one (empty) page.
        documents.push(Document {
            file: 0,
            file_name: "chapter-001.xhtml".to_string(),
            nodes: Vec::new(),
        });
    }
    documents
}

/// A formula the TeX converter refused, at its place in the file.
fn formula_diagnostic(problem: markdown::TexProblem, file: &SourceFile) -> Diagnostic {
    super::located(
        Diagnostic::warning(format!(
            "this formula could not be converted to MathML: {}",
            problem.message
        )),
        file,
        Some(problem.origin),
    )
    .with_help("it is shown as its TeX, as written; fix the TeX, or write `\\$` for a dollar sign that does not start a formula")
}

/// What the author is told about something the HTML stage removed (`what`, in its words).
fn removal_diagnostic(what: &str, config: &Config) -> Diagnostic {
    match inline_image_scheme(what) {
        // Not an attack but a picture that cannot travel: said as such, and refused
        // like a remote image (a warning for drafts).
        Some(scheme) => {
            let message = format!(
                "a {scheme}: image URL cannot be used; save the image into the book folder and refer to it by a relative path"
            );
            if config.allow_missing_images {
                Diagnostic::warning(format!("{message}; its alt text is shown instead"))
            } else {
                Diagnostic::error(message)
            }
            .with_help(if scheme == "data" {
                "a data: URL holds the image inside the text; decode it to a file, e.g. images/figure.png, and write ![alt](images/figure.png)"
            } else {
                "a file: URL points at one computer's disk; copy the file into the book folder, e.g. images/photo.jpg, and write ![alt](images/photo.jpg)"
            })
        }
        None => Diagnostic::warning(format!("removed {} from the HTML", what))
            .with_help(removal_help(what)),
    }
}

/// What to do about a removal, by its kind (the HTML stage's words say which): each kind has
/// its own reason, and telling an author with an inline style about scripts helps no one.
fn removal_help(what: &str) -> String {
    if what.starts_with(xhtml::NESTING_CUT) {
        format!(
            "elements may nest at most {} deep; flatten the nesting here",
            nesting::MAX_NESTING
        )
    } else if what == "style attribute" {
        "inline styles are not kept; give the element a class and style it in a stylesheet named by `css:`".into()
    } else if what.starts_with("duplicate id") {
        "an id names one place in a chapter; links to it go to the first, so rename the other"
            .into()
    } else if what.ends_with("(its content is kept)") {
        "this tag is not part of the XHTML that EPUB readers take; its text stays, only the tag's effect is lost".into()
    } else if what.contains("(changed to <div>)") || what.ends_with("not allowed here") {
        "EPUB needs valid XHTML, so the structure was repaired as said; fix it in the source to get what you meant".into()
    } else if what.contains("(invalid value)") || what.contains("not a valid") {
        "the value is not one EPUB readers accept there; correct it, or leave the attribute out"
            .into()
    } else {
        "EPUB content may not hold scripts, forms, frames or event handlers".into()
    }
}

/// `data` or `file` when the HTML stage removed an image source of that scheme (its words:
/// "data: image source").
fn inline_image_scheme(what: &str) -> Option<&'static str> {
    ["data", "file"]
        .into_iter()
        .find(|scheme| what.starts_with(&format!("{scheme}: image source")))
}

#[cfg(test)]
mod tests {
    use super::removal_help;

    #[test]
    fn each_kind_of_removal_gets_its_own_help() {
        let help = |what: &str| removal_help(what);
        assert!(help("style attribute").contains("stylesheet named by `css:`"));
        assert!(help("<font> tag (its content is kept)").contains("its text stays"));
        assert!(help("duplicate id \"a\" (renamed \"a-2\")").contains("rename the other"));
        assert!(help("lang=\"??\" attribute on <p> (invalid value)").contains("correct it"));
        assert!(help("second <summary> in <details> (changed to <div>)").contains("repaired"));
        for dangerous in [
            "onclick attribute",
            "<script> element",
            "javascript: URL in href attribute",
        ] {
            assert!(
                help(dangerous).contains("scripts, forms, frames"),
                "{dangerous}"
            );
        }
    }
}
