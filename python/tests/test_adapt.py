"""`stance.adapt` and `stance.sample` give what `stance adapt` and `stance sample` give."""

from __future__ import annotations

import json

import pytest

import stance

from conftest import EXAMPLES


def test_adapt_is_byte_identical_to_cli(cli, examples, tmp_path):
    out = tmp_path / "cli.json"
    cli("adapt", "--data", EXAMPLES, "--out", out, "--seed", "3")
    model = stance.adapt(
        [e["text"] for e in examples],
        [e["label"] for e in examples],
        groups=[e["source"] for e in examples],
        ids=[e["id"] for e in examples],
        seed=3,
    )
    ours = tmp_path / "py.json"
    model.save(str(ours))
    assert ours.read_bytes() == out.read_bytes()


def test_adapt_refuses_one_label(examples):
    with pytest.raises(ValueError, match="every document of the sample is labelled"):
        stance.adapt([e["text"] for e in examples[:4]], ["russian"] * 4)


def test_sample_draws_what_the_cli_draws(cli, examples, tmp_path):
    out = tmp_path / "s.jsonl"
    cli("sample", EXAMPLES, "--n", "10", "--by", "source", "--keep", "source", "--seed", "4",
        "--out", out)
    theirs = [json.loads(line) for line in out.read_text().splitlines()]
    ours = stance.sample(
        [e["text"] for e in examples], 10, ids=[e["id"] for e in examples],
        by=[e["source"] for e in examples], seed=4,
    )
    assert [d["id"] for d in ours] == [r["id"] for r in theirs]
    assert [d["weight"] for d in ours] == [r["weight"] for r in theirs]
    assert sum(d["weight"] for d in ours) == pytest.approx(len(examples))


def test_adapt_with_base_data_is_byte_identical_to_cli(cli, examples, tmp_path):
    out = tmp_path / "cli.json"
    cli("adapt", "--data", EXAMPLES, "--base-data", EXAMPLES, "--out", out, "--seed", "3")
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    model = stance.adapt(
        texts,
        labels,
        groups=[e["source"] for e in examples],
        ids=[e["id"] for e in examples],
        seed=3,
        base_texts=texts,
        base_labels=labels,
        base_groups=[e["source"] for e in examples],
    )
    ours = tmp_path / "py.json"
    model.save(str(ours))
    assert ours.read_bytes() == out.read_bytes()
    assert json.loads(ours.read_text())["adaptation"]["base_data_documents"] == len(examples)
    with pytest.raises(ValueError, match="base_texts and base_labels go together"):
        stance.adapt(texts, labels, base_texts=texts)
    with pytest.raises(ValueError, match="strength auto"):
        stance.adapt(texts, labels, strength=1.0, base_texts=texts, base_labels=labels)
