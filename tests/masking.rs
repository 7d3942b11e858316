//! Outlet markers must not move a score: adding or removing an outlet's name, a dateline or a
//! site footer changes the default model's probability by less than 0.02.

mod common;

use common::{repo, shared};
use stance::default_model::default_model;

const MAX_SHIFT: f64 = 0.02;

fn texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![repo("data/articles")];
    if let Some(s) = shared() {
        dirs.push(s.join("seeds"));
    }
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for f in files {
            out.push((
                f.display().to_string(),
                std::fs::read_to_string(&f).unwrap(),
            ));
        }
    }
    out
}

/// A named way of adding an outlet marker to an article.
type Addition = (&'static str, Box<dyn Fn(&str) -> String>);

/// Ways of adding outlet markers to an article, each as a function of its text.
fn additions() -> Vec<Addition> {
    vec![
        (
            "TASS dateline",
            Box::new(|t: &str| format!("MOSCOW, February 12. /TASS/: {t}")),
        ),
        (
            "wire dateline",
            Box::new(|t: &str| format!("NEW YORK: {t}")),
        ),
        (
            "agency dateline",
            Box::new(|t: &str| format!("KYIV, Aug 3 (Reuters) - {t}")),
        ),
        (
            "AP tag",
            Box::new(|t: &str| format!("WASHINGTON (AP) — {t}")),
        ),
        (
            "outlet names",
            Box::new(|t: &str| {
                format!("{t}\nThe statement was first reported by RT and later by the BBC, CNN and Sputnik.")
            }),
        ),
        (
            "outlet attribution",
            Box::new(|t: &str| format!("According to Reuters, {t}")),
        ),
        (
            "promo lines",
            Box::new(|t: &str| {
                format!("{t}\n\nREAD MORE: Something else happened today\n\nSHARE THIS ARTICLE")
            }),
        ),
        (
            "site footer",
            Box::new(|t: &str| {
                format!("{t}\n\nOur website can also be accessed at the following addresses:\n\nwww.example-news.tv\nhttps://example.org/mirror\n\nFollow us @examplenews")
            }),
        ),
        (
            "copyright footer",
            Box::new(|t: &str| {
                format!("{t}\n© 2022 BBC. The BBC is not responsible for the content of external sites. Read about our approach to external linking.")
            }),
        ),
    ]
}

fn p_max_shift(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn adding_outlet_markers_moves_scores_by_less_than_0_02() {
    let model = default_model().unwrap();
    for (name, text) in texts() {
        let base = model.predict(&text).probabilities;
        for (what, add) in additions() {
            let shifted = model.predict(&add(&text)).probabilities;
            let d = p_max_shift(&base, &shifted);
            assert!(
                d < MAX_SHIFT,
                "{name}: adding {what} moved the score by {d:.4}"
            );
        }
    }
}

#[test]
fn removing_the_masked_markers_moves_scores_by_less_than_0_02() {
    let model = default_model().unwrap();
    for (name, text) in texts() {
        let spans = model.featurizer().masked_spans(&text);
        let mut stripped = String::new();
        let mut at = 0;
        for s in &spans {
            stripped.push_str(&text[at..s.start]);
            stripped.push(' ');
            at = s.end;
        }
        stripped.push_str(&text[at..]);
        let d = p_max_shift(
            &model.predict(&text).probabilities,
            &model.predict(&stripped).probabilities,
        );
        assert!(
            d < MAX_SHIFT,
            "{name}: removing markers moved the score by {d:.4}"
        );
    }
}

#[test]
fn without_masking_the_same_markers_would_move_scores() {
    // The masking test above is only meaningful if the markers carry weight when unmasked:
    // an unmasked model trained on the example data learns the outlet names.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("unmasked.json");
    common::stance()
        .args([
            "train",
            "--data",
            "data/examples.jsonl",
            "--min-df",
            "1",
            "--no-mask",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let model = stance::Model::load(&out).unwrap();
    assert!(
        model.featurizer().vocabulary().get("demo").is_some()
            || model.featurizer().vocabulary().get("wire").is_some()
    );
}
