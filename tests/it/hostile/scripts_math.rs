//! Hostile cases for right-to-left and vertical scripts and for math (issue 9, items 7 and 8):
//! bad `direction:`/`writing-mode:` values, TeX that Markdown used to mangle, TeX the
//! converter cannot read or that nests absurdly deep, and raw MathML carrying links, scripts
//! and images.

use std::process::Output;

use crate::hostile::scene::{self, Case, Scene};

fn chapter(scene: &Scene) -> String {
    let entries = scene.epub("out/book.epub");
    let found = entries
        .into_iter()
        .find(|(name, _)| name == "OEBPS/text/chapter-001.xhtml")
        .expect("the chapter is in the EPUB");
    String::from_utf8(found.1).expect("UTF-8 chapter")
}

fn bad_direction(scene: &Scene) {
    scene.front("direction: sideways");
}

fn bad_writing_mode(scene: &Scene) {
    scene.front("writing-mode: diagonal");
}

fn vertical_english(scene: &Scene) {
    scene.front("writing-mode: vertical");
}

fn starred_tex(scene: &Scene) {
    scene.append("\nLet $a^* + b^*$ and $$x \\\\ y$$ be.\n");
}

fn tex_kept_as_written(scene: &Scene, _: &Output) {
    let chapter = chapter(scene);
    assert!(!chapter.contains("<em>"), "{chapter}");
    assert!(chapter.contains("alttext=\"a^* + b^*\""), "{chapter}");
    assert!(chapter.contains("alttext=\"x \\\\ y\""), "{chapter}");
}

fn unreadable_tex(scene: &Scene) {
    scene.append("\nSee $\\nosuchthing{x}$ here.\n");
}

fn shown_verbatim(scene: &Scene, _: &Output) {
    let chapter = chapter(scene);
    assert!(
        chapter.contains("<code class=\"math\">\\nosuchthing{x}</code>"),
        "{chapter}"
    );
}

fn deep_tex(scene: &Scene) {
    let half = 8 * 1024 - 2;
    scene.append(&format!(
        "\n$${}x{}$$\n",
        "{".repeat(half),
        "}".repeat(half)
    ));
}

fn endless_tex(scene: &Scene) {
    scene.append(&format!("\n${}x$\n", "\\sqrt ".repeat(40_000)));
}

fn raw_math_with_payloads(scene: &Scene) {
    scene.append(concat!(
        "\n<math href=\"javascript:alert(1)\"><mrow onclick=\"x()\"><mi xlink:href=\"http://evil/\">x</mi>",
        "<mglyph src=\"http://evil/a.png\"/></mrow>",
        "<semantics><mn>1</mn><annotation-xml encoding=\"text/html\"><script>alert(2)</script></annotation-xml></semantics>",
        "<mtext><img src=\"http://evil/b.png\"/>t</mtext></math>\n"
    ));
}

fn no_payloads(scene: &Scene, _: &Output) {
    let chapter = chapter(scene);
    for payload in [
        "javascript",
        "onclick",
        "evil",
        "script",
        "mglyph",
        "annotation-xml",
    ] {
        assert!(!chapter.contains(payload), "{payload} in {chapter}");
    }
    assert!(chapter.contains("<mi>x</mi>"), "{chapter}");
}

fn deep_raw_math(scene: &Scene) {
    scene.append(&format!(
        "\n<math>{}<mi>deep</mi>{}</math>\n",
        "<mrow>".repeat(5_000),
        "</mrow>".repeat(5_000)
    ));
}

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("an unknown direction is refused", bad_direction, &["build", "{book}", "-o", "{out}/book.epub"], 1, "`direction` must be `ltr`, `rtl` or `auto`, found `sideways`", scene::ok),
    Case::new("an unknown writing mode is refused", bad_writing_mode, &["build", "{book}", "-o", "{out}/book.epub"], 1, "`writing-mode` must be", scene::ok),
    Case::new("vertical writing for English is a warning", vertical_english, &["build", "{book}", "-o", "{out}/book.epub"], 0, "`writing-mode: vertical` is for Chinese", scene::ok),
    Case::new("TeX is not read as Markdown", starred_tex, &["build", "{book}", "-o", "{out}/book.epub"], 0, "", tex_kept_as_written),
    Case::new("unreadable TeX is a located warning, shown verbatim", unreadable_tex, &["build", "{book}", "-o", "{out}/book.epub"], 0, "essay.md:13:", shown_verbatim),
    Case::new("TeX nested 8,000 levels deep does not crash", deep_tex, &["build", "{book}", "-o", "{out}/book.epub"], 0, "", scene::ok),
    Case::new("TeX far too long is refused, not converted", endless_tex, &["build", "{book}", "-o", "{out}/book.epub"], 0, "bytes long", scene::ok),
    Case::new("raw MathML loses links, scripts and images", raw_math_with_payloads, &["build", "{book}", "-o", "{out}/book.epub"], 0, "attribute on <math>", no_payloads),
    Case::new("raw MathML nested 5,000 deep is flattened", deep_raw_math, &["build", "{book}", "-o", "{out}/book.epub"], 0, "nested more than", scene::ok),
    Case::new("check accepts a book with math", starred_tex, &["check", "{book}"], 0, "", scene::ok),
];
