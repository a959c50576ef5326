//! `text/title.xhtml`: title, subtitle, who made the book, publisher and date.
//!
//! Authors are listed by name alone; everyone else by what they did ("Photographs by …"),
//! grouped by role in the order the front matter first names them. The role phrases are
//! English: bindery has no translations yet.

use crate::model::{Creator, Meta};

use super::layout::TEXT_TO_ROOT;
use super::{PackagePlan, xhtml_document};

pub(super) fn title_page(plan: &PackagePlan) -> String {
    let meta = &plan.book.meta;
    xhtml_document(plan, &meta.title, TEXT_TO_ROOT, &[], |xml| {
        xml.open(
            "section",
            &[("epub:type", "titlepage"), ("class", "titlepage")],
        );
        xml.leaf("h1", &[("class", "title")], &meta.title);
        if let Some(subtitle) = &meta.subtitle {
            xml.leaf("p", &[("class", "subtitle")], subtitle);
        }
        for (class, line) in credit_lines(meta) {
            xml.leaf("p", &[("class", class)], &line);
        }
        if let Some(publisher) = &meta.publisher {
            xml.leaf("p", &[("class", "publisher")], publisher);
        }
        if let Some(date) = &meta.date {
            // A full timestamp is more than a title page needs; the date part says it.
            let day = date.split('T').next().unwrap_or(date);
            xml.leaf("p", &[("class", "date")], day);
        }
        xml.close("section");
    })
}

/// `("author", "Ada and Bob")`, `("contributor", "Photographs by Cy")`, …
fn credit_lines(meta: &Meta) -> Vec<(&'static str, String)> {
    let mut roles: Vec<&str> = Vec::new();
    for creator in &meta.creators {
        if !roles.contains(&creator.role.as_str()) {
            roles.push(&creator.role);
        }
    }
    roles
        .into_iter()
        .map(|role| {
            let names: Vec<&str> = meta
                .creators
                .iter()
                .filter(|creator| creator.role == role)
                .map(|creator: &Creator| creator.name.as_str())
                .collect();
            let names = join_names(&names);
            match role_phrase(role) {
                None => ("author", names),
                Some(phrase) => ("contributor", format!("{phrase} {names}")),
            }
        })
        .collect()
}

/// What a MARC relator code did, as a phrase before "by"; `None` for authors.
fn role_phrase(code: &str) -> Option<&'static str> {
    Some(match code {
        "aut" | "cre" => return None,
        "adp" => "Adapted by",
        "ann" => "Annotated by",
        "art" => "Art by",
        "aui" => "Introduction by",
        "aft" => "Afterword by",
        "com" => "Compiled by",
        "cov" => "Cover by",
        "des" => "Designed by",
        "edt" => "Edited by",
        "ill" => "Illustrated by",
        "nrt" => "Narrated by",
        "pht" => "Photographs by",
        "trl" => "Translated by",
        _ => "With contributions by",
    })
}

/// `A`, `A and B`, `A, B and C`.
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_names_as_a_list_in_words() {
        assert_eq!(join_names(&["A"]), "A");
        assert_eq!(join_names(&["A", "B"]), "A and B");
        assert_eq!(join_names(&["A", "B", "C"]), "A, B and C");
    }
}
