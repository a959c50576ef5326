//! The SVG sanitizer on arbitrary bytes, seeded with real drawings from Graphviz, matplotlib
//! and Inkscape (tests/svg/): it must return a drawing or an error, never panic or overflow
//! the stack, and a drawing it returns must be well-formed XML with no script, no event
//! handler and no reference outside the file, that sanitises to itself.

#![no_main]

use bindery::images::svg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(clean) = svg::sanitize(data) else {
        return;
    };
    let text = std::str::from_utf8(&clean.bytes).expect("the output is UTF-8");
    let document = roxmltree::Document::parse(text).expect("the output is well-formed");
    for node in document.descendants().filter(|n| n.is_element()) {
        assert_ne!(node.tag_name().name(), "script");
        for attribute in node.attributes() {
            assert!(!attribute.name().starts_with("on"), "{text}");
            if attribute.name() == "href" {
                assert!(attribute.value().starts_with('#'), "{text}");
            }
        }
    }
    let again = svg::sanitize(&clean.bytes).expect("the output sanitises again");
    assert_eq!(again.bytes, clean.bytes, "not a fixed point");
});
