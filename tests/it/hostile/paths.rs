//! Hostile cases for what a book may read (issue 10, item 1): the stylesheet, chapters, images
//! and the cover all follow one rule — a regular file inside the book folder after symlinks
//! are followed, under a size limit — and every refusal names the file in the image errors'
//! words.

use std::process::Output;

use crate::hostile::scene::{self, Case, Scene, mkfifo, ok};

const CSS: &[u8] = b"p { margin: 0; }\n";

fn css(scene: &Scene, value: &str) {
    scene.front(&format!("css: {value}"));
}

fn css_etc_passwd(s: &Scene) {
    css(s, "/etc/passwd")
}
fn css_parent_secret(s: &Scene) {
    css(s, "../outside/secret.txt")
}
fn css_symlink_out(s: &Scene) {
    s.symlink("outside/secret.txt", "book/style.css");
    css(s, "style.css")
}
fn css_dev_zero(s: &Scene) {
    css(s, "/dev/zero")
}
fn css_symlink_dev_zero(s: &Scene) {
    s.symlink("/dev/zero", "book/zero.css");
    css(s, "zero.css")
}
fn css_fifo(s: &Scene) {
    mkfifo(s, "book/pipe.css");
    css(s, "pipe.css")
}
fn css_folder(s: &Scene) {
    s.write("book/styles/a.css", CSS);
    css(s, "styles")
}
fn css_too_large(s: &Scene) {
    s.write("book/big.css", &vec![b' '; 2 << 20]);
    css(s, "big.css")
}
fn css_missing(s: &Scene) {
    css(s, "nope.css")
}
fn css_latin1(s: &Scene) {
    s.write("book/latin1.css", b"/* caf\xe9 */ p { margin: 0; }\n");
    css(s, "latin1.css")
}
fn css_good(s: &Scene) {
    s.write("book/style.css", CSS);
    css(s, "style.css")
}
fn css_symlink_inside(s: &Scene) {
    s.write("book/css/real.css", CSS);
    s.symlink("book/css/real.css", "book/style.css");
    css(s, "style.css")
}
fn css_dotdot_back_in(s: &Scene) {
    s.write("book/style.css", CSS);
    css(s, "images/../style.css")
}
fn css_home(s: &Scene) {
    s.write("home/.secret.css", b"SECRET");
    css(s, "~/.secret.css")
}

fn chapter_symlink_out(s: &Scene) {
    s.write(
        "outside/private.md",
        b"# Private\n\nSECRET-OUTSIDE-THE-BOOK\n",
    );
    s.symlink("outside/private.md", "book/zz-private.md")
}
fn chapter_symlink_dev_zero(s: &Scene) {
    s.symlink("/dev/zero", "book/zero.md")
}
fn chapter_fifo(s: &Scene) {
    mkfifo(s, "book/pipe.md")
}
fn chapter_too_large(s: &Scene) {
    s.write("book/zz-huge.md", &vec![b'a'; 17 << 20])
}
fn chapter_dangling(s: &Scene) {
    s.symlink("outside/gone.md", "book/zz-gone.md")
}
fn chapter_named_link(s: &Scene) {
    s.write("outside/private.md", b"# Private\n");
    s.symlink("outside/private.md", "book/link.md")
}
fn chapters_folder_link(s: &Scene) {
    s.write("outside/notes.md", b"# Notes\n");
    s.symlink("outside", "book/more.md")
}

fn image(s: &Scene, src: &str) {
    s.append(&format!("\n![A picture]({src})\n"))
}
fn image_symlink_out(s: &Scene) {
    s.write("outside/secret.jpg", &scene::small_jpeg(8, 8));
    s.symlink("outside/secret.jpg", "book/images/link.jpg");
    image(s, "images/link.jpg")
}
fn image_parent(s: &Scene) {
    s.write("outside/secret.jpg", &scene::small_jpeg(8, 8));
    image(s, "../outside/secret.jpg")
}
fn image_absolute(s: &Scene) {
    image(s, "/etc/passwd")
}
fn image_fifo(s: &Scene) {
    mkfifo(s, "book/images/pipe.jpg");
    image(s, "images/pipe.jpg")
}
fn image_dev_zero(s: &Scene) {
    s.symlink("/dev/zero", "book/images/zero.jpg");
    image(s, "images/zero.jpg")
}
fn image_folder_link_out(s: &Scene) {
    s.write("outside/pics/a.jpg", &scene::small_jpeg(8, 8));
    s.symlink("outside/pics", "book/pics");
    image(s, "pics/a.jpg")
}
fn image_file_url(s: &Scene) {
    image(s, "file:///etc/passwd")
}
fn image_data_url(s: &Scene) {
    image(
        s,
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    )
}

fn cover(s: &Scene, value: &str) {
    s.front(&format!("cover: {value}"))
}
fn cover_symlink_out(s: &Scene) {
    s.write("outside/cover.jpg", &scene::small_jpeg(16, 24));
    s.symlink("outside/cover.jpg", "book/cover.jpg");
    cover(s, "cover.jpg")
}
fn cover_parent(s: &Scene) {
    s.write("outside/cover.jpg", &scene::small_jpeg(16, 24));
    cover(s, "../outside/cover.jpg")
}
fn cover_fifo(s: &Scene) {
    mkfifo(s, "book/cover.jpg");
    cover(s, "cover.jpg")
}
fn cover_dev_zero(s: &Scene) {
    cover(s, "/dev/zero")
}

/// The refusal points at the `css:` line (line 5 of the essay).
fn at_css_line(_: &Scene, output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("essay.md:5:1"), "{stderr}");
}

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("css: /etc/passwd is refused", css_etc_passwd, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `/etc/passwd` is outside the book folder", ok),
    Case::new("css: ../secret.txt is refused", css_parent_secret, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `../outside/secret.txt` is outside the book folder", ok),
    Case::new("a stylesheet symlinked out of the book is refused", css_symlink_out, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `style.css` is outside the book folder", ok),
    Case::new("css: /dev/zero is refused, not read", css_dev_zero, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `/dev/zero` is outside the book folder", ok),
    Case::new("a stylesheet symlinked to /dev/zero is refused", css_symlink_dev_zero, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `zero.css` is outside the book folder", ok),
    Case::new("a fifo as the stylesheet is refused, not opened", css_fifo, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `pipe.css` is not a regular file", ok),
    Case::new("a folder as the stylesheet is refused", css_folder, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `styles` is not a file", ok),
    Case::new("a 2 MiB stylesheet is refused", css_too_large, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `big.css` is larger than the 1 MiB limit", ok),
    Case::new("a missing stylesheet is located at its key", css_missing, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `nope.css` not found", at_css_line),
    Case::new("a stylesheet that is not UTF-8 is refused", css_latin1, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `latin1.css` is not UTF-8", ok),
    Case::new("check refuses css: /etc/passwd too", css_etc_passwd, &["check", "{book}"], 1, "stylesheet `/etc/passwd` is outside the book folder", ok),
    Case::new("a stylesheet in the book is used", css_good, &["build", "{book}", "-o", "{out}/book.epub"], 0, "", ok),
    Case::new("a stylesheet symlinked inside the book is used", css_symlink_inside, &["build", "{book}", "-o", "{out}/book.epub"], 0, "", ok),
    Case::new("a stylesheet path that leaves and re-enters the book is used", css_dotdot_back_in, &["build", "{book}", "-o", "{out}/book.epub"], 0, "", ok),
    Case::new("css: ~/x is not the home folder", css_home, &["build", "{book}", "-o", "{out}/book.epub"], 1, "stylesheet `~/.secret.css` not found", ok),
    Case::new("a chapter symlinked out of the book is refused", chapter_symlink_out, &["build", "{book}", "-o", "{out}/book.epub"], 1, "zz-private.md` is outside the book folder", ok),
    Case::new("a chapter symlinked to /dev/zero is refused", chapter_symlink_dev_zero, &["build", "{book}", "-o", "{out}/book.epub"], 1, "zero.md` is outside the book folder", ok),
    Case::new("a fifo named .md is refused, not skipped", chapter_fifo, &["build", "{book}", "-o", "{out}/book.epub"], 1, "pipe.md` is not a regular file", ok),
    Case::new("a 17 MiB chapter is refused", chapter_too_large, &["build", "{book}", "-o", "{out}/book.epub"], 1, "is larger than the 6 MiB limit for a chapter", ok),
    Case::new("a dangling chapter symlink is reported", chapter_dangling, &["build", "{book}", "-o", "{out}/book.epub"], 1, "zz-gone.md` not found", ok),
    Case::new("a chapter named on the command line may not link out", chapter_named_link, &["build", "{book}/link.md", "-o", "{out}/book.epub"], 1, "link.md` is outside the book folder", ok),
    Case::new("a folder symlink named .md is not a chapter", chapters_folder_link, &["build", "{book}", "-o", "{out}/book.epub"], 0, "", ok),
    Case::new("an image symlinked out of the book is refused", image_symlink_out, &["build", "{book}", "-o", "{out}/book.epub"], 1, "image `images/link.jpg` is outside the book folder", ok),
    Case::new("an image in ../ is refused", image_parent, &["build", "{book}", "-o", "{out}/book.epub"], 1, "image `../outside/secret.jpg` is outside the book folder", ok),
    Case::new("an absolute image path is refused", image_absolute, &["build", "{book}", "-o", "{out}/book.epub"], 1, "image `/etc/passwd` is outside the book folder", ok),
    Case::new("a fifo as an image is refused, not opened", image_fifo, &["build", "{book}", "-o", "{out}/book.epub"], 1, "image `images/pipe.jpg` is not a regular file", ok),
    Case::new("an image symlinked to /dev/zero is refused", image_dev_zero, &["build", "{book}", "-o", "{out}/book.epub"], 1, "image `images/zero.jpg` is outside the book folder", ok),
    Case::new("an image through a folder symlinked out is refused", image_folder_link_out, &["build", "{book}", "-o", "{out}/book.epub"], 1, "image `pics/a.jpg` is outside the book folder", ok),
    Case::new("a file: image URL is explained", image_file_url, &["build", "{book}", "-o", "{out}/book.epub"], 1, "a file: image URL cannot be used; save the image into the book folder", ok),
    Case::new("a data: image URL is explained", image_data_url, &["build", "{book}", "-o", "{out}/book.epub"], 1, "a data: image URL cannot be used; save the image into the book folder", ok),
    Case::new("a cover symlinked out of the book is refused", cover_symlink_out, &["build", "{book}", "-o", "{out}/book.epub"], 1, "cover image `cover.jpg` is outside the book folder", ok),
    Case::new("a cover in ../ is refused", cover_parent, &["build", "{book}", "-o", "{out}/book.epub"], 1, "cover image `../outside/cover.jpg` is outside the book folder", ok),
    Case::new("a fifo as the cover is refused, not opened", cover_fifo, &["build", "{book}", "-o", "{out}/book.epub"], 1, "cover image `cover.jpg` is not a regular file", ok),
    Case::new("cover: /dev/zero is refused", cover_dev_zero, &["build", "{book}", "-o", "{out}/book.epub"], 1, "cover image `/dev/zero` is outside the book folder", ok),
];
