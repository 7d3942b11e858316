"""stance.sklearn.StanceClassifier against scikit-learn's conventions and check_estimator."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GroupKFold, cross_val_score  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

import stance  # noqa: E402
from stance.sklearn import StanceClassifier  # noqa: E402


def test_parameters_are_train_parameters_left_to_the_library():
    train = [p.name for p in inspect.signature(stance.train).parameters.values() if p.kind is p.KEYWORD_ONLY]
    params = StanceClassifier().get_params()
    assert set(params) == set(train) | {"threads"}
    # No default is written here: None (or nothing to add) leaves the preset's or the library's.
    for name, value in params.items():
        assert value in (None, ()) or (name, value) == ("class_weight", "preset"), name


def test_fit_equals_stance_train_and_predicts_like_the_model(examples):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    clf = StanceClassifier(min_df=1, alpha=0.5).fit(texts, labels)
    model = stance.train(texts, labels, min_df=1, alpha=0.5)
    assert clf.model_.to_bytes() == model.to_bytes()
    assert list(clf.classes_) == ["russian", "western"]
    assert np.array_equal(clf.predict_proba(texts), model.predict_proba(texts))
    assert list(clf.predict(texts)) == model.predict(texts)
    assert clf.score(texts, labels) > 0.9


def test_integer_classes_keep_their_order_and_type(examples):
    texts = [e["text"] for e in examples]
    # Sorted as strings, "10" comes before "9": columns must still follow classes_.
    y = np.array([9 if e["label"] == "russian" else 10 for e in examples])
    clf = StanceClassifier(min_df=1).fit(texts, y)
    assert list(clf.classes_) == [9, 10] and clf.classes_.dtype == y.dtype
    p = clf.predict_proba(texts)
    assert p.shape == (len(texts), 2) and p.dtype == np.float64
    assert np.array_equal(clf.classes_[p.argmax(axis=1)], clf.predict(texts))
    assert np.allclose(p.sum(axis=1), 1.0)


def test_pandas_and_column_input(examples):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": [e["text"] for e in examples], "label": [e["label"] for e in examples]})
    clf = StanceClassifier(min_df=1).fit(frame["text"], frame["label"])
    assert np.array_equal(clf.predict_proba(frame[["text"]]), clf.predict_proba(frame["text"]))
    assert np.array_equal(clf.predict_proba(frame[["text"]].to_numpy()), clf.predict_proba(list(frame["text"])))
    with pytest.raises(ValueError, match="one column of texts"):
        clf.predict(frame)
    with pytest.raises(ValueError, match="takes texts"):
        clf.predict(np.zeros((3, 2)))


def test_clone_pickle_and_not_fitted(examples):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    clf = StanceClassifier(min_df=1, penalty="l1", alpha=0.01)
    with pytest.raises(NotFittedError):
        clf.predict(texts)
    fitted = clf.fit(texts, labels)
    again = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(again.predict_proba(texts), fitted.predict_proba(texts))
    fresh = clone(fitted)
    assert not hasattr(fresh, "model_") and fresh.get_params() == fitted.get_params()
    # Refitting gives the same model (fit is idempotent) and set_params takes effect.
    assert fresh.fit(texts, labels).model_.to_bytes() == fitted.model_.to_bytes()
    assert fresh.set_params(alpha=0.1).fit(texts, labels).model_.to_bytes() != fitted.model_.to_bytes()


def test_order_and_subset_invariance(examples):
    texts = np.array([e["text"] for e in examples], dtype=object)
    clf = StanceClassifier(min_df=1).fit(texts, [e["label"] for e in examples])
    p = clf.predict_proba(texts)
    order = np.random.default_rng(0).permutation(len(texts))
    assert np.array_equal(clf.predict_proba(texts[order]), p[order])
    assert np.array_equal(clf.predict_proba(texts[:5]), p[:5])


def test_cross_val_score_with_grouped_folds(examples):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    outlets = [e["source"] for e in examples]
    scores = cross_val_score(StanceClassifier(min_df=1), texts, labels, groups=outlets, cv=GroupKFold(4))
    assert scores.shape == (4,) and np.all((scores >= 0) & (scores <= 1))


# check_estimator feeds every data check a numeric matrix. StanceClassifier takes texts, so it
# declares string input (its tags), and scikit-learn then runs only check_estimator_cloneable.
# To run the rest, the test declares numeric 2-D input; these checks then fail, all because they
# hand the estimator numbers where it needs text (it raises "takes texts"), or index into input
# it refuses. They do not apply to a text classifier; the ones that do apply must pass.
NOT_APPLICABLE = {
    "check_fit_score_takes_y", "check_estimators_overwrite_params", "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self", "check_readonly_memmap_input", "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_dtype_object",
    "check_estimators_empty_data_messages", "check_pipeline_consistency", "check_estimators_nan_inf",
    "check_estimator_sparse_tag", "check_estimator_sparse_array", "check_estimator_sparse_matrix",
    "check_estimators_pickle", "check_f_contiguous_array_estimator", "check_classifier_data_not_an_array",
    "check_classifiers_classes", "check_classifiers_train", "check_supervised_y_2d",
    "check_non_transformer_estimators_n_iter", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
    "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in", "check_fit2d_predict1d",
    # Run since StanceClassifier has a class_weight parameter; it too fits on a numeric matrix.
    "check_class_weight_classifiers",
}


class _DeclaredNumeric(StanceClassifier):
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.string = False
        return tags


def test_check_estimator():
    if not hasattr(StanceClassifier(), "__sklearn_tags__") or sklearn.__version__ < "1.6":
        pytest.skip("check_estimator(on_fail=None) needs scikit-learn >= 1.6")
    assert [r["status"] for r in check_estimator(StanceClassifier(), on_fail=None)] == ["passed"]
    results = check_estimator(_DeclaredNumeric(), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    passed = {r["check_name"] for r in results if r["status"] == "passed"}
    assert failed <= NOT_APPLICABLE, f"checks that apply and fail: {sorted(failed - NOT_APPLICABLE)}"
    for must in ("check_estimators_unfitted", "check_classifiers_one_label", "check_requires_y_none",
                 "check_classifiers_regression_target", "check_get_params_invariance", "check_set_params",
                 "check_parameters_default_constructible", "check_no_attributes_set_in_init",
                 "check_do_not_raise_errors_in_init_or_set_params", "check_estimator_repr"):
        assert must in passed, must
    numeric = [r for r in results if r["check_name"] in failed and "takes texts" in str(r["exception"])]
    assert len(numeric) >= 15


def test_a_preset_is_overridden_only_by_parameters_set(examples):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    clf = StanceClassifier(preset="default", min_df=1).fit(texts, labels)
    assert clf.model_.to_bytes() == stance.train(texts, labels, preset="default", min_df=1).to_bytes()
    # The preset does not stem; stem=True undoes that, as --stem does on the command line.
    stemmed = StanceClassifier(preset="default", min_df=1, stem=True).fit(texts, labels)
    assert stemmed.model_.to_bytes() != clf.model_.to_bytes()
    assert stemmed.model_.to_bytes() == stance.train(
        texts, labels, preset="default", min_df=1, stem=True
    ).to_bytes()
