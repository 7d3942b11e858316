//! Every class of bad input data, for every command that reads it: `train`, `cv`, `eval` and
//! `bench` read labelled data (JSON Lines, CSV, folders); `score` and `explain` read articles.
//! Each must fail with a message naming the file (and the line, for line formats), a non-zero
//! exit code and no panic.

use crate::common;

use std::path::{Path, PathBuf};

use common::{fails_with, stance, train_examples, write_file};

/// Runs `train`, `cv`, `eval` and `bench` on `data`, each expected to fail with `message`.
fn data_commands_fail(data: &Path, message: &str) {
    data_commands_fail_with(data, [message; 4]);
}

/// As [`data_commands_fail`], with a message per command: train, cv, eval, bench.
fn data_commands_fail_with(data: &Path, messages: [&str; 4]) {
    let dir = tempfile::tempdir().unwrap();
    let model = train_examples(dir.path());
    let out = dir.path().join("m.json");
    let mut commands = [stance(), stance(), stance(), stance()];
    commands[0]
        .args(["train", "-q", "--min-df", "1", "--out"])
        .arg(&out);
    commands[1].args(["cv", "--folds", "2", "--group-by", "none", "--min-df", "1"]);
    commands[2].args(["eval", "--model"]).arg(&model);
    commands[3].args(["bench", "--threads", "1", "--score-sample", "5"]);
    for (cmd, message) in commands.iter_mut().zip(messages) {
        fails_with(cmd.arg("--data").arg(data), message);
    }
    assert!(!out.exists(), "a failed training run wrote a model");
}

/// Runs `score` and `explain` on the article at `path`, each expected to fail with `message`.
fn article_commands_fail(path: &Path, message: &str) {
    fails_with(stance().arg("score").arg(path), message);
    fails_with(stance().arg("explain").arg(path), message);
}

/// A JSON Lines file: one good labelled record, then `bad` as line 2.
fn jsonl_with_bad_line_2(dir: &Path, name: &str, bad: &[u8]) -> PathBuf {
    let mut bytes = b"{\"text\":\"good words here\",\"label\":\"a\"}\n".to_vec();
    bytes.extend_from_slice(bad);
    bytes.extend_from_slice(b"\n{\"text\":\"more good words\",\"label\":\"b\"}\n");
    write_file(dir, name, &bytes)
}

/// A CSV file: a header, one good row, then `bad` as line 3.
fn csv_with_bad_line_3(dir: &Path, name: &str, bad: &[u8]) -> PathBuf {
    let mut bytes = b"label,text\na,good words here\n".to_vec();
    bytes.extend_from_slice(bad);
    bytes.extend_from_slice(b"\nb,more good words\n");
    write_file(dir, name, &bytes)
}

/// `text` encoded as UTF-16 little-endian with its byte-order mark.
fn utf16(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

#[test]
fn non_utf8_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let bad = b"{\"text\":\"caf\xe9\",\"label\":\"a\"}";
    let jsonl = jsonl_with_bad_line_2(dir.path(), "latin1.jsonl", bad);
    data_commands_fail(&jsonl, "latin1.jsonl:2: not valid UTF-8");
    fails_with(
        stance().arg("score").arg(&jsonl),
        "latin1.jsonl:2: not valid UTF-8",
    );
    let csv = csv_with_bad_line_3(dir.path(), "latin1.csv", b"a,caf\xe9");
    data_commands_fail(&csv, "latin1.csv:3: not valid UTF-8");
    let txt = write_file(dir.path(), "latin1.txt", b"first line\ncaf\xe9 au lait\n");
    article_commands_fail(&txt, "latin1.txt:2: not valid UTF-8");
}

#[test]
fn utf16_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write_file(
        dir.path(),
        "wide.jsonl",
        &utf16("{\"text\":\"a b\",\"label\":\"a\"}\n{\"text\":\"c d\",\"label\":\"b\"}\n"),
    );
    data_commands_fail(&jsonl, "wide.jsonl: the file is UTF-16");
    fails_with(
        stance().arg("score").arg(&jsonl),
        "wide.jsonl: the file is UTF-16",
    );
    let csv = write_file(dir.path(), "wide.csv", &utf16("label,text\na,a b\nb,c d\n"));
    data_commands_fail(&csv, "wide.csv: the file is UTF-16");
    let txt = write_file(dir.path(), "wide.txt", &utf16("Kyiv said on Monday.\n"));
    article_commands_fail(&txt, "wide.txt: the file is UTF-16");
}

#[test]
fn nul_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = jsonl_with_bad_line_2(
        dir.path(),
        "nul.jsonl",
        b"{\"text\":\"a\0b\",\"label\":\"a\"}",
    );
    data_commands_fail(&jsonl, "nul.jsonl:2: contains a NUL byte");
    fails_with(
        stance().arg("score").arg(&jsonl),
        "nul.jsonl:2: contains a NUL byte",
    );
    let csv = csv_with_bad_line_3(dir.path(), "nul.csv", b"a,a\0b");
    data_commands_fail(&csv, "nul.csv:3: contains a NUL byte");
    let txt = write_file(dir.path(), "nul.txt", b"first line\nsecond\0line\n");
    article_commands_fail(&txt, "nul.txt:2: contains a NUL byte");
}

#[test]
fn a_100_mb_single_line() {
    // Every reader stops at the 16 MiB record limit rather than buffering the line (the memory
    // this takes is measured in tests/memory.rs).
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100 << 20);
    let jsonl = jsonl_with_bad_line_2(
        dir.path(),
        "long.jsonl",
        format!("{{\"label\":\"a\",\"text\":\"{long}\"}}").as_bytes(),
    );
    let message = "long.jsonl:2: the line is longer than the 16 MiB limit for one record";
    data_commands_fail(&jsonl, message);
    fails_with(stance().arg("score").arg(&jsonl), message);
    std::fs::remove_file(&jsonl).unwrap();
    let csv = csv_with_bad_line_3(dir.path(), "long.csv", format!("a,{long}").as_bytes());
    data_commands_fail(
        &csv,
        "long.csv:3: the line is longer than the 16 MiB limit for one record",
    );
    std::fs::remove_file(&csv).unwrap();
    let txt = write_file(dir.path(), "long.txt", long.as_bytes());
    article_commands_fail(
        &txt,
        "long.txt: the text is larger than the 16 MiB limit for one article",
    );
}

#[test]
fn empty_or_whitespace_only_text() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("empty.jsonl", ""), ("blank.jsonl", " \\n\\t ")] {
        let bad = format!("{{\"text\":\"{text}\",\"label\":\"a\"}}");
        let jsonl = jsonl_with_bad_line_2(dir.path(), name, bad.as_bytes());
        let message = format!("{name}:2: the text is empty or only whitespace");
        data_commands_fail(&jsonl, &message);
        fails_with(stance().arg("score").arg(&jsonl), &message);
    }
    let csv = csv_with_bad_line_3(dir.path(), "blank.csv", b"a,   ");
    data_commands_fail(&csv, "blank.csv:3: the text is empty or only whitespace");
    for (name, text) in [("empty.txt", ""), ("blank.txt", " \n\t\n")] {
        let txt = write_file(dir.path(), name, text.as_bytes());
        article_commands_fail(
            &txt,
            &format!("{name}: the text is empty or only whitespace"),
        );
    }
    for cmd in ["score", "explain"] {
        fails_with(
            stance().args([cmd, "-"]).write_stdin("  \n"),
            "<stdin>: the text is empty or only whitespace",
        );
    }
    let folder = dir.path().join("folder");
    for (label, text) in [("a", "some words"), ("b", " ")] {
        std::fs::create_dir_all(folder.join(label)).unwrap();
        write_file(&folder.join(label), "doc.txt", text.as_bytes());
    }
    data_commands_fail(&folder, "doc.txt: the text is empty or only whitespace");
}

#[test]
fn deeply_nested_json() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let bad = format!("{{\"text\":\"a b\",\"label\":\"a\",\"extra\":{deep}}}");
    let jsonl = jsonl_with_bad_line_2(dir.path(), "deep.jsonl", bad.as_bytes());
    let message = "deep.jsonl:2: malformed JSON: recursion limit exceeded";
    data_commands_fail(&jsonl, message);
    fails_with(stance().arg("score").arg(&jsonl), message);
    let top = jsonl_with_bad_line_2(dir.path(), "top.jsonl", deep.as_bytes());
    fails_with(
        stance().arg("score").arg(&top),
        "top.jsonl:2: malformed JSON: invalid type: sequence, expected a JSON object",
    );
}

#[test]
fn huge_json_values() {
    let dir = tempfile::tempdir().unwrap();
    // Eight million numbers where the text belongs: refused by type, never built as a tree.
    let huge = format!("[{}0]", "0,".repeat(4 << 20));
    let bad = format!("{{\"label\":\"a\",\"text\":{huge}}}");
    let jsonl = jsonl_with_bad_line_2(dir.path(), "huge.jsonl", bad.as_bytes());
    let message = "huge.jsonl:2: field \"text\" must be a string, not an array";
    data_commands_fail(&jsonl, message);
    fails_with(stance().arg("score").arg(&jsonl), message);
    // The same value in a field nobody reads is skipped as it is parsed.
    let ok = write_file(
        dir.path(),
        "extra.jsonl",
        format!("{{\"id\":\"e\",\"text\":\"Kyiv said\",\"extra\":{huge}}}\n").as_bytes(),
    );
    let out = common::stdout_of(stance().args(["score", "--format", "jsonl"]).arg(&ok));
    assert!(out.starts_with("{\"id\":\"e\""), "{out}");
}

#[test]
fn numbers_where_strings_belong() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = jsonl_with_bad_line_2(dir.path(), "num.jsonl", b"{\"text\":12,\"label\":\"a\"}");
    let message = "num.jsonl:2: field \"text\" must be a string, not a number";
    data_commands_fail(&jsonl, message);
    fails_with(stance().arg("score").arg(&jsonl), message);
    let label = jsonl_with_bad_line_2(
        dir.path(),
        "numlabel.jsonl",
        b"{\"text\":\"a\",\"label\":1}",
    );
    data_commands_fail(
        &label,
        "numlabel.jsonl:2: field \"label\" must be a string, not a number",
    );
}

#[test]
fn duplicate_fields() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = jsonl_with_bad_line_2(
        dir.path(),
        "dup.jsonl",
        b"{\"text\":\"a b\",\"label\":\"a\",\"label\":\"b\"}",
    );
    data_commands_fail(
        &jsonl,
        "dup.jsonl:2: field \"label\" appears more than once",
    );
    let text = jsonl_with_bad_line_2(
        dir.path(),
        "duptext.jsonl",
        b"{\"text\":\"a\",\"text\":\"b\"}",
    );
    fails_with(
        stance().arg("score").arg(&text),
        "duptext.jsonl:2: field \"text\" appears more than once",
    );
    let csv = write_file(
        dir.path(),
        "dup.csv",
        b"label,text,label\na,a b,a\nb,c d,b\n",
    );
    data_commands_fail(
        &csv,
        "dup.csv:1: the header names the column \"label\" more than once",
    );
}

#[test]
fn labels_that_are_empty_strings() {
    let dir = tempfile::tempdir().unwrap();
    for (name, label) in [("empty-label.jsonl", ""), ("blank-label.jsonl", "  ")] {
        let bad = format!("{{\"text\":\"a b\",\"label\":\"{label}\"}}");
        let jsonl = jsonl_with_bad_line_2(dir.path(), name, bad.as_bytes());
        data_commands_fail(&jsonl, &format!("{name}:2: field \"label\" is empty"));
    }
    let csv = csv_with_bad_line_3(dir.path(), "empty-label.csv", b" ,some text");
    data_commands_fail(&csv, "empty-label.csv:3: field \"label\" is empty");
}

#[test]
fn thousands_of_labels() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..3000)
        .map(|i| format!("{{\"text\":\"word{i} shared words\",\"label\":\"label-{i}\"}}\n"))
        .collect();
    let jsonl = write_file(dir.path(), "ids-as-labels.jsonl", lines.as_bytes());
    let too_many = "the training data has 3000 distinct labels; at most 100 are supported";
    data_commands_fail_with(
        &jsonl,
        [
            too_many,
            too_many,
            "ids-as-labels.jsonl:1: label \"label-0\" is not one of the model's labels",
            too_many,
        ],
    );
}

#[test]
fn a_csv_with_ragged_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_with_bad_line_3(dir.path(), "ragged.csv", b"a");
    data_commands_fail(&csv, "ragged.csv:3: CSV error");
    let long = csv_with_bad_line_3(dir.path(), "long-row.csv", b"a,b,c");
    data_commands_fail(&long, "long-row.csv:3: CSV error");
}

/// A folder corpus with a good document per label, plus `extra` applied to it.
fn folder_corpus(dir: &Path, extra: impl Fn(&Path)) -> PathBuf {
    let folder = dir.join("corpus");
    for (label, text) in [("a", "some words here"), ("b", "other words there")] {
        std::fs::create_dir_all(folder.join(label)).unwrap();
        write_file(&folder.join(label), "doc.txt", text.as_bytes());
    }
    extra(&folder);
    folder
}

#[test]
fn a_folder_with_unreadable_files_or_symlink_loops() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let looped = folder_corpus(&dir.path().join("1"), |f| {
        symlink("loop.txt", f.join("b/loop.txt")).unwrap();
    });
    data_commands_fail(&looped, "loop.txt: Too many levels of symbolic links");
    let dangling = folder_corpus(&dir.path().join("2"), |f| {
        symlink("/nonexistent/file.txt", f.join("a/gone.txt")).unwrap();
    });
    data_commands_fail(&dangling, "gone.txt: No such file or directory");
    let looped_label = folder_corpus(&dir.path().join("3"), |f| {
        symlink("c", f.join("c")).unwrap();
    });
    data_commands_fail(&looped_label, "corpus/c: Too many levels of symbolic links");
    // A link up the tree is a label folder holding folders, not a loop: only two levels are read.
    let up = folder_corpus(&dir.path().join("4"), |f| {
        symlink("..", f.join("a/up")).unwrap();
    });
    let out = dir.path().join("m.json");
    common::train_model(&up, &out, &[]);
    // Without read permission (only where permissions bind: not for root).
    let locked = folder_corpus(&dir.path().join("5"), |f| {
        let p = f.join("a/doc.txt");
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    });
    if std::fs::read(locked.join("a/doc.txt")).is_err() {
        data_commands_fail(&locked, "doc.txt: Permission denied");
    }
}

#[test]
fn an_unreadable_file_among_many_articles() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let looped = dir.path().join("loop.txt");
    symlink("loop.txt", &looped).unwrap();
    let folder = dir.path().join("folder.jsonl");
    std::fs::create_dir(&folder).unwrap();
    let good = "data/articles/western-kyiv-briefing.txt";
    let other = "data/articles/russian-ministry-statement.txt";
    let out = stance()
        .args(["score", "--format", "jsonl", good])
        .arg(&looped)
        .arg(other)
        .arg(&folder)
        .arg("no-such.jsonl")
        .assert()
        .failure()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, [format!("{good:?}"), format!("{other:?}")]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("loop.txt: Too many levels of symbolic links"),
        "{stderr}"
    );
    assert!(stderr.contains("folder.jsonl: is a directory"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "stance: 3 of 5 input(s) failed: {}, {}, no-such.jsonl",
            looped.display(),
            folder.display()
        )),
        "{stderr}"
    );
}
