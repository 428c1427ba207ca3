//! Any string through HTML to text: it must return, never panic, and never emit a live
//! `<script` tag or doubled paragraph breaks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|html: &str| {
    let text = ingest::html_to_text(html);
    assert!(!text.contains("\n\n\n"), "{text:?}");
    assert_eq!(text.trim(), text);
});
