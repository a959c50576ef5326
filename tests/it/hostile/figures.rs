//! Hostile photo-essay input (issue 14): attribute blocks that are not quite blocks, markup
//! in a credit, bad `figures:` and `notes:` values. What is not a valid attribute block must
//! reach the reader as the text it was.

use std::process::Output;

use crate::hostile::scene::{self, Case, Scene};

const BUILD: &[&str] = &["build", "{book}", "-o", "{out}/book.epub"];

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("near-miss attribute blocks stay text; a credit's markup is text", near_blocks, BUILD, 0, "", near_blocks_kept),
    Case::new("figures.numbering that is not a boolean is refused at its line", bad_numbering, BUILD, 1, "book/essay.md:5:", scene::ok),
    Case::new("notes: with a near miss is refused with a suggestion", near_miss_notes, BUILD, 1, "did you mean `end`?", scene::ok),
];

/// Three more figures after the good book's: an unclosed block, an unknown key, and a credit
/// holding a script tag.
fn near_blocks(scene: &Scene) {
    scene::good(scene);
    scene.append(concat!(
        "\n![One](images/photo.jpg \"One.\"){.full credit=\"Ann\n\n",
        "![Two](images/photo.jpg \"Two.\"){width=100%}\n\n",
        "![Three](images/photo.jpg \"Three.\"){credit=\"<script>alert(1)</script> & co\"}\n",
    ));
}

fn near_blocks_kept(scene: &Scene, _: &Output) {
    let chapter = scene::epub_text(scene, "chapter-001.xhtml");
    for kept in ["{.full credit=", "{width=100%}"] {
        assert!(chapter.contains(kept), "{kept} lost: {chapter}");
    }
    assert!(!chapter.contains("class=\"full\""), "{chapter}");
    assert!(
        chapter.contains(
            "<small class=\"credit\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</small>"
        ),
        "{chapter}"
    );
    scene::epub_entry_lacks(scene, "chapter-001.xhtml", "<script");
}

fn bad_numbering(scene: &Scene) {
    scene::good(scene);
    scene.front("figures: {numbering: maybe}");
}

fn near_miss_notes(scene: &Scene) {
    scene::good(scene);
    scene.front("notes: ends");
}
