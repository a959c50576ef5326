//! The user's stylesheet (`css:`): escapes, remote and local imports, `url(…)` to outside the
//! book, script hooks, `</style>`, deep nesting (issue 10, item 4). A stylesheet is linked,
//! not inlined, so what matters is what reaches `OEBPS/css/extra.css` and what gets packaged.

use std::process::Output;

use crate::hostile::scene::{Case, Scene, epub_entry_lacks, epub_text};

const BUILD: &[&str] = &["build", "{book}", "-o", "{out}/book.epub"];
const STRICT: &[&str] = &[
    "build",
    "{book}",
    "-o",
    "{out}/book.epub",
    "--deny-warnings",
];
const CHECK: &[&str] = &["check", "{book}"];

/// The good book with `css: extra.css` holding `css`.
fn sheet(scene: &Scene, css: &str) {
    scene.front("css: extra.css");
    scene.write("book/extra.css", css.as_bytes());
}

fn lacks(scene: &Scene, text: &str) {
    epub_entry_lacks(scene, "css/extra.css", text);
}

fn keeps(scene: &Scene, text: &str) {
    let css = epub_text(scene, "css/extra.css");
    assert!(
        css.contains(text),
        "`{text}` missing from extra.css:\n{css}"
    );
}

fn packaged(scene: &Scene, suffix: &str) -> usize {
    scene
        .epub("out/book.epub")
        .iter()
        .filter(|(name, _)| name.starts_with("OEBPS/css/files/") && name.ends_with(suffix))
        .count()
}

const FONT: &[u8] = include_bytes!("../../../assets/fonts/EBGaramond12-Regular.otf");

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("css: escaped url() to a remote image is decoded and dropped", |s| sheet(s, "p { background: u\\72l(https://evil.example/t.png); color: red }"), BUILD, 0, "points outside the book", |s, _: &Output| { lacks(s, "evil.example"); keeps(s, "color: red"); }),
    Case::new("css: escaped @import of a remote sheet is dropped", |s| sheet(s, "@\\69mport url(https://evil.example/a.css);\np { color: red }"), BUILD, 0, "`@import` was dropped", |s, _| lacks(s, "evil.example")),
    Case::new("css: a local @import is dropped, not followed", |s| { sheet(s, "@import \"more.css\";"); s.write("book/more.css", b"p { color: blue }"); }, BUILD, 0, "paste the imported rules", |s, _| lacks(s, "more.css")),
    Case::new("css: url() to a file outside the book is dropped", |s| sheet(s, "body { background: url(../outside/secret.txt) }"), BUILD, 0, "outside the book folder", |s, _| { lacks(s, "secret"); epub_entry_lacks(s, "", "SECRET-OUTSIDE-THE-BOOK"); }),
    Case::new("css: url(/etc/passwd) is dropped", |s| sheet(s, "body { background: url(/etc/passwd) }"), BUILD, 0, "outside the book folder", |s, _| { lacks(s, "passwd"); epub_entry_lacks(s, "", "root:"); }),
    Case::new("css: a symlink inside the book to a file outside is dropped", |s| { sheet(s, "body { background: url(images/link.png) }"); s.symlink("outside/secret.txt", "book/images/link.png"); }, BUILD, 0, "outside the book folder", |s, _| epub_entry_lacks(s, "", "SECRET-OUTSIDE-THE-BOOK")),
    Case::new("css: </style> in a string cannot be spelled", |s| sheet(s, "p::after { content: \"</style><script>alert(1)</script>\" }"), BUILD, 0, "", |s, _| { lacks(s, "</"); lacks(s, "<script"); }),
    Case::new("css: </style> in a comment is dropped with the comment", |s| sheet(s, "/* </style><script>alert(1)</script> */ p { color: red }"), BUILD, 0, "", |s, _| { lacks(s, "</"); keeps(s, "color: red"); }),
    Case::new("css: <!-- and --> are dropped", |s| sheet(s, "<!-- p { color: red } -->"), BUILD, 0, "", |s, _| { lacks(s, "<!--"); lacks(s, "-->"); }),
    Case::new("css: expression() is dropped", |s| sheet(s, "p { width: expression(alert(1)); color: red }"), BUILD, 0, "`expression(…)`", |s, _| { lacks(s, "alert"); keeps(s, "color: red"); }),
    Case::new("css: behavior: is dropped, escaped too", |s| sheet(s, "p { b\\65havior: url(x.htc) }"), BUILD, 0, "the `behavior` property", |s, _| lacks(s, "htc")),
    Case::new("css: -moz-binding is dropped", |s| sheet(s, "p { -moz-binding: url(\"x.xml#b\") }"), BUILD, 0, "the `-moz-binding` property", |s, _| lacks(s, "x.xml")),
    Case::new("css: a javascript: url is dropped", |s| sheet(s, "p { background: URL(JavaScript:alert%281%29) }"), BUILD, 0, "points outside the book", |s, _| lacks(s, "alert")),
    Case::new("css: a data: url is dropped", |s| sheet(s, "p { background: url(data:image/png;base64,AAAA) }"), BUILD, 0, "a `data:` URL", |s, _| lacks(s, "base64")),
    Case::new("css: protocol-relative //host is dropped", |s| sheet(s, "p { background: url(//evil.example/x.png) }"), BUILD, 0, "points outside the book", |s, _| lacks(s, "evil")),
    Case::new("css: src() and image-set() strings are URLs too", |s| sheet(s, "p { background: image-set(\"https://evil.example/a.png\" 1x) } @font-face { src: src(\"https://evil.example/f.woff2\") }"), BUILD, 0, "points outside the book", |s, _| lacks(s, "evil")),
    Case::new("css: @-moz-document with url-prefix() is dropped", |s| sheet(s, "@-moz-document url-prefix() { p { color: red } }"), BUILD, 0, "`@-moz-document`", |s, _| lacks(s, "url-prefix")),
    Case::new("css: @namespace names a namespace and loads nothing", |s| sheet(s, "@namespace epub url(http://www.idpf.org/2007/ops);\np { color: red }"), BUILD, 0, "", |s, _| keeps(s, "@namespace epub url(\"http://www.idpf.org/2007/ops\")")),
    Case::new("css: an unclosed url( is dropped", |s| sheet(s, "p { background: url(a b) } q { color: red }"), BUILD, 0, "not closed", |s, _| keeps(s, "q { color: red }")),
    Case::new("css: 100,000 nested blocks are cut, not recursed", |s| sheet(s, &format!("{}x{}", "a{".repeat(100_000), "}".repeat(100_000))), BUILD, 0, "nested more than 32 deep", crate::hostile::scene::ok),
    Case::new("css: a font from the book folder is packaged", |s| { sheet(s, "@font-face { font-family: G; src: url(\"fonts/g.otf\") format(\"opentype\") } body { font-family: G }"); s.write("book/fonts/g.otf", FONT); }, BUILD, 0, "", |s, _| { assert_eq!(packaged(s, ".otf"), 1); keeps(s, "url(\"files/"); }),
    Case::new("css: an image from the book folder is packaged, re-encoded, not unused", |s| sheet(s, "body { background: url(images/photo.jpg) }"), BUILD, 0, "", |s, out: &Output| { assert_eq!(packaged(s, ".jpg"), 1); assert!(!String::from_utf8_lossy(&out.stderr).contains("nothing uses it")); }),
    Case::new("css: a file that is neither font nor image is dropped", |s| { sheet(s, "p { cursor: url(notes.txt), auto }"); s.write("book/notes.txt", b"notes"); }, BUILD, 0, "is not a font", |s, _| lacks(s, "notes")),
    Case::new("css: --deny-warnings refuses a dropped remote import", |s| sheet(s, "@import url(https://evil.example/a.css);"), STRICT, 1, "`@import` was dropped", crate::hostile::scene::ok),
    Case::new("css: check reports what build drops", |s| sheet(s, "p { background: url(https://evil.example/t.png) }"), CHECK, 0, "extra.css:1:", crate::hostile::scene::ok),
];
