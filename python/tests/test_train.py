"""A model trained from Python is byte-identical to `stance train`'s on the same data and
parameters."""

from __future__ import annotations

import inspect
import json
import pydoc

import pytest

import stance
from conftest import CORPUS, EXAMPLES, ROOT

# (keyword parameters, the same as `stance train` flags)
CASES = [
    ({}, []),
    (
        {"penalty": "l1", "alpha": 0.05, "ngram_range": (1, 3), "min_df": 1, "stem": False, "max_iter": 200,
         "keep_unweighted_terms": True},
        ["--penalty", "l1", "--alpha", "0.05", "--ngram-range", "1..3", "--min-df", "1", "--no-stem", "--max-iter", "200",
         "--keep-unweighted-terms"],
    ),
    (
        {"penalty": "elasticnet", "l1_ratio": 0.3, "C": 4, "max_df": 0.9, "min_sources": 2, "numbers": "placeholder",
         "sublinear_tf": False, "class_weight": "none", "mask_outlet": ["Example Wire"], "mask_rule": {"wire": "Wire"},
         "unmask": ["url"], "prior_tokens": 0, "tol": 1e-6},
        ["--penalty", "elasticnet", "--l1-ratio", "0.3", "--c", "4", "--max-df", "0.9", "--min-sources", "2",
         "--numbers", "placeholder", "--no-sublinear-tf", "--no-balanced", "--mask-outlet", "Example Wire",
         "--mask-rule", "wire=Wire", "--unmask", "url", "--prior-tokens", "0", "--tol", "1e-6"],
    ),
    (
        {"calibrate": True, "calibration_folds": 4, "calibration_group_by": "source", "chunk_words": 30,
         "stop_words": ROOT / "data" / "stopwords-newsroom.txt", "min_df": 1},
        ["--calibrate", "--calibration-folds", "4", "--calibration-group-by", "source", "--chunk-words", "30",
         "--stop-words", ROOT / "data" / "stopwords-newsroom.txt", "--min-df", "1"],
    ),
]


@pytest.mark.parametrize("params, flags", CASES, ids=["defaults", "l1-trigrams", "elasticnet-masking", "calibrated"])
def test_train_is_byte_identical_to_cli(cli, examples, tmp_path, params, flags):
    out = tmp_path / "cli.json"
    cli("train", "--data", EXAMPLES, "--out", out, "-q", *flags)
    model = stance.train(
        [e["text"] for e in examples],
        [e["label"] for e in examples],
        sources=[e["source"] for e in examples],
        dates=[e["date"] for e in examples],
        ids=[e["id"] for e in examples],
        **params,
    )
    assert model.to_bytes() == out.read_bytes()
    saved = tmp_path / "py.json"
    model.save(saved)
    assert saved.read_bytes() == out.read_bytes()


def training_parameters() -> list[str]:
    """stance.train's keyword-only parameters: the training settings."""
    return [p.name for p in inspect.signature(stance.train).parameters.values() if p.kind is p.KEYWORD_ONLY]


# The settings whose flag is not their name: C is --c, a False mask is --no-mask, and
# class_weight is --balanced or --no-balanced.
FLAG = {"C": "--c", "mask": "--no-mask", "class_weight": "--balanced"}


def test_train_parameters_are_the_cli_options(cli):
    help_text = cli("train", "--help").decode()
    names = training_parameters()
    assert "seed" not in names and "preset" in names and "stem" in names
    for name in names:
        assert FLAG.get(name, f"--{name.replace('_', '-')}") in help_text, name
    # help() lists exactly the accepted parameters: every one, and nothing else.
    documented = pydoc.render_doc(stance.train)
    for name in names:
        assert f"{name}=None" in documented, name
    with pytest.raises(TypeError, match="seed"):
        stance.train(["a", "b"], ["x", "y"], seed=1)


def test_default_model_retrained_from_python_is_byte_identical(corpus):
    """scripts/train-default.sh's settings on the corpus, from Python: models/default.json."""
    model = stance.train(
        [r["text"] for r in corpus],
        [r["label"] for r in corpus],
        sources=[r["source"] for r in corpus],
        dates=[r["date"] for r in corpus],
        ids=[r["id"] for r in corpus],
        penalty="l1", alpha=0.033333, max_iter=3000, stem=False, ngram_range="1..2",
        stop_words=ROOT / "data" / "stopwords-newsroom.txt", keep_unweighted_terms=True,
    )
    assert model.to_bytes() == (ROOT / "models" / "default.json").read_bytes()
