//! Markdown rendering: figures, rows, footnotes, slugs, origins, and any input staying valid.

use super::*;

#[test]
fn raw_html_start_tags_are_marked_with_their_origin() {
    let origin = |n: u8| format!("data-bindery-origin=\"{n}\"");
    assert_eq!(
        mark_start_tags("<script>alert(1)</script>\n", 7),
        format!("<script {}>alert(1)</script>\n", origin(7))
    );
    assert_eq!(
        mark_start_tags("<iframe src=x></iframe><form><input/></form>", 3),
        format!(
            "<iframe {} src=x></iframe><form {}><input {}/></form>",
            origin(3),
            origin(3),
            origin(3)
        )
    );
    // Quoted values are copied as they are, `>` and `<` in them included.
    assert_eq!(
        mark_start_tags("<img alt='a > <b>' title=\"<i>\">", 0),
        format!("<img {} alt='a > <b>' title=\"<i>\">", origin(0))
    );
    for untouched in [
        "</div>",
        "<!-- c -->",
        "<a:b>",
        "a < b",
        "plain",
        "<",
        "<1>",
    ] {
        assert_eq!(mark_start_tags(untouched, 3), untouched);
    }
}

fn html(markdown: &str) -> String {
    let mut next = 0;
    render_html(markdown, 0, &mut next)
}

#[test]
fn an_image_alone_in_its_paragraph_becomes_a_figure_with_caption() {
    assert_eq!(
        html("![A customs form](images/a.jpg \"Customs form & rules\")\n"),
        "<figure id=\"fig:a\" data-bindery-origin=\"0\"><img src=\"images/a.jpg\" alt=\"A customs form\" data-bindery-origin=\"0\"/><figcaption>Customs form &amp; rules</figcaption></figure>\n"
    );
}

#[test]
fn a_figure_without_title_has_no_caption_and_inline_images_stay_inline() {
    let out = html("![Alt *text*](a.jpg)\n\nSee ![icon](i.png) here.\n");
    assert_eq!(
        out,
        "<figure id=\"fig:a\" data-bindery-origin=\"0\"><img src=\"a.jpg\" alt=\"Alt text\" data-bindery-origin=\"0\"/></figure>\n\
         <p>See <img src=\"i.png\" alt=\"icon\" data-bindery-origin=\"26\"/> here.</p>\n"
    );
}

#[test]
fn figures_are_counted_across_calls_and_named_after_their_file() {
    let mut next = 4;
    let out = render_html(
        "![a](img/01%20Harbour.view.jpg)\n\n![b](b/01%20Harbour.view.png)\n",
        0,
        &mut next,
    );
    assert!(
        out.starts_with("<figure id=\"fig:01-harbour-view\""),
        "{out}"
    );
    assert!(
        out.contains("<figure id=\"fig:01-harbour-view-2\""),
        "{out}"
    );
    assert_eq!(next, 6);
}

#[test]
fn an_attribute_block_right_after_a_figure_sets_id_classes_and_credit() {
    assert_eq!(
        html("![Boats](h.jpg \"The harbour\"){#fig:port .full credit=\"Photo: *Ann* & co\"}\n"),
        "<figure id=\"fig:port\" class=\"full\" data-bindery-origin=\"0\"><img src=\"h.jpg\" alt=\"Boats\" data-bindery-origin=\"0\"/><figcaption>The harbour <small class=\"credit\">Photo: *Ann* &amp; co</small></figcaption></figure>\n"
    );
    // Not directly after the image, not valid, or not alone with it: the text stays.
    for text in [
        "![a](a.jpg) {.full}\n",
        "![a](a.jpg){not attributes}\n",
        "![a](a.jpg){.full} and text\n",
        "See ![a](a.jpg){.full}\n",
    ] {
        let out = html(text);
        assert!(out.contains("{"), "{text:?} gave {out}");
        assert!(!out.contains("<figure"), "{text:?} gave {out}");
    }
}

#[test]
fn two_or_three_images_alone_in_a_paragraph_make_a_row() {
    let out = html(
        "![One](a.jpg \"First\"){credit=Ann}\n![Two](b.jpg)\n\n![1](c.jpg) ![2](d.jpg) ![3](e.jpg) ![4](f.jpg)\n",
    );
    assert_eq!(
        out,
        "<figure class=\"row\" data-bindery-origin=\"0\"><figure id=\"fig:a\" data-bindery-origin=\"0\"><img src=\"a.jpg\" alt=\"One\" data-bindery-origin=\"0\"/><figcaption>First <small class=\"credit\">Ann</small></figcaption></figure>\n\
         <figure id=\"fig:b\" data-bindery-origin=\"34\"><img src=\"b.jpg\" alt=\"Two\" data-bindery-origin=\"34\"/></figure>\n\
         </figure>\n\
         <p><img src=\"c.jpg\" alt=\"1\" data-bindery-origin=\"49\"/> <img src=\"d.jpg\" alt=\"2\" data-bindery-origin=\"61\"/> <img src=\"e.jpg\" alt=\"3\" data-bindery-origin=\"73\"/> <img src=\"f.jpg\" alt=\"4\" data-bindery-origin=\"85\"/></p>\n"
    );
}

#[test]
fn headings_get_unique_slug_ids_or_their_explicit_id() {
    let out = html("# Hello, World!\n\n## Hello world\n\n# Custom {#mine .wide}\n");
    assert_eq!(
        out,
        "<h1 id=\"hello-world\" data-bindery-origin=\"0\">Hello, World!</h1>\n\
         <h2 id=\"hello-world-2\" data-bindery-alias=\"hello-world-1\" data-bindery-origin=\"17\">Hello world</h2>\n\
         <h1 id=\"mine\" data-bindery-alias=\"custom\" class=\"wide\" data-bindery-origin=\"33\">Custom</h1>\n"
    );
}

#[test]
fn footnotes_become_epub_notes_with_links_back() {
    let out = html("Text[^a] and again[^a].\n\n[^a]: The note.\n");
    assert_eq!(
        out,
        "<p>Text<a id=\"fnref-1\" href=\"#fn-1\" class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" data-bindery-origin=\"4\">1</a> and again<a id=\"fnref-1-2\" href=\"#fn-1\" class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" data-bindery-origin=\"18\">1</a>.</p>\n\
         <section class=\"footnotes\" epub:type=\"footnotes\">\n\
         <aside id=\"fn-1\" epub:type=\"footnote\" role=\"doc-footnote\">\n\
         <p><a href=\"#fnref-1\" class=\"footnote-back\" role=\"doc-backlink\">1</a> The note.</p>\n\
         </aside>\n\
         </section>\n"
    );
}

#[test]
fn a_note_opening_with_a_list_gets_its_number_in_a_paragraph_and_orphans_keep_their_text() {
    let out = html("A[^n].\n\n[^n]: - item\n\n[^1]: Nobody refers here.\n");
    assert!(
        out.contains("<aside id=\"fn-1\" epub:type=\"footnote\" role=\"doc-footnote\">\n<p><a href=\"#fnref-1\" class=\"footnote-back\" role=\"doc-backlink\">1</a></p>\n<ul>"),
        "{out}"
    );
    assert!(
        out.contains("<aside id=\"fn-s-1\" epub:type=\"footnote\" role=\"doc-footnote\">\n<p>Nobody refers here.</p>\n</aside>"),
        "{out}"
    );
}

#[test]
fn links_carry_their_origin_and_email_autolinks_get_mailto() {
    let out = html("See [x](other.md#part \"T\") or <me@example.org>.\n");
    assert_eq!(
        out,
        "<p>See <a href=\"other.md#part\" title=\"T\" data-bindery-origin=\"4\">x</a> or <a href=\"mailto:me@example.org\" data-bindery-origin=\"30\">me@example.org</a>.</p>\n"
    );
}

#[test]
fn math_is_converted_and_its_tex_is_never_read_as_markdown() {
    let (out, _, errors) = render_html_parts(
        "Let $x^*$ and $y^*$ be. $$a \\\\ b$$ costs $5 and $6.\n",
        0,
        &mut 0,
    );
    assert_eq!(errors, []);
    assert!(!out.contains("<em>"), "{out}");
    assert!(
        out.contains("<math data-bindery-origin=\"4\" alttext=\"x^*\""),
        "{out}"
    );
    assert!(
        out.contains("alttext=\"a \\\\ b\" display=\"block\""),
        "{out}"
    );
    assert!(out.contains(" costs $5 and $6.</p>"), "{out}");
}

#[test]
fn a_formula_that_cannot_be_converted_is_shown_verbatim_and_reported() {
    let (out, _, errors) = render_html_parts("Text\n\nSee $a \\nope{b}$ here.\n", 10, &mut 0);
    assert!(
        out.contains("<code class=\"math\" data-bindery-origin=\"20\">a \\nope{b}</code>"),
        "{out}"
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].origin, 10 + 10 + 1 + 2);
    assert!(errors[0].message.contains("nope"), "{}", errors[0].message);
}

#[test]
fn task_list_markers_become_text() {
    let out = html("- [x] done\n- [ ] todo\n");
    assert!(
        out.contains("aria-label=\"done\">\u{2611}</span> done"),
        "{out}"
    );
    assert!(!out.contains("<input"), "{out}");
}

#[test]
fn origins_are_offset_into_the_file() {
    let mut next = 0;
    let out = render_html("![a](a.jpg)\n", 100, &mut next);
    assert!(out.contains("data-bindery-origin=\"100\""), "{out}");
}

#[test]
fn github_slugs_follow_github_slugger() {
    let mut slugs = GithubSlugs::default();
    let got: Vec<String> = [
        "Terminal & Console Overview",
        "C# / WinRT",
        "1. Intro",
        "Ünïcode — straße",
        "foo",
        "foo",
        "foo-1",
        "`code` and _em_",
    ]
    .iter()
    .map(|text| slugs.slug(text))
    .collect();
    assert_eq!(
        got,
        [
            "terminal--console-overview",
            "c--winrt",
            "1-intro",
            "ünïcode--straße",
            "foo",
            "foo-1",
            "foo-1-1",
            "code-and-_em_"
        ]
    );
}

#[test]
fn a_colon_line_after_a_paragraph_is_text_and_a_definition_needs_a_space() {
    assert_eq!(
        html("Save and quit with\n:wq\n\nTerm\n: Definition\n"),
        "<p>Save and quit with\n:wq</p>\n<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>\n"
    );
}

#[test]
fn slugs_keep_letters_of_any_script_and_start_with_a_letter() {
    assert_eq!(slugify("Ünïcode — straße 2"), "ünïcode-straße-2");
    assert_eq!(slugify("1. Intro"), "s-1-intro");
    assert_eq!(slugify("!!!"), "section");
    assert_eq!(slugify("북한 사진"), "북한-사진");
}
