//! The image pipeline (sniff, decode under limits, orient, resize, encode) on arbitrary bytes,
//! seeded with small real JPEG and PNG files: it must return an error, never panic or allocate
//! past the limits.

#![no_main]

use bindery::images::work;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A small box, so a valid image is reduced and encoded, as a figure would be.
    let _ = work::transform(data, (64, 64), 80, false);
});
