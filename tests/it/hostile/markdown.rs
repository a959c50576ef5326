//! Hostile Markdown and raw HTML (issues 9 and 10): nesting bombs, pathological emphasis and
//! links, huge tables, encodings, and raw HTML whose content must not vanish silently.
//! Every case that builds is checked by epubcheck in the harness.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::hostile::scene::{self, Case, Scene};

const BUILD: &[&str] = &["build", "{book}", "-o", "{out}/book.epub"];

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("100,000 nested <div>s build, cut at a located depth", divs, BUILD, 0, "tags nested more than 100 levels deep", text_kept_deepest),
    Case::new("100,000 nested unknown tags build (no recursion)", unknown_tags, BUILD, 0, "tags nested more than 100 levels deep", text_kept_deepest),
    Case::new("100,000 nested <b>s build", bolds, BUILD, 0, "tags nested more than 100 levels deep", text_kept_deepest),
    Case::new("10,000 nested tables build", tables, BUILD, 0, "tags nested more than 100 levels deep", text_kept_deepest),
    Case::new("20,000 nested block quotes build, warned at the Markdown", quotes, BUILD, 0, "book/essay.md:15:", text_kept_deepest),
    Case::new("20,000 nested list items on one line build", lists, BUILD, 0, "tags nested more than 100 levels deep", text_kept_deepest),
    Case::new("20,000 unclosed <p>s do not nest", paragraphs, BUILD, 0, "", no_nesting_warning),
    Case::new("20,000 unclosed <li>s do not nest", items, BUILD, 0, "", no_nesting_warning),
    Case::new("a 50,000-star emphasis run builds", star_run, BUILD, 0, "", text_kept_deepest),
    Case::new("20,000 unclosed strong openers build", unclosed_strong, BUILD, 0, "", text_kept_deepest),
    Case::new("50,000 open brackets build", brackets, BUILD, 0, "", text_kept_deepest),
    Case::new("a link-reference bomb builds, its warnings grouped", reference_bomb, BUILD, 0, "more like this", scene::ok),
    Case::new("a 500-row, 30-column table builds", big_table, BUILD, 0, "", scene::ok),
    Case::new("a 5,000-column table builds", wide_table, BUILD, 0, "", scene::ok),
    Case::new("5,000 headings with one text get unique ids", same_headings, BUILD, 0, "", scene::ok),
    Case::new("3,000 references to one footnote build", footnote_bomb, BUILD, 0, "", scene::ok),
    Case::new("invalid UTF-8 is refused at its line", invalid_utf8, BUILD, 1, "book/essay.md:15:", scene::ok),
    Case::new("NUL bytes build", nul_bytes, BUILD, 0, "", text_kept_deepest),
    Case::new("a byte-order mark builds", bom, BUILD, 0, "", title_kept),
    Case::new("CRLF line endings build", crlf, BUILD, 0, "", crlf_kept),
    Case::new("an unclosed comment builds", unclosed_comment, BUILD, 0, "", scene::ok),
    Case::new("a script holding </div> and <div> builds", script_with_tags, BUILD, 0, "removed <script> element", scene::ok),
    Case::new("<noscript> content is kept", noscript, BUILD, 0, "", noscript_kept),
    Case::new("<a name> anchors are link targets", name_anchor, BUILD, 0, "", no_link_removed),
    Case::new("<a id> anchors are link targets", id_anchor, BUILD, 0, "", no_link_removed),
    Case::new("a removed <video> names the text and image it held", video, BUILD, 0, "with its content: 4 words of text (“The harbour at dawn”), 1 image (images/photo.jpg)", scene::ok),
    Case::new("a removed inline <svg> names its text", inline_svg, BUILD, 0, "<svg> element with its content: 2 words of text", scene::ok),
    Case::new("`:wq` after a paragraph is text, not a definition", vim_quit, BUILD, 0, "", vim_text_kept),
    Case::new("a README's GitHub-style table of contents resolves", github_toc, BUILD, 0, "", no_link_removed),
    Case::new("links to chapter.html reach chapter.md", html_links, BUILD, 0, "", no_link_removed),
    Case::new("more than 6 MiB of Markdown is refused", too_large, BUILD, 1, "is larger than the 6 MiB limit", scene::ok),
    Case::new("600 identical warnings print as one group", identical_warnings, BUILD, 0, "… and 599 more like this", scene::ok),
];

/// The good essay with `bomb` appended after a paragraph of its own, so that the bomb
/// starts at line 15.
fn plant(scene: &Scene, bomb: &str) {
    scene.append(&format!("\nA line before.\n\n{bomb}\n"));
}

fn divs(scene: &Scene) {
    plant(
        scene,
        &format!(
            "{}DEEPEST{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        ),
    );
}

fn unknown_tags(scene: &Scene) {
    plant(
        scene,
        &format!("<x-a>{}DEEPEST", "<x-a><y-b>".repeat(50_000)),
    );
}

fn bolds(scene: &Scene) {
    plant(scene, &format!("<p>{}DEEPEST</p>", "<b>".repeat(100_000)));
}

fn tables(scene: &Scene) {
    plant(
        scene,
        &format!("{}DEEPEST", "<table><tr><td>".repeat(10_000)),
    );
}

fn quotes(scene: &Scene) {
    plant(scene, &format!("{} DEEPEST", ">".repeat(20_000)));
}

fn lists(scene: &Scene) {
    plant(scene, &format!("{}DEEPEST", "- ".repeat(20_000)));
}

fn paragraphs(scene: &Scene) {
    plant(scene, &"<p>para ".repeat(20_000));
}

fn items(scene: &Scene) {
    plant(scene, &format!("<ul>{}</ul>", "<li>item ".repeat(20_000)));
}

fn star_run(scene: &Scene) {
    plant(
        scene,
        &format!("{}DEEPEST{}", "*".repeat(50_000), "*".repeat(50_000)),
    );
}

fn unclosed_strong(scene: &Scene) {
    plant(scene, &format!("{}DEEPEST", "**a ".repeat(20_000)));
}

fn brackets(scene: &Scene) {
    plant(scene, &format!("{}DEEPEST", "[".repeat(50_000)));
}

fn reference_bomb(scene: &Scene) {
    let mut markdown = String::new();
    for n in 0..1_000 {
        markdown.push_str(&format!("[r{n}]: missing-{n}.md\n"));
    }
    markdown.push('\n');
    for n in 0..1_000 {
        markdown.push_str(&format!("[x][r{}] ", n % 7));
    }
    plant(scene, &markdown);
}

fn big_table(scene: &Scene) {
    let header = format!("|{}\n|{}\n", "h|".repeat(30), "-|".repeat(30));
    let row = format!("|{}\n", "cell|".repeat(30));
    plant(scene, &format!("{header}{}", row.repeat(500)));
}

fn wide_table(scene: &Scene) {
    plant(
        scene,
        &format!(
            "|{}\n|{}\n|{}\n",
            "h|".repeat(5_000),
            "-|".repeat(5_000),
            "c|".repeat(5_000)
        ),
    );
}

fn same_headings(scene: &Scene) {
    plant(scene, &"## Same\n\ntext\n\n".repeat(5_000));
}

fn footnote_bomb(scene: &Scene) {
    plant(
        scene,
        &format!("{}\n\n[^n]: The note.", "a[^n] ".repeat(3_000)),
    );
}

fn invalid_utf8(scene: &Scene) {
    let mut bytes = std::fs::read(scene.path("book/essay.md")).expect("essay");
    bytes.extend_from_slice(b"\nA line before.\n\nbad \xff\xfe byte\n");
    scene.write("book/essay.md", &bytes);
}

fn nul_bytes(scene: &Scene) {
    plant(scene, "nul \0 in text and <b title=\"\0\">\0</b> DEEPEST");
}

fn bom(scene: &Scene) {
    let text = std::fs::read_to_string(scene.path("book/essay.md")).expect("essay");
    scene.write("book/essay.md", format!("\u{feff}{text}").as_bytes());
}

fn crlf(scene: &Scene) {
    let text = std::fs::read_to_string(scene.path("book/essay.md")).expect("essay");
    let text = format!("{text}\n## Windows heading\n\nA paragraph\nwritten on Windows.\n");
    scene.write("book/essay.md", text.replace('\n', "\r\n").as_bytes());
}

fn unclosed_comment(scene: &Scene) {
    plant(scene, &format!("<!-- {}", "<div>".repeat(10_000)));
}

fn script_with_tags(scene: &Scene) {
    plant(
        scene,
        &format!(
            "<script>var s = \"{}</div>\";</script>\n\nafter",
            "<div>".repeat(10_000)
        ),
    );
}

fn noscript(scene: &Scene) {
    plant(
        scene,
        "<noscript><p>The fallback is the content.</p></noscript>",
    );
}

fn name_anchor(scene: &Scene) {
    plant(
        scene,
        "<a name=\"old-anchor\"></a>Target.\n\nSee [the target](#old-anchor).",
    );
}

fn id_anchor(scene: &Scene) {
    plant(
        scene,
        "<a id=\"new-anchor\"></a>Target.\n\nSee [the target](#new-anchor).",
    );
}

fn video(scene: &Scene) {
    plant(
        scene,
        "<video src=\"clip.mp4\"><img src=\"images/photo.jpg\" alt=\"\">The harbour at dawn</video>",
    );
}

fn inline_svg(scene: &Scene) {
    plant(
        scene,
        "<svg viewBox=\"0 0 10 10\"><text x=\"1\" y=\"5\">Tide chart</text></svg>",
    );
}

fn vim_quit(scene: &Scene) {
    plant(scene, "Save and quit with\n:wq");
}

fn github_toc(scene: &Scene) {
    plant(
        scene,
        "- [Terminal & Console Overview](#terminal--console-overview)\n- [C# / WinRT](#c--winrt)\n- [Again](#harbour-1)\n\n## Terminal & Console Overview\n\n## C# / WinRT\n\n# Harbour",
    );
}

fn html_links(scene: &Scene) {
    plant(
        scene,
        "See [the next chapter](next.html#tides) and [its page](next.xhtml).",
    );
    scene.write("book/next.md", b"# Next\n\n## Tides\n\nText.\n");
}

fn too_large(scene: &Scene) {
    plant(scene, &"Words of a very long book. ".repeat(250_000));
}

fn identical_warnings(scene: &Scene) {
    plant(
        scene,
        &"Old <font color=red>red</font> markup.\n\n".repeat(600),
    );
}

/// The text of every XHTML document of the EPUB, concatenated.
fn book_text(scene: &Scene) -> String {
    scene
        .epub("out/book.epub")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".xhtml"))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn text_kept_deepest(scene: &Scene, _: &Output) {
    assert!(
        book_text(scene).contains("DEEPEST"),
        "the innermost text is kept"
    );
}

fn no_nesting_warning(_: &Scene, output: &Output) {
    assert!(
        !stderr(output).contains("nested more than"),
        "{}",
        stderr(output)
    );
}

fn title_kept(scene: &Scene, _: &Output) {
    assert!(book_text(scene).contains("Harbour"));
}

fn crlf_kept(scene: &Scene, _: &Output) {
    let text = book_text(scene);
    assert!(text.contains("Windows heading</h2>"), "{text}");
    assert!(!text.contains('\r'), "carriage returns reach the XHTML");
}

fn noscript_kept(scene: &Scene, output: &Output) {
    assert!(book_text(scene).contains("<p>The fallback is the content.</p>"));
    assert!(!stderr(output).contains("noscript"), "{}", stderr(output));
}

fn no_link_removed(scene: &Scene, output: &Output) {
    let said = stderr(output);
    assert!(!said.contains("removed"), "{said}");
    assert!(book_text(scene).contains("href=\""), "the links are kept");
}

fn vim_text_kept(scene: &Scene, _: &Output) {
    let text = book_text(scene);
    assert!(text.contains("Save and quit with\n:wq</p>"), "{text}");
    assert!(!text.contains("<dl"), "{text}");
}

/// 100,000 nested `<div>`s in 1.1 MB of Markdown, built in well under a second's work: the
/// build gets 30 seconds of wall clock (a debug build, on a busy machine, epubcheck aside);
/// before the nesting was cut, it did not finish in 120.
#[test]
fn a_hundred_thousand_nested_divs_build_in_linear_time() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let book = dir.path().join("book");
    std::fs::create_dir_all(&book).expect("book folder");
    let n = 100_000;
    let essay = format!(
        "---\ntitle: Divs\nlanguage: en\n---\n\n{}x{}\n",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    assert!(essay.len() > 1_100_000);
    std::fs::write(book.join("essay.md"), essay).expect("essay");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bindery"))
        .current_dir(dir.path())
        .env("BINDERY_CACHE_DIR", dir.path().join("cache"))
        .args(["build", "book", "-o", "divs.epub"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start bindery");
    let limit = Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait for bindery") {
            assert!(status.success(), "the build failed");
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("100,000 nested <div>s took more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("100,000 nested <div>s: {:?}", started.elapsed());
}
