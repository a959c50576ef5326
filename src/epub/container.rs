//! `META-INF/container.xml`: the one fixed place a reading system looks to find the package
//! document.

use super::xml::XmlWriter;
use super::{OPF, in_root};

pub(super) fn container_xml() -> String {
    let mut xml = XmlWriter::new();
    xml.open(
        "container",
        &[
            ("version", "1.0"),
            ("xmlns", "urn:oasis:names:tc:opendocument:xmlns:container"),
        ],
    );
    xml.open("rootfiles", &[]);
    xml.empty(
        "rootfile",
        &[
            ("full-path", &in_root(OPF)),
            ("media-type", "application/oebps-package+xml"),
        ],
    );
    xml.close("rootfiles");
    xml.close("container");
    xml.finish()
}
