"""Scores, probabilities, explanations and metrics from Python equal the CLI's."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import stance
from conftest import ARTICLES, EXAMPLES, assert_records_equal, jsonl


@pytest.fixture(scope="module")
def model():
    return stance.Model.default()


@pytest.mark.parametrize("paragraphs", [False, True])
def test_score_equals_cli_jsonl(cli, model, examples, paragraphs):
    flags = ["--paragraphs"] if paragraphs else []
    theirs = jsonl(cli("score", "--format", "jsonl", *flags, EXAMPLES))
    ours = model.score([e["text"] for e in examples], paragraphs=paragraphs, ids=[e["id"] for e in examples])
    assert len(ours) == len(theirs) == len(examples)
    for a, b in zip(ours, theirs):
        assert_records_equal(a, b, f"record {b['id']}")
        assert list(a) == list(b), "keys in the CLI's order"


def test_score_ids_default_to_positions(model):
    records = model.score(["Kyiv said the invasion goes on.", "The Kiev regime shelled Donetsk."])
    assert [r["id"] for r in records] == ["0", "1"]


def test_predict_proba_and_predict_equal_cli(cli, model, examples):
    theirs = jsonl(cli("score", "--format", "jsonl", EXAMPLES))
    texts = [e["text"] for e in examples]
    p = model.predict_proba(texts)
    assert isinstance(p, np.ndarray)
    assert p.dtype == np.float64 and p.shape == (len(texts), len(model.labels))
    assert p.flags["C_CONTIGUOUS"]
    expected = np.array([[r["probabilities"][l] for l in model.labels] for r in theirs])
    assert np.max(np.abs(p - expected)) <= 1e-12
    assert model.predict(texts) == [r["label"] for r in theirs]


def test_array_shapes_for_empty_and_numpy_input(model):
    p = model.predict_proba([])
    assert p.dtype == np.float64 and p.shape == (0, len(model.labels))
    texts = np.array(["Kyiv said the invasion goes on.", "Moscow said the operation goes on."], dtype=object)
    assert model.predict_proba(texts).shape == (2, 2)
    assert model.predict_proba(np.array(["Kyiv said so."])).shape == (1, 2)  # numpy str_
    assert model.score([]) == [] and model.predict([]) == []


def test_threads_argument_gives_the_same_scores(model, examples):
    texts = [e["text"] for e in examples]
    assert np.array_equal(model.predict_proba(texts, threads=1), model.predict_proba(texts))


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.stem)
def test_explain_equals_cli_json(cli, model, article):
    theirs = json.loads(cli("explain", "--format", "json", "--swap", "kiev=kyiv,donbass=donbas", article))
    ours = model.explain(article.read_text(encoding="utf-8"), swaps=[("kiev", "kyiv"), ("donbass", "donbas")])
    assert_records_equal(ours, theirs, article.name)
    assert len(ours["terms"]) > 0


def test_explain_html_equals_cli_page(cli, model, tmp_path):
    article = ARTICLES[0]
    page = tmp_path / "page.html"
    cli("explain", "--html", page, article)
    ours = model.explain_html(article.read_text(encoding="utf-8"), title=str(article))
    assert ours == page.read_text(encoding="utf-8")


def test_evaluate_equals_cli_eval(cli, model, examples):
    theirs = json.loads(cli("eval", "--format", "json", "--data", EXAMPLES))
    ours = stance.evaluate(model, [e["text"] for e in examples], [e["label"] for e in examples])
    assert_records_equal(ours, theirs, "metrics")


def test_save_load_bytes_and_pickle_round_trip(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    data = model.to_bytes()
    assert path.read_bytes() == data
    for again in (stance.Model.load(path), stance.Model.load(str(path)), stance.Model.from_bytes(data),
                  pickle.loads(pickle.dumps(model))):
        assert again.to_bytes() == data
        assert again.labels == model.labels == ["russian", "western"]
    assert stance.Model.default().to_bytes() == data
    assert model.n_features > 0 and model.training["documents"] > 0
    assert "Model(labels=" in repr(model)


def test_two_python_threads_give_the_same_results_as_one(model, examples):
    from concurrent.futures import ThreadPoolExecutor

    texts = [e["text"] for e in examples] * 20
    alone = model.score(texts, paragraphs=True)
    alone_p = model.predict_proba(texts)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(model.score, texts, True) for _ in range(2)]
        futures += [pool.submit(model.predict_proba, texts) for _ in range(2)]
        results = [f.result() for f in futures]
    assert results[0] == alone and results[1] == alone
    assert np.array_equal(results[2], alone_p) and np.array_equal(results[3], alone_p)


def test_corpus_probabilities_equal_cli(cli, model, corpus, tmp_path):
    """All corpus articles: the same probabilities from Python and the CLI, within 1e-12."""
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in corpus), encoding="utf-8")
    theirs = jsonl(cli("score", "--format", "jsonl", path))
    ours = model.score([r["text"] for r in corpus], ids=[r["id"] for r in corpus])
    assert len(ours) == len(theirs) == len(corpus)
    for a, b in zip(ours, theirs):
        assert_records_equal(a, b, f"record {b['id']}")


def test_score_warns_on_out_of_domain_text(model, examples):
    recipes = [
        f"To make the {dish}, whisk two eggs with a cup of flour and a pinch of salt, "
        "stir in butter, season with pepper and basil, and bake for twenty minutes until golden."
        for dish in ["soup", "crumble", "risotto", "bread", "pancakes", "salad", "pie", "stew"] * 3
    ]
    with pytest.warns(UserWarning, match="stance adapt"):
        model.score(recipes)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.score([e["text"] for e in examples])
