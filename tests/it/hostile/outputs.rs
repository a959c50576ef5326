//! Hostile cases for where the EPUB is written (issue 10, item 1): `-o` is compared,
//! canonicalised, with every input and the cache; it must be, or become, a regular file; a
//! symlinked output is written through to its target. Every refusal comes before any work,
//! and leaves every file as it was (the runner checks the inputs and the previous EPUB).

use std::fs;
use std::process::Output;

use crate::hostile::scene::{Case, Scene, mkfifo, ok, plain};

fn css_extra(s: &Scene) {
    s.write("book/extra.css", b"p { margin: 0; }\n");
    s.front("css: extra.css")
}
fn bk_link(s: &Scene) {
    s.symlink("book", "bk")
}
fn cover_photo(s: &Scene) {
    s.write("book/cover.jpg", &crate::hostile::scene::small_jpeg(16, 24));
    s.front("cover: cover.jpg")
}
fn out_fifo(s: &Scene) {
    mkfifo(s, "out/pipe.epub")
}
fn out_link_to_file(s: &Scene) {
    s.write("out/v3.epub", b"an older EPUB");
    s.symlink("out/v3.epub", "out/latest.epub")
}
fn out_link_dangling(s: &Scene) {
    s.symlink("out/gone.epub", "out/latest.epub")
}
fn out_link_to_input(s: &Scene) {
    s.symlink("book/essay.md", "out/latest.epub")
}
fn out_link_to_image(s: &Scene) {
    s.symlink("book/images/photo.jpg", "out/latest.epub")
}
fn out_link_to_folder(s: &Scene) {
    s.symlink("out", "out/here.epub")
}
fn out_link_to_dev_null(s: &Scene) {
    s.symlink("/dev/null", "out/null.epub")
}
fn out_folder_link(s: &Scene) {
    s.symlink("out", "out2")
}
fn out_link_into_cache(s: &Scene) {
    s.symlink("cache", "out/cache")
}

/// `/dev/null` is still the character device every process shares.
#[cfg(unix)]
fn dev_null_intact(_: &Scene, _: &Output) {
    use std::os::unix::fs::FileTypeExt;
    let meta = fs::symlink_metadata("/dev/null").expect("/dev/null");
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
}

/// The fifo is still a fifo.
#[cfg(unix)]
fn fifo_intact(s: &Scene, _: &Output) {
    use std::os::unix::fs::FileTypeExt;
    let meta = fs::symlink_metadata(s.path("out/pipe.epub")).expect("the fifo");
    assert!(meta.file_type().is_fifo(), "the fifo was replaced");
}

/// The link is kept and the EPUB is in the file it points at.
fn written_through(s: &Scene, _: &Output) {
    let link = fs::symlink_metadata(s.path("out/latest.epub")).expect("the link");
    assert!(
        link.file_type().is_symlink(),
        "the symlink was replaced by a file"
    );
    assert!(
        fs::read(s.path("out/v3.epub"))
            .expect("the target")
            .starts_with(b"PK")
    );
}

/// Written into `out/` through the symlinked folder.
fn in_out(s: &Scene, _: &Output) {
    assert!(
        fs::read(s.path("out/new.epub"))
            .expect("out/new.epub")
            .starts_with(b"PK")
    );
}

/// Too big for a budget of one byte: the previous EPUB stays (the runner checks it) and no
/// other EPUB was written.
fn nothing_new(s: &Scene, _: &Output) {
    let names: Vec<_> = fs::read_dir(s.path("out"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["book.epub"], "only the previous EPUB is in out/");
}

#[rustfmt::skip]
pub(super) const CASES: &[Case] = &[
    Case::new("-o onto an image is refused", plain, &["build", "{book}", "-o", "{book}/images/photo.jpg"], 1, "the output would overwrite an input file", ok),
    Case::new("-o onto the stylesheet is refused", css_extra, &["build", "{book}", "-o", "{book}/extra.css"], 1, "the output would overwrite an input file", ok),
    Case::new("-o onto the essay through a symlinked folder is refused", bk_link, &["build", "{book}", "-o", "{root}/bk/essay.md"], 1, "the output would overwrite an input file", ok),
    Case::new("-o onto an image through a symlinked folder is refused", bk_link, &["build", "{book}", "-o", "{root}/bk/images/photo.jpg"], 1, "the output would overwrite an input file", ok),
    Case::new("-o onto the essay spelled with ./ and .. is refused", plain, &["build", "{book}", "-o", "{book}/images/.././essay.md"], 1, "the output would overwrite an input file", ok),
    Case::new("-o onto the cover is refused", cover_photo, &["build", "{book}", "-o", "{book}/cover.jpg"], 1, "the output would overwrite an input file", ok),
    Case::new("-o onto the essay given as a file is refused", plain, &["build", "{book}/essay.md", "-o", "{book}/essay.md"], 1, "the output would overwrite an input file", ok),
    Case::new("-o /dev/null is refused and the device kept", plain, &["build", "{book}", "-o", "/dev/null"], 1, "the output path is not a regular file", dev_null_intact),
    Case::new("-o a fifo is refused and the fifo kept", out_fifo, &["build", "{book}", "-o", "{out}/pipe.epub"], 1, "the output path is not a regular file", fifo_intact),
    Case::new("-o a folder is refused", plain, &["build", "{book}", "-o", "{out}"], 1, "the output path is a folder", ok),
    Case::new("-o the book folder is refused", plain, &["build", "{book}", "-o", "{book}"], 1, "the output path is a folder", ok),
    Case::new("-o inside the image cache is refused", plain, &["build", "{book}", "-o", "{cache}/book.epub"], 1, "the output is inside the image cache folder", ok),
    Case::new("-o into the cache through a symlink is refused", out_link_into_cache, &["build", "{book}", "-o", "{out}/cache/book.epub"], 1, "the output is inside the image cache folder", ok),
    Case::new("-o a symlink is written through to its file", out_link_to_file, &["build", "{book}", "-o", "{out}/latest.epub"], 0, "", written_through),
    Case::new("-o a dangling symlink is refused", out_link_dangling, &["build", "{book}", "-o", "{out}/latest.epub"], 1, "the output is a symlink to a file or folder that does not exist", ok),
    Case::new("-o a symlink to the essay is refused", out_link_to_input, &["build", "{book}", "-o", "{out}/latest.epub"], 1, "the output would overwrite an input file", ok),
    Case::new("-o a symlink to an image is refused", out_link_to_image, &["build", "{book}", "-o", "{out}/latest.epub"], 1, "the output would overwrite an input file", ok),
    Case::new("-o a symlink to a folder is refused", out_link_to_folder, &["build", "{book}", "-o", "{out}/here.epub"], 1, "the output path is a folder", ok),
    Case::new("-o a symlink to /dev/null is refused", out_link_to_dev_null, &["build", "{book}", "-o", "{out}/null.epub"], 1, "the output path is not a regular file", dev_null_intact),
    Case::new("-o through a symlinked folder writes there", out_folder_link, &["build", "{book}", "-o", "{root}/out2/new.epub"], 0, "", in_out),
    Case::new("-o in a missing folder is refused", plain, &["build", "{book}", "-o", "{out}/missing/book.epub"], 1, "cannot write the EPUB here", ok),
    Case::new("-o below a file is refused", plain, &["build", "{book}", "-o", "{out}/book.epub/x.epub"], 1, "is not a folder", ok),
    Case::new("--deny-warnings refuses an EPUB over the size budget, writing nothing", plain, &["build", "{book}", "-o", "{out}/book.epub", "--deny-warnings", "--max-size", "0.000001"], 1, "over the size budget", nothing_new),
    Case::new("the size budget alone only warns", plain, &["build", "{book}", "-o", "{out}/new.epub", "--max-size", "0.000001"], 0, "over the size budget", in_out),
    Case::new("a size budget of zero is a usage error", plain, &["build", "{book}", "-o", "{out}/book.epub", "--max-size", "0"], 2, "must be more than 0", ok),
];
