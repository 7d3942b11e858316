//! Helpers shared by the integration tests: the binary as a command builder, repo paths, and a
//! small model trained on the project's own example data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `stance` binary, ready for arguments.
pub fn stance() -> Command {
    let mut cmd = Command::cargo_bin("stance").expect("the stance binary is built for tests");
    cmd.current_dir(repo(""));
    cmd
}

/// A path inside the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `../shared` beside the repository, when present (CI has it; a fresh clone may not).
pub fn shared() -> Option<PathBuf> {
    let p = repo("../shared");
    p.join("seeds").is_dir().then_some(p)
}

/// Trains a model on `data` into `out` (`--min-df 1 -q` plus `extra` options), asserting
/// success; returns the printed summary.
pub fn train_model(data: &Path, out: &Path, extra: &[&str]) -> String {
    stdout_of(
        stance()
            .args(["train", "-q", "--min-df", "1", "--data"])
            .arg(data)
            .arg("--out")
            .arg(out)
            .args(extra),
    )
}

/// Trains a model on `data/examples.jsonl` into `dir` and returns its path.
pub fn train_examples(dir: &Path) -> PathBuf {
    let out = dir.join("examples-model.json");
    train_model(&repo("data/examples.jsonl"), &out, &[]);
    out
}

/// Standard output of a successful command, as text.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("stdout is UTF-8")
}

/// The example corpus with every third document relabelled `neutral`: a three-label corpus.
pub fn three_label_corpus(dir: &Path) -> PathBuf {
    let data = dir.join("three.jsonl");
    let mut lines = String::new();
    for (i, line) in std::fs::read_to_string(repo("data/examples.jsonl"))
        .unwrap()
        .lines()
        .enumerate()
    {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if i % 3 == 0 {
            v["label"] = "neutral".into();
        }
        lines.push_str(&v.to_string());
        lines.push('\n');
    }
    std::fs::write(&data, lines).unwrap();
    data
}
