//! Hostile and careless front matter (issue 10, item 8; issue 9, items 5 and 6): typos at any
//! depth warn with a did-you-mean, every wrong type is reported in one run at its line in the
//! author's words, repeated keys name both lines, syntax errors say what to do, bombs and huge
//! values are refused in the right words, a front-matter error brings no follow-on warnings;
//! TOML front matter, generator dates and keys, and the chapter order from `SUMMARY.md` or
//! `chapters:` work.

use std::process::Output;

use crate::hostile::scene::{Case, GOOD_ESSAY, Scene, ok};

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    )
}

fn opf(scene: &Scene) -> String {
    scene
        .epub("out/new.epub")
        .into_iter()
        .find(|(name, _)| name == "OEBPS/content.opf")
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .expect("the EPUB has an OPF")
}

/// The text of every XHTML document of the EPUB, in spine file-name order.
fn pages(scene: &Scene) -> String {
    scene
        .epub("out/new.epub")
        .into_iter()
        .filter(|(name, _)| name.starts_with("OEBPS/text/chapter-"))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

fn essay(scene: &Scene, text: &str) {
    scene.write("book/essay.md", text.as_bytes());
}

// ---- checks ------------------------------------------------------------------------------

fn no_warnings(_: &Scene, o: &Output) {
    assert!(
        !said(o).contains("warning"),
        "no warning expected:\n{}",
        said(o)
    );
}
fn no_follow_on_warnings(_: &Scene, o: &Output) {
    let said = said(o);
    for follow_on in ["nothing uses it", "removed", "warning"] {
        assert!(
            !said.contains(follow_on),
            "`{follow_on}` follows only from the error:\n{said}"
        );
    }
}
fn every_type_error(_: &Scene, o: &Output) {
    let said = said(o);
    for message in [
        "`toc-depth` must be a whole number from 1 to 6, found `three`",
        "`split-level` must be a whole number from 0 to 6, found `deep`",
        "`images.quality` must be a whole number from 1 to 100, found `high`",
        "`images.grayscale` must be `true` or `false`, found `maybe`",
        "essay.md:5:",
        "essay.md:6:",
        "essay.md:8:",
        "essay.md:9:",
    ] {
        assert!(said.contains(message), "expected `{message}`:\n{said}");
    }
    assert!(!said.contains("invalid"), "serde's words leaked:\n{said}");
}
fn not_serde_words(_: &Scene, o: &Output) {
    let said = said(o);
    for leaked in [
        "DuplicateKeyPolicy",
        "invalid u8",
        "invalid type",
        "alias bomb",
        "budget",
    ] {
        assert!(!said.contains(leaked), "`{leaked}` leaked:\n{said}");
    }
}
fn dc_date_normalised(s: &Scene, _: &Output) {
    let opf = opf(s);
    assert!(
        opf.contains(">2015-05-21T11:00:00-07:00</dc:date>"),
        "{opf}"
    );
}
fn toml_metadata(s: &Scene, o: &Output) {
    let opf = opf(s);
    for part in [
        ">Harbour Notes</dc:title>",
        ">Zed Zola</dc:creator>",
        ">1979-05-27T07:32:00-08:00</dc:date>",
        ">sea</dc:subject>",
        ">A summary.</dc:description>",
    ] {
        assert!(opf.contains(part), "expected `{part}` in the OPF:\n{opf}");
    }
    no_warnings(s, o);
}
fn generator_keys_read(s: &Scene, o: &Output) {
    let opf = opf(s);
    for part in [
        ">harbours</dc:subject>",
        ">Travel</dc:subject>",
        ">A post about boats.</dc:description>",
    ] {
        assert!(opf.contains(part), "expected `{part}` in the OPF:\n{opf}");
    }
    no_warnings(s, o);
}
fn summary_order(s: &Scene, _: &Output) {
    let pages = pages(s);
    let (intro, later) = (pages.find("Boats come in"), pages.find("The last chapter"));
    assert!(
        intro.is_some() && later.is_some() && intro < later,
        "{pages}"
    );
    assert!(
        !pages.contains("Not listed"),
        "an unlisted file became a chapter:\n{pages}"
    );
    assert!(
        !pages.contains("Draft"),
        "SUMMARY.md became a chapter:\n{pages}"
    );
}
fn chapters_order(s: &Scene, _: &Output) {
    let pages = pages(s);
    let (first, second) = (pages.find("Chapter Zed"), pages.find("Chapter Alpha"));
    assert!(
        first.is_some() && second.is_some() && first < second,
        "{pages}"
    );
}
fn at_line_two(_: &Scene, o: &Output) {
    assert!(said(o).contains("essay.md:2:8"), "{}", said(o));
}
fn no_unknown_key_warning(_: &Scene, o: &Output) {
    assert!(!said(o).contains("unknown front matter key"), "{}", said(o));
}

// ---- setups ------------------------------------------------------------------------------

fn nested_author_typos(s: &Scene) {
    s.edit_essay(
        "author: Ada Lovelace\n",
        "author:\n  - name: Ada Lovelace\n    rol: pht\n    fileas: Lovelace, Ada\n",
    );
}
fn every_wrong_type(s: &Scene) {
    s.front("toc-depth: three\nsplit-level: deep\nimages:\n  quality: high\n  grayscale: maybe");
}
fn ten_megabyte_title(s: &Scene) {
    s.edit_essay("title: Tides", &format!("title: {}", "T".repeat(10 << 20)));
}
fn long_title(s: &Scene) {
    s.edit_essay(
        "title: Tides",
        &format!("title: {}", "Tides ".repeat(20_000)),
    );
}
fn alias_bomb(s: &Scene) {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]");
    for (name, previous) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
    ] {
        bomb.push_str(&format!(
            "\n{name}: &{name} [{}]",
            vec![format!("*{previous}"); 9].join(", ")
        ));
    }
    s.front(&bomb);
}
fn deep_nesting(s: &Scene) {
    s.front(&format!("deep: {}{}", "[".repeat(200), "]".repeat(200)));
}
fn many_keys(s: &Scene) {
    let keys: Vec<String> = (0..20_000).map(|i| format!("k{i}: v")).collect();
    s.front(&keys.join("\n"));
}
fn cascade_cover(s: &Scene) {
    s.write(
        "book/images/cover.jpg",
        &crate::hostile::scene::small_jpeg(60, 90),
    );
    s.front("cover: images/cover.jpg\ntoc-depth: three");
}
fn cascade_unclosed(s: &Scene) {
    s.edit_essay("---\n\n# Harbour", "\n# Harbour {#harbour}");
    s.write(
        "book/next.md",
        b"# Next\n\nBack to [the harbour](essay.md#harbour).\n",
    );
}
fn toml_book(s: &Scene) {
    essay(
        s,
        "+++\ntitle = \"Harbour Notes\"\nauthors = [\"Zed Zola\"]\ndate = 1979-05-27T07:32:00-08:00\ndraft = false\nsummary = \"A summary.\"\n[taxonomies]\ntags = [\"sea\"]\n[extra]\nanything = 1\n+++\n\n# Harbour\n\n![A harbour at dawn](images/photo.jpg \"The harbour.\")\n\nBoats come in.\n",
    );
}
fn toml_book_with_tags(s: &Scene) {
    toml_book(s);
    s.edit_essay("draft = false\n", "draft = false\ntags = [\"sea\"]\n");
}
fn jekyll_post(s: &Scene) {
    s.front("layout: post\ndate: 2015-05-21 11:00:00 -0700\ncategories: [Travel]\ntags: harbours\npermalink: /boats/\nslug: boats\ncomments: true\nexcerpt: A post about boats.");
}
fn summary_book(s: &Scene) {
    s.write(
        "book/SUMMARY.md",
        b"# Summary\n\n- [Harbour](essay.md)\n- [End](later/end.md)\n- [Draft]()\n",
    );
    s.write("book/later/end.md", b"# End\n\nThe last chapter.\n");
    s.write(
        "book/a-first.md",
        b"# Not listed\n\nNot listed in the summary.\n",
    );
}
fn chapters_book(s: &Scene) {
    s.front("chapters: [z.md, w.md]");
    s.write("book/w.md", b"# Alpha\n\nChapter Alpha.\n");
    s.write("book/z.md", b"# Zed\n\nChapter Zed.\n");
}

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    // Unknown keys, one policy at every depth.
    Case::new("a typo in an author entry's role", nested_author_typos, &["build", "{book}", "-o", "{out}/new.epub"], 0, "unknown front matter key `rol` in `author`", ok),
    Case::new("a typo in an author entry's file-as", nested_author_typos, &["build", "{book}", "-o", "{out}/new.epub"], 0, "did you mean `file-as`?", ok),
    Case::new("a typo inside list-of-illustrations", |s| s.front("list-of-illustrations: {titel: Photographs}"), &["build", "{book}", "-o", "{out}/new.epub"], 0, "unknown front matter key `titel` in `list-of-illustrations`", ok),
    Case::new("a typo inside images", |s| s.front("images: {qualty: 70}"), &["build", "{book}", "-o", "{out}/new.epub"], 0, "did you mean `quality`?", ok),
    Case::new("a typo inside accessibility", |s| s.front("accessibility: {sumary: Text only.}"), &["build", "{book}", "-o", "{out}/new.epub"], 0, "unknown front matter key `sumary` in `accessibility`", ok),
    Case::new("a nested typo is denied with --deny-warnings", nested_author_typos, &["build", "{book}", "-o", "{out}/book.epub", "--deny-warnings"], 1, "`rol` in `author`", ok),
    Case::new("check reports nested typos too", nested_author_typos, &["check", "{book}"], 0, "did you mean `role`?", ok),
    // Wrong types, all of them, in the author's words.
    Case::new("toc-depth in words", |s| s.front("toc-depth: three"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`toc-depth` must be a whole number from 1 to 6, found `three`", not_serde_words),
    Case::new("every wrong type in one run, each at its line", every_wrong_type, &["build", "{book}", "-o", "{out}/book.epub"], 1, "4 error(s)", every_type_error),
    Case::new("a number too big for any type", |s| s.front("toc-depth: 99999999999999999999999"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`toc-depth` must be a whole number from 1 to 6", not_serde_words),
    Case::new("an author that is a number", |s| s.edit_essay("author: Ada Lovelace", "author: 3"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`author` must be a name, a list of names, or a list of {name, role, file-as}, found `3`", ok),
    Case::new("an author entry without a name", |s| s.edit_essay("author: Ada Lovelace", "author:\n  - role: pht"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "an entry of `author` has no `name`", ok),
    Case::new("a language that is a list", |s| s.edit_essay("language: en", "language: [en, fr]"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`language` must be text, found a list", ok),
    Case::new("front matter that is a list", |s| essay(s, "---\n- title\n- Tides\n---\n\nText.\n"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`front matter` must be `key: value` lines, found a list", ok),
    Case::new("a direction that is not one", |s| s.front("direction: sideways"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`direction` must be `ltr`, `rtl` or `auto`, found `sideways`", ok),
    Case::new("a writing mode that is not one", |s| s.front("writing-mode: vertcal"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "did you mean `vertical`?", ok),
    Case::new("direction and writing-mode are known keys", |s| s.front("direction: ltr\nwriting-mode: horizontal"), &["build", "{book}", "-o", "{out}/new.epub"], 0, "", no_warnings),
    // Repeated keys.
    Case::new("a title given twice", |s| s.front("title: Again"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`title` is given twice (lines 2 and 5)", not_serde_words),
    Case::new("a role given twice in an author entry", |s| s.edit_essay("author: Ada Lovelace", "author:\n  - name: Ada\n    role: aut\n    role: pht"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`role` is given twice in `author` (lines 5 and 6)", ok),
    // Syntax errors with a hint, at the right line.
    Case::new("an unquoted colon in the title", |s| s.edit_essay("title: Tides", "title: Tides: a journey"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "put the title in quotes", ok),
    Case::new("a # that makes the title a comment", |s| s.edit_essay("title: Tides", "title: #1 Tides"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "YAML reads everything after ` #` as a comment", ok),
    Case::new("a tab for indentation", |s| s.front("images:\n\tquality: 80"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "indent with spaces", ok),
    Case::new("an unclosed quote points at its own line", |s| s.edit_essay("title: Tides", "title: \"Tides"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "the quote \" that starts the value of `title` is never closed", at_line_two),
    Case::new("an unclosed bracket", |s| s.edit_essay("title: Tides", "title: [Tides"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "is never closed", ok),
    Case::new("an unclosed block", |s| s.edit_essay("language: en\n---\n", "language: en\n"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "front matter is not closed", ok),
    // Bombs and huge values.
    Case::new("a 10 MB title is refused as too large, not as a bomb", ten_megabyte_title, &["build", "{book}", "-o", "{out}/book.epub"], 1, "is larger than the 6 MiB limit for a chapter", not_serde_words),
    Case::new("a 120 kB title is too long", long_title, &["build", "{book}", "-o", "{out}/book.epub"], 1, "`title` is too long (119999 characters; at most 1000)", ok),
    Case::new("an alias bomb is refused as one", alias_bomb, &["build", "{book}", "-o", "{out}/book.epub"], 1, "(a YAML alias bomb?); refused", ok),
    Case::new("200 nested lists are refused", deep_nesting, &["build", "{book}", "-o", "{out}/book.epub"], 1, "levels deep", ok),
    Case::new("20,000 keys are refused, not warned about one by one", many_keys, &["build", "{book}", "-o", "{out}/book.epub"], 1, "front matter has too many values", not_serde_words),
    // Encodings and line ends.
    Case::new("a byte-order mark before the front matter", |s| essay(s, &format!("\u{feff}{GOOD_ESSAY}")), &["build", "{book}", "-o", "{out}/new.epub"], 0, "", no_warnings),
    Case::new("CRLF line ends", |s| essay(s, &GOOD_ESSAY.replace('\n', "\r\n")), &["build", "{book}", "-o", "{out}/new.epub"], 0, "", no_warnings),
    // No follow-on warnings.
    Case::new("a front-matter error does not call the cover unused", cascade_cover, &["build", "{book}", "-o", "{out}/book.epub"], 1, "found `three`", no_follow_on_warnings),
    Case::new("an unclosed block does not remove links or orphan images", cascade_unclosed, &["build", "{book}", "-o", "{out}/book.epub"], 1, "front matter is not closed", no_follow_on_warnings),
    // TOML front matter.
    Case::new("TOML front matter builds", toml_book, &["build", "{book}", "-o", "{out}/new.epub"], 0, "", toml_metadata),
    Case::new("a TOML string without quotes", |s| essay(s, "+++\ntitle = \"T\"\nlanguage = en\n+++\n\nText.\n"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "essay.md:3:", ok),
    Case::new("a TOML key given twice", |s| essay(s, "+++\ntitle = \"T\"\ntitle = \"U\"\n+++\n\nText.\n"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "essay.md:3:", ok),
    Case::new("a TOML value of the wrong type", |s| essay(s, "+++\ntitle = \"T\"\ntoc-depth = \"three\"\n+++\n\nText.\n"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`toc-depth` must be a whole number from 1 to 6, found `three`", ok),
    Case::new("a TOML typo at depth", |s| essay(s, "+++\ntitle = \"T\"\n[images]\nqualty = 70\n+++\n\nText.\n"), &["build", "{book}", "-o", "{out}/new.epub"], 0, "unknown front matter key `qualty` in `images`", ok),
    Case::new("an unclosed TOML block", |s| essay(s, "+++\ntitle = \"T\"\n\nText.\n"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "line holding only `+++`", ok),
    // Static-site generators' dates and keys.
    Case::new("a Jekyll date is normalised to W3CDTF", |s| s.front("date: 2015-05-21 11:00:00 -0700"), &["build", "{book}", "-o", "{out}/new.epub"], 0, "", dc_date_normalised),
    Case::new("Jekyll keys are read or ignored without a warning", jekyll_post, &["build", "{book}", "-o", "{out}/new.epub"], 0, "", generator_keys_read),
    Case::new("Zola tags at the top level are subjects", toml_book_with_tags, &["build", "{book}", "-o", "{out}/new.epub"], 0, "", no_unknown_key_warning),
    Case::new("a date that is no date", |s| s.front("date: 2015-05-21 25:00"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "`2015-05-21 25:00` is not a date", ok),
    // Chapter order.
    Case::new("SUMMARY.md orders the chapters", summary_book, &["build", "{book}", "-o", "{out}/new.epub"], 0, "", summary_order),
    Case::new("chapters: orders the chapters", chapters_book, &["build", "{book}", "-o", "{out}/new.epub"], 0, "", chapters_order),
    Case::new("chapters: naming a missing file", |s| s.front("chapters:\n  - missing.md"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "chapter `missing.md` not found", ok),
    Case::new("chapters: naming a file outside the book", |s| s.front("chapters: [../outside/secret.txt]"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "is outside the book folder", ok),
    Case::new("SUMMARY.md naming a missing file", |s| s.write("book/SUMMARY.md", b"- [Harbour](essay.md)\n- [Gone](gone.md)\n"), &["build", "{book}", "-o", "{out}/book.epub"], 1, "chapter `gone.md` not found", ok),
];
