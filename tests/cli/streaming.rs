//! `stance score` as a stream: the same output in the same order with one thread or several,
//! the policy for bad records (stop the file at the first, or `--skip-bad`), and nothing lost
//! around a failure.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{stance, write_file};

/// Runs `stance score` with `args`, returning the whole output whatever the exit code.
fn score(args: &[&str], inputs: &[&Path]) -> Output {
    stance()
        .arg("score")
        .args(args)
        .args(inputs)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// `n` records of invented and war-reporting words, several paragraphs each, with ids.
fn many_records(dir: &Path, name: &str, n: usize) -> PathBuf {
    let phrases = [
        "The Kiev regime and its Western sponsors",
        "Russia's invasion of Ukraine",
        "Kyiv said Russian forces shelled Kharkiv",
        "lorem vado quinta melo",
        "the special military operation in Donbass",
    ];
    let lines: String = (0..n)
        .map(|i| {
            let text = format!(
                "{} {i}.\n\n{} and {}.",
                phrases[i % 5],
                phrases[(i * 7) % 5],
                phrases[(i * 3 + 1) % 5]
            );
            let mut v = serde_json::json!({"text": text});
            if i % 3 != 0 {
                v["id"] = format!("{name}-{i}").into();
            }
            format!("{v}\n")
        })
        .collect();
    write_file(dir, name, lines.as_bytes())
}

#[test]
fn output_is_the_same_with_one_thread_and_with_two() {
    let dir = tempfile::tempdir().unwrap();
    // Over 1024 records: several batches.
    let big = many_records(dir.path(), "big.jsonl", 2600);
    let small = many_records(dir.path(), "small.jsonl", 7);
    let article = Path::new("data/articles/mixed-summit-report.txt");
    let inputs = [big.as_path(), article, small.as_path()];
    for format in ["text", "jsonl"] {
        let run = |threads: &str| {
            let out = score(
                &["--paragraphs", "--format", format, "--threads", threads],
                &inputs,
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
            text(&out.stdout)
        };
        let one = run("1");
        assert_eq!(one, run("2"), "--format {format}");
        if format == "jsonl" {
            let ids: Vec<String> = one
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
                .collect();
            assert_eq!(ids.len(), 2600 + 1 + 7);
            assert_eq!(ids[0], format!("\"{}:1\"", big.display()));
            assert_eq!(ids[1], "\"big.jsonl-1\"");
            assert_eq!(ids[2599], "\"big.jsonl-2599\"");
            assert_eq!(ids[2600], format!("{:?}", article.display().to_string()));
            assert_eq!(ids[2601], format!("\"{}:1\"", small.display()));
        }
    }
}

/// A file with good records (ids `g1`, `g2`, ...) and bad ones between them.
fn mixed(dir: &Path) -> PathBuf {
    let long = "y".repeat(17 << 20);
    let lines = [
        r#"{"id":"g1","text":"Kyiv said Russian forces shelled Kharkiv."}"#.to_string(),
        r#"{"id":"b2","text":"unterminated"#.to_string(),
        r#"{"id":"g3","text":"The Kiev regime and its Western sponsors."}"#.to_string(),
        format!(r#"{{"id":"b4","text":"{long}"}}"#),
        r#"{"id":"b5","text":"  "}"#.to_string(),
        "{\"id\":\"b6\",\"text\":\"nul\0\"}".to_string(),
        r#"{"id":"b7","text":"a","text":"b"}"#.to_string(),
        r#"{"id":"g8","text":"Russia's invasion of Ukraine goes on."}"#.to_string(),
    ];
    write_file(dir, "mixed.jsonl", (lines.join("\n") + "\n").as_bytes())
}

fn ids(stdout: &[u8]) -> Vec<String> {
    text(stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn by_default_a_file_stops_at_its_first_bad_record_and_the_next_file_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let bad = mixed(dir.path());
    let after = many_records(dir.path(), "after.jsonl", 3);
    let out = score(&["--format", "jsonl"], &[&bad, &after]);
    assert_eq!(out.status.code(), Some(1));
    let expected = [
        "g1".to_string(),
        format!("{}:1", after.display()),
        "after.jsonl-1".into(),
        "after.jsonl-2".into(),
    ];
    assert_eq!(ids(&out.stdout), expected);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("mixed.jsonl:2: malformed JSON"), "{stderr}");
    assert!(
        !stderr.contains("mixed.jsonl:4"),
        "read past the first bad record: {stderr}"
    );
    assert!(
        stderr.contains(&format!("1 of 2 input(s) failed: {}", bad.display())),
        "{stderr}"
    );
}

#[test]
fn skip_bad_reports_every_bad_line_and_scores_every_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let bad = mixed(dir.path());
    let good: String = std::fs::read_to_string(&bad)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"id\":\"g"))
        .map(|l| format!("{l}\n"))
        .collect();
    let good = write_file(dir.path(), "good.jsonl", good.as_bytes());
    for threads in ["1", "2"] {
        let out = score(
            &["--format", "jsonl", "--skip-bad", "--threads", threads],
            &[&bad],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        // The good records' output is exactly what scoring them alone gives.
        let alone = score(&["--format", "jsonl"], &[&good]);
        assert_eq!(text(&out.stdout), text(&alone.stdout));
        assert_eq!(ids(&out.stdout), ["g1", "g3", "g8"]);
        let stderr = text(&out.stderr);
        let skipped: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("stance: skipped: "))
            .collect();
        let expected = [
            ":2: malformed JSON",
            ":4: the line is longer than the 16 MiB limit",
            ":5: the text is empty",
            ":6: contains a NUL byte",
            ":7: field \"text\" appears more than once",
        ];
        assert_eq!(skipped.len(), expected.len(), "{stderr}");
        for (line, part) in skipped.iter().zip(expected) {
            assert!(line.contains(&format!("mixed.jsonl{part}")), "{line}");
        }
        assert!(
            stderr.ends_with("stance: 5 bad record(s) skipped\n"),
            "{stderr}"
        );
    }
}

#[test]
fn skip_bad_still_fails_on_files_that_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = many_records(dir.path(), "good.jsonl", 2);
    let missing = dir.path().join("missing.jsonl");
    let out = score(&["--format", "jsonl", "--skip-bad"], &[&missing, &good]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(ids(&out.stdout).len(), 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("stance: 0 bad record(s) skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("1 of 2 input(s) failed: {}", missing.display())),
        "{stderr}"
    );
}

#[test]
fn threads_must_be_positive() {
    common::fails_with(
        stance().args([
            "score",
            "--threads",
            "0",
            "data/articles/western-kyiv-briefing.txt",
        ]),
        "threads must be between 1 and",
    );
}
