//! Regressions from issue 13's defects, each named after what broke.

use crate::support::run_with_stdin;

#[test]
fn segment_reads_json_lines_with_a_byte_order_mark_as_records() {
    // `segment` had its own sniffer, which took a BOM for plain text and printed the JSON.
    let out = run_with_stdin(
        &["segment"],
        "\u{feff}{\"id\":\"a\",\"body\":\"One here. Two there.\"}\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "One here.\nTwo there.\n"
    );
}
