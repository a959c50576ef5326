//! Where everything goes inside the EPUB: the one place its folders and fixed file names
//! are spelled. Paths are relative to [`ROOT`] unless they say otherwise.
//!
//! ```text
//! META-INF/container.xml
//! OEBPS/content.opf  OEBPS/nav.xhtml  OEBPS/toc.ncx
//! OEBPS/css/bindery.css  [OEBPS/css/extra.css  OEBPS/css/files/<hash>.<ext>]
//! OEBPS/text/[cover.xhtml] title.xhtml <chapters> [illustrations.xhtml]
//! OEBPS/images/<hash>.<ext>
//! ```

/// The folder of the publication inside the zip.
pub(crate) const ROOT: &str = "OEBPS";
/// Where every reading system looks first; relative to the zip's root, not [`ROOT`].
pub(crate) const CONTAINER: &str = "META-INF/container.xml";
pub(crate) const OPF: &str = "content.opf";
pub(crate) const NAV: &str = "nav.xhtml";
pub(crate) const NCX: &str = "toc.ncx";
pub(crate) const STYLESHEET: &str = "css/bindery.css";
pub(crate) const EXTRA_STYLESHEET: &str = "css/extra.css";
const TEXT_FOLDER: &str = "text/";
pub(crate) const COVER_PAGE: &str = "text/cover.xhtml";
pub(crate) const TITLE_PAGE: &str = "text/title.xhtml";
pub(crate) const ILLUSTRATIONS_PAGE: &str = "text/illustrations.xhtml";
const IMAGES_FOLDER: &str = "images/";
/// The way from a document in the text folder back to [`ROOT`]: every XHTML document bindery
/// writes is in that folder.
pub(crate) const TEXT_TO_ROOT: &str = "../";

/// `path` as a path inside the zip.
pub(crate) fn in_root(path: &str) -> String {
    format!("{ROOT}/{path}")
}

/// A chapter's path, from its file name.
pub(crate) fn chapter_href(file_name: &str) -> String {
    format!("{TEXT_FOLDER}{file_name}")
}

/// A processed image's path, from its file name.
pub(crate) fn image_href(file_name: &str) -> String {
    format!("{IMAGES_FOLDER}{file_name}")
}

/// The `src` that leads to a processed image from a chapter.
pub(crate) fn image_src_in_text(file_name: &str) -> String {
    format!("{TEXT_TO_ROOT}{}", image_href(file_name))
}

/// Where a stylesheet's font or image goes: beside the extra stylesheet, so the relative
/// `url(…)` the sanitizer wrote (`files/<hash>.<ext>`) finds it.
pub(crate) fn stylesheet_resource_href(href: &str) -> String {
    let folder = EXTRA_STYLESHEET
        .rsplit_once('/')
        .map_or("", |(folder, _)| folder);
    format!("{folder}/{href}")
}
