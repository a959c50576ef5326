//! Figures across the book (issue 14): ids unique in the whole book, numbers in reading order,
//! cross-references with empty text (`[](#fig:harbour)` → "Plate 3"), numbers in captions,
//! and the widths that make a row's images the same height.
//!
//! A figure here is a `<figure>` holding an `<img>` directly; a row (`<figure class="row">`)
//! holds such figures and is not one itself, so each image of a row is numbered and listed.
//! Everything works on the documents' trees and opens no file.
//!
//! The numbers are worked out twice, from the same trees in the same order: once when the
//! manuscript is analysed (cross-references, so `bindery check` warns about them) and once
//! after the images are known (captions, which may only then come from the photo itself).

use std::collections::{HashMap, HashSet};

use crate::documents::Document;
use crate::model::FigureSettings;
use crate::xhtml::dom::{self, Element, Node};

/// The class of a figure that holds two or three figures side by side.
pub const ROW_CLASS: &str = "row";

/// Where a figure keeps the number it was given when the manuscript was analysed, until its
/// caption shows it: a figure whose image is missing (a draft with `--allow-missing-images`)
/// loses its `<img>` in between, and must not shift the numbers of the figures after it, which
/// cross-references already show.
const NUMBER_ATTRIBUTE: &str = "data-bindery-number";

fn is_figure(element: &Element) -> bool {
    element.name == "figure"
        && element
            .children
            .iter()
            .any(|c| matches!(c, Node::Element(img) if img.name == "img"))
}

/// Renames figure ids used by an earlier figure in another file (`fig:harbour` in two
/// chapters) to `fig:harbour-2`, …, so a figure can be found by its id alone.
pub fn make_ids_unique(documents: &mut [Document]) {
    let mut all_ids: HashSet<String> = HashSet::new();
    for document in documents.iter() {
        dom::for_each_element(&document.nodes, &mut |e| {
            if let Some(id) = e.attr("id") {
                all_ids.insert(id.to_string());
            }
        });
    }
    let mut figure_ids: HashMap<String, usize> = HashMap::new();
    let mut taken_by_file: HashSet<(usize, String)> = HashSet::new();
    for document in documents.iter_mut() {
        let file = document.file;
        dom::for_each_element_mut(&mut document.nodes, &mut |e| {
            if !is_figure(e) {
                return;
            }
            let Some(id) = e.attr("id").map(str::to_string) else {
                return;
            };
            match figure_ids.get(&id).copied() {
                // First seen, or the same file again (a file split into documents).
                None => {
                    figure_ids.insert(id.clone(), file);
                    taken_by_file.insert((file, id));
                }
                Some(owner) if owner == file => {}
                Some(_) => {
                    let mut n = 2;
                    let fresh = loop {
                        let candidate = format!("{id}-{n}");
                        if !all_ids.contains(&candidate) {
                            break candidate;
                        }
                        n += 1;
                    };
                    all_ids.insert(fresh.clone());
                    figure_ids.insert(fresh.clone(), file);
                    e.set_attr("id", fresh);
                }
            }
        });
    }
}

/// Every figure's id with its number (from 1) in reading order.
fn numbers(documents: &[Document]) -> HashMap<String, usize> {
    let mut numbers = HashMap::new();
    for document in documents {
        dom::for_each_element(&document.nodes, &mut |e| {
            if is_figure(e)
                && let Some(id) = e.attr("id")
            {
                let next = numbers.len() + 1;
                numbers.entry(id.to_string()).or_insert(next);
            }
        });
    }
    numbers
}

/// "Plate 3": what a figure is called where it is referred to and in its caption.
pub fn figure_name(settings: &FigureSettings, number: usize) -> String {
    format!("{} {number}", settings.label)
}

/// Gives links with no text that point at a figure (`[](#fig:harbour)`) the figure's name:
/// "Plate 3" when the book numbers its figures, else the caption (or the alt text). Links
/// with text keep it. A link to an id no figure has is left to the link stage, which warns
/// at its line and keeps nothing of an empty link.
pub fn name_cross_references(documents: &mut [Document], settings: &FigureSettings) {
    let numbers = numbers(documents);
    for document in documents.iter_mut() {
        dom::for_each_element_mut(&mut document.nodes, &mut |e| {
            if is_figure(e)
                && let Some(&number) = e.attr("id").and_then(|id| numbers.get(id))
            {
                e.set_attr(NUMBER_ATTRIBUTE, number.to_string());
            }
        });
    }
    let mut descriptions: HashMap<String, String> = HashMap::new();
    for document in documents.iter() {
        dom::for_each_element(&document.nodes, &mut |e| {
            if is_figure(e)
                && let Some(id) = e.attr("id")
            {
                descriptions.insert(id.to_string(), describe(e));
            }
        });
    }
    for document in documents.iter_mut() {
        dom::for_each_element_mut(&mut document.nodes, &mut |a| {
            if a.name != "a" || !a.text_content().trim().is_empty() || has_element_child(a) {
                return;
            }
            let Some(href) = a.attr("href") else {
                return;
            };
            let Some((_, fragment)) = href.split_once('#') else {
                return;
            };
            let id = crate::documents::percent_decode(fragment);
            let Some(&number) = numbers.get(&id) else {
                return;
            };
            let text = if settings.numbering {
                figure_name(settings, number)
            } else {
                match descriptions.get(&id) {
                    Some(description) if !description.is_empty() => description.clone(),
                    _ => figure_name(settings, number),
                }
            };
            a.children = vec![Node::Text(text)];
        });
    }
}

fn has_element_child(element: &Element) -> bool {
    element
        .children
        .iter()
        .any(|c| matches!(c, Node::Element(_)))
}

/// A figure's caption words (no credit), else its image's alt text.
fn describe(figure: &Element) -> String {
    let caption = figure.children.iter().find_map(|c| match c {
        Node::Element(fc) if fc.name == "figcaption" => Some(
            fc.children
                .iter()
                .filter(|n| !matches!(n, Node::Element(e) if e.attr("class") == Some("credit")))
                .map(|n| match n {
                    Node::Text(t) => t.clone(),
                    Node::Element(e) => e.text_content(),
                })
                .collect::<String>(),
        ),
        _ => None,
    });
    let alt = figure.children.iter().find_map(|c| match c {
        Node::Element(img) if img.name == "img" => img.attr("alt").map(str::to_string),
        _ => None,
    });
    let text = caption
        .filter(|c| !c.trim().is_empty())
        .or(alt)
        .unwrap_or_default();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Puts each figure's number at the start of its caption when the book numbers figures
/// (`<span class="figure-number">Plate 3.</span>`), and gives each image of a row a flex
/// weight equal to its aspect ratio, so that side by side the images have one height.
/// `size` is asked with an image's final `src` (`../images/….jpg`). The numbers are those
/// [`name_cross_references`] gave.
pub fn finish(
    documents: &mut [Document],
    settings: &FigureSettings,
    size: &impl Fn(&str) -> Option<(u32, u32)>,
) {
    for document in documents.iter_mut() {
        dom::for_each_element_mut(&mut document.nodes, &mut |e| {
            if e.name == "figure" && e.attr("class") == Some(ROW_CLASS) {
                for child in &mut e.children {
                    if let Node::Element(member) = child
                        && is_figure(member)
                        && let Some(ratio) = image_ratio(member, size)
                    {
                        // `flex: <ratio> 1 0`: widths share the row in proportion to the
                        // images' aspect ratios. Readers without flexbox ignore it and
                        // show the images one under the other.
                        member.set_attr("style", format!("flex: {ratio:.4} 1 0"));
                    }
                }
            }
            let number = e
                .remove_attr(NUMBER_ATTRIBUTE)
                .and_then(|n| n.parse::<usize>().ok());
            let Some(number) = number.filter(|_| settings.numbering && is_figure(e)) else {
                return;
            };
            let label = Element::new("span")
                .with_attr("class", "figure-number")
                .with_text(format!("{}.", figure_name(settings, number)));
            let caption = match e
                .children
                .iter()
                .position(|c| matches!(c, Node::Element(fc) if fc.name == "figcaption"))
            {
                Some(at) => at,
                None => {
                    e.children.push(Element::new("figcaption").into());
                    e.children.len() - 1
                }
            };
            if let Node::Element(figcaption) = &mut e.children[caption] {
                let has_words = !figcaption.text_content().trim().is_empty();
                let mut children = vec![label.into()];
                if has_words {
                    children.push(Node::Text(" ".to_string()));
                }
                children.append(&mut figcaption.children);
                figcaption.children = children;
            }
        });
    }
}

fn image_ratio(figure: &Element, size: &impl Fn(&str) -> Option<(u32, u32)>) -> Option<f64> {
    let src = figure.children.iter().find_map(|c| match c {
        Node::Element(img) if img.name == "img" => img.attr("src"),
        _ => None,
    })?;
    let (width, height) = size(src)?;
    (width > 0 && height > 0).then(|| f64::from(width) / f64::from(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(id: &str, src: &str, caption: Option<&str>) -> Element {
        let mut e = Element::new("figure").with_attr("id", id).with_child(
            Element::new("img")
                .with_attr("src", src)
                .with_attr("alt", format!("alt of {id}"))
                .into(),
        );
        if let Some(caption) = caption {
            e = e.with_child(Element::new("figcaption").with_text(caption).into());
        }
        e
    }

    fn document(file: usize, name: &str, nodes: Vec<Node>) -> Document {
        Document {
            file,
            file_name: name.into(),
            nodes,
        }
    }

    fn xhtml(nodes: &[Node]) -> String {
        let mut out = String::new();
        dom::write_xhtml(nodes, &mut out);
        out
    }

    fn link(href: &str, text: &str) -> Node {
        Element::new("a")
            .with_attr("href", href)
            .with_text(text)
            .into()
    }

    #[test]
    fn ids_repeated_in_another_file_get_a_suffix_and_numbers_follow_reading_order() {
        let row = Element::new("figure")
            .with_attr("class", ROW_CLASS)
            .with_child(figure("fig:a", "a.jpg", None).into())
            .with_child(figure("fig:b", "b.jpg", Some("Bee")).into());
        let mut docs = vec![
            document(0, "c1.xhtml", vec![figure("fig:x", "x.jpg", None).into()]),
            document(0, "c2.xhtml", vec![row.into()]),
            document(
                1,
                "c3.xhtml",
                vec![figure("fig:x", "y.jpg", Some("Why")).into()],
            ),
        ];
        make_ids_unique(&mut docs);
        assert!(xhtml(&docs[2].nodes).starts_with("<figure id=\"fig:x-2\">"));
        let numbers = numbers(&docs);
        assert_eq!(
            [
                numbers["fig:x"],
                numbers["fig:a"],
                numbers["fig:b"],
                numbers["fig:x-2"]
            ],
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn empty_links_to_figures_are_named_and_others_left_alone() {
        let mut settings = FigureSettings {
            numbering: true,
            label: "Plate".into(),
            embedded_credits: false,
        };
        let nodes = vec![
            figure("fig:x", "x.jpg", Some("Harbour")).into(),
            Element::new("p")
                .with_child(link("#fig:x", ""))
                .with_child(link("#fig:x", "the harbour"))
                .with_child(link("other.md#fig%3Ax", " "))
                .with_child(link("#fig:none", ""))
                .into(),
        ];
        let mut docs = vec![document(0, "c1.xhtml", nodes.clone())];
        name_cross_references(&mut docs, &settings);
        assert_eq!(
            xhtml(&docs[0].nodes[1..]),
            "<p><a href=\"#fig:x\">Plate 1</a><a href=\"#fig:x\">the harbour</a><a href=\"other.md#fig%3Ax\">Plate 1</a><a href=\"#fig:none\"></a></p>"
        );
        settings.numbering = false;
        let mut docs = vec![document(0, "c1.xhtml", nodes)];
        name_cross_references(&mut docs, &settings);
        assert!(xhtml(&docs[0].nodes[1..]).starts_with("<p><a href=\"#fig:x\">Harbour</a>"));
    }

    #[test]
    fn numbers_go_into_captions_and_row_members_get_flex_weights() {
        let settings = FigureSettings {
            numbering: true,
            label: "Plate".into(),
            embedded_credits: false,
        };
        let row = Element::new("figure")
            .with_attr("class", ROW_CLASS)
            .with_child(figure("fig:a", "a.jpg", None).into())
            .with_child(figure("fig:b", "b.jpg", Some("Bee")).into());
        let mut docs = vec![document(0, "c1.xhtml", vec![row.into()])];
        name_cross_references(&mut docs, &settings);
        // The second image went missing in between: the first keeps its number.
        dom::for_each_element_mut(&mut docs[0].nodes, &mut |e| {
            if e.attr("id") == Some("fig:a") {
                e.children
                    .retain(|c| !matches!(c, Node::Element(i) if i.name == "img"));
            }
        });
        finish(&mut docs, &settings, &|src| match src {
            "a.jpg" => Some((300, 200)),
            _ => Some((100, 200)),
        });
        assert_eq!(
            xhtml(&docs[0].nodes),
            "<figure class=\"row\"><figure id=\"fig:a\"></figure><figure id=\"fig:b\" style=\"flex: 0.5000 1 0\"><img src=\"b.jpg\" alt=\"alt of fig:b\"/><figcaption><span class=\"figure-number\">Plate 2.</span> Bee</figcaption></figure></figure>"
        );
    }
}
