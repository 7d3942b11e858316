//! A researcher's own files, read as they meant them (issue 21): a semicolon-separated, CRLF,
//! BOM spreadsheet export with dd/mm/yyyy dates; line numbers that are physical lines however
//! the file ends its lines; and no figure printed from too few documents.

use std::path::{Path, PathBuf};

use crate::common;

use common::{fails_with, repo, stance, stdout_of, train_examples, write_file};

/// The example corpus as a spreadsheet export: `;`-separated, CRLF line ends, a UTF-8 BOM,
/// renamed columns, and dates written `dd/mm/yyyy` except the first `iso` ones.
fn spreadsheet(dir: &Path, iso: usize) -> PathBuf {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(["body", "frame", "outlet", "published"])
        .unwrap();
    let examples = std::fs::read_to_string(repo("data/examples.jsonl")).unwrap();
    for (i, line) in examples.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (day, month) = (i % 28 + 1, i % 6 + 1);
        let date = if i < iso {
            format!("2022-{month:02}-{day:02}")
        } else {
            format!("{day:02}/{month:02}/2022")
        };
        let field = |k: &str| v[k].as_str().unwrap_or("").to_string();
        w.write_record([field("text"), field("label"), field("source"), date])
            .unwrap();
    }
    write_file(dir, "export.csv", &w.into_inner().unwrap())
}

/// `stance cv` on the spreadsheet export, with its column names and `extra` options.
fn cv_export(export: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = stance();
    cmd.args(["cv", "--data"])
        .arg(export)
        .args([
            "--delimiter",
            ";",
            "--text-field",
            "body",
            "--label-field",
            "frame",
        ])
        .args(["--source-field", "outlet", "--date-field", "published"])
        .args(["--folds", "3", "--min-df", "1"])
        .args(extra);
    cmd
}

#[test]
fn cv_names_dates_it_cannot_read_and_refuses_to_group_by_month_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let export = spreadsheet(dir.path(), 2);
    let err = fails_with(
        &mut cv_export(&export, &["--group-by", "source,month"]),
        "46 of 48 dates in",
    );
    assert!(err.contains("are not YYYY-MM-DD, e.g. line"), "{err}");
    assert!(err.contains("\"03/03/2022\""), "{err}");
    assert!(err.contains("pass --date-format %d/%m/%Y"), "{err}");
    assert!(err.contains("--skip-bad"), "{err}");

    // Read as written, every date counts and the month folds hold a third each.
    let out = stdout_of(&mut cv_export(
        &export,
        &["--group-by", "month", "--date-format", "%d/%m/%Y"],
    ));
    assert!(out.contains("48 documents"), "{out}");
    assert!(!out.contains("unknown-date"), "{out}");

    // --skip-bad leaves the 46 out, says so on stderr, and cross-validates the rest.
    let out = cv_export(&export, &["--group-by", "month", "--skip-bad"])
        .assert()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--skip-bad left those 46 documents out"),
        "{err}"
    );

    // Without month grouping the dates are not needed: a warning, not an error.
    let out = cv_export(&export, &["--group-by", "source"])
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("46 of 48 dates in"), "{err}");
}

#[test]
fn a_bad_date_format_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let export = spreadsheet(dir.path(), 0);
    fails_with(
        &mut cv_export(&export, &["--date-format", "%d/%Q"]),
        "date format \"%d/%Q\" is not a valid strftime pattern",
    );
}

#[test]
fn cv_prints_no_figure_from_too_few_documents() {
    let dir = tempfile::tempdir().unwrap();
    // Twelve documents, two outlets per label: grouped by source, each test fold holds one
    // outlet of each label, 3 documents, below the floor of 10.
    let mut lines = String::new();
    for i in 0..12 {
        let (label, source) = match i % 4 {
            0 => ("a", "A1"),
            1 => ("a", "A2"),
            2 => ("b", "B1"),
            _ => ("b", "B2"),
        };
        let words = if label == "a" {
            "alpha apple"
        } else {
            "beta banana"
        };
        lines.push_str(&format!(
            "{{\"text\":\"{words} common words {i}\",\"label\":\"{label}\",\"source\":\"{source}\"}}\n"
        ));
    }
    let data = write_file(dir.path(), "small.jsonl", lines.as_bytes());
    let mut cmd = stance();
    cmd.args([
        "cv",
        "--group-by",
        "source",
        "--folds",
        "2",
        "--min-df",
        "1",
        "--data",
    ])
    .arg(&data);
    let out = stdout_of(&mut cmd);
    assert!(out.contains("fold 0         n/a (n=6)"), "{out}");
    assert!(out.contains("fewer than 10 documents"), "{out}");
    assert!(!out.contains("fold 0         n=6"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(cmd.args(["--format", "json"]))).unwrap();
    let fold = &json["runs"][0]["folds"][0];
    assert!(fold["metrics"].is_null(), "{fold}");
    assert_eq!(fold["n"], 6);
    assert!(fold["withheld"].as_str().unwrap().contains("n=6"), "{fold}");
    assert!(json["runs"][0]["macro_f1_mean"].is_null(), "{json}");
}

#[test]
fn cv_without_a_preset_suggests_the_default_preset_when_calibration_is_poor() {
    let dir = tempfile::tempdir().unwrap();
    let export = spreadsheet(dir.path(), 48);
    // The example corpus with L2 at alpha 1 gives ECE above 0.3.
    let out = stdout_of(&mut cv_export(&export, &["--group-by", "none"]));
    assert!(out.contains("--preset default"), "{out}");
    let out = stdout_of(&mut cv_export(
        &export,
        &["--group-by", "none", "--preset", "default"],
    ));
    assert!(!out.contains("poorly calibrated"), "{out}");
}

/// The same three records as CSV with LF, CRLF, a BOM, and CRLF with a BOM: the second has a
/// quoted newline, and a blank line stands before the third.
fn four_ways(dir: &Path) -> Vec<PathBuf> {
    let lf = "text,date\nAid convoy reached the city,2022-02-01\n\"Talks resumed\nin Geneva\",2022-02-02\n\nShelling continued overnight,2022-02-03\n";
    let crlf = lf.replace('\n', "\r\n");
    let bom = |s: &str| [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat();
    vec![
        write_file(dir, "lf.csv", lf.as_bytes()),
        write_file(dir, "crlf.csv", crlf.as_bytes()),
        write_file(dir, "bom.csv", &bom(lf)),
        write_file(dir, "bomcrlf.csv", &bom(&crlf)),
    ]
}

/// The ids `stance score --format jsonl` gives, with the file name cut off.
fn score_lines(path: &Path) -> Vec<String> {
    let mut cmd = stance();
    cmd.args(["score", "--format", "jsonl"]).arg(path);
    stdout_of(&mut cmd)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let id = v["id"].as_str().unwrap().to_string();
            id.rsplit(':').next().unwrap().to_string()
        })
        .collect()
}

#[test]
fn line_numbers_are_physical_lines_with_crlf_bom_and_quoted_newlines() {
    let dir = tempfile::tempdir().unwrap();
    for path in four_ways(dir.path()) {
        assert_eq!(score_lines(&path), ["2", "3", "6"], "{}", path.display());
        // explain --id FILE:LINE explains the record on that line.
        for (line, word) in [(3, "Geneva"), (6, "Shelling")] {
            let mut cmd = stance();
            cmd.args(["explain", "--id", &format!("{}:{line}", path.display())])
                .arg(&path);
            let out = stdout_of(&mut cmd);
            assert!(out.contains(word), "{}:{line}: {out}", path.display());
        }
    }
    // The report names a bad record by the same line, whatever the line ends.
    for (name, text) in [
        (
            "r-lf.csv",
            "text\nfine\n\"two\nlines\"\n\n\"\"\n".to_string(),
        ),
        (
            "r-crlf.csv",
            "text\r\nfine\r\n\"two\r\nlines\"\r\n\r\n\"\"\r\n".to_string(),
        ),
    ] {
        let path = write_file(dir.path(), name, text.as_bytes());
        let mut cmd = stance();
        cmd.args(["report", "--time", "none"]).arg(&path);
        fails_with(&mut cmd, &format!("{name}:6: the text is empty"));
    }
    // A bad record's error names its physical line in every reader: score, train and report.
    let bad_lf = "text,label\nfine text,a\n\"two\nlines\",\nmore text,b\n";
    for (name, text) in [
        ("badlf.csv", bad_lf.to_string()),
        ("badcrlf.csv", bad_lf.replace('\n', "\r\n")),
    ] {
        let path = write_file(dir.path(), name, text.as_bytes());
        let model = dir.path().join("m.json");
        fails_with(
            stance()
                .args(["train", "--min-df", "1", "--data"])
                .arg(&path)
                .arg("--out")
                .arg(&model),
            &format!("{name}:3"),
        );
    }
}

#[test]
fn report_reads_a_spreadsheet_export() {
    let dir = tempfile::tempdir().unwrap();
    let export = spreadsheet(dir.path(), 2);
    let model = train_examples(dir.path());
    let report = |extra: &[&str]| {
        let mut cmd = stance();
        cmd.args(["report", "--model"])
            .arg(&model)
            .args([
                "--text-field",
                "body",
                "--date-field",
                "published",
                "--by",
                "outlet",
            ])
            .args(extra)
            .arg(&export);
        cmd
    };
    // Without --delimiter the header reads as one column, and the error says which to pass.
    fails_with(&mut report(&[]), "pass --delimiter \";\"");
    // The dates are counted and named, and refused for a time series.
    let err = fails_with(&mut report(&["--delimiter", ";"]), "46 of 48 dates in");
    assert!(err.contains("pass --date-format %d/%m/%Y"), "{err}");
    assert!(err.contains("--skip-bad"), "{err}");
    // Read as written, every record is in.
    let out = stdout_of(&mut report(&[
        "--delimiter",
        ";",
        "--date-format",
        "%d/%m/%Y",
    ]));
    assert!(out.starts_with("48 documents"), "{out}");
    // Skipped, they are counted on stderr and left out.
    let out = report(&["--delimiter", ";", "--skip-bad"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("2 documents"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--skip-bad left those 46 records out"),
        "{err}"
    );
    // Without a time series the dates are not read at all.
    let out = stdout_of(&mut report(&["--delimiter", ";", "--time", "none"]));
    assert!(out.starts_with("48 documents"), "{out}");
}

#[test]
fn score_prints_no_table_header_for_nothing_and_writes_csv_with_another_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.jsonl");
    let out = stance()
        .arg("score")
        .arg(&missing)
        .assert()
        .failure()
        .get_output()
        .clone();
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let path = write_file(
        dir.path(),
        "a.jsonl",
        b"{\"id\":\"x\",\"text\":\"Aid convoy reached the city\"}\n",
    );
    let mut cmd = stance();
    cmd.args(["score", "--format", "csv", "--out-delimiter", ";"])
        .arg(&path);
    let out = stdout_of(&mut cmd);
    let header = out.lines().next().unwrap();
    assert!(header.starts_with("id;label;p_"), "{out}");
    assert!(out.lines().nth(1).unwrap().starts_with("x;"), "{out}");
    fails_with(
        stance().args(["score", "--out-delimiter", ";"]).arg(&path),
        "--out-delimiter applies to --format csv only",
    );
    // report --csv takes it too.
    let csv = dir.path().join("r.csv");
    let mut cmd = stance();
    cmd.args(["report", "--time", "none", "--out-delimiter", ";", "--csv"])
        .arg(&csv)
        .arg(&path);
    stdout_of(&mut cmd);
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(table.lines().next().unwrap().contains(';'), "{table}");
    assert!(!table.lines().next().unwrap().contains(','), "{table}");
}

#[test]
fn several_text_fields_are_joined_with_a_blank_line_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let headline = "Kremlin says talks stalled";
    let body = "Officials in Moscow said on Tuesday that negotiations had made no progress.";
    let jsonl = write_file(
        dir.path(),
        "a.jsonl",
        format!("{{\"id\":\"j\",\"headline\":\"{headline}\",\"body\":\"{body}\"}}\n").as_bytes(),
    );
    let csv = write_file(
        dir.path(),
        "a.csv",
        format!("id,headline,body\nc,{headline},{body}\n").as_bytes(),
    );
    let joined = write_file(
        dir.path(),
        "joined.jsonl",
        serde_json::json!({"id": "x", "text": format!("{headline}\n\n{body}")})
            .to_string()
            .as_bytes(),
    );
    let probabilities = |path: &Path, field: &str| {
        let mut cmd = stance();
        cmd.args([
            "score",
            "--format",
            "jsonl",
            "--paragraphs",
            "--text-field",
            field,
        ])
        .arg(path);
        let v: serde_json::Value =
            serde_json::from_str(stdout_of(&mut cmd).lines().next().unwrap()).unwrap();
        (
            v["probabilities"].to_string(),
            v["paragraphs"].as_array().unwrap().len(),
        )
    };
    let want = probabilities(&joined, "text");
    assert_eq!(want.1, 2, "the headline and body are two paragraphs");
    assert_eq!(probabilities(&jsonl, "headline,body"), want);
    assert_eq!(probabilities(&csv, "headline, body"), want);
    // A missing one of them is named, as a single text field is.
    fails_with(
        stance()
            .args(["score", "--text-field", "headline,lede"])
            .arg(&csv),
        "the header has no \"lede\" column",
    );
    fails_with(
        stance()
            .args(["score", "--text-field", "headline,"])
            .arg(&csv),
        "expected field names separated by commas",
    );
    // train and report read them the same way.
    let labelled = write_file(
        dir.path(),
        "l.csv",
        format!("headline,body,label\n{headline},{body},a\nSecond headline,Another body,b\n")
            .as_bytes(),
    );
    let model = dir.path().join("m.json");
    let mut cmd = stance();
    cmd.args([
        "train",
        "-q",
        "--min-df",
        "1",
        "--text-field",
        "headline,body",
        "--data",
    ])
    .arg(&labelled)
    .arg("--out")
    .arg(&model);
    let out = stdout_of(&mut cmd);
    assert!(out.contains("trained on 2 documents"), "{out}");
    let mut cmd = stance();
    cmd.args(["report", "--time", "none", "--text-field", "headline,body"])
        .arg(&csv);
    assert!(stdout_of(&mut cmd).starts_with("1 documents"));
}
