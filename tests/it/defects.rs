//! Regressions from issue 13's defects, each named after what broke.

use crate::support::{newsflow, output_with_stdin, records, repo_root, run_with_stdin, scratch};

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

/// Runs the binary with `args` in `dir`, one JSON Lines article on stdin; returns the exit
/// code, stderr and stdout.
fn run_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, Vec<u8>) {
    let out = output_with_stdin(
        newsflow().args(args).current_dir(dir),
        "{\"id\":\"a\",\"body\":\"Angela Merkel met Emmanuel Macron in Paris.\"}\n",
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), stderr, out.stdout)
}

#[test]
fn jsonl_sink_into_dev_null_or_a_pipe_exits_zero() {
    // fsync on a file that is not a regular one fails with EINVAL, after everything was written.
    let dir = scratch("devnull");
    let (code, stderr, _) = run_in(&dir, &["run", "-q", "--sink", "jsonl:/dev/null"]);
    assert_eq!(code, Some(0), "{stderr}");
    // Standard output is a pipe here.
    let (code, stderr, stdout) = run_in(&dir, &["run", "-q", "--sink", "jsonl:/dev/stdout"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(records(&stdout).len(), 1);
}

#[test]
fn error_chains_name_each_cause_once() {
    let dir = scratch("chains");
    let cases: [(&[&str], &str); 3] = [
        (
            &["run", "missing.jsonl"],
            "newsflow: error: cannot open missing.jsonl: No such file or directory (os error 2)",
        ),
        (
            &["run", "-q", "--sink", "jsonl:/dev/full"],
            "newsflow: error: sink jsonl:/dev/full failed after 1 attempt(s): \
             cannot write /dev/full: No space left on device (os error 28)",
        ),
        (
            &["run", "-q", "--sink", "jsonl:no/such/dir/out.jsonl"],
            "newsflow: error: cannot open sink jsonl:no/such/dir/out.jsonl: \
             cannot write no/such/dir/out.jsonl: No such file or directory (os error 2)",
        ),
    ];
    for (args, expected) in cases {
        let (code, stderr, _) = run_in(&dir, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().last(), Some(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_rejected_whole_file_is_logged_once() {
    let dir = scratch("rejected-once");
    std::fs::write(dir.join("cut.xml"), "<rss><channel><item>").unwrap();
    std::fs::write(dir.join("prose.txt"), "Not a feed at all.").unwrap();
    for (file, what) in [
        ("cut.xml", "truncated or malformed"),
        ("prose.txt", "rejected file"),
    ] {
        let (code, stderr, _) = run_in(&dir, &["run", "-q", file]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(stderr.matches(what).count(), 1, "{file}: {stderr}");
    }
}

#[test]
fn check_summary_counts_skipped_tests_and_ci_fails_on_them() {
    // scripts/check said "all checks passed" over tests that printed SKIPPED and passed.
    let dir = scratch("skips");
    let log = dir.join("tests.log");
    let summarize = |log: &std::path::Path, ci: &str| {
        std::process::Command::new(repo_root().join("scripts/summarize-checks"))
            .arg(log)
            .env("CI", ci)
            .output()
            .unwrap()
    };
    std::fs::write(
        &log,
        "test a ... ok\nSKIPPED html report: chromium not found\ntest b ... ok\n",
    )
    .unwrap();
    let out = summarize(&log, "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.starts_with("1 tests skipped:\nSKIPPED html report"),
        "{stdout}"
    );
    assert!(!stdout.contains("all checks passed"), "{stdout}");
    assert!(!summarize(&log, "true").status.success());
    std::fs::write(&log, "test a ... ok\n").unwrap();
    let out = summarize(&log, "true");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "all checks passed\n");
}
