//! Hostile inputs where outputs and inputs meet: outputs that share a path with each other or
//! with an input, symlinks, devices and `-` as outputs; a record over the size limit in a
//! table; formula cells in CSV output; placeholder group names; extreme options; ids kept as
//! written; impossible scored values.

use std::path::Path;

use crate::common;
use crate::report::{csv_rows, invented, jsonl};

use common::{fails_with, repo, stance, stdout_of, write_file};
use serde_json::Value;

/// The scored records' ids, in order, from JSON Lines output.
fn ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_csv_record_over_the_size_limit_costs_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Residents spent another night in metro stations as the convoy stalled.";
    for (name, delimiter) in [("big.csv", ","), ("big.tsv", "\t")] {
        let mut body = format!("id{delimiter}text\n0{delimiter}{text}\n");
        body.push_str(&format!("1{delimiter}{}\n", "x".repeat(17 << 20)));
        for id in 2..5 {
            body.push_str(&format!("{id}{delimiter}{text}\n"));
        }
        let p = write_file(dir.path(), name, body.as_bytes());
        let out = stance()
            .args(["score", "--format", "jsonl", "--skip-bad"])
            .arg(&p)
            .assert()
            .success()
            .get_output()
            .clone();
        assert_eq!(
            ids(&String::from_utf8_lossy(&out.stdout)),
            ["0", "2", "3", "4"]
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("{name}:3:")), "{stderr}");
        assert!(stderr.contains("1 bad record"), "{stderr}");
    }
}

/// Scored records to report on, in `dir/in.jsonl`.
fn report_input(dir: &Path) -> std::path::PathBuf {
    jsonl(dir, "in.jsonl", &invented())
}

#[test]
fn two_outputs_on_one_path_are_refused_and_leave_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = report_input(dir.path());
    let x = write_file(dir.path(), "x", b"good");
    fails_with(
        stance()
            .args(["report", "--html"])
            .arg(&x)
            .arg("--csv")
            .arg(&x)
            .arg(&input),
        "is both the --html output and the --csv output",
    );
    assert_eq!(std::fs::read(&x).unwrap(), b"good");
    // The same file by another name (a symlink) is the same file.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&x, &link).unwrap();
    fails_with(
        stance()
            .args(["report", "--csv"])
            .arg(&x)
            .arg("--json")
            .arg(&link)
            .arg(&input),
        "is both the --csv output and the --json output",
    );
    // Two outputs, each on its own path, are both written whole.
    let (html, csv) = (dir.path().join("r.html"), dir.path().join("r.csv"));
    stdout_of(
        stance()
            .args(["report", "--html"])
            .arg(&html)
            .arg("--csv")
            .arg(&csv)
            .arg(&input),
    );
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
    assert!(!csv_rows(&csv).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 5);
}

#[test]
fn an_output_on_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = report_input(dir.path());
    let before = std::fs::read(&input).unwrap();
    fails_with(
        stance().args(["report", "--html"]).arg(&input).arg(&input),
        "is both an input",
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
    let data = repo("data/examples.jsonl");
    let copy = dir.path().join("data.jsonl");
    std::fs::copy(&data, &copy).unwrap();
    fails_with(
        common::train_command(&copy, &copy).args(["--min-df", "1"]),
        "is both an input",
    );
    fails_with(
        stance()
            .args(["explain", "--html"])
            .arg(&copy)
            .arg("--id")
            .arg("ex-w-01")
            .arg(&copy),
        "is both an input",
    );
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&data).unwrap());
}

#[test]
fn a_symlinked_output_replaces_its_target_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let input = report_input(dir.path());
    let real_dir = dir.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let target = write_file(&real_dir, "report.csv", b"old");
    let link = dir.path().join("report.csv");
    std::os::unix::fs::symlink("real/report.csv", &link).unwrap();
    stdout_of(stance().args(["report", "--csv"]).arg(&link).arg(&input));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!csv_rows(&target).is_empty());
    // The temporary file was made beside the target, and nothing is left of it.
    assert_eq!(std::fs::read_dir(&real_dir).unwrap().count(), 1);
}

#[test]
fn a_fifo_output_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let input = report_input(dir.path());
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    stdout_of(stance().args(["report", "--csv"]).arg(&fifo).arg(&input));
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced");
    let csv = reader.join().unwrap();
    assert!(csv.starts_with("source,label,"), "{csv}");
}

#[test]
fn dash_and_dev_stdout_are_stdout_for_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = report_input(dir.path());
    for path in ["-", "/dev/stdout"] {
        for (option, start) in [
            ("--html", "<!DOCTYPE html>"),
            ("--csv", "source,label,"),
            ("--json", "{"),
        ] {
            let out = stdout_of(stance().args(["report", option, path]).arg(&input));
            assert!(out.starts_with(start), "report {option} {path}: {out:.200}");
            // The summary went to stderr, so stdout is the output alone.
            assert!(!out.contains("documents, labels"), "{out:.200}");
        }
    }
    fails_with(
        stance()
            .args(["report", "--csv", "-", "--json", "-"])
            .arg(&input),
        "is both the --csv output and the --json output",
    );
    let html = stdout_of(
        stance()
            .current_dir(dir.path())
            .args(["explain", "--html", "-"])
            .arg(repo("data/articles/western-kyiv-briefing.txt")),
    );
    assert!(html.starts_with("<!DOCTYPE html>"), "{html:.200}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let model = stdout_of(
        common::train_command(&repo("data/examples.jsonl"), Path::new("-")).args(["--min-df", "1"]),
    );
    let parsed: Value = serde_json::from_str(&model).unwrap();
    assert!(parsed["version"].is_u64());
    let predictions = stdout_of(
        stance()
            .args(["cv", "--folds", "2", "--min-df", "1", "--group-by", "none"])
            .args(["--predictions", "-", "--data"])
            .arg(repo("data/examples.jsonl")),
    );
    assert_eq!(predictions.lines().count(), 48);
    let matrix = stdout_of(
        stance()
            .args(["bench", "--repeat", "1", "--export-matrix", "-", "--data"])
            .arg(repo("data/examples.jsonl")),
    );
    assert_eq!(matrix.lines().count(), 48);
}

/// The invented scored records with the first ones' sources replaced by `sources`, reported on
/// with `args` and the output `option` written to a file named `name`: the output's path and
/// what was printed. The folder lives as long as the returned guard.
fn report_with_sources(
    sources: &[&str],
    args: &[&str],
    option: &str,
    name: &str,
) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut records = invented();
    for (r, s) in records.iter_mut().zip(sources) {
        r["source"] = (*s).into();
    }
    let input = jsonl(dir.path(), "in.jsonl", &records);
    let out = dir.path().join(name);
    let printed = stdout_of(
        stance()
            .arg("report")
            .args(args)
            .arg(option)
            .arg(&out)
            .arg(&input),
    );
    (dir, out, printed)
}

/// A short text the default model scores, for tables of invented records.
const TEXT: &str = "Residents spent another night in metro stations as the convoy stalled.";

#[test]
fn repeated_columns_and_clashing_names_keep_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let table = write_file(
        dir.path(),
        "dup.csv",
        format!("id,text,x,x\n1,{TEXT},b,c\n").as_bytes(),
    );
    let csv = stdout_of(
        stance()
            .args(["score", "--keep-all", "--format", "csv"])
            .arg(&table),
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let row = reader.records().next().unwrap().unwrap();
    let at = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!((at("x"), at("x_2")), ("b".to_string(), "c".to_string()));
    let json = stdout_of(
        stance()
            .args(["score", "--keep-all", "--format", "jsonl"])
            .arg(&table),
    );
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!((v["x"].as_str(), v["x_2"].as_str()), (Some("b"), Some("c")));
    // `label` is written as `input_label`, so a field of that name goes beside it.
    let records = write_file(
        dir.path(),
        "labels.jsonl",
        format!("{{\"id\":\"1\",\"text\":\"{TEXT}\",\"label\":\"a\",\"input_label\":\"b\"}}\n")
            .as_bytes(),
    );
    let json = stdout_of(
        stance()
            .args(["score", "--keep-all", "--format", "jsonl"])
            .arg(&records),
    );
    assert_eq!(json.matches("\"input_label\"").count(), 1, "{json}");
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(
        (v["input_label"].as_str(), v["input_label_2"].as_str()),
        (Some("a"), Some("b"))
    );
}

#[test]
fn csv_cells_from_the_input_are_never_formulas() {
    let (dir, out, _) = report_with_sources(
        &[
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+cmd|calc",
            "@SUM(A1)",
            "-2+3",
        ],
        &[],
        "--csv",
        "r.csv",
    );
    let sources: Vec<String> = csv_rows(&out).iter().map(|r| r["source"].clone()).collect();
    for bad in ["=HYPERLINK", "+cmd", "@SUM", "-2+3"] {
        assert!(
            sources
                .iter()
                .any(|s| *s == format!("'{}", &s[1..]) && s[1..].starts_with(bad)),
            "{bad}: {sources:?}"
        );
        assert!(!sources.iter().any(|s| s.starts_with(bad)), "{sources:?}");
    }
    // score's CSV: the id and a kept text are guarded; a kept JSON number stays a number.
    let scored = write_file(
        dir.path(),
        "s.jsonl",
        format!("{{\"id\":\"=1+1\",\"text\":\"{TEXT}\",\"note\":\"@x\",\"n\":-5}}\n").as_bytes(),
    );
    let csv = stdout_of(
        stance()
            .args(["score", "--keep", "note,n", "--format", "csv"])
            .arg(&scored),
    );
    let row = csv.lines().nth(1).unwrap();
    assert!(row.starts_with("'=1+1,'@x,-5,"), "{row}");
}

#[test]
fn a_group_named_like_a_placeholder_is_its_own_group() {
    // One record (n01) lacks a source; two are named like the placeholders.
    let (_dir, out, printed) = report_with_sources(&["(none)", "(all)"], &[], "--csv", "r.csv");
    assert!(printed.contains("1 documents lack \"source\""), "{printed}");
    let rows = csv_rows(&out);
    let documents = |source: &str| {
        rows.iter()
            .find(|r| r["source"] == source)
            .map(|r| r["documents"].clone())
    };
    assert_eq!(documents("(none)").as_deref(), Some("1"));
    assert_eq!(documents("\"(none)\"").as_deref(), Some("1"));
    assert_eq!(documents("\"(all)\"").as_deref(), Some("1"));
    assert_eq!(documents("(all)").as_deref(), Some("15"));
}

#[test]
fn thread_counts_are_capped_with_a_clear_error() {
    let article = repo("data/articles/western-kyiv-briefing.txt");
    for bad in ["100000", "0"] {
        fails_with(
            stance().args(["score", "--threads", bad]).arg(&article),
            "threads must be between 1 and",
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let input = report_input(dir.path());
    fails_with(
        stance().args(["report", "--threads", "5000"]).arg(&input),
        "threads must be between 1 and",
    );
    stdout_of(stance().args(["score", "--threads", "3"]).arg(&article));
}

#[test]
fn a_model_that_is_no_regular_file_or_too_large_is_refused_before_reading() {
    let article = repo("data/articles/western-kyiv-briefing.txt");
    fails_with(
        stance()
            .args(["score", "--model", "/dev/zero"])
            .arg(&article),
        "/dev/zero: not a regular file",
    );
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.json");
    // Sparse: no disk is used, and nothing is read.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len((1 << 30) + 1)
        .unwrap();
    fails_with(
        stance().args(["score", "--model"]).arg(&huge).arg(&article),
        "over the 1024 MiB limit for a model file",
    );
}

#[test]
fn a_sparse_penalty_that_weighs_no_term_is_refused_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    for penalty in ["l1", "elasticnet"] {
        fails_with(
            common::train_command(&repo("data/examples.jsonl"), &out).args([
                "--min-df",
                "1",
                "--penalty",
                penalty,
                "--alpha",
                "1e300",
            ]),
            "alpha 1e300 leaves no term with a non-zero weight",
        );
        assert!(!out.exists());
    }
}

#[test]
fn settings_that_make_every_score_uniform_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    for extra in [["--alpha", "1e300"], ["--prior-tokens", "1e308"]] {
        let stderr = String::from_utf8(
            common::train_command(&repo("data/examples.jsonl"), &out)
                .args(["--min-df", "1"])
                .args(extra)
                .assert()
                .success()
                .get_output()
                .stderr
                .clone(),
        )
        .unwrap();
        assert!(
            stderr.contains("scores every training document as uniform"),
            "{extra:?}: {stderr}"
        );
    }
    let stderr = common::train_command(&repo("data/examples.jsonl"), &out)
        .args(["--min-df", "1"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    assert!(!String::from_utf8_lossy(&stderr).contains("uniform"));
}

#[test]
fn a_coverage_grid_over_the_limit_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = report_input(dir.path());
    let values = |n: usize| {
        (0..n)
            .map(|i| format!("{}", i as f64 / (2 * n) as f64))
            .collect::<Vec<_>>()
            .join(",")
    };
    fails_with(
        stance()
            .args(["report", "--grid-bands", &values(1000)])
            .args(["--grid-signals", &values(200)])
            .arg(&input),
        "over the limit of 5000",
    );
    // The default axes are counted at their most: 100 bands x 8 x 8 is too many already.
    fails_with(
        stance()
            .args(["report", "--grid-bands", &values(100)])
            .arg(&input),
        "give fewer --grid-bands",
    );
    stdout_of(
        stance()
            .args(["report", "--grid-bands", &values(20)])
            .arg(&input),
    );
}

#[test]
fn an_eval_label_error_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(
        dir.path(),
        "dev.jsonl",
        format!(
            "{{\"text\":\"{TEXT}\",\"label\":\"western\"}}\n{{\"text\":\"{TEXT}\",\"label\":\"martian\"}}\n"
        )
        .as_bytes(),
    );
    fails_with(
        stance().args(["eval", "--data"]).arg(&data),
        "dev.jsonl:2: label \"martian\" is not one of the model's labels",
    );
}

#[test]
fn ids_are_kept_as_written_empty_ones_named_by_place_repeats_warned() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "ids.jsonl",
        format!(
            "{{\"id\":12345678901234567890123,\"text\":\"{TEXT}\"}}\n\
             {{\"id\":12345678901234567890124,\"text\":\"{TEXT}\"}}\n\
             {{\"id\":1e5,\"text\":\"{TEXT}\"}}\n\
             {{\"id\":\"\",\"text\":\"{TEXT}\"}}\n\
             {{\"id\":\"x\",\"text\":\"{TEXT}\"}}\n\
             {{\"id\":\"x\",\"text\":\"{TEXT}\"}}\n"
        )
        .as_bytes(),
    );
    let out = stance()
        .current_dir(dir.path())
        .args(["score", "--format", "jsonl", "ids.jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        ids(&String::from_utf8_lossy(&out.stdout)),
        [
            "12345678901234567890123",
            "12345678901234567890124",
            "1e5",
            "ids.jsonl:4",
            "x",
            "x"
        ]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 record(s) repeat an earlier record's id, the first \"x\""),
        "{stderr}"
    );
}

#[test]
fn report_keeps_large_numeric_ids_apart() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "ids.jsonl",
        format!(
            "{{\"id\":12345678901234567890123,\"text\":\"{TEXT}\"}}\n\
             {{\"id\":12345678901234567890124,\"text\":\"{TEXT}\"}}\n"
        )
        .as_bytes(),
    );
    let out = stance()
        .current_dir(dir.path())
        .args(["report", "ids.jsonl", "--json", "r.json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // As a float both were 1.2345678901234568e22: one id counted twice.
    assert!(!stderr.contains("repeat"), "{stderr}");
}

/// `report` on `records` (one JSON Lines file) fails naming line `line` with `message`.
fn report_refuses(records: &[Value], line: usize, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = jsonl(dir.path(), "in.jsonl", records);
    fails_with(
        stance().args(["report"]).arg(&input),
        &format!("in.jsonl:{line}: "),
    );
    fails_with(stance().args(["report"]).arg(&input), message);
}

#[test]
fn impossible_scored_values_are_refused_with_file_and_line() {
    let mut records = invented();
    records[2]["probabilities"] = serde_json::json!({"russian": 0.9, "western": 0.9});
    report_refuses(&records, 3, "sum to 1.8");
    let mut records = invented();
    records[1]["evidence"]["known"] = 2.0.into();
    report_refuses(&records, 2, "the known share 2.0 is not in [0, 1]");
    let mut records = invented();
    records[4]["evidence"]["signal"] = (-1.0).into();
    report_refuses(&records, 5, "the signal -1.0 is negative");
    // Paragraph offsets past the text, or inside a character.
    for (start, end) in [(0, 99), (1, 3)] {
        let mut records = invented();
        records[0]["text"] = "é and more".into();
        records[0]["paragraphs"] = serde_json::json!([{
            "index": 0, "start": start, "end": end, "label": "western",
            "probabilities": {"russian": 0.2, "western": 0.8},
            "evidence": {"tokens": 3, "known": 1.0, "signal": 1.0, "terms": 1},
            "uncertain": false
        }]);
        report_refuses(&records, 1, "are not a span of the text");
    }
}

#[test]
fn accuracy_at_no_coverage_is_not_a_number_and_no_nul_reaches_the_page() {
    // A band of 0.49 leaves no document certain.
    let (_dir, html, printed) = report_with_sources(
        &["Al\u{0}pha"],
        &["--uncertain-band", "0.49", "--grid-bands", "0.49"],
        "--html",
        "r.html",
    );
    assert!(
        printed.contains("coverage 0.0%, accuracy n/a on the certain"),
        "{printed}"
    );
    assert!(
        !std::fs::read(&html).unwrap().contains(&0),
        "a NUL byte in the page"
    );
}

#[test]
fn report_warns_about_an_id_counted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let a = jsonl(dir.path(), "a.jsonl", &invented());
    let b = jsonl(dir.path(), "b.jsonl", &invented()[..2]);
    let out = stance()
        .args(["report"])
        .arg(&a)
        .arg(&b)
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 record(s) repeat an earlier record's id, the first \"a01\" at ")
            && stderr.contains("b.jsonl:1"),
        "{stderr}"
    );
}

#[test]
fn messages_are_short_and_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    // JSON Lines read as CSV: the first line is quoted cut, not whole.
    let long = format!("{{\"id\":\"1\",\"text\":\"{}\"}}\n", "word ".repeat(10_000));
    let p = write_file(dir.path(), "records.jsonl", long.as_bytes());
    let stderr = fails_with(stance().args(["score", "--input", "csv"]).arg(&p), "bytes)");
    assert!(stderr.len() < 1000, "{} bytes: {stderr:.300}", stderr.len());
    // A header alone is not an empty file.
    let p = write_file(dir.path(), "header.csv", b"id,text\n");
    fails_with(stance().arg("score").arg(&p), "has a header but no rows");
    // Standard input twice.
    fails_with(
        stance().args(["score", "-", "-"]).write_stdin("{}"),
        "- (standard input) is named 2 times",
    );
    // A huge number is printed short.
    let stderr = fails_with(
        common::train_command(&repo("data/examples.jsonl"), &dir.path().join("m.json"))
            .args(["--alpha", "-1e300"]),
        "-1e300",
    );
    assert!(stderr.len() < 300, "{stderr}");
}
