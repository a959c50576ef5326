//! Splitting, links, images and figures on documents.

use super::*;
use std::path::PathBuf;

fn source(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: PathBuf::from(path),
        absolute: PathBuf::from("/book").join(path),
        text: text.to_string(),
    }
}

fn h(level: u8, id: &str, text: &str) -> Node {
    Element::new(format!("h{level}"))
        .with_attr("id", id)
        .with_text(text)
        .into()
}

fn p(children: Vec<Node>) -> Node {
    let mut e = Element::new("p");
    e.children = children;
    e.into()
}

fn a(href: &str, text: &str) -> Node {
    Element::new("a")
        .with_attr("href", href)
        .with_text(text)
        .into()
}

fn xhtml(nodes: &[Node]) -> String {
    let mut out = String::new();
    dom::write_xhtml(nodes, &mut out);
    out
}

#[test]
fn splits_at_headings_up_to_the_level_and_skips_empty_parts() {
    let nodes = vec![
        Node::Text("\n".into()),
        h(1, "one", "One"),
        p(vec![Node::Text("a".into())]),
        h(2, "sub", "Sub"),
        h(1, "two", "Two"),
    ];
    let mut n = 0;
    let docs = split_into_documents(0, nodes.clone(), 1, &mut n);
    assert_eq!(
        docs.iter()
            .map(|d| d.file_name.as_str())
            .collect::<Vec<_>>(),
        ["chapter-001.xhtml", "chapter-002.xhtml"]
    );
    assert_eq!(docs[0].nodes.len(), 4);
    let mut n = 0;
    assert_eq!(split_into_documents(0, nodes, 0, &mut n).len(), 1);
}

#[test]
fn links_are_rewritten_across_documents_and_broken_ones_dropped() {
    let files = vec![source("a.md", "x"), source("b.md", "y")];
    let mut docs = vec![
        Document {
            file: 0,
            file_name: "chapter-001.xhtml".into(),
            nodes: vec![
                p(vec![
                    a("b.md#part", "to b"),
                    a("#top", "self"),
                    a("./b.md", "b"),
                    a("missing.md", "gone"),
                    a("#nowhere", "nowhere"),
                    a("https://example.org/a b", "web"),
                ]),
                h(1, "top", "Top"),
            ],
        },
        Document {
            file: 1,
            file_name: "chapter-002.xhtml".into(),
            nodes: vec![h(1, "part", "Part")],
        },
    ];
    let mut diagnostics = Diagnostics::new();
    resolve_links(&mut docs, &files, &mut diagnostics);
    assert_eq!(
        xhtml(&docs[0].nodes[..1]),
        "<p><a href=\"chapter-002.xhtml#part\">to b</a><a href=\"#top\">self</a><a href=\"chapter-002.xhtml\">b</a>gonenowhere<a href=\"https://example.org/a%20b\">web</a></p>"
    );
    let messages: Vec<String> = diagnostics
        .items()
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "link to `missing.md` removed: `missing.md` is not one of the book's Markdown files",
            "link to `#nowhere` removed: there is no `#nowhere` in a.md",
        ]
    );
}

#[test]
fn github_style_ids_and_links_to_html_pages_resolve() {
    let files = vec![
        source("a.md", "x"),
        source("b.md", "y"),
        source("README.md", ""),
    ];
    let heading = Element::new("h2")
        .with_attr("id", "terminal-console-overview")
        .with_attr(ALIAS_ATTRIBUTE, "terminal--console-overview")
        .with_text("Terminal & Console Overview");
    let mut docs = vec![
        Document {
            file: 0,
            file_name: "chapter-001.xhtml".into(),
            nodes: vec![
                p(vec![
                    a("#terminal--console-overview", "toc"),
                    a("b.html#part", "html"),
                    a("b.xhtml", "xhtml"),
                    a("index.html", "index"),
                    a("c.html", "gone"),
                ]),
                heading.into(),
            ],
        },
        Document {
            file: 1,
            file_name: "chapter-002.xhtml".into(),
            nodes: vec![h(1, "part", "Part")],
        },
        Document {
            file: 2,
            file_name: "chapter-003.xhtml".into(),
            nodes: vec![h(1, "readme", "Read me")],
        },
    ];
    let mut diagnostics = Diagnostics::new();
    resolve_links(&mut docs, &files, &mut diagnostics);
    assert_eq!(
        xhtml(&docs[0].nodes),
        "<p><a href=\"#terminal-console-overview\">toc</a><a href=\"chapter-002.xhtml#part\">html</a><a href=\"chapter-002.xhtml\">xhtml</a><a href=\"chapter-003.xhtml\">index</a>gone</p><h2 id=\"terminal-console-overview\">Terminal &amp; Console Overview</h2>"
    );
    assert_eq!(diagnostics.items().len(), 1);
}

#[test]
fn figures_and_headings_are_read_off_the_tree() {
    let files = vec![source("a.md", "")];
    let figure = Element::new("figure")
        .with_child(
            Element::new("img")
                .with_attr("src", "../images/x.jpg")
                .with_attr("alt", "Alt")
                .into(),
        )
        .with_child(Element::new("figcaption").with_text(" A  caption ").into());
    let docs = vec![Document {
        file: 0,
        file_name: "chapter-001.xhtml".into(),
        nodes: vec![h(1, "t", "Title"), figure.into(), h(3, "deep", "Deep")],
    }];
    let chapters = into_chapters(docs, &files, "Book");
    let chapter = &chapters[0];
    assert_eq!(chapter.title, "Title");
    assert_eq!(chapter.headings.len(), 2);
    assert_eq!(
        chapter.figures,
        [Figure {
            id: "figure-1".into(),
            src: "../images/x.jpg".into(),
            alt: "Alt".into(),
            caption: Some("A caption".into()),
            number: None,
            credit: None,
        }]
    );
    assert!(xhtml(&chapter.body).contains("<figure id=\"figure-1\">"));
}

#[test]
fn embedded_captions_fill_figures_without_one() {
    let figure = Element::new("figure").with_attr("id", "fig-1").with_child(
        Element::new("img")
            .with_attr("src", "images/x.jpg")
            .with_attr("alt", "")
            .into(),
    );
    let mut docs = vec![Document {
        file: 0,
        file_name: "c.xhtml".into(),
        nodes: vec![figure.into()],
    }];
    apply_images(&mut docs, &|_, src| {
        Some(ImageOutcome::Use {
            src: match src {
                "images/x.jpg" => "../images/h.jpg".into(),
                other => panic!("asked about {other}"),
            },
            embedded_caption: Some("From the photo".into()),
            embedded_credit: Some("Ann Lee".into()),
        })
    });
    assert_eq!(
        xhtml(&docs[0].nodes),
        "<figure id=\"fig-1\"><img src=\"../images/h.jpg\" alt=\"From the photo\"/><figcaption>From the photo <small class=\"credit\">Ann Lee</small></figcaption></figure>"
    );
}

#[test]
fn classifies_hrefs() {
    assert_eq!(classify("#a%20b"), Target::Fragment("a b".into()));
    assert_eq!(
        classify("other%20file.md#x"),
        Target::Local {
            path: "other file.md".into(),
            fragment: Some("x".into())
        }
    );
    assert!(matches!(classify("mailto:a@b.c"), Target::External(_)));
    assert!(matches!(classify("http://[bad"), Target::Invalid(_)));
    assert!(matches!(classify("?q=1"), Target::Invalid(_)));
    assert_eq!(image_target("images/a.jpg"), Ok("images/a.jpg".into()));
    assert!(image_target("https://example.org/a.jpg").is_err());
}
