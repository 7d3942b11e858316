"""Bad input raises ValueError, file problems OSError, with the library's message; a panic is
a RuntimeError, never an abort."""

from __future__ import annotations

import os

import pytest

import stance


@pytest.fixture(scope="module")
def model():
    return stance.Model.default()


@pytest.mark.parametrize(
    "texts, message",
    [
        ("one text", "not one str"),
        (["fine text", None], r"texts\[1\] must be str, got NoneType"),
        (["fine text", 3.5], r"texts\[1\] must be str, got float"),
        (["fine text", "   \n"], r"texts\[1\]: the text is empty or only whitespace"),
        (42, "must be a sequence of str, got int"),
    ],
)
def test_bad_texts_raise_value_error(model, texts, message):
    for call in (model.score, model.predict, model.predict_proba):
        with pytest.raises(ValueError, match=message):
            call(texts)


def test_bad_explain_input(model):
    with pytest.raises(ValueError, match="text must be str"):
        model.explain(["a list"])
    with pytest.raises(ValueError, match="empty"):
        model.explain_html("  ")


def test_threads_zero_is_refused(model):
    with pytest.raises(ValueError, match="threads must be between 1 and"):
        model.predict(["Kyiv said so."], threads=0)


def test_model_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.json"):
        stance.Model.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a model"}')
    with pytest.raises(ValueError, match="bad.json"):
        stance.Model.load(bad)
    with pytest.raises(OSError, match="is a directory"):
        stance.Model.load(tmp_path)
    with pytest.raises(ValueError, match="not a stance model file"):
        stance.Model.from_bytes(b"\x00\x01")
    with pytest.raises(OSError, match="no-such-dir"):
        stance.Model.default().save(tmp_path / "no-such-dir" / "m.json")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_save_is_os_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    with pytest.raises(PermissionError):
        stance.Model.default().save(locked / "m.json")


TEXTS = ["Kyiv said the invasion goes on.", "The Kiev regime shelled Donbass again."] * 3
LABELS = ["western", "russian"] * 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_df": 0}, "min_df 0 is not a document count"),
        ({"min_df": True}, "min_df True"),
        ({"class_weight": "even"}, "class_weight: unknown variant `even`"),
        ({"alpha": 1.0, "C": 2.0}, "alpha and C are the same setting"),
        ({"keep_unweighted_terms": True}, "keep_unweighted_terms applies to the l1 and elasticnet"),
        ({"penalty": "l3"}, "l3"),
        ({"alpha": -1.0}, "alpha must be finite and >= 0, got -1"),
        ({"ngram_range": (3, 1)}, "n-gram range"),
        ({"ngram_range": (1, 2, 3)}, r"ngram_range must be \(min, max\)"),
        ({"l1_ratio": 0.5}, "l1_ratio applies to the elasticnet penalty only"),
        ({"calibration_folds": 3}, "calibrate"),
        ({"language": "klingon"}, "klingon"),
    ],
)
def test_bad_training_parameters_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stance.train(TEXTS, LABELS, **{"min_df": 1, **kwargs})


def test_unknown_training_parameter_raises_type_error():
    # As any Python function does; help(stance.train) lists the parameters that exist.
    with pytest.raises(TypeError, match="alhpa"):
        stance.train(TEXTS, LABELS, alhpa=1.0)


def test_bad_training_data_raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="labels has 5 items but there are 6 texts"):
        stance.train(TEXTS, LABELS[:5])
    with pytest.raises(ValueError, match="single label"):
        stance.train(TEXTS, ["western"] * 6, min_df=1)
    with pytest.raises(ValueError, match=r"labels\[2\] is empty"):
        stance.train(TEXTS, ["a", "b", " ", "a", "b", "a"], min_df=1)
    with pytest.raises(ValueError, match="no documents"):
        stance.train([], [])
    with pytest.raises(ValueError, match=r"sources\[0\] must be str"):
        stance.train(TEXTS, LABELS, sources=[1] * 6)
    with pytest.raises(ValueError, match="no term survives"):
        stance.train(TEXTS, LABELS, min_df=100)
    with pytest.raises(OSError, match="missing-stop-words.txt"):
        stance.train(TEXTS, LABELS, min_df=1, stop_words=tmp_path / "missing-stop-words.txt")


def test_evaluate_unknown_label():
    with pytest.raises(ValueError, match=r"labels\[1\]: label \"neutral\" is not one of the model's labels"):
        stance.evaluate(stance.Model.default(), TEXTS[:2], ["western", "neutral"])


def test_panic_becomes_runtime_error_not_abort():
    if not hasattr(stance._stance, "_panic_for_test"):
        # The hook is in the test build only (.ci/run: --features test-hooks), not in the wheel.
        if os.environ.get("CI"):
            pytest.fail("stance was built without the test-hooks feature")
        pytest.skip("stance was built without the test-hooks feature")
    with pytest.raises(RuntimeError, match="internal error in stance.*deliberate"):
        stance._stance._panic_for_test("deliberate")
    # The interpreter and the library still work.
    assert stance.Model.default().predict(["Kyiv said so."]) in (["western"], ["russian"])


# Hostile inputs on the Python side: the checks the CLI makes hold through the binding too.


@pytest.mark.parametrize("threads", [-1, 0, 100_000])
def test_thread_counts_out_of_range_raise_value_error(model, threads):
    with pytest.raises(ValueError, match="threads must be between 1 and"):
        model.score(["a text about the war"], threads=threads)


def test_negative_top_raises_value_error(model):
    with pytest.raises(ValueError, match="top must be 0 or more, got -1"):
        model.explain("a text about the war", top=-1)


def test_a_model_file_that_is_no_regular_file_is_refused(tmp_path):
    with pytest.raises(OSError, match="not a regular file"):
        stance.Model.load("/dev/zero")
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:
        f.truncate((1 << 30) + 1)
    with pytest.raises(OSError, match="over the 1024 MiB limit"):
        stance.Model.load(huge)


def test_evaluate_on_nothing_raises(model):
    with pytest.raises(ValueError, match="no texts to evaluate"):
        stance.evaluate(model, [], [])


def test_training_parameters_out_of_range(examples):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    with pytest.raises(ValueError, match="max_iter must be >= 1, got -1"):
        stance.train(texts, labels, max_iter=-1)
    with pytest.raises(ValueError, match=r"dates\[0\]: \"2022-13-45\" is not a date"):
        stance.train(texts, labels, dates=["2022-13-45"] * len(texts))
    with pytest.raises(ValueError, match="leaves no term with a non-zero weight"):
        stance.train(texts, labels, penalty="l1", alpha=1e300, min_df=1)


def test_settings_that_make_every_score_uniform_warn(examples):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    with pytest.warns(UserWarning, match="scores every training document as uniform"):
        stance.train(texts, labels, alpha=1e300, min_df=1)
