//! Tables in and out: `stance score` reads CSV/TSV/JSON Lines a record at a time and folders a
//! file at a time, keeps the input fields asked for (`--keep`, `--keep-all`) and writes JSON
//! Lines or CSV; `explain` of a file of many records needs `--id`; header errors list the
//! columns; `--delimiter` reads semicolon tables.

use std::path::{Path, PathBuf};

use crate::common;

use common::{fails_with, repo, stance, stdout_of, write_file};

/// The example articles (written for the project, in `data/`), as JSON values.
fn examples() -> Vec<serde_json::Value> {
    std::fs::read_to_string(repo("data/examples.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The example articles' id, label and text as a table with `delimiter` and the column names
/// `header`.
fn examples_table(delimiter: u8, header: [&str; 3]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in &examples() {
        w.write_record([
            r["id"].as_str().unwrap(),
            r["label"].as_str().unwrap(),
            r["text"].as_str().unwrap(),
        ])
        .unwrap();
    }
    w.into_inner().unwrap()
}

/// A CSV table of the example articles whose cells hold what breaks naive CSV: commas, doubled
/// quotes, and newlines (in the text and in the metadata), plus a `label` column, which the
/// output must not mistake for its own. Returns the path and the (id, source, date) of each row.
fn awkward_table(dir: &Path) -> (PathBuf, Vec<[String; 3]>) {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "source", "date", "label", "text"])
        .unwrap();
    let mut rows = Vec::new();
    for (i, e) in examples().iter().enumerate() {
        let id = format!("row {i}, \"quoted\"");
        let source = match i % 3 {
            0 => format!("{}, Inc.", e["source"].as_str().unwrap()),
            1 => format!("The \"{}\"\nsecond line", e["source"].as_str().unwrap()),
            _ => e["source"].as_str().unwrap().to_string(),
        };
        let date = e["date"].as_str().unwrap().to_string();
        let text = format!(
            "{}\n\n\"Quoted\", she said, \"with commas\".",
            e["text"].as_str().unwrap()
        );
        w.write_record([
            id.as_str(),
            &source,
            &date,
            e["label"].as_str().unwrap(),
            &text,
        ])
        .unwrap();
        rows.push([id, source, date]);
    }
    let path = write_file(dir, "table.csv", &w.into_inner().unwrap());
    (path, rows)
}

/// The rows of a CSV text, header first.
fn csv_rows(out: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// `stance score <args> <path>`'s stdout.
fn score_of(path: &Path, args: &[&str]) -> String {
    stdout_of(stance().arg("score").args(args).arg(path))
}

fn jsonl(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_table_round_trips_through_score_csv_with_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (table, rows) = awkward_table(dir.path());
    let out = score_of(&table, &["--format", "csv", "--keep", "source,date"]);
    let got = csv_rows(&out);
    assert_eq!(
        got[0],
        [
            "id",
            "source",
            "date",
            "label",
            "p_russian",
            "p_western",
            "uncertain",
            "language",
            "signal",
            "tokens",
            "known"
        ]
    );
    assert_eq!(got.len(), rows.len() + 1, "one row per input row: {out}");
    for (row, want) in got[1..].iter().zip(&rows) {
        assert_eq!(&row[..3], &want[..], "{row:?}");
        assert!(["russian", "western"].contains(&row[3].as_str()), "{row:?}");
        let p: f64 = row[4].parse::<f64>().unwrap() + row[5].parse::<f64>().unwrap();
        assert!((p - 1.0).abs() < 1e-9, "{row:?}");
        assert!(["true", "false"].contains(&row[6].as_str()), "{row:?}");
        assert!(row[9].parse::<usize>().unwrap() > 10, "{row:?}"); // tokens, after language and signal
    }
    // The scores are those of each article scored alone, as JSON Lines.
    let alone = jsonl(&score_of(&table, &["--format", "jsonl"]));
    for (row, j) in got[1..].iter().zip(&alone) {
        assert_eq!(row[0], j["id"].as_str().unwrap());
        assert_eq!(row[3], j["label"].as_str().unwrap());
        assert_eq!(
            row[5].parse::<f64>().unwrap(),
            j["probabilities"]["western"].as_f64().unwrap()
        );
    }
}

#[test]
fn kept_fields_follow_the_id_and_a_clashing_name_gets_the_input_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let (table, rows) = awkward_table(dir.path());
    let out = score_of(
        &table,
        &["--format", "jsonl", "--keep", "date,label,source"],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), rows.len());
    for (line, want) in lines.iter().zip(&rows) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["id"], want[0].as_str());
        assert_eq!(v["source"], want[1].as_str());
        assert_eq!(v["date"], want[2].as_str());
        // The table's own label is kept beside the prediction.
        assert!(
            v["input_label"].is_string() && v["label"].is_string(),
            "{v}"
        );
        // Key order: id, the kept fields as asked, then the score.
        let at = |key: &str| line.find(&format!("\"{key}\":")).unwrap();
        let order = [
            "id",
            "date",
            "input_label",
            "source",
            "label",
            "probabilities",
            "evidence",
            "uncertain",
            "language",
        ]
        .map(at);
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert_eq!(v.as_object().unwrap().len(), 9, "{line}");
    }
}

#[test]
fn json_values_of_kept_fields_pass_through() {
    let dir = tempfile::tempdir().unwrap();
    let text = examples()[0]["text"].as_str().unwrap().to_string();
    let records = [
        serde_json::json!({"id": "a", "text": text, "meta": {"b": [1, 2.5, null], "a": "x"}, "n": 7, "tag": "plain, \"quoted\""}),
        serde_json::json!({"id": "b", "text": text, "n": null}),
    ];
    // The object's keys are out of alphabetical order and spaced, as a hand-written file has.
    let body = format!(
        "{{\"id\": \"a\", \"text\": {}, \"meta\": {{ \"b\": [1, 2.5, null], \"a\": \"x\" }}, \"n\": 7, \"tag\": \"plain, \\\"quoted\\\"\"}}\n{}\n",
        serde_json::to_string(&text).unwrap(),
        records[1]
    );
    let input = write_file(dir.path(), "r.jsonl", body.as_bytes());
    let out = score_of(&input, &["--format", "jsonl", "--keep", "meta,n,tag"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(
            r#"{"id":"a","meta":{"b":[1,2.5,null],"a":"x"},"n":7,"tag":"plain, \"quoted\"","label":"#
        ),
        "{}",
        lines[0]
    );
    // A record without a kept field has null there.
    assert!(
        lines[1].starts_with(r#"{"id":"b","meta":null,"n":null,"tag":null,"label":"#),
        "{}",
        lines[1]
    );
    // In CSV, strings are themselves and other values compact JSON text; missing is empty.
    let out = score_of(&input, &["--format", "csv", "--keep", "meta,n,tag"]);
    let rows = csv_rows(&out);
    assert_eq!(rows[0][..4], ["id", "meta", "n", "tag"]);
    assert_eq!(
        rows[1][..4],
        [
            "a",
            r#"{"b":[1,2.5,null],"a":"x"}"#,
            "7",
            "plain, \"quoted\""
        ]
    );
    assert_eq!(rows[2][..4], ["b", "", "null", ""]);
}

#[test]
fn keep_all_keeps_every_field_but_the_text_and_the_id() {
    let out = stdout_of(stance().args([
        "score",
        "--format",
        "jsonl",
        "--keep-all",
        "data/examples.jsonl",
    ]));
    let first = jsonl(&out).remove(0);
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    for k in ["id", "input_label", "source", "date", "title", "label"] {
        assert!(keys.iter().any(|x| *x == k), "{k} in {keys:?}");
    }
    assert!(first.get("text").is_none(), "{first}");
    // CSV: the columns of the table but its text and id.
    let out = stdout_of(stance().args([
        "score",
        "--format",
        "csv",
        "--keep-all",
        "data/examples.csv",
    ]));
    let rows = csv_rows(&out);
    assert_eq!(rows[0][..3], ["id", "input_label", "label"]);
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[1][..2], ["csv-w-01", "western"]);
}

#[test]
fn a_kept_field_that_is_nowhere_is_an_error_listing_what_there_is() {
    let err = fails_with(
        stance().args([
            "score",
            "--format",
            "csv",
            "--keep",
            "source,sorce",
            "data/examples.csv",
        ]),
        "data/examples.csv: the header has no column \"source\" to keep; columns found: id, label, text",
    );
    assert!(err.contains("1 of 1 input(s) failed"), "{err}");
    // JSON Lines: a record may lack an optional field, so only a field that no record has is
    // an error, once the file has been read.
    fails_with(
        stance().args([
            "score",
            "--format",
            "jsonl",
            "--keep",
            "sorce",
            "data/examples.jsonl",
        ]),
        "data/examples.jsonl: no record has a field \"sorce\" to keep; fields found: id, label, source, date, title, text",
    );
    let dir = tempfile::tempdir().unwrap();
    let twice = write_file(
        dir.path(),
        "twice.csv",
        b"id,text,tag,tag\na,some words here,x,y\n",
    );
    fails_with(
        stance()
            .args(["score", "--format", "csv", "--keep", "tag"])
            .arg(&twice),
        "twice.csv:1: the header names the column \"tag\" more than once",
    );
    // The id field is the id already: keeping it adds nothing.
    let out = stdout_of(stance().args([
        "score",
        "--format",
        "csv",
        "--keep",
        "id,label",
        "data/examples.csv",
    ]));
    assert_eq!(csv_rows(&out)[0][..3], ["id", "input_label", "label"]);
    fails_with(
        stance().args(["score", "--keep", "source", "data/examples.jsonl"]),
        "--keep and --keep-all apply to --format jsonl and csv",
    );
    fails_with(
        stance().args([
            "score",
            "--format",
            "jsonl",
            "--keep",
            "label,input_label",
            "data/examples.jsonl",
        ]),
        "would both be written as \"input_label\"",
    );
}

#[test]
fn paragraphs_in_csv_are_rows_after_their_article() {
    let out = stdout_of(stance().args([
        "score",
        "--format",
        "csv",
        "--paragraphs",
        "data/articles/mixed-summit-report.txt",
        "data/articles/western-kyiv-briefing.txt",
    ]));
    let json = jsonl(&stdout_of(stance().args([
        "score",
        "--format",
        "jsonl",
        "--paragraphs",
        "data/articles/mixed-summit-report.txt",
        "data/articles/western-kyiv-briefing.txt",
    ])));
    let rows = csv_rows(&out);
    assert_eq!(
        rows[0][..4],
        ["id", "paragraph", "paragraph_start", "paragraph_end"]
    );
    let mut expected = Vec::new();
    for article in &json {
        let id = article["id"].as_str().unwrap();
        expected.push(vec![
            id.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        for p in article["paragraphs"].as_array().unwrap() {
            expected.push(vec![
                id.to_string(),
                p["index"].to_string(),
                p["start"].to_string(),
                p["end"].to_string(),
            ]);
        }
    }
    let got: Vec<Vec<String>> = rows[1..].iter().map(|r| r[..4].to_vec()).collect();
    assert_eq!(got, expected);
    assert!(expected.len() > 4);
}

#[test]
fn tsv_semicolons_stdin_and_renamed_fields_are_read_as_tables() {
    let dir = tempfile::tempdir().unwrap();
    let e = examples();
    let text = |i: usize| e[i]["text"].as_str().unwrap().replace(['\t', '\n'], " ");
    let tsv = format!("doc\tbody\n1\t{}\n2\t{}\n", text(0), text(30));
    let tsv = write_file(dir.path(), "t.tab", tsv.as_bytes());
    let out = stdout_of(
        stance()
            .args([
                "score",
                "--format",
                "csv",
                "--text-field",
                "body",
                "--id-field",
                "doc",
            ])
            .arg(&tsv),
    );
    let rows = csv_rows(&out);
    assert_eq!(
        rows[1..]
            .iter()
            .map(|r| r[..2].to_vec())
            .collect::<Vec<_>>(),
        [["1", "western"], ["2", "russian"]]
    );
    // A semicolon export, read with --delimiter; and the same table on stdin with --input csv.
    let semi = format!("doc;body\n1;\"{}\"\n2;\"{}\"\n", text(0), text(30));
    let semi_path = write_file(dir.path(), "s.csv", semi.as_bytes());
    let args = [
        "score",
        "--format",
        "csv",
        "--text-field",
        "body",
        "--id-field",
        "doc",
        "--delimiter",
        ";",
    ];
    assert_eq!(stdout_of(stance().args(args).arg(&semi_path)), out);
    assert_eq!(
        stdout_of(
            stance()
                .args(args)
                .args(["--input", "csv", "-"])
                .write_stdin(semi.clone())
        ),
        out
    );
    // Without --delimiter, the header is one column, and the error says what to do.
    fails_with(
        stance()
            .args(["score", "--text-field", "body"])
            .arg(&semi_path),
        "s.csv:1: the header has no \"body\" column; columns found: doc;body; name the text column with --text-field, or if the cells are separated by \";\", pass --delimiter \";\"",
    );
    // An --id-field the header lacks is an error, not ids silently made up.
    fails_with(
        stance()
            .args(["score", "--text-field", "body", "--id-field", "key"])
            .arg(&tsv),
        "t.tab:1: the header has no \"key\" column; columns found: doc, body; name the id column with --id-field",
    );
}

#[test]
fn a_bad_row_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = examples()[0]["text"].as_str().unwrap().to_string();
    let body = format!(
        "id,text\na,\"{}\nsecond line\"\nb\nc,{}\n",
        text.replace('"', "\"\""),
        "x y z"
    );
    // The ragged row's line, after the quoted cell's lines.
    let line = 4 + text.matches('\n').count();
    let p = write_file(dir.path(), "ragged.csv", body.as_bytes());
    let out = stance()
        .args(["score", "--format", "jsonl"])
        .arg(&p)
        .assert()
        .failure()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("ragged.csv:{line}: CSV error")),
        "{stderr}"
    );
    assert_eq!(jsonl(&String::from_utf8_lossy(&out.stdout)).len(), 1);
    // With --skip-bad the row after it is scored too.
    let out = stance()
        .args(["score", "--format", "jsonl", "--skip-bad"])
        .arg(&p)
        .assert()
        .success()
        .get_output()
        .clone();
    let ids: Vec<String> = jsonl(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "c"]);
}

#[test]
fn a_folder_is_one_article_per_txt_file_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let articles = repo("data/articles");
    for name in ["b.txt", "a.txt", "c.md"] {
        std::fs::copy(
            articles.join("western-kyiv-briefing.txt"),
            dir.path().join(name),
        )
        .unwrap();
    }
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::copy(
        articles.join("western-kyiv-briefing.txt"),
        dir.path().join("sub/d.txt"),
    )
    .unwrap();
    let out = score_of(dir.path(), &["--format", "jsonl"]);
    let ids: Vec<String> = jsonl(&out)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        [
            dir.path().join("a.txt").display().to_string(),
            dir.path().join("b.txt").display().to_string()
        ]
    );
    let empty = tempfile::tempdir().unwrap();
    fails_with(
        stance().arg("score").arg(empty.path()),
        "is a directory without .txt files",
    );
}

#[test]
fn explain_of_many_records_needs_an_id() {
    let err = fails_with(
        stance().args(["explain", "data/examples.jsonl"]),
        "data/examples.jsonl holds 48 articles; explain explains one: pass --id ID (ids: ex-w-01, ex-w-02, ex-w-03, ex-w-04, ex-w-05, ...)",
    );
    assert!(!err.contains("label:"), "{err}");
    fails_with(
        stance().args(["explain", "--id", "nope", "data/examples.csv"]),
        "data/examples.csv: no record has the id \"nope\" (8 record(s):",
    );
    // With --id, the record is explained as its text alone would be.
    let e = examples();
    let text = e[30]["text"].as_str().unwrap();
    let id = e[30]["id"].as_str().unwrap();
    let by_id: serde_json::Value = serde_json::from_str(&stdout_of(stance().args([
        "explain",
        "--format",
        "json",
        "--id",
        id,
        "data/examples.jsonl",
    ])))
    .unwrap();
    let alone: serde_json::Value = serde_json::from_str(&stdout_of(
        stance()
            .args(["explain", "--format", "json", "-"])
            .write_stdin(text.to_string()),
    ))
    .unwrap();
    assert_eq!(by_id["probabilities"], alone["probabilities"]);
    assert_eq!(by_id["terms"], alone["terms"]);
    // A table of one row is explained without --id.
    let dir = tempfile::tempdir().unwrap();
    let one = write_file(
        dir.path(),
        "one.csv",
        format!("id,text\nx,\"{}\"\n", text.replace('"', "\"\"")).as_bytes(),
    );
    let single: serde_json::Value = serde_json::from_str(&stdout_of(
        stance().args(["explain", "--format", "json"]).arg(&one),
    ))
    .unwrap();
    assert_eq!(single["probabilities"], alone["probabilities"]);
}

#[test]
fn training_header_errors_list_the_columns_and_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let table = write_file(
        dir.path(),
        "own.csv",
        &examples_table(b',', ["id", "stance", "body"]),
    );
    let model = dir.path().join("m.json");
    fails_with(
        &mut common::train_command(&table, &model),
        "own.csv:1: the header has no \"text\" column; columns found: id, stance, body; name the text column with --text-field",
    );
    fails_with(
        common::train_command(&table, &model).args(["--text-field", "body"]),
        "own.csv:1: the header has no \"label\" column; columns found: id, stance, body; name the label column with --label-field",
    );
    stdout_of(common::train_command(&table, &model).args([
        "--text-field",
        "body",
        "--label-field",
        "stance",
    ]));
    assert!(model.exists());
}

#[test]
fn training_reads_semicolon_tables_with_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let table = write_file(
        dir.path(),
        "export.csv",
        &examples_table(b';', ["id", "label", "text"]),
    );
    let semi = dir.path().join("semi.json");
    let plain = dir.path().join("plain.json");
    stdout_of(common::train_command(&table, &semi).args(["--min-df", "1", "--delimiter", ";"]));
    // The same documents from JSON Lines train the same model, but for the data's name and hash.
    common::train_model(&repo("data/examples.jsonl"), &plain, &[]);
    let weights = |p: &Path| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        (v["vocabulary"].clone(), v["weights"].clone())
    };
    assert_eq!(weights(&semi), weights(&plain));
    assert!(!weights(&semi).1.is_null());
    // Without --delimiter, the error suggests it.
    fails_with(
        &mut common::train_command(&table, &dir.path().join("x.json")),
        "pass --delimiter \";\"",
    );
}

#[test]
fn a_json_record_without_the_text_or_label_field_lists_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_file(
        dir.path(),
        "own.jsonl",
        b"{\"id\":\"a\",\"body\":\"some words\",\"stance\":\"x\"}\n",
    );
    fails_with(
        stance().arg("score").arg(&p),
        "own.jsonl:1: missing or non-string field \"text\"; the record's fields: id, body, stance; name the text field with --text-field",
    );
    fails_with(
        common::train_command(&p, &dir.path().join("m.json")).args(["--text-field", "body"]),
        "own.jsonl:1: missing or non-string field \"label\"; the record's fields: id, body, stance; name the label field with --label-field",
    );
}

#[test]
fn keep_all_in_csv_takes_the_columns_of_the_first_article() {
    let dir = tempfile::tempdir().unwrap();
    let text = examples()[0]["text"].as_str().unwrap().to_string();
    // Written by hand: the fields' order is the point (serde_json's json! sorts them).
    let t = serde_json::to_string(&text).unwrap();
    let body = format!(
        "{{\"id\":\"a\",\"source\":\"S\",\"text\":{t},\"n\":1}}\n\
         {{\"id\":\"b\",\"text\":{t},\"extra\":\"x\",\"n\":2}}\n\
         {{\"id\":\"c\",\"extra\":\"y\",\"text\":{t},\"source\":\"T\"}}\n"
    );
    let p = write_file(dir.path(), "mixed.jsonl", body.as_bytes());
    let out = stance()
        .args(["score", "--format", "csv", "--keep-all"])
        .arg(&p)
        .assert()
        .success()
        .get_output()
        .clone();
    let rows = csv_rows(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(rows[0][..4], ["id", "source", "n", "label"]);
    let kept: Vec<Vec<String>> = rows[1..].iter().map(|r| r[..3].to_vec()).collect();
    assert_eq!(kept, [["a", "S", "1"], ["b", "", "2"], ["c", "T", ""]]);
    // The field left out is reported once, naming where it was first seen.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("left out").count(), 1, "{stderr}");
    assert!(
        stderr.contains("warning: b: field \"extra\" is left out: --keep-all takes the CSV columns from the first article (source, n)"),
        "{stderr}"
    );
    // In JSON Lines each record keeps its own fields.
    let out = score_of(&p, &["--format", "jsonl", "--keep-all"]);
    let lines = jsonl(&out);
    assert_eq!(lines[1]["extra"], "x");
    assert!(lines[1].get("source").is_none());
    assert_eq!(lines[2]["source"], "T");
}
