//! Helpers shared by the integration tests: the binary as a command builder, repo paths, and a
//! small model trained on the project's own example data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

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

/// `../shared` beside the repository (corpus, seeds, devsets). CI always has it; a fresh clone
/// may not, so the tests that call this are `#[ignore = "needs ../shared"]` and run with
/// `cargo test -- --include-ignored`. Panics, failing the test, when it is missing.
pub fn shared() -> PathBuf {
    let p = repo("../shared");
    assert!(
        p.join("seeds").is_dir(),
        "this test needs ../shared/seeds beside the repository ({})",
        p.display()
    );
    p
}

/// `stance train -q --data DATA --out OUT`, for a test to add options to and run.
pub fn train_command(data: &Path, out: &Path) -> Command {
    let mut cmd = stance();
    cmd.args(["train", "-q", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out);
    cmd
}

/// Trains a model on `data` into `out` (`--min-df 1 -q` plus `extra` options), asserting
/// success; returns the printed summary.
pub fn train_model(data: &Path, out: &Path, extra: &[&str]) -> String {
    stdout_of(train_command(data, out).args(["--min-df", "1"]).args(extra))
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

/// Asserts that `cmd` fails (non-zero exit) with `message` on stderr and without a panic;
/// returns stderr.
pub fn fails_with(cmd: &mut Command, message: &str) -> String {
    let out = cmd
        .assert()
        .failure()
        .stderr(predicates::str::contains(message).and(predicates::str::contains("panicked").not()))
        .get_output()
        .stderr
        .clone();
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A labelled JSON Lines corpus of `docs` documents of invented words (labels `a` and `b`, each
/// with words of its own among shared ones), deterministic from `seed`. No article text.
pub fn invented_corpus(path: &Path, docs: usize, seed: u64) {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "be", "do", "fi", "gu",
        "hy",
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let word = |i: usize| -> String {
        let mut w = String::new();
        let mut k = i + 7;
        for _ in 0..2 + i % 3 {
            w.push_str(SYLLABLES[k % 16]);
            k /= 16;
        }
        w
    };
    let mut out = String::new();
    for d in 0..docs {
        let label = if d % 2 == 0 { "a" } else { "b" };
        let words: Vec<String> = (0..60)
            .map(|_| {
                let shared = next(2000);
                // A third of the words come from the label's own half of the lexicon.
                if next(3) == 0 {
                    word(2000 + shared % 1000 + if label == "a" { 0 } else { 1000 })
                } else {
                    word(shared)
                }
            })
            .collect();
        out.push_str(
            &serde_json::json!({"id": format!("doc-{d}"), "label": label, "text": words.join(" ")})
                .to_string(),
        );
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// The floats of one packed array (`{"f64le_base64": ...}`) of a model file.
pub fn unpacked(packed: &serde_json::Value) -> Vec<f64> {
    use base64::Engine;
    let text = packed["f64le_base64"]
        .as_str()
        .expect("a packed float array");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap();
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// The stem ids a packed vocabulary holds, bit 31 marking each term's last.
pub fn packed_ids(vocabulary: &serde_json::Value) -> Vec<u32> {
    use base64::Engine;
    let text = vocabulary["stem_ids"]["u32le_base64"]
        .as_str()
        .expect("packed stem ids");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap();
    bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// Packs stem ids as a model file holds them.
pub fn pack_ids(ids: &[u32]) -> serde_json::Value {
    use base64::Engine;
    let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
    serde_json::json!({ "u32le_base64": base64::engine::general_purpose::STANDARD.encode(bytes) })
}

/// The terms of a packed vocabulary (format version 3) as strings, decoded independently of
/// the library.
pub fn unpacked_terms(vocabulary: &serde_json::Value) -> Vec<String> {
    let stems: Vec<&str> = vocabulary["stems"]
        .as_array()
        .expect("stems")
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let mut terms = Vec::new();
    let mut term: Vec<&str> = Vec::new();
    for id in packed_ids(vocabulary) {
        term.push(stems[(id & 0x7fff_ffff) as usize]);
        if id >> 31 == 1 {
            terms.push(term.join(" "));
            term.clear();
        }
    }
    terms
}

/// Rewrites a model file's vocabulary as an array of term strings, the form of format versions 1
/// and 2 (still read), which tests can edit one term at a time.
pub fn as_string_vocabulary(model: &mut serde_json::Value) {
    model["vocabulary"] = unpacked_terms(&model["vocabulary"]).into();
}

/// Rewrites a model file's JSON in the form of format version 2: the vocabulary as strings.
pub fn as_version_2(model: &mut serde_json::Value) {
    model["version"] = 2.into();
    as_string_vocabulary(model);
}

/// Rewrites a model file's JSON in the form of format version 1: the vocabulary as strings, IDF
/// and weights as arrays of numbers, which tests can edit one value at a time.
pub fn as_version_1(model: &mut serde_json::Value) {
    as_version_2(model);
    model["version"] = 1.into();
    model["idf"] = unpacked(&model["idf"]).into();
    let weights: Vec<serde_json::Value> = model["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| unpacked(w).into())
        .collect();
    model["weights"] = weights.into();
}
