//! The stylesheet sanitizer on arbitrary text, in both contexts, twice (as the build does:
//! a first pass lists the relative targets, a second rewrites or drops them). It must never
//! panic, and what it writes must hold: no comment, no `</`, no target with a scheme, and
//! sanitising the output again changes nothing that matters (no new findings).

#![no_main]

use std::collections::HashMap;

use bindery::css::{self, Context, UrlFate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for context in [Context::Stylesheet, Context::Svg] {
        let first = css::sanitize(text, context, &HashMap::new());
        let fates: HashMap<String, UrlFate> = first
            .references
            .iter()
            .enumerate()
            .map(|(index, reference)| {
                let fate = if index % 2 == 0 {
                    UrlFate::Rewrite(format!("../fonts/{index}.woff2"))
                } else {
                    UrlFate::Drop("not a font or an image".into())
                };
                (reference.url.clone(), fate)
            })
            .collect();
        let second = css::sanitize(text, context, &fates);
        for out in [&first.css, &second.css] {
            assert!(!out.contains("</"), "{out:?}");
            assert!(!out.contains("<!--"), "{out:?}");
        }
        // The output is a fixed point: nothing left in it to drop.
        let again = css::sanitize(&second.css, context, &fates);
        assert!(again.findings.is_empty(), "{:?} in {:?}", again.findings, second.css);
    }
});
