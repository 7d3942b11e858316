//! `stance score`: the default model, output formats, paragraphs, stdin and input order.

use crate::common;

use common::{repo, stance, stdout_of, train_examples};
use predicates::str::contains;

fn jsonl(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The id and label columns of each row of a table, below its header.
fn table_rows(out: &str) -> Vec<(&str, &str)> {
    out.lines()
        .skip(1)
        .map(|l| {
            let mut cols = l.split_whitespace();
            (cols.next().unwrap_or(""), cols.next().unwrap_or(""))
        })
        .collect()
}

#[test]
fn default_model_scores_the_example_articles_as_a_table() {
    let out = stdout_of(stance().args([
        "score",
        "data/articles/western-kyiv-briefing.txt",
        "data/articles/russian-ministry-statement.txt",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("id")
            && lines[0].contains("p(russian)")
            && lines[0].contains("p(western)")
    );
    // The file names hold the label words, so each row's id and label columns are compared.
    assert_eq!(
        table_rows(&out),
        [
            ("data/articles/western-kyiv-briefing.txt", "western"),
            ("data/articles/russian-ministry-statement.txt", "russian"),
        ],
        "{out}"
    );
}

#[test]
fn jsonl_output_has_exactly_the_documented_keys() {
    let out = stdout_of(stance().args([
        "score",
        "--format",
        "jsonl",
        "data/articles/western-kyiv-briefing.txt",
    ]));
    let v = &jsonl(&out)[0];
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "evidence",
            "id",
            "label",
            "language",
            "probabilities",
            "uncertain"
        ]
    );
    for key in ["tokens", "known", "signal"] {
        assert!(v["evidence"].get(key).is_some(), "evidence.{key}");
    }
    assert_eq!(v["id"], "data/articles/western-kyiv-briefing.txt");
    let probs = v["probabilities"].as_object().unwrap();
    let sum: f64 = probs.values().map(|p| p.as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-9);
    let best = probs
        .iter()
        .max_by(|a, b| a.1.as_f64().unwrap().total_cmp(&b.1.as_f64().unwrap()))
        .unwrap()
        .0;
    assert_eq!(&v["label"], best.as_str());
    // The raw line keeps key order id, label, probabilities, then evidence and uncertain.
    assert!(out.starts_with(r#"{"id":"#));
    let order: Vec<usize> = [
        "\"id\"",
        "\"label\"",
        "\"probabilities\"",
        "\"evidence\"",
        "\"uncertain\"",
    ]
    .iter()
    .map(|k| out.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
}

#[test]
fn paragraphs_carry_byte_offsets_into_the_article() {
    let path = "data/articles/mixed-summit-report.txt";
    let text = std::fs::read_to_string(repo(path)).unwrap();
    let out = stdout_of(stance().args(["score", "--paragraphs", "--format", "jsonl", path]));
    let v = &jsonl(&out)[0];
    let paragraphs = v["paragraphs"].as_array().unwrap();
    assert!(paragraphs.len() >= 5, "{paragraphs:?}");
    let mut last_end = 0;
    for (i, p) in paragraphs.iter().enumerate() {
        let mut keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "end",
                "evidence",
                "index",
                "label",
                "probabilities",
                "start",
                "uncertain"
            ]
        );
        assert_eq!(p["index"], i);
        assert!(out.contains(&format!(
            "{{\"index\":{i},\"start\":{},\"end\":{},\"label\":",
            p["start"], p["end"]
        )));
        let (s, e) = (
            p["start"].as_u64().unwrap() as usize,
            p["end"].as_u64().unwrap() as usize,
        );
        assert!(s >= last_end && s < e && e <= text.len());
        let para = &text[s..e];
        assert_eq!(para, para.trim());
        assert!(!para.contains("\n\n"));
        last_end = e;
    }
}

#[test]
fn flattened_text_still_gets_several_paragraphs() {
    let text = std::fs::read_to_string(repo("data/articles/western-kyiv-briefing.txt")).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let out = stdout_of(
        stance()
            .args(["score", "--paragraphs", "--format", "jsonl", "-"])
            .write_stdin(flat),
    );
    let v = &jsonl(&out)[0];
    assert_eq!(v["id"], "-");
    assert!(v["paragraphs"].as_array().unwrap().len() >= 3, "{v}");
}

#[test]
fn jsonl_input_keeps_ids_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut lines = String::new();
    for i in 0..30 {
        let text = if i % 2 == 0 {
            "The Kiev regime and its Western sponsors shelled Donbass."
        } else {
            "Russia's invasion of Ukraine; Kyiv said Russian forces shelled Kharkiv."
        };
        lines.push_str(&serde_json::json!({"id": format!("doc-{i}"), "text": text}).to_string());
        lines.push('\n');
    }
    std::fs::write(&input, lines).unwrap();
    let out = stdout_of(stance().args(["score", "--format", "jsonl"]).arg(&input));
    let ids: Vec<String> = jsonl(&out)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, (0..30).map(|i| format!("doc-{i}")).collect::<Vec<_>>());
}

#[test]
fn a_trained_model_can_be_given() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_examples(dir.path());
    let article = "data/articles/russian-ministry-statement.txt";
    let out = stdout_of(stance().args(["score", "--model"]).arg(&model).arg(article));
    assert_eq!(table_rows(&out), [(article, "russian")], "{out}");
}

#[test]
fn one_bad_file_among_many_does_not_stop_the_others() {
    let out = stance()
        .args([
            "score",
            "--format",
            "jsonl",
            "data/articles/western-kyiv-briefing.txt",
            "no-such-file.txt",
            "data/articles/russian-ministry-statement.txt",
        ])
        .assert()
        .failure()
        .stderr(contains("no-such-file.txt"))
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2);
}

#[test]
fn off_topic_text_has_less_evidence_than_a_framed_article() {
    let out = stdout_of(stance().args([
        "score",
        "--format",
        "jsonl",
        "data/articles/offtopic-trade-fair.txt",
        "data/articles/russian-ministry-statement.txt",
    ]));
    let v = jsonl(&out);
    let signal = |i: usize| v[i]["evidence"]["signal"].as_f64().unwrap();
    let known = |i: usize| v[i]["evidence"]["known"].as_f64().unwrap();
    assert!(signal(0) < signal(1), "{out}");
    assert!(known(0) < known(1), "{out}");
    assert_eq!(
        v[0]["uncertain"], true,
        "the trade fair is not a framed war story: {out}"
    );
}

#[test]
fn text_of_only_stop_words_is_uncertain_with_no_evidence() {
    // An empty text is refused (tests/bad_input.rs); one with no word left to score is not.
    let out = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "-"])
            .write_stdin("-- and the, of it; is --\n"),
    );
    let v = &jsonl(&out)[0];
    assert_eq!(v["evidence"]["tokens"], 0);
    assert_eq!(v["uncertain"], true);
}

#[test]
fn uncertainty_thresholds_can_be_overridden() {
    let article = "data/articles/russian-ministry-statement.txt";
    let strict = stdout_of(stance().args([
        "score",
        "--format",
        "jsonl",
        "--min-signal",
        "1000",
        article,
    ]));
    assert_eq!(jsonl(&strict)[0]["uncertain"], true);
    let lax = stdout_of(stance().args([
        "score",
        "--format",
        "jsonl",
        "--min-signal",
        "0",
        "--uncertain-band",
        "0",
        article,
    ]));
    assert_eq!(jsonl(&lax)[0]["uncertain"], false);
    stance()
        .args(["score", "--uncertain-band", "0.7", article])
        .assert()
        .failure()
        .stderr(contains("--uncertain-band"));
}

#[test]
fn the_known_share_cut_off_can_be_overridden() {
    // A framed article followed by 40 invented words: the signal and the probability stay
    // clear, but the known share drops to 0.57, below the default model's min_known (0.63),
    // which alone flags it.
    let article =
        std::fs::read_to_string(repo("data/articles/russian-ministry-statement.txt")).unwrap();
    let letters: Vec<char> = ('a'..='z').collect();
    let invented: Vec<String> = (0..40)
        .map(|i| format!("zq{}{}vek", letters[i / 26], letters[i % 26]))
        .collect();
    let text = format!("{}\n\n{}\n", article.trim_end(), invented.join(" "));
    let scored = |extra: &[&str]| {
        let out = stdout_of(
            stance()
                .args(["score", "--format", "jsonl"])
                .args(extra)
                .arg("-")
                .write_stdin(text.clone()),
        );
        jsonl(&out).remove(0)
    };
    let flagged = scored(&[]);
    let known = flagged["evidence"]["known"].as_f64().unwrap();
    assert!(known > 0.5 && known < 0.6, "{flagged}");
    assert!(flagged["evidence"]["signal"].as_f64().unwrap() > 10.0);
    assert!(flagged["probabilities"]["russian"].as_f64().unwrap() > 0.99);
    assert_eq!(flagged["uncertain"], true);
    assert_eq!(scored(&["--min-known", "0"])["uncertain"], false);
    // Just above its share flags it again; the band and signal are the model's.
    assert_eq!(scored(&["--min-known", "0.6"])["uncertain"], true);
    for bad in ["1.5", "-0.1", "NaN"] {
        stance()
            .args(["score", &format!("--min-known={bad}"), "-"])
            .write_stdin(text.clone())
            .assert()
            .failure()
            .stderr(contains("--min-known in [0, 1]"));
    }
}

#[test]
fn a_closed_output_pipe_ends_quietly_with_success() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.jsonl");
    let line =
        serde_json::json!({"text": "The Kiev regime said Russia's invasion of Ukraine goes on."})
            .to_string();
    std::fs::write(&input, format!("{line}\n").repeat(20_000)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(["score", "--format", "jsonl"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"id\""));
    // The reader is dropped here, closing the pipe while the scorer is still writing.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
