//! One record reader: the same bad input gives the same error, naming the same file and line,
//! through every command that reads records (score, report, train, eval and cv).

use std::path::Path;

use crate::common::{stance, write_file};

/// The commands that read `path` as their records (`out` is a scratch folder).
fn commands(path: &Path, out: &Path) -> Vec<(&'static str, assert_cmd::Command)> {
    let mut score = stance();
    score.arg("score").arg(path);
    let mut report = stance();
    report
        .arg("report")
        .arg(path)
        .arg("--html")
        .arg(out.join("r.html"));
    let mut train = stance();
    train
        .arg("train")
        .arg("--data")
        .arg(path)
        .arg("--out")
        .arg(out.join("m.json"));
    let mut eval = stance();
    eval.arg("eval").arg("--data").arg(path);
    let mut cv = stance();
    cv.arg("cv").arg("--data").arg(path);
    vec![
        ("score", score),
        ("report", report),
        ("train", train),
        ("eval", eval),
        ("cv", cv),
    ]
}

/// The error each command gives, from the file's name on (a command may put its own context
/// before it), one line.
fn errors(path: &Path, out: &Path) -> Vec<(&'static str, String)> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    commands(path, out)
        .into_iter()
        .map(|(command, mut cmd)| {
            let output = cmd.output().unwrap();
            assert!(!output.status.success(), "{command} accepted {name}");
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(!stderr.contains("panicked"), "{command}: {stderr}");
            let line = stderr
                .lines()
                .find(|l| l.starts_with("stance: error:"))
                .unwrap_or_else(|| panic!("{command} gave no error for {name}: {stderr}"));
            let from = line
                .find(&format!("{name}:"))
                .unwrap_or_else(|| panic!("{command}'s error does not name {name}: {line}"));
            (command, line[from..].to_string())
        })
        .collect()
}

#[test]
fn every_command_gives_the_same_error_for_the_same_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good =
        |text: &str, label: &str| format!("{{\"text\": \"{text}\", \"label\": \"{label}\"}}\n");
    let head =
        good("kyiv said the shelling stopped", "a") + &good("the kiev regime shelled donbass", "b");
    let cases = [
        (
            write_file(d, "json.jsonl", format!("{head}{{\"text\": bad json\n").as_bytes()),
            "json.jsonl:3: malformed JSON: expected value (column 10)",
        ),
        (
            write_file(d, "ragged.csv", b"text,label\nkyiv said,a\nkiev regime,b\nextra,a,oops\n"),
            "ragged.csv:4: CSV error: record 3 (line: 4, byte: 37): found record with 3 fields, but the previous record has 2 fields",
        ),
        (
            write_file(d, "number.jsonl", format!("{head}{{\"text\": 5, \"label\": \"a\"}}\n").as_bytes()),
            "number.jsonl:3: field \"text\" must be a string, not a number",
        ),
        (
            write_file(d, "blank.jsonl", format!("{head}\n{{\"text\": \"  \", \"label\": \"a\"}}\n").as_bytes()),
            "blank.jsonl:4: the text is empty or only whitespace",
        ),
        (
            write_file(d, "field.jsonl", format!("{head}{{\"body\": \"x\", \"label\": \"a\"}}\n").as_bytes()),
            "field.jsonl:3: missing or non-string field \"text\"; the record's fields: body, label",
        ),
        (
            write_file(d, "utf8.jsonl", &[head.as_bytes(), b"{\"text\": \"a \xff b\", \"label\": \"a\"}\n"].concat()),
            "utf8.jsonl:3: not valid UTF-8 text",
        ),
    ];
    for (path, expected) in cases {
        let errors = errors(&path, d);
        for (command, error) in &errors {
            assert!(
                error.starts_with(expected),
                "{command} on {}: {error:?}, expected it to start with {expected:?}",
                path.display()
            );
            assert_eq!(error, &errors[0].1, "{command} and {}", errors[0].0);
        }
    }
}
