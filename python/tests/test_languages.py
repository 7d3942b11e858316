"""Issue 21 in Python: texts not in the model's language and exact ties get no label and a
warning with counts; `score` takes any hashable ids, names a bad value by its index label, and
takes the uncertainty cut-offs; `GroupSplit` deals `stance cv`'s folds."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import stance
from conftest import CORPUS, EXAMPLES, IN_CI, jsonl

RUSSIAN = "Министр заявил, что зерновой коридор будет открыт до весны, а в Кремле отказались комментировать сообщения о новых санкциях."
ENGLISH = "The Kiev regime shelled Donetsk again, the defence ministry said, while Western sponsors keep sending weapons to Ukraine."
TIE = "Xyzzy plugh qwerty."


@pytest.fixture(scope="module")
def model():
    return stance.Model.default()


def test_text_not_in_english_gets_no_label_and_one_warning_with_counts(model):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = model.score([ENGLISH, RUSSIAN, RUSSIAN])
    assert records[0]["label"] == "russian" and records[0]["language"] == "en"
    for r in records[1:]:
        assert r["label"] is None and r["uncertain"] is True and r["language"] == "ru"
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert messages == ["2 of 3 texts are not English (ru 2); they get no label"]


def test_an_exact_tie_gets_no_label(model):
    with pytest.warns(UserWarning, match="1 of 1 texts tie exactly"):
        [r] = model.score([TIE])
    assert r["probabilities"]["russian"] == r["probabilities"]["western"]
    assert r["label"] is None and r["uncertain"] is True
    assert model.predict([TIE]) == [None]


def test_ids_may_be_any_hashable_values(model):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"text": [ENGLISH, ENGLISH]}, index=[10, 11])
    records = model.score(df.text, ids=df.index)
    assert [r["id"] for r in records] == ["10", "11"]
    assert [r["id"] for r in model.score([ENGLISH], ids=[("a", 1)])] == ["('a', 1)"]
    with pytest.raises(ValueError, match=r"ids\[1\] must be a hashable value"):
        model.score([ENGLISH, ENGLISH], ids=[1, None])


def test_a_bad_value_in_a_series_is_named_by_its_index_label(model):
    pd = pytest.importorskip("pandas")
    texts = pd.Series([ENGLISH, np.nan], index=["first", "second"])
    with pytest.raises(ValueError, match=r"texts\['second'\] \(position 1\) must be str, got float"):
        model.score(texts)
    blank = pd.Series([ENGLISH, "  "], index=[7, 9])
    with pytest.raises(ValueError, match=r"texts\[9\] \(position 1\): the text is empty"):
        model.score(blank)


def test_score_takes_the_uncertainty_cut_offs(model, cli, tmp_path):
    texts = [ENGLISH]
    assert model.score(texts)[0]["uncertain"] is False
    assert model.score(texts, min_signal=1e9)[0]["uncertain"] is True
    assert model.score(texts, uncertain_band=0.49999)[0]["uncertain"] is True
    path = tmp_path / "one.jsonl"
    path.write_text('{"id": "0", "text": "%s"}\n' % ENGLISH)
    theirs = jsonl(cli("score", "--format", "jsonl", "--min-known", "0.95", path))
    assert model.score(texts, min_known=0.95)[0]["uncertain"] == theirs[0]["uncertain"] is True
    with pytest.raises(ValueError, match="uncertain_band must be in"):
        model.score(texts, uncertain_band=0.7)


def test_group_split_deals_the_folds_of_stance_cv(cli, tmp_path, examples):
    from stance.sklearn import GroupSplit

    # Relabel so that one label has a single outlet: the month fallback is then used.
    docs = [dict(e) for e in examples]
    for d in docs:
        if d["label"] == "russian":
            d["source"] = "Only Agency"
    path = tmp_path / "one-outlet.jsonl"
    path.write_text("".join(__import__("json").dumps(d) + "\n" for d in docs))
    out = tmp_path / "oof.jsonl"
    cli("cv", "--data", path, "--folds", "3", "--group-by", "source", "--min-df", "1",
        "--predictions", out)
    theirs = [r["fold"] for r in jsonl(out.read_bytes())]
    split = GroupSplit(3, dates=[d["date"] for d in docs])
    ours = split.folds([d["label"] for d in docs], [d["source"] for d in docs])
    assert list(ours) == theirs
    assert any("grouped by month" in n for n in split.notes_)
    tests = [set(test) for _, test in split.split(None, [d["label"] for d in docs], [d["source"] for d in docs])]
    assert sorted(i for t in tests for i in t) == list(range(len(docs)))


def test_group_split_refuses_what_it_cannot_do():
    from stance.sklearn import GroupSplit

    with pytest.raises(ValueError, match="fallback must be 'month'"):
        GroupSplit(fallback=None)
    with pytest.raises(ValueError, match="needs groups"):
        list(GroupSplit().split(["a"], ["x"]))


@pytest.mark.skipif(not CORPUS.is_file(), reason="needs ../shared")
@pytest.mark.skipif(not IN_CI, reason="trains 5 models on the corpus: run in CI (CI=1)")
def test_readme_cross_validation_example_runs_on_the_corpus():
    pd = pytest.importorskip("pandas")
    from sklearn.model_selection import cross_val_score
    from stance.sklearn import GroupSplit, StanceClassifier

    # The README's example, as written there.
    d = pd.read_json(CORPUS, lines=True, dtype={"date": str})
    scores = cross_val_score(StanceClassifier(), d.text, d.label, groups=d.source,
                             cv=GroupSplit(5, dates=d.date), scoring="f1_macro")
    assert len(scores) == 5 and all(0.0 <= s <= 1.0 for s in scores)
