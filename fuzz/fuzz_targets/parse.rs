//! Fuzz target: any bytes through the decoder and the parser must give a document or a
//! `ParseError`, never a panic. Run: `cargo +nightly fuzz run parse -- -max_total_time=600`
//! (from the crate root; seeds in fuzz/corpus/parse).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // PDF input would run pdftotext: the target covers text input only.
    if data.starts_with(b"%PDF") {
        return;
    }
    let path = Path::new("fuzz.txt");
    if let Ok(text) = yusuan::document::decode(path, data) {
        let _ = yusuan::statements::parse(path, &text);
    }
});
