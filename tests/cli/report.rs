//! `stance report`: numbers against hand-computed values on a small invented input of scored
//! records, the same aggregates from raw records and from `score`'s output, the CSV, the
//! page's escaping and self-containedness, bad input, and the page in headless Chromium
//! (ignored without it), which also takes the README's screenshot.

use crate::common;

use std::path::{Path, PathBuf};

use common::{fails_with, repo, stance, stdout_of, write_file};
use serde_json::{json, Value};

/// One scored record as `stance score --format jsonl --keep source,date,label` writes it.
pub(crate) fn scored(
    id: &str,
    source: Option<&str>,
    date: Option<&str>,
    truth: Option<&str>,
    p_russian: f64,
    uncertain: bool,
) -> Value {
    let mut v = json!({"id": id});
    if let Some(s) = source {
        v["source"] = s.into();
    }
    if let Some(d) = date {
        v["date"] = d.into();
    }
    if let Some(t) = truth {
        v["input_label"] = t.into();
    }
    v["label"] = if p_russian > 0.5 {
        "russian"
    } else {
        "western"
    }
    .into();
    v["probabilities"] = json!({"russian": p_russian, "western": 1.0 - p_russian});
    v["evidence"] = json!({"tokens": 120, "known": 0.95, "signal": 2.5, "terms": 12});
    v["uncertain"] = uncertain.into();
    v
}

/// Fifteen invented scored records. Alpha: 10 documents, 8 predicted russian (3 of 3 in
/// January, 5 of 7 in February), one of them truly western. Beta: 4 documents, one predicted
/// russian but truly western, one undated and uncertain (p = 0.45) whose true label is russian.
/// One record has no source and no true label.
pub(crate) fn invented() -> Vec<Value> {
    let (r, w) = (Some("russian"), Some("western"));
    let a = Some("Alpha");
    let b = Some("Beta");
    vec![
        scored("a01", a, Some("2022-01-05"), r, 0.9, false),
        scored("a02", a, Some("2022-01-12"), r, 0.9, false),
        scored("a03", a, Some("2022-01-30"), w, 0.9, false),
        scored("a04", a, Some("2022-02-01"), r, 0.9, false),
        scored("a05", a, Some("2022-02-02"), r, 0.9, false),
        scored("a06", a, Some("2022-02-03"), r, 0.9, false),
        scored("a07", a, Some("2022-02-04"), r, 0.9, false),
        scored("a08", a, Some("2022-02-05"), r, 0.9, false),
        scored("a09", a, Some("2022-02-06"), w, 0.2, false),
        scored("a10", a, Some("2022-02-07"), w, 0.2, false),
        scored("b01", b, Some("2022-02-10"), w, 0.9, false),
        scored("b02", b, Some("2022-02-11"), w, 0.2, false),
        scored("b03", b, Some("2022-03-01"), w, 0.2, false),
        scored("b04", b, None, r, 0.45, true),
        scored("n01", None, Some("2022-03-15"), None, 0.2, false),
    ]
}

pub(crate) fn jsonl(dir: &Path, name: &str, records: &[Value]) -> PathBuf {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    write_file(dir, name, text.as_bytes())
}

/// The CSV's rows as maps from column to value.
pub(crate) fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("{s:?} is not a number"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() < tol
}

#[test]
fn shares_intervals_buckets_and_confusion_match_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    let input = jsonl(dir.path(), "scored.jsonl", &invented());
    let (csv, json) = (dir.path().join("r.csv"), dir.path().join("r.json"));
    let printed = stdout_of(
        stance()
            .args([
                "report",
                "--by",
                "source",
                "--grid-bands",
                "0,0.1",
                "--grid-signals",
                "0,5",
            ])
            .arg(&input)
            .arg("--csv")
            .arg(&csv)
            .arg("--json")
            .arg(&json),
    );
    assert!(printed.contains("15 documents"), "{printed}");
    assert!(printed.contains("1 documents lack \"source\""), "{printed}");

    let rows = csv_rows(&csv);
    let row = |source: &str, label: &str| {
        rows.iter()
            .find(|r| r["source"] == source && r["label"] == label)
            .unwrap_or_else(|| panic!("no row {source} {label}"))
    };
    // Alpha: 8 of 10 russian. The Wilson 95% interval of 8/10 is 0.4902 to 0.9433.
    let alpha = row("Alpha", "russian");
    assert_eq!(
        (alpha["documents"].as_str(), alpha["count"].as_str()),
        ("10", "8")
    );
    assert_eq!(num(&alpha["share"]), 0.8);
    assert!(close(num(&alpha["share_low"]), 0.4902, 5e-5), "{alpha:?}");
    assert!(close(num(&alpha["share_high"]), 0.9433, 5e-5), "{alpha:?}");
    // (8 x 0.9 + 2 x 0.2) / 10.
    assert!(close(num(&alpha["mean_probability"]), 0.76, 1e-12));
    assert_eq!(
        (alpha["labelled"].as_str(), alpha["correct"].as_str()),
        ("10", "9")
    );
    assert_eq!(row("Alpha", "western")["count"], "2");
    // Beta: 1 of 4 russian; mean p(russian) (0.9 + 0.2 + 0.2 + 0.45) / 4; 1 of 4 uncertain.
    let beta = row("Beta", "russian");
    assert_eq!(beta["count"], "1");
    assert!(close(num(&beta["mean_probability"]), 0.4375, 1e-12));
    assert_eq!(
        (beta["uncertain"].as_str(), num(&beta["uncertain_rate"])),
        ("1", 0.25)
    );
    // The record without a source is its own group, counted; it has no true label.
    let none = row("(none)", "western");
    assert_eq!(
        (none["documents"].as_str(), none["count"].as_str()),
        ("1", "1")
    );
    assert_eq!(
        (none["labelled"].as_str(), none["accuracy"].as_str()),
        ("0", "")
    );
    // All documents: 9 of 15 russian; 11 of 14 labelled right.
    let all = row("(all)", "russian");
    assert_eq!(
        (
            all["documents"].as_str(),
            all["count"].as_str(),
            num(&all["share"])
        ),
        ("15", "9", 0.6)
    );
    assert!(close(num(&all["accuracy"]), 11.0 / 14.0, 1e-12));
    assert_eq!(
        rows.len(),
        2 * 4,
        "three groups and all documents, two labels each"
    );

    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    // The records' flags are what the default model's setting gives them.
    assert_eq!(r["flags_differ"], 0);
    let outlet = |name: &str| {
        r["outlets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap()
            .clone()
    };
    // Monthly buckets: Alpha 3 of 3 russian in January, 5 of 7 in February.
    let series = |o: &Value| -> Vec<(String, u64, u64)> {
        o["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["key"][0].as_str().unwrap().to_string(),
                    g["documents"].as_u64().unwrap(),
                    g["labels"][0]["share"]["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let alpha = outlet("Alpha");
    assert_eq!(
        series(&alpha),
        [("2022-01".into(), 3, 3), ("2022-02".into(), 7, 5)]
    );
    // 3 of 3: the lower end is n / (n + z^2).
    let z2 = 1.959963984540054f64.powi(2);
    let low = alpha["series"][0]["labels"][0]["share"]["low"]
        .as_f64()
        .unwrap();
    assert!(close(low, 3.0 / (3.0 + z2), 1e-12), "{low}");
    let beta = outlet("Beta");
    assert_eq!(
        series(&beta),
        [("2022-02".into(), 2, 1), ("2022-03".into(), 1, 0)]
    );
    assert_eq!(beta["undated"], 1);
    assert_eq!(
        r["buckets"],
        json!(["2022-02", "2022-01", "2022-03"]
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>())
    );
    // Confusion, rows true labels: russian 7 right and 1 (b04) predicted western; western 2
    // (a03, b01) predicted russian and 4 right. Alpha alone: [[7, 0], [1, 2]].
    assert_eq!(r["confusion"]["truths"], json!(["russian", "western"]));
    assert_eq!(r["confusion"]["counts"], json!([[7, 1], [2, 4]]));
    assert_eq!(alpha["confusion"]["counts"], json!([[7, 0], [1, 2]]));
    // Coverage: band 0 keeps all 14 labelled (11 right); band 0.1 drops b04 (p 0.55 for its
    // label): 13 kept, 11 right. For 90% coverage the more accurate one is band 0.1. Every
    // record knows 95% of its terms, so the 7 known shares of the grid (0, 0.3 to 0.6, the
    // model's 0.632 and the records' 5th and 10th percentile, 0.95) give the same outcome; of
    // those the pick keeps the model's.
    let cov = &r["coverage"];
    assert_eq!(cov["points"].as_array().unwrap().len(), 2 * 2 * 7);
    let pick = &cov["pick"];
    assert_eq!(
        (pick["band"].as_f64(), pick["min_signal"].as_f64()),
        (Some(0.1), Some(0.0))
    );
    assert_eq!(
        (
            pick["coverage"]["count"].as_u64(),
            pick["accuracy_certain"]["count"].as_u64()
        ),
        (Some(13), Some(11))
    );
    // A minimum signal of 5 is above every record's 2.5: nothing is covered.
    let none_covered = cov["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["min_signal"] == 5.0)
        .unwrap();
    assert_eq!(none_covered["coverage"]["count"], 0);
    assert_eq!(pick["min_known"].as_f64(), Some(0.632));
    assert!(printed.contains("for 90% coverage: --uncertain-band 0.1 --min-signal 0 --min-known 0.632 (coverage 92.9%, accuracy 84.6% on the certain, 0.0% on the uncertain)"), "{printed}");
}

/// Eleven labelled records for the known-share grid. h1-h7 know 95% of their terms; h7
/// (p 0.55) is wrong and inside the band. l1-l3 know only 30%, below the default model's
/// min_known (0.63); l3 is wrong. s1 has 3 tokens, uncertain whatever the setting, and right.
fn known_share_records() -> Vec<Value> {
    let (r, w) = (Some("russian"), Some("western"));
    let with = |mut v: Value, known: f64, tokens: u64| {
        v["evidence"]["known"] = known.into();
        v["evidence"]["tokens"] = tokens.into();
        v
    };
    let h =
        |id, truth, p, uncertain| with(scored(id, Some("H"), None, truth, p, uncertain), 0.95, 120);
    let l = |id, truth, p| with(scored(id, Some("L"), None, truth, p, true), 0.3, 120);
    vec![
        h("h1", r, 0.9, false),
        h("h2", r, 0.9, false),
        h("h3", r, 0.9, false),
        h("h4", w, 0.2, false),
        h("h5", w, 0.2, false),
        h("h6", w, 0.2, false),
        h("h7", w, 0.55, true),
        l("l1", r, 0.9),
        l("l2", w, 0.2),
        l("l3", w, 0.9),
        with(scored("s1", Some("S"), None, r, 0.9, true), 1.0, 3),
    ]
}

#[test]
fn lowering_min_known_is_picked_when_only_it_reaches_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let input = jsonl(dir.path(), "scored.jsonl", &known_share_records());
    let (json, html) = (dir.path().join("r.json"), dir.path().join("r.html"));
    let grid = [
        "--grid-bands",
        "0,0.1",
        "--grid-signals",
        "0",
        "--grid-known",
        "0,0.5",
    ];
    let printed = stdout_of(
        stance()
            .arg("report")
            .args(grid)
            .args(["--target-coverage", "0.8"])
            .arg(&input)
            .arg("--json")
            .arg(&json)
            .arg("--html")
            .arg(&html),
    );
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(r["flags_differ"], 0);
    let cov = &r["coverage"];
    // Known share 0.5 keeps l1-l3 uncertain: at most h1-h7, 7 of 11 (63.6%). Known share 0:
    // band 0 keeps 10 (8 right), band 0.1 also drops h7, 9 (8 right): 81.8% >= 80%.
    assert_eq!(cov["points"].as_array().unwrap().len(), 4);
    let point = |band: f64, known: f64| {
        let p = cov["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["band"] == band && p["min_known"] == known)
            .unwrap();
        (
            p["coverage"]["count"].as_u64().unwrap(),
            p["accuracy_certain"]["count"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        [
            point(0.0, 0.0),
            point(0.1, 0.0),
            point(0.0, 0.5),
            point(0.1, 0.5)
        ],
        [(10, 8), (9, 8), (7, 6), (6, 6)]
    );
    let pick = &cov["pick"];
    assert_eq!(
        (
            pick["band"].as_f64(),
            pick["min_signal"].as_f64(),
            pick["min_known"].as_f64()
        ),
        (Some(0.1), Some(0.0), Some(0.0))
    );
    // Uncertain there: h7 (wrong) and s1 (right).
    assert_eq!(pick["accuracy_uncertain"]["count"], 1);
    // The records' own setting (the default model's): h1-h6 certain, all right; of the five
    // uncertain, l1, l2 and s1 are right.
    assert_eq!(cov["current"]["coverage"]["count"], 6);
    assert_eq!(cov["current"]["accuracy_certain"]["count"], 6);
    assert_eq!(cov["current"]["accuracy_uncertain"]["count"], 3);
    // Only s1 is beyond every setting.
    assert_eq!(cov["always_uncertain"], 1);
    assert!(
        printed.contains("for 80% coverage: --uncertain-band 0.1 --min-signal 0 --min-known 0 (coverage 81.8%, accuracy 88.9% on the certain, 50.0% on the uncertain)"),
        "{printed}"
    );
    assert!(
        printed.contains("coverage 54.5%, accuracy 100.0% on the certain, 60.0% on the uncertain"),
        "{printed}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<code>--uncertain-band 0.1 --min-signal 0 --min-known 0</code> keeps 81.8%"),
        "the page names the pick's min_known"
    );
    // 95% is beyond the grid (90.9% at best): s1 alone is counted as out of reach.
    let printed = stdout_of(
        stance()
            .arg("report")
            .args(grid)
            .args(["--target-coverage", "0.95"])
            .arg(&input),
    );
    assert!(
        printed.contains("no setting on the grid reaches 95% coverage (its highest is 90.9%); 1 of 11 labelled documents are uncertain at any setting"),
        "{printed}"
    );
    // Bad known shares are refused.
    fails_with(
        stance().args(["report", "--min-known", "1.5"]).arg(&input),
        "and --min-known in [0, 1], got",
    );
    fails_with(
        stance()
            .args(["report", "--grid-known", "0,1.2"])
            .arg(&input),
        "every minimum known share must be in [0, 1]",
    );
}

#[test]
fn flags_from_another_setting_are_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = jsonl(dir.path(), "scored.jsonl", &invented());
    // Under a minimum signal of 3 every record (signal 2.5) would be uncertain; 14 are not.
    let printed = stdout_of(stance().args(["report", "--min-signal", "3"]).arg(&input));
    assert!(
        printed.contains("14 records' uncertain flags differ from what --uncertain-band 0.1 --min-signal 3 gives them"),
        "{printed}"
    );
}

#[test]
fn weeks_are_iso_weeks_and_months_come_from_the_date_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut records = invented();
    // The same dates under another field name.
    for r in &mut records {
        if let Some(d) = r.as_object_mut().unwrap().remove("date") {
            r["published"] = d;
        }
    }
    let input = jsonl(dir.path(), "scored.jsonl", &records);
    let csv = dir.path().join("r.csv");
    stdout_of(
        stance()
            .args(["report", "--by", "source,week", "--date-field", "published"])
            .arg(&input)
            .arg("--csv")
            .arg(&csv),
    );
    let rows = csv_rows(&csv);
    let weeks: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r["source"] == "Alpha" && r["label"] == "russian")
        .map(|r| (r["week"].clone(), r["documents"].clone()))
        .collect();
    // 2022-01-30 is a Sunday (week 4); Monday 31 January to Sunday 6 February is week 5.
    let expect = [
        ("2022-W01", "1"),
        ("2022-W02", "1"),
        ("2022-W04", "1"),
        ("2022-W05", "6"),
        ("2022-W06", "1"),
    ];
    assert_eq!(weeks, expect.map(|(a, b)| (a.to_string(), b.to_string())));
    // The undated Beta record is in week "(none)".
    assert!(rows
        .iter()
        .any(|r| r["source"] == "Beta" && r["week"] == "(none)" && r["documents"] == "1"));
}

#[test]
fn scored_csv_gives_the_same_aggregates_as_scored_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let records = invented();
    let input = jsonl(dir.path(), "scored.jsonl", &records);
    // The columns of `stance score --format csv --keep source,date,label`.
    let mut table = String::from(
        "id,source,date,input_label,label,p_russian,p_western,uncertain,signal,tokens,known\n",
    );
    for r in &records {
        let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
        table.push_str(&format!(
            "{},{},{},{},{},{},{},{},2.5,120,0.95\n",
            s("id"),
            s("source"),
            s("date"),
            s("input_label"),
            s("label"),
            r["probabilities"]["russian"],
            r["probabilities"]["western"],
            r["uncertain"]
        ));
    }
    let table = write_file(dir.path(), "scored.csv", table.as_bytes());
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    stdout_of(
        stance()
            .args(["report", "--by", "source,month"])
            .arg(&input)
            .arg("--csv")
            .arg(&a),
    );
    stdout_of(
        stance()
            .args(["report", "--by", "source,month"])
            .arg(&table)
            .arg("--csv")
            .arg(&b),
    );
    let a = std::fs::read_to_string(&a).unwrap();
    assert_eq!(a, std::fs::read_to_string(&b).unwrap());
    assert!(a.starts_with("source,month,label,documents,count,share,share_low,share_high,mean_probability,uncertain,uncertain_rate,labelled,correct,accuracy\n"), "{a}");
    assert!(a.contains("\nAlpha,2022-01,russian,3,3,1,"), "{a}");
    assert!(a.contains("\n(none),2022-03,western,1,1,1,"), "{a}");
}

/// The records of a JSON Lines file.
fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `stance score --format jsonl`'s lines with the source, date and true label of the raw records
/// they were scored from, as `--keep source,date,label` writes them.
fn with_kept_fields(scored: &str, raw: &[Value]) -> Vec<Value> {
    scored
        .lines()
        .zip(raw)
        .map(|(line, input)| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            v["source"] = input["source"].clone();
            v["date"] = input["date"].clone();
            v["input_label"] = input["label"].clone();
            v
        })
        .collect()
}

/// `score --format jsonl --paragraphs` output with the input's source, date and label added
/// (as `--keep source,date,label` writes them) must give the aggregates the report computes
/// from the raw records itself.
#[test]
fn raw_records_and_scored_records_agree() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/examples.jsonl");
    let out = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--paragraphs"])
            .arg(&data),
    );
    let raw = read_jsonl(&data);
    let records = with_kept_fields(&out, &raw);
    for (v, input) in records.iter().zip(&raw) {
        assert_eq!(v["id"], input["id"]);
    }
    assert_eq!(records.len(), 48);
    let scored = jsonl(dir.path(), "scored.jsonl", &records);
    let (a, b) = (dir.path().join("raw.json"), dir.path().join("scored.json"));
    let (ca, cb) = (dir.path().join("raw.csv"), dir.path().join("scored.csv"));
    stdout_of(
        stance()
            .args(["report", "--by", "source,month"])
            .arg(&data)
            .arg("--json")
            .arg(&a)
            .arg("--csv")
            .arg(&ca),
    );
    stdout_of(
        stance()
            .args(["report", "--by", "source,month"])
            .arg(&scored)
            .arg("--json")
            .arg(&b)
            .arg("--csv")
            .arg(&cb),
    );
    assert_eq!(
        std::fs::read_to_string(&ca).unwrap(),
        std::fs::read_to_string(&cb).unwrap()
    );
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&std::fs::read(&a).unwrap()).unwrap(),
        serde_json::from_slice(&std::fs::read(&b).unwrap()).unwrap(),
    );
    for key in [
        "groups",
        "overall",
        "confusion",
        "coverage",
        "reliability",
        "opposing_total",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert_eq!(a["with_paragraphs"], 48);
    // Only the raw records were explained, so only they have term contributions; the scored
    // ones have no text, so their opposing paragraphs have no snippet.
    assert_eq!(
        (a["with_terms"].as_u64(), b["with_terms"].as_u64()),
        (Some(48), Some(0))
    );
    let ids = |r: &Value| -> Vec<(String, u64)> {
        r["opposing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_string(),
                    p["paragraph"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert!(!ids(&a).is_empty());
    assert_eq!(ids(&a), ids(&b));
    assert!(a["opposing"][0]["snippet"].is_string() && b["opposing"][0]["snippet"].is_null());
    // Every outlet has terms toward each label, named by words from the texts.
    let outlet = &a["outlets"][0];
    let terms = outlet["terms"].as_object().unwrap();
    assert_eq!(terms.keys().collect::<Vec<_>>(), ["russian", "western"]);
    assert!(terms.values().all(|t| !t.as_array().unwrap().is_empty()));
    assert!(
        terms["russian"][0]["surface"].is_string()
            && terms["russian"][0]["contribution"].as_f64() > Some(0.0)
    );
}

/// Checks that a page is self-contained: no script, no style sheet, image, font or frame from
/// anywhere, and every link an anchor within the page.
fn assert_self_contained(page: &str) {
    let lower = page.to_lowercase();
    for bad in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "url(",
        "http://",
        "https://",
        "javascript:",
    ] {
        assert!(!lower.contains(bad), "the page holds {bad:?}");
    }
    // Input text is escaped, so every '<' opens one of the page's own tags.
    for tag in page.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        assert!(!tag.contains(" src="), "a tag loads a resource: <{tag}>");
        assert!(!tag.contains(" on"), "a tag has an event handler: <{tag}>");
        if let Some(at) = tag.find("href=\"") {
            assert!(
                tag[at + 6..].starts_with('#'),
                "a link leaves the page: <{tag}>"
            );
        }
    }
}

#[test]
fn hostile_field_values_are_escaped_and_the_page_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let hostile_source = "<script>alert(\"x\")</script>";
    let hostile_id = "\"><img src=x onerror=alert(1)>";
    let mut records = invented();
    records[0]["source"] = hostile_source.into();
    records[0]["id"] = hostile_id.into();
    records[1]["source"] = "O'Brien & \"Sons\"".into();
    records[2]["input_label"] = "<b>bold</b>".into();
    let input = jsonl(dir.path(), "scored.jsonl", &records);
    let html = dir.path().join("r.html");
    stdout_of(
        stance()
            .args(["report", "--by", "source,month", "--title", "<i>t</i>"])
            .arg(&input)
            .arg("--html")
            .arg(&html),
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(page.contains("O&#39;Brien &amp; &quot;Sons&quot;"));
    assert!(
        page.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "a true label is a confusion row"
    );
    assert!(page.contains("&lt;i&gt;t&lt;/i&gt;"));
    assert!(!page.contains("<b>bold") && !page.contains("<i>t"));
    // The plots are inline SVG, one per outlet for the series and the distribution.
    assert!(
        page.matches("<svg").count() >= 1 + 2 + 4 + 2,
        "{} plots",
        page.matches("<svg").count()
    );
    // With true labels: reliability, confusion, and the coverage pick spelled out.
    for section in [
        "id=\"reliability\"",
        "id=\"confusion\"",
        "id=\"coverage\"",
        "For <b>90% coverage</b>: <code>--uncertain-band",
    ] {
        assert!(page.contains(section), "{section}");
    }
}

#[test]
fn a_page_from_raw_records_shows_terms_and_opposing_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    stdout_of(
        stance()
            .args(["report", "--by", "source"])
            .arg(repo("data/examples.jsonl"))
            .arg("--html")
            .arg(&html),
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    assert!(page.contains("<b>toward russian</b>") && page.contains("<b>toward western</b>"));
    assert!(
        page.contains("id=\"paragraph-1\""),
        "an opposing paragraph is listed"
    );
    assert!(!page.contains("Term contributions come from scoring the texts"));
}

#[test]
fn bad_input_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = invented()[0].to_string();
    let cases: Vec<(PathBuf, String)> = vec![
        (write_file(d, "json.jsonl", format!("{good}\n{good}\n{{\"id\": \n").as_bytes()), "json.jsonl:3: malformed JSON".into()),
        (
            write_file(d, "date.jsonl", format!("{good}\n{}\n", good.replace("2022-01-05", "5 Jan 2022")).as_bytes()),
            "date.jsonl is not YYYY-MM-DD, e.g. line 2: \"5 Jan 2022\"; pass --date-format '%d %b %Y'".into(),
        ),
        (
            write_file(d, "labels.jsonl", format!("{good}\n{}\n", good.replace("western", "neutral")).as_bytes()),
            "labels.jsonl:2: the record's labels (neutral, russian) differ from the first record's (russian, western)".into(),
        ),
        (
            write_file(d, "evidence.jsonl", format!("{}\n", good.replace("\"evidence\"", "\"evidenz\"")).as_bytes()),
            "evidence.jsonl:1: a scored record needs its \"evidence\"".into(),
        ),
        (write_file(d, "notext.jsonl", b"{\"id\": \"x\", \"source\": \"A\"}\n"), "notext.jsonl:1: missing or non-string field \"text\"".into()),
        (write_file(d, "group.jsonl", format!("{}\n", good.replace("\"Alpha\"", "[1, 2]")).as_bytes()), "group.jsonl:1: field \"source\" is an array".into()),
        (
            write_file(d, "p.csv", b"id,label,p_russian,p_western,uncertain,signal,tokens,known\nx,russian,0.9,0.1,false,2,10,0.9\ny,russian,lots,0.1,false,2,10,0.9\n"),
            "p.csv:3: column \"p_russian\" holds \"lots\", not a number".into(),
        ),
        (write_file(d, "cols.csv", b"id,body\nx,hello\n"), "cols.csv:1: the header has neither a \"text\" column".into()),
        (write_file(d, "article.txt", b"Some text."), "article.txt: the report reads JSON Lines".into()),
        (write_file(d, "empty.jsonl", b"\n\n"), "empty.jsonl: the file is empty".into()),
        (d.join("missing.jsonl"), "missing.jsonl".into()),
    ];
    for (path, message) in cases {
        let html = d.join("r.html");
        fails_with(
            stance()
                .args(["report", "--by", "source"])
                .arg(&path)
                .arg("--html")
                .arg(&html),
            &message,
        );
        assert!(!html.exists(), "no page is written for {}", path.display());
    }
    // Options are checked too.
    let input = jsonl(d, "ok.jsonl", &invented());
    fails_with(
        stance()
            .args(["report", "--target-coverage", "1.5"])
            .arg(&input),
        "the target coverage must be in (0, 1]",
    );
    fails_with(
        stance().args(["report", "--grid-bands", "0.7"]).arg(&input),
        "every band must be in [0, 0.5)",
    );
    fails_with(
        stance().args(["report", "--focus", "neutral"]).arg(&input),
        "the focus label must be one of the records' labels",
    );
    fails_with(
        stance()
            .args(["report", "--html", "/nonexistent-dir/r.html"])
            .arg(&input),
        "opening --html /nonexistent-dir/r.html",
    );
}

/// `chromium --dump-dom` and `--screenshot` of the report made from `data/examples.jsonl`: the
/// plots are in the rendered DOM and the screenshot is not blank. The screenshot goes to
/// `target/report-screenshot.png`, or with `STANCE_SCREENSHOTS=1` to the README's
/// `data/screenshots/report.png`; only the project's own invented texts are in it.
#[test]
#[ignore = "needs chromium"]
fn report_renders_in_headless_chromium() {
    use crate::browser::{assert_screenshot, chromium, rendered_dom};
    let chromium =
        chromium().expect("this test needs Chromium (/usr/bin/chromium or STANCE_CHROMIUM)");
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    stdout_of(
        stance()
            // The README's command.
            .args(["report", "--by", "source", "data/examples.jsonl"])
            .arg("--html")
            .arg(&html),
    );
    let url = format!("file://{}", html.display());
    let dom = rendered_dom(&chromium, dir.path(), &url);
    // One share plot, a series and a distribution per outlet (8), reliability and coverage.
    assert!(
        dom.matches("<svg").count() >= 1 + 8 + 8 + 2,
        "{} svg elements",
        dom.matches("<svg").count()
    );
    assert!(
        dom.matches("<circle").count() >= 8,
        "the share plot's points are drawn"
    );
    assert!(
        dom.matches("<polyline").count() >= 8,
        "the series' lines are drawn"
    );
    assert!(dom.contains("Accuracy against coverage") && dom.contains("toward russian"));

    // The committed README screenshot is rewritten only when asked for, so that a test run
    // does not leave a changed tracked file behind.
    let shot = if std::env::var_os("STANCE_SCREENSHOTS").is_some() {
        repo("data/screenshots/report.png")
    } else {
        repo("target/report-screenshot.png")
    };
    assert_screenshot(
        &chromium,
        dir.path(),
        &url,
        &shot,
        "1200,1500",
        (1100, 1400),
    );
}

#[test]
fn a_three_label_model_plots_every_label_and_stdin_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::three_label_corpus(dir.path());
    let model = dir.path().join("three.json");
    common::train_model(&data, &model, &[]);
    let (csv, json, html) = (
        dir.path().join("r.csv"),
        dir.path().join("r.json"),
        dir.path().join("r.html"),
    );
    stdout_of(
        stance()
            .args(["report", "--by", "source", "--model"])
            .arg(&model)
            .arg(&data)
            .arg("--csv")
            .arg(&csv)
            .arg("--json")
            .arg(&json)
            .arg("--html")
            .arg(&html),
    );
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(r["labels"], json!(["neutral", "russian", "western"]));
    assert_eq!(
        r["plotted"], r["labels"],
        "every label is plotted for three"
    );
    let rows = csv_rows(&csv);
    // Eight outlets and all documents, three labels each; the shares of a group sum to one.
    assert_eq!(rows.len(), 3 * 9);
    for group in rows.chunks(3) {
        let total: f64 = group.iter().map(|r| num(&r["share"])).sum();
        assert!(close(total, 1.0, 1e-12), "{group:?}");
    }
    // Terms toward each of the three labels, and a legend naming them in the plots.
    assert_eq!(r["outlets"][0]["terms"].as_object().unwrap().len(), 3);
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    // plotters writes each label as the content of an SVG <text> element, then a newline.
    assert!(
        page.contains("neutral\n</text>") && page.contains("western\n</text>"),
        "a legend names the labels"
    );

    // The same records on stdin ("-") as scored JSON Lines give the same CSV.
    let scored = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--model"])
            .arg(&model)
            .arg(&data),
    );
    let mut piped = String::new();
    for v in with_kept_fields(&scored, &read_jsonl(&data)) {
        piped.push_str(&format!("{v}\n"));
    }
    let from_stdin = dir.path().join("stdin.csv");
    stdout_of(
        stance()
            .args(["report", "--by", "source", "--model"])
            .arg(&model)
            .arg("-")
            .arg("--csv")
            .arg(&from_stdin)
            .write_stdin(piped),
    );
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        std::fs::read_to_string(&from_stdin).unwrap()
    );
}

#[test]
fn many_outlets_keep_the_page_small_and_every_outlet_in_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    // 45 outlets; "big" has three documents, the others one each.
    let mut records: Vec<Value> = (0..44)
        .map(|i| {
            scored(
                &format!("d{i}"),
                Some(&format!("outlet-{i:02}")),
                Some("2022-05-01"),
                None,
                0.2,
                false,
            )
        })
        .collect();
    for i in 0..3 {
        records.push(scored(
            &format!("b{i}"),
            Some("big"),
            Some("2022-05-02"),
            None,
            0.9,
            false,
        ));
    }
    let input = jsonl(dir.path(), "many.jsonl", &records);
    let html = dir.path().join("r.html");
    stdout_of(
        stance()
            .args(["report", "--by", "source"])
            .arg(&input)
            .arg("--html")
            .arg(&html),
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(
        "45 outlets: the plots, terms and confusion matrices show the 40 with the most documents"
    ));
    // One share plot, and a series and a distribution for each of the 40 shown.
    assert_eq!(page.matches("<svg").count(), 1 + 40 + 40);
    // The largest outlet is among those plotted (a plot's caption is an SVG text), and every
    // outlet is in the outlet table.
    assert!(page.contains(">\nbig\n</text>"));
    assert!(
        page.contains("<td class=\"k\">outlet-43</td>")
            && page.contains("<td class=\"k\">outlet-00</td>")
    );
}
