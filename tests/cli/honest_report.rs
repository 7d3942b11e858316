//! What `stance report` and `stance explain` print, honestly (issue 21): every label's share
//! with three labels, cut-offs a user can read and type, a sentence on how to use the coverage
//! grid, a warning when the input is the model's own training data, and the predicted label's
//! logit decomposed on a multi-label model.

use crate::common;

use std::path::{Path, PathBuf};

use common::{stance, three_label_corpus, train_model};

/// The three-label example corpus in `dir`, and a model trained on it.
fn three_label_model(dir: &Path) -> (PathBuf, PathBuf) {
    let data = three_label_corpus(dir);
    let model = dir.join("m.json");
    train_model(&data, &model, &[]);
    (data, model)
}

#[test]
fn report_shows_every_label_readable_cut_offs_and_warns_on_training_data() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = three_label_model(dir.path());
    let html = dir.path().join("r.html");
    let mut cmd = stance();
    cmd.args(["report", "--model"])
        .arg(&model)
        .arg("--html")
        .arg(&html)
        .arg(&data);
    let out = cmd.assert().success().get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for label in ["neutral", "russian", "western"] {
        assert!(
            stdout.contains(&format!("share {label} [95% CI]")),
            "{stdout}"
        );
    }
    // Each outlet row has three shares, one per label.
    let row = stdout
        .lines()
        .find(|l| l.starts_with("Example Wire"))
        .unwrap();
    assert_eq!(row.matches("% [").count(), 3, "{row}");
    // Cut-offs to 3 significant digits: no long decimals after a flag.
    for flag in ["--min-signal ", "--uncertain-band ", "--min-known "] {
        for value in stdout.split(flag).skip(1) {
            let number: String = value
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let digits = number.trim_start_matches(['0', '.']).replace('.', "");
            assert!(digits.len() <= 3, "{flag}{number} in {stdout}");
        }
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("How to use this:"), "no how-to sentence");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("these documents are the model's training data"),
        "{stderr}"
    );
    // A different file is not the training data.
    let other = dir.path().join("other.jsonl");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(&other, text.lines().skip(1).collect::<Vec<_>>().join("\n")).unwrap();
    let mut cmd = stance();
    cmd.args(["report", "--model"]).arg(&model).arg(&other);
    let out = cmd.assert().success().get_output().clone();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("training data"));
}

#[test]
fn explain_on_three_labels_decomposes_the_predicted_label_and_all_labels_shows_every_one() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = three_label_model(dir.path());
    let text = std::fs::read_to_string(&data).unwrap();
    let mut checked = std::collections::BTreeSet::new();
    for (i, line) in text.lines().enumerate().take(12) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let article = dir.path().join(format!("a{i}.txt"));
        std::fs::write(&article, v["text"].as_str().unwrap()).unwrap();
        let mut cmd = stance();
        cmd.args(["explain", "--model"]).arg(&model).arg(&article);
        let out = common::stdout_of(&mut cmd);
        let label = out.lines().next().unwrap().trim_start_matches("label: ");
        let label = label.split_whitespace().next().unwrap().to_string();
        assert!(out.contains(&format!("logit({label}) = ")), "{out}");
        assert_eq!(out.matches("logit(").count(), 1, "{out}");
        let all = common::stdout_of(cmd.arg("--all-labels"));
        for l in ["neutral", "russian", "western"] {
            assert!(all.contains(&format!("logit({l}) = ")), "{all}");
        }
        checked.insert(label);
    }
    // The texts cover more than the last label, the one old code always decomposed.
    assert!(checked.len() >= 2, "{checked:?}");
}

#[test]
fn cv_predictions_record_their_cut_offs_and_report_checks_each_record_against_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = three_label_model(dir.path());
    let predictions = dir.path().join("p.jsonl");
    let mut cmd = stance();
    cmd.args([
        "cv",
        "--group-by",
        "none",
        "--folds",
        "3",
        "--min-df",
        "1",
        "--data",
    ])
    .arg(&data)
    .arg("--predictions")
    .arg(&predictions);
    common::stdout_of(&mut cmd);
    let lines = std::fs::read_to_string(&predictions).unwrap();
    for line in lines.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["uncertainty"]["min_signal"].is_f64(), "{line}");
        assert!(v["uncertainty"]["band"].is_f64(), "{line}");
    }
    let report = |path: &std::path::Path| {
        let mut cmd = stance();
        cmd.args(["report", "--model"]).arg(&model).arg(path);
        common::stdout_of(&mut cmd)
    };
    // Each fold's model has its own minimum signal: every flag agrees with its own cut-offs,
    // and the report says it checked them so.
    let out = report(&predictions);
    assert!(out.contains("the records carry 3 different ones"), "{out}");
    assert!(!out.contains("uncertain flags differ"), "{out}");
    // Records that all carry one setting are reported under it, not under the model's.
    let same: Vec<String> = lines
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["uncertainty"] =
                serde_json::json!({"band": 0.2, "min_signal": 0.5, "min_known": 0.0});
            v.to_string()
        })
        .collect();
    let one = dir.path().join("one.jsonl");
    std::fs::write(&one, same.join("\n")).unwrap();
    let out = report(&one);
    assert!(
        out.contains(
            "cut-offs: the records' own (--uncertain-band 0.2 --min-signal 0.5 --min-known 0)"
        ),
        "{out}"
    );
    assert!(
        out.contains("the records' own setting, --uncertain-band 0.2 --min-signal 0.5"),
        "{out}"
    );
}

/// The SVGs of a report page, each as (its first few text labels, the SVG).
fn svgs(page: &str) -> Vec<(Vec<String>, String)> {
    page.split("<svg")
        .skip(1)
        .map(|rest| {
            let svg = rest.split("</svg>").next().unwrap_or("").to_string();
            let texts = svg
                .split("<text")
                .skip(1)
                .filter_map(|t| t.split_once('>').map(|(_, r)| r))
                .map(|r| r.split('<').next().unwrap_or("").trim().to_string())
                .take(4)
                .collect();
            (texts, svg)
        })
        .collect()
}

/// The points of each line a plot draws for a label (stroke width 2, as the series are drawn).
fn series_lines(svg: &str) -> Vec<usize> {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| p.contains("stroke-width=\"2\""))
        .filter_map(|p| p.split("points=\"").nth(1))
        .map(|p| p.split('"').next().unwrap_or("").split_whitespace().count())
        .collect()
}

#[test]
fn report_plots_break_lines_at_empty_months_show_n_and_keep_legends_off_the_data() {
    let dir = tempfile::tempdir().unwrap();
    // Outlet A has documents in January, March and May only; B in every month.
    let examples = std::fs::read_to_string(common::repo("data/examples.jsonl")).unwrap();
    let mut lines = String::new();
    for (i, line) in examples.lines().take(20).enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (source, month) = if i < 6 {
            ("A", [1, 3, 5][i % 3])
        } else {
            ("B", i % 5 + 1)
        };
        let record = serde_json::json!({
            "text": v["text"], "label": v["label"], "source": source,
            "date": format!("2022-{month:02}-10"),
        });
        lines.push_str(&format!("{record}\n"));
    }
    let data = dir.path().join("gap.jsonl");
    std::fs::write(&data, lines).unwrap();
    let html = dir.path().join("gap.html");
    let mut cmd = stance();
    cmd.args(["report", "--by", "source,month", "--html"])
        .arg(&html)
        .arg(&data);
    common::stdout_of(&mut cmd);
    let page = std::fs::read_to_string(&html).unwrap();
    let plots = svgs(&page);
    let series = |outlet: &str| {
        plots
            .iter()
            .find(|(t, _)| {
                t.first().map(String::as_str) == Some(outlet) && t.contains(&"month".to_string())
            })
            .map(|(_, svg)| series_lines(svg))
            .unwrap()
    };
    // A: three lone points, no line across February or April; B: one line through five.
    assert!(series("A").iter().all(|&n| n < 2), "{:?}", series("A"));
    assert!(series("B").contains(&5), "{:?}", series("B"));
    // Points under n = 5 are hollow, and the plot says so; the outlet rows name their n.
    assert!(
        page.contains("hollow: fewer than 5 documents"),
        "no hollow note"
    );
    assert!(page.contains("A (n=6)"), "no n on the outlet axis");

    // Three labels: the legend stands in a strip above the plot, not over its points.
    let (data, model) = three_label_model(dir.path());
    let mut cmd = stance();
    cmd.args(["report", "--model"])
        .arg(&model)
        .arg("--html")
        .arg(&html)
        .arg(&data);
    common::stdout_of(&mut cmd);
    let page = std::fs::read_to_string(&html).unwrap();
    let shares = page
        .split("<svg")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    let legend_y: Vec<i32> = shares
        .split("<text")
        .skip(1)
        .filter(|t| t.contains(">neutral<") || t.contains(">\nneutral\n<"))
        .filter_map(|t| t.split("y=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    assert!(!legend_y.is_empty(), "no legend entry for neutral");
    assert!(legend_y.iter().all(|&y| y < 24), "{legend_y:?}");
}
