"""Every StanceClassifier parameter changes the trained model or is refused, and the estimator
follows scikit-learn's parameter conventions (get_params/set_params, clone, grid search)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402

from stance.sklearn import StanceClassifier  # noqa: E402

# Each parameter, a value other than its default, and the parameters it applies with (the
# baseline it is compared against).
CALIBRATED = {"calibrate": True, "calibration_group_by": "none"}
FLIPS = {
    "preset": ("textbook", {}),
    "alpha": (0.5, {}),
    "C": (4.0, {}),
    # At alpha 1 an l1 fit of the examples weighs no term, which training refuses.
    "penalty": ("l1", {"alpha": 0.05}),
    "l1_ratio": (0.9, {"penalty": "elasticnet"}),
    "ngram_range": ((1, 1), {}),
    "min_df": (1, {}),
    "max_df": (0.5, {}),
    "max_features": (20, {}),
    "min_sources": (2, {}),
    "stop_words": ("none", {}),
    "language": ("russian", {}),
    "stem": (False, {}),
    "numbers": ("keep", {}),
    "sublinear_tf": (False, {}),
    "class_weight": (None, {}),
    "max_iter": (3, {}),
    "tol": (1e-2, {}),
    "mask": (False, {}),
    "mask_outlet": (("Example Wire",), {}),
    "mask_rule": ({"wire": "Wire"}, {}),
    "unmask": (("url",), {}),
    "chunk_words": (30, {}),
    "keep_unweighted_terms": (True, {"penalty": "l1", "alpha": 0.05}),
    "spelling": ("standard", {}),
    "prior_tokens": (0.0, {}),
    "calibrate": (True, {}),
    "calibration_folds": (3, {"calibrate": True}),
    "calibration_group_by": ("source", CALIBRATED),
    "calibration_seed": (1, CALIBRATED),
}

# Parameters that would do nothing where they stand, and other values that are refused.
REFUSED = [
    ({"l1_ratio": 0.3}, ValueError, "l1_ratio applies to the elasticnet penalty only"),
    ({"keep_unweighted_terms": True}, ValueError, "keep_unweighted_terms applies to the l1"),
    ({"calibration_folds": 3}, ValueError, "calibration_folds applies only with calibrate"),
    ({"calibration_seed": 1, "calibrate": False}, ValueError, "calibration_seed applies only"),
    ({"alpha": 0.5, "C": 2.0}, ValueError, "alpha and C"),
    ({"class_weight": "auto"}, ValueError, "class_weight must be 'balanced', None or 'preset'"),
    ({"stem": "no"}, TypeError, "stem"),
    ({"preset": "sklearn"}, ValueError, "preset: unknown variant `sklearn`"),
]


def fit(examples, **params):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    sources = [e["source"] for e in examples]
    dates = [e["date"] for e in examples]
    return StanceClassifier(**params).fit(texts, labels, sources=sources, dates=dates)


def test_every_parameter_is_flipped_here():
    assert set(FLIPS) == set(StanceClassifier().get_params()) - {"threads"}


@pytest.mark.parametrize("name", sorted(FLIPS))
def test_every_parameter_changes_the_model(examples, name):
    value, context = FLIPS[name]
    baseline = fit(examples, **context).model_.to_bytes()
    assert fit(examples, **{**context, name: value}).model_.to_bytes() != baseline


@pytest.mark.parametrize("params, error, message", REFUSED, ids=[str(p) for p, _, _ in REFUSED])
def test_a_parameter_that_would_do_nothing_is_refused(examples, params, error, message):
    with pytest.raises(error, match=message):
        fit(examples, **params)


def test_threads_do_not_change_the_model(examples):
    assert fit(examples, threads=1).model_.to_bytes() == fit(examples).model_.to_bytes()


def test_defaults_given_explicitly_are_the_defaults(examples):
    default = fit(examples).model_.to_bytes()
    given = fit(examples, stem=True, class_weight="balanced", sublinear_tf=True, mask=True, ngram_range=(1, 2))
    assert given.model_.to_bytes() == default


def test_clone_keeps_every_parameter_as_given():
    clf = StanceClassifier(stem=False, class_weight=None, ngram_range=(1, 3), C=4.0, mask_rule={"w": "Wire"})
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert copy.stem is False and copy.class_weight is None and copy.ngram_range == (1, 3)
    assert clf.set_params(stem=True).stem is True


def test_grid_search_over_stem_compares_different_models(examples):
    texts = [e["text"] for e in examples]
    labels = [e["label"] for e in examples]
    outlets = [e["source"] for e in examples]
    search = GridSearchCV(
        StanceClassifier(min_df=1), {"stem": [True, False]}, cv=GroupKFold(4), scoring="neg_log_loss"
    ).fit(texts, labels, groups=outlets)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 2 and scores[0] != scores[1]
    stemmed, unstemmed = (clone(search.estimator).set_params(stem=s).fit(texts, labels) for s in (True, False))
    assert stemmed.model_.to_bytes() != unstemmed.model_.to_bytes()
    assert not np.array_equal(stemmed.predict_proba(texts), unstemmed.predict_proba(texts))
