//! The table of contents as a tree, shared by the EPUB 3 navigation document and the EPUB 2
//! NCX so the two can never disagree.
//!
//! Headings become entries up to `meta.toc_depth`. Nesting follows levels, but a skipped level
//! (an `h1` followed by an `h3`) nests one step, not two: each entry becomes a child of the
//! nearest earlier entry with a smaller level. Navigation documents require every `ol` to hold
//! `li`s with a link, so an empty intermediate level could not be written anyway.

use crate::model::{Book, Chapter};

use super::{TITLE_PAGE, chapter_href};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TocEntry {
    pub label: String,
    /// Relative to the OEBPS folder (where `nav.xhtml` and `toc.ncx` are).
    pub href: String,
    pub children: Vec<TocEntry>,
}

/// A heading (or a whole chapter) before nesting.
struct FlatEntry {
    level: u8,
    label: String,
    href: String,
    /// A chapter listed by its title has no headings of its own to nest under it; letting the
    /// next chapter's `h2`s fall under it would misplace them.
    takes_children: bool,
}

pub(super) fn table_of_contents(book: &Book) -> Vec<TocEntry> {
    let mut flat = Vec::new();
    for chapter in &book.chapters {
        flatten_chapter(book, chapter, &mut flat);
    }
    if flat.is_empty() {
        // A book without chapters still needs one entry: an empty list is invalid in both
        // navigation formats.
        flat.push(FlatEntry {
            level: 1,
            label: non_empty_or(&book.meta.title, "Title page"),
            href: TITLE_PAGE.to_owned(),
            takes_children: false,
        });
    }
    nest(&flat)
}

fn flatten_chapter(book: &Book, chapter: &Chapter, flat: &mut Vec<FlatEntry>) {
    let href = chapter_href(chapter);
    let chapter_label = non_empty_or(&chapter.title, &book.meta.title);
    let before = flat.len();
    for heading in &chapter.headings {
        if heading.level == 0 || heading.level > book.meta.toc_depth {
            continue;
        }
        flat.push(FlatEntry {
            level: heading.level,
            label: non_empty_or(&heading.text, &chapter_label),
            href: format!("{href}#{}", crate::xhtml::dom::encode_fragment(&heading.id)),
            takes_children: true,
        });
    }
    if flat.len() == before {
        flat.push(FlatEntry {
            level: 1,
            label: chapter_label,
            href,
            takes_children: false,
        });
    }
}

fn nest(flat: &[FlatEntry]) -> Vec<TocEntry> {
    let mut entries = Vec::new();
    let mut index = 0;
    while let Some(entry) = flat.get(index) {
        let mut end = index + 1;
        if entry.takes_children {
            while flat.get(end).is_some_and(|next| next.level > entry.level) {
                end += 1;
            }
        }
        entries.push(TocEntry {
            label: entry.label.clone(),
            href: entry.href.clone(),
            children: nest(&flat[index + 1..end]),
        });
        index = end;
    }
    entries
}

/// How many levels deep the tree is (the NCX's `dtb:depth`).
pub(super) fn depth(entries: &[TocEntry]) -> usize {
    entries
        .iter()
        .map(|entry| 1 + depth(&entry.children))
        .max()
        .unwrap_or(0)
}

fn non_empty_or(text: &str, fallback: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        fallback.trim().to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(level: u8, label: &str) -> FlatEntry {
        FlatEntry {
            level,
            label: label.into(),
            href: format!("text/a.xhtml#{label}"),
            takes_children: true,
        }
    }

    fn shape(entries: &[TocEntry]) -> String {
        entries
            .iter()
            .map(|e| {
                if e.children.is_empty() {
                    e.label.clone()
                } else {
                    format!("{}({})", e.label, shape(&e.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn skipped_levels_nest_one_step() {
        let tree = nest(&[
            flat(1, "a"),
            flat(3, "a1"),
            flat(2, "a2"),
            flat(3, "a2x"),
            flat(1, "b"),
        ]);
        assert_eq!(shape(&tree), "a(a1 a2(a2x)) b");
        assert_eq!(depth(&tree), 3);
    }

    #[test]
    fn a_book_starting_below_the_top_level_keeps_its_entries_at_the_top() {
        let tree = nest(&[flat(2, "x"), flat(3, "y"), flat(1, "z")]);
        assert_eq!(shape(&tree), "x(y) z");
    }

    #[test]
    fn a_chapter_listed_by_title_takes_no_children() {
        let mut untitled = flat(1, "intro");
        untitled.takes_children = false;
        let tree = nest(&[untitled, flat(2, "b"), flat(3, "c")]);
        assert_eq!(shape(&tree), "intro b(c)");
    }
}
