//! Small promises of the command line, each once broken or missing: `-q` hides exactly what
//! it says, `score --paragraphs` and `--ngram-range` are documented, a text of one to three
//! tokens is uncertain, and `inspect` shows the uncertainty cut-offs.

use crate::common;

use common::{repo, stance, stdout_of, train_model};

/// `stance ARGS` under a pseudo-terminal (util-linux `script`), where the progress spinner
/// draws: its output (stdout and stderr together), or None where `script` is missing.
fn on_a_terminal(args: &str) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let bin = assert_cmd::cargo::cargo_bin("stance");
    let out = std::process::Command::new(script)
        .current_dir(repo(""))
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args}: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn quiet_hides_the_spinner_and_only_the_spinner() {
    let dir = tempfile::tempdir().unwrap();
    let args = format!(
        "train --min-df 1 --calibrate --data data/examples.jsonl --out {}",
        dir.path().join("m.json").display()
    );
    let help = stdout_of(stance().args(["train", "--help"]));
    assert!(help.contains("No progress spinner"), "{help}");
    assert!(help.contains("summary on stdout"), "{help}");
    let Some(loud) = on_a_terminal(&args) else {
        eprintln!("skipped: no util-linux `script` to run stance on a terminal");
        return;
    };
    assert!(loud.contains("featurizing 48 documents"), "{loud:?}");
    let quiet = on_a_terminal(&format!("-q {args}").replacen("-q train", "train -q", 1))
        .expect("script exists");
    assert!(!quiet.contains("featurizing"), "{quiet:?}");
    assert!(!quiet.contains("calibrating"), "{quiet:?}");
    // The summary is the command's output, not progress.
    for out in [&loud, &quiet] {
        assert!(out.contains("trained on 48 documents"), "{out:?}");
        assert!(out.contains("model written to"), "{out:?}");
    }
}

#[test]
fn score_help_explains_paragraphs() {
    for flag in ["-h", "--help"] {
        let help = stdout_of(stance().args(["score", flag]));
        let mut lines = help
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("--paragraphs"));
        let flag_line = lines.next().unwrap_or_default();
        // The description stands beside the flag (-h) or under it (--help).
        let description = format!(
            "{} {}",
            flag_line.trim_start().trim_start_matches("--paragraphs"),
            lines.next().unwrap_or_default()
        );
        let described = description.contains("score") && description.contains("paragraph");
        assert!(
            described,
            "score {flag}: --paragraphs without a description:\n{help}"
        );
    }
}

#[test]
fn ngram_range_documents_and_takes_both_spellings() {
    let help = stdout_of(stance().args(["train", "--help"]));
    assert!(
        help.contains("MIN..MAX or MIN,MAX") && help.contains("1..2 and 1,2"),
        "{help}"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/examples.jsonl");
    let (a, b, c) = (
        dir.path().join("a.json"),
        dir.path().join("b.json"),
        dir.path().join("c.json"),
    );
    train_model(&data, &a, &["--ngram-range", "1..2"]);
    train_model(&data, &b, &["--ngram-range", "1,2"]);
    train_model(&data, &c, &["--ngram-range", "1"]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
}

#[test]
fn a_text_of_one_to_three_tokens_is_uncertain() {
    // `echo Kiev | stance score` once gave russian 1.0000, unflagged.
    let table = stdout_of(stance().arg("score").write_stdin("Kiev\n"));
    let row = table.lines().nth(1).expect("a header and a row");
    assert!(row.ends_with("uncertain"), "{table}");
    for text in [
        "Kiev",
        "Kiev regime",
        "Kiev regime forces",
        "Kyiv",
        "Donbass militia",
    ] {
        let out = stdout_of(
            stance()
                .args(["score", "--format", "jsonl", "-"])
                .write_stdin(format!("{text}\n")),
        );
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let tokens = v["evidence"]["tokens"].as_u64().unwrap();
        assert!((1..=3).contains(&tokens), "{text}: {v}");
        assert_eq!(v["uncertain"], true, "{text}: {v}");
    }
}

#[test]
fn inspect_shows_the_uncertainty_cutoffs() {
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo("models/default.json")).unwrap()).unwrap();
    let u = &model["uncertainty"];
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(stance().args(["inspect", "--format", "json"]))).unwrap();
    let shown = &json["uncertainty"];
    for key in ["min_signal", "min_known", "band", "prior_tokens"] {
        assert_eq!(shown[key], u[key], "{key}: {shown}");
    }
    assert_eq!(shown["min_tokens"], 4);
    let text = stdout_of(stance().arg("inspect"));
    let line = text
        .lines()
        .find(|l| l.contains("uncertain below"))
        .unwrap_or_else(|| panic!("no cut-offs in inspect:\n{text}"));
    let expected = format!(
        "signal {:.4}, known share {:.4}, 4 tokens; within {} of a coin toss; cooling prior {} tokens",
        u["min_signal"].as_f64().unwrap(),
        u["min_known"].as_f64().unwrap(),
        u["band"].as_f64().unwrap(),
        u["prior_tokens"].as_f64().unwrap(),
    );
    assert!(line.contains(&expected), "{line:?} lacks {expected:?}");
}
