"""`stance.validate`: the dict of `stance report --validation ... --json`, and its errors."""

from __future__ import annotations

import json

import pytest

import stance

from conftest import EXAMPLES


def _sample(path, rows):
    """A validation CSV of (id, label, weight) rows; an empty label is not labelled yet."""
    path.write_text("id,label,weight\n" + "".join(f"{i},{l},{w}\n" for i, l, w in rows))
    return path


def _cli_report(cli, tmp_path, validation, *extra):
    out = tmp_path / "cli.json"
    cli("report", "--by", "source", "--validation", validation, "--json", out, *extra, EXAMPLES)
    return json.loads(out.read_text(encoding="utf-8"))


def test_validate_equals_the_cli_json(cli, examples, tmp_path):
    rows = [(e["id"], e["label"], "1") for e in examples]
    rows[0] = (rows[0][0], "", "1")  # not labelled yet: skipped and counted
    v = _sample(tmp_path / "v.csv", rows)
    ours = stance.validate(str(EXAMPLES), str(v), by=["source"])
    assert ours == _cli_report(cli, tmp_path, v)
    assert ours["validation"]["texts"] == 47 and ours["validation"]["unlabelled"] == 1
    assert all("adjusted" in entry for entry in ours["overall"]["labels"])


def test_validate_honours_the_weights_of_a_stratified_sample(cli, examples, tmp_path):
    drawn = tmp_path / "drawn.jsonl"
    cli("sample", EXAMPLES, "--n", "20", "--by", "source", "--keep", "label", "--seed", "5",
        "--format", "jsonl", "--out", drawn)
    labelled = tmp_path / "labelled.jsonl"
    with labelled.open("w", encoding="utf-8") as f:
        for line in drawn.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            r["label"] = r["input_label"]
            f.write(json.dumps(r) + "\n")
    ours = stance.validate([EXAMPLES], [labelled], model=stance.Model.default())
    assert ours == _cli_report(cli, tmp_path, labelled)
    assert ours["validation"]["weighted"] is True
    assert ours["validation"]["accuracy"]["interval"] == "bootstrap"


def test_validation_ids_that_match_nothing_are_an_error_unless_skipped(tmp_path):
    v = _sample(tmp_path / "v.csv", [("ex-w-01", "western", "1"), ("nope-1", "western", "1"),
                                     ("nope-2", "russian", "2")])
    with pytest.raises(ValueError, match=r'2 labelled id\(s\) of the validation sample match '
                                         r'no scored record: "nope-1", "nope-2"'):
        stance.validate(EXAMPLES, v)
    r = stance.validate(EXAMPLES, v, skip_bad=True)
    assert r["validation"]["unmatched"] == 2
    assert r["validation"]["unmatched_ids"] == ["nope-1", "nope-2"]
    assert r["validation"]["texts"] == 1


def test_a_one_label_sample_gives_no_adjusted_share_and_says_why(cli, tmp_path):
    v = _sample(tmp_path / "v.csv", [("ex-w-01", "western", "1"), ("ex-w-02", "western", "1"),
                                     ("ex-w-03", "western", "1")])
    ours = stance.validate(EXAMPLES, v, by=["source"])
    assert ours == _cli_report(cli, tmp_path, v)
    for entry in ours["overall"]["labels"]:
        assert entry["adjusted"]["share"] is None
        assert entry["adjusted"]["note"] == 'the validation sample has no text labelled "russian"'
    russian = next(x for x in ours["validation"]["per_label"] if x["label"] == "russian")
    assert russian["support"] == 0 and russian["recall"] is None


def test_bad_input_is_named(tmp_path):
    v = _sample(tmp_path / "v.csv", [("ex-w-01", "neutral", "1")])
    with pytest.raises(ValueError, match=r"v\.csv:2: validation label \"neutral\" is not one of "
                                         r"the model's labels \(russian, western\)"):
        stance.validate(EXAMPLES, v)
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        stance.validate(EXAMPLES, tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="validation names no file"):
        stance.validate(EXAMPLES, [])
    with pytest.raises(ValueError, match="inputs must be a path or a sequence of paths"):
        stance.validate(3, v)
