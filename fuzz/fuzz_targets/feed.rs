//! Any bytes through the whole feed path (gzip, decoding, the XML safety pass, feed-rs,
//! HTML to text): it must return, never panic, and never let markup into article text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(feed) = ingest::parse_feed(data) {
        for item in feed.items {
            if let Ok(article) = item.result {
                assert!(!article.body.to_ascii_lowercase().contains("<script"));
            }
        }
    }
});
