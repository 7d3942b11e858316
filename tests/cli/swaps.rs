//! `explain --swap`: words and phrases are replaced on word boundaries, the rescored
//! probabilities are those of the edited text, and a swap that matches nothing says so.

use crate::common;

use common::{stance, stdout_of};

const ARTICLE: &str = "The Kiev regime shelled Donetsk again, the ministry said.\n\n\
    Officials in the Kiev\n  regime denied it. Kiev regimes come and go; Kiev, regime.";

/// p(russian) of `text` under the default model, as `stance score` gives it.
fn p_russian(text: &str) -> f64 {
    let out = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "-"])
            .write_stdin(text),
    );
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    v["probabilities"]["russian"].as_f64().unwrap()
}

fn explain_json(article: &std::path::Path, swaps: &str) -> (serde_json::Value, String) {
    let out = stance()
        .args(["explain", "--format", "json", "--swap", swaps])
        .arg(article)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_phrase_swap_replaces_the_phrase_and_rescores_the_edited_text() {
    let dir = tempfile::tempdir().unwrap();
    let article = common::write_file(dir.path(), "a.txt", ARTICLE.as_bytes());
    let (v, stderr) = explain_json(&article, "kiev regime=kyiv government");
    assert!(!stderr.contains("warning"), "{stderr}");
    let swap = &v["swaps"][0];
    assert_eq!(swap["swaps"][0], "kiev regime=kyiv government");
    // "The Kiev regime" and "the Kiev\n  regime"; not "Kiev regimes", not "Kiev, regime".
    assert_eq!(swap["replaced"], 2, "{swap}");
    let edited = "The Kyiv government shelled Donetsk again, the ministry said.\n\n\
        Officials in the kyiv government denied it. Kiev regimes come and go; Kiev, regime.";
    let (before, after) = (p_russian(ARTICLE), p_russian(edited));
    assert_ne!(
        before, after,
        "the phrase carries weight in the default model"
    );
    let delta = swap["delta"]["russian"].as_f64().unwrap();
    assert!(
        (delta - (after - before)).abs() < 1e-9,
        "explain moves p(russian) by {delta}, scoring the edited text by {}",
        after - before
    );
    let text = stdout_of(
        stance()
            .args(["explain", "--swap", "kiev regime=kyiv government"])
            .arg(&article),
    );
    assert!(
        text.lines()
            .any(|l| l.contains("kiev regime=kyiv government") && l.contains(" 2 replaced;")),
        "{text}"
    );
}

#[test]
fn a_swap_that_matches_nothing_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let article = common::write_file(dir.path(), "a.txt", ARTICLE.as_bytes());
    let (v, stderr) = explain_json(&article, "moscow regime=russian government,kiev=kyiv");
    assert_eq!(v["swaps"][0]["replaced"], 0);
    assert_eq!(v["swaps"][0]["delta"]["russian"], 0.0);
    assert_eq!(v["swaps"][1]["replaced"], 4);
    assert!(
        stderr.contains("warning: --swap \"moscow regime=russian government\" replaced nothing"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("kiev=kyiv"),
        "only the swap that matched nothing: {stderr}"
    );
    let out = stance()
        .args(["explain", "--swap", "moscow regime=russian government"])
        .arg(&article)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("moscow regime=russian government 0 replaced: no match in the text"),
        "{text}"
    );
}

#[test]
fn a_swap_without_a_word_is_refused() {
    for bad in ["--=x", "kiev"] {
        stance()
            .args([
                "explain",
                "--swap",
                bad,
                "data/articles/mixed-summit-report.txt",
            ])
            .assert()
            .code(2);
    }
}
