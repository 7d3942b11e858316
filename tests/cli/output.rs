//! Every command's output path: a closed stdout ends the command quietly with exit code 0 (as
//! `stance ... | head -c 1` does), and JSON Lines on stdin score as the same file does.

use crate::common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{repo, stance, stdout_of, train_examples};

/// A long article (the four example articles, many times over), so that `explain` prints more
/// than a pipe holds and is still writing when the reader goes away.
fn long_article(dir: &Path) -> std::path::PathBuf {
    let mut text = String::new();
    for round in 0..40 {
        for name in [
            "western-kyiv-briefing",
            "russian-ministry-statement",
            "mixed-summit-report",
            "offtopic-trade-fair",
        ] {
            let article =
                std::fs::read_to_string(repo(&format!("data/articles/{name}.txt"))).unwrap();
            text.push_str(&format!("Part {round}.\n\n{article}\n\n"));
        }
    }
    let path = dir.join("long.txt");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `stance args` with stdout read as `head -c 1` reads it: one byte, then the pipe is
/// closed. Asserts that the command still exits 0 and does not panic.
fn exits_0_under_head(args: &[&str]) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("stance"))
        .current_dir(repo(""))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    let n = stdout.read(&mut byte).unwrap();
    assert_eq!(n, 1, "stance {args:?} printed nothing");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "stance {args:?} panicked: {stderr}"
    );
    assert!(
        out.status.success(),
        "stance {args:?} exited with {:?} when its output pipe was closed: {stderr}",
        out.status
    );
}

#[test]
fn explain_exits_0_when_its_output_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let article = long_article(dir.path());
    let article = article.to_str().unwrap();
    exits_0_under_head(&["explain", "--top", "1000", article]);
    let html = dir.path().join("view.html");
    exits_0_under_head(&[
        "explain",
        "--format",
        "json",
        "--html",
        html.to_str().unwrap(),
        article,
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<html"),
        "the HTML view is written all the same"
    );
}

#[test]
fn inspect_exits_0_when_its_output_is_closed() {
    exits_0_under_head(&["inspect", "--top", "5000"]);
    exits_0_under_head(&["inspect", "--top", "5000", "--format", "json"]);
}

#[test]
fn score_exits_0_when_its_output_is_closed() {
    exits_0_under_head(&["score", "--paragraphs", "data/examples.jsonl"]);
    exits_0_under_head(&["score", "--format", "jsonl", "data/examples.jsonl"]);
}

#[test]
fn train_exits_0_when_its_output_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let out = out.to_str().unwrap();
    exits_0_under_head(&[
        "train",
        "-q",
        "--min-df",
        "1",
        "--data",
        "data/examples.jsonl",
        "--out",
        out,
    ]);
    assert!(
        Path::new(out).is_file(),
        "the model is written all the same"
    );
}

#[test]
fn eval_exits_0_when_its_output_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_examples(dir.path());
    let model = model.to_str().unwrap();
    for format in ["text", "json"] {
        exits_0_under_head(&[
            "eval",
            "--format",
            format,
            "--data",
            "data/examples.jsonl",
            "--model",
            model,
        ]);
    }
}

#[test]
fn cv_exits_0_when_its_output_is_closed() {
    for format in ["text", "json"] {
        exits_0_under_head(&[
            "cv",
            "--data",
            "data/examples.jsonl",
            "--folds",
            "2",
            "--group-by",
            "none",
            "--min-df",
            "1",
            "--format",
            format,
        ]);
    }
}

#[test]
fn bench_exits_0_when_its_output_is_closed() {
    for format in ["text", "json"] {
        exits_0_under_head(&[
            "bench",
            "--data",
            "data/examples.jsonl",
            "--threads",
            "1",
            "--repeat",
            "1",
            "--score-sample",
            "5",
            "--format",
            format,
        ]);
    }
}

#[test]
fn json_lines_on_stdin_score_as_the_file_does() {
    let file = stdout_of(stance().args(["score", "--format", "jsonl", "data/examples.jsonl"]));
    let data = std::fs::read(repo("data/examples.jsonl")).unwrap();
    let piped = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "-"])
            .write_stdin(data.clone()),
    );
    assert_eq!(piped, file);
    assert_eq!(piped.lines().count(), 48);
    // Detected after leading blank lines too, and forced with --input jsonl; no argument is -.
    let mut blank_first = b"\n  \n".to_vec();
    blank_first.extend_from_slice(&data);
    let detected = stdout_of(
        stance()
            .args(["score", "--format", "jsonl"])
            .write_stdin(blank_first),
    );
    assert_eq!(detected.lines().count(), 48);
    let forced = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--input", "jsonl", "-"])
            .write_stdin(data),
    );
    assert_eq!(forced, file);
}

#[test]
fn stdin_that_does_not_start_with_a_brace_is_one_article() {
    let article = std::fs::read(repo("data/articles/mixed-summit-report.txt")).unwrap();
    let file = stdout_of(stance().args([
        "score",
        "--format",
        "jsonl",
        "--paragraphs",
        "data/articles/mixed-summit-report.txt",
    ]));
    let piped = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--paragraphs", "-"])
            .write_stdin(article.clone()),
    );
    // The same scores and paragraph offsets; only the id differs.
    let strip_id = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("id");
        v
    };
    assert_eq!(strip_id(&piped), strip_id(&file));
    // --input text reads even a brace-led stdin as one article.
    let mut braced = b"{".to_vec();
    braced.extend_from_slice(&article);
    let out = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--input", "text", "-"])
            .write_stdin(braced),
    );
    assert_eq!(out.lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["id"],
        "-"
    );
}

#[test]
fn bad_json_lines_on_stdin_are_named_by_line() {
    common::fails_with(
        stance()
            .args(["score", "--format", "jsonl", "-"])
            .write_stdin("{\"text\": \"Kyiv said\"}\n{\"text\": \n"),
        "<stdin>:2: malformed JSON",
    );
}

/// Scores appear while stdin is still open: JSON Lines on stdin are streamed, not read whole
/// first. The input is three batches of the scorer's reader; the test waits for the first
/// thousand scores before it closes stdin. Were stdin read to its end first, they would never
/// come, and the test would fail after the (generous) wait.
#[test]
fn json_lines_on_stdin_stream() {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::mpsc;
    use std::time::Duration;

    let data = std::fs::read(repo("data/examples.jsonl")).unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("stance"))
        .current_dir(repo(""))
        .args(["score", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (close_tx, close_rx) = mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        for _ in 0..64 {
            stdin.write_all(&data).unwrap();
        }
        stdin.flush().unwrap();
        // Stdin stays open until the reader has seen output.
        let _ = close_rx.recv();
        drop(stdin);
    });
    let stdout = child.stdout.take().unwrap();
    let (seen_tx, seen_rx) = mpsc::channel::<usize>();
    let reader = std::thread::spawn(move || {
        let mut n = 0;
        for line in BufReader::new(stdout).lines() {
            line.unwrap();
            n += 1;
            if n == 1000 {
                let _ = seen_tx.send(n);
            }
        }
        n
    });
    let seen = seen_rx.recv_timeout(Duration::from_secs(300));
    close_tx.send(()).unwrap();
    writer.join().unwrap();
    let total = reader.join().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(seen, Ok(1000), "no scores came out while stdin was open");
    assert_eq!(total, 64 * 48);
}
