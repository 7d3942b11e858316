"""scikit-learn estimator over `stance.train`: ``StanceClassifier``.

The estimator takes raw texts (a list, NumPy array or pandas Series of str, or a one-column
DataFrame or (n, 1) array) and any hashable labels, so it fits into scikit-learn's model
selection as it is::

    from sklearn.model_selection import GroupKFold, cross_val_score
    from stance.sklearn import StanceClassifier
    cross_val_score(StanceClassifier(), texts, labels, groups=outlets, cv=GroupKFold(5))

Its parameters are scikit-learn style (``stem=False``, ``class_weight=None``,
``ngram_range=(1, 3)``, ``C=4``); each left at ``None`` keeps the ``preset``'s value, or the
library's default. A fitted ``model_`` is the model ``stance train`` writes for the same data
and settings.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import _stance

__all__ = ["StanceClassifier"]


def _texts(X: Any) -> list:
    """X as a list of str: 1-D input as it is, a single column of 2-D input flattened."""
    if isinstance(X, str):
        raise ValueError("X must be a sequence of texts, not one str (wrap it in a list)")
    if hasattr(X, "columns") and hasattr(X, "iloc"):  # a pandas DataFrame
        if X.shape[1] != 1:
            raise ValueError(
                f"StanceClassifier takes one column of texts, got a DataFrame with {X.shape[1]} columns"
            )
        X = X.iloc[:, 0]
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise ValueError(
                f"StanceClassifier takes texts: a 1-D sequence of str or one column of them, got an array of shape {X.shape}"
            )
        if X.dtype.kind not in "OUS":
            raise ValueError(
                f"StanceClassifier takes texts (str), got a {X.dtype} array; it has no use for numeric features"
            )
    texts = list(X)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"X[{i}] must be str, got {type(t).__name__}")
    return texts


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Source-stance classifier: TF-IDF word n-grams and logistic regression, trained by the
    Rust library exactly as ``stance train`` trains.

    Every parameter left at ``None`` keeps the ``preset``'s value, or, without a preset, the
    library's default (the one ``stance train --help`` shows); a parameter set overrides the
    preset. Each parameter changes the model or is refused (``ValueError``, ``TypeError``).

    preset : "default" (the default model's settings) or "textbook" (scikit-learn's defaults).
    alpha, C : the penalty's strength, or its inverse (C = 1/alpha); give at most one.
    penalty : "l2", "l1" or "elasticnet"; ``l1_ratio`` is elasticnet's L1 share.
    ngram_range : (min, max) word n-gram lengths.
    min_df, max_df : an int is a document count, a float a fraction of the documents.
    max_features : keep the most frequent terms only. min_sources : terms used by as many
        outlets (needs ``sources`` in ``fit``).
    stop_words : "english", "newsroom", "none" or a file. language : "english" or "russian".
    stem : bool, Snowball stemming. numbers : "drop", "keep" or "placeholder".
    sublinear_tf : bool, 1 + ln(tf) instead of raw counts.
    class_weight : "balanced", or None (every document weighs the same); "preset" (the
        default) keeps the preset's, balanced without one.
    max_iter, tol : the optimiser's iteration limit and gradient tolerance.
    mask : False turns outlet masking off; mask_outlet, unmask : names to mask, rules to drop;
        mask_rule : {name: regex}.
    chunk_words : train on passages of at least this many words (0: whole documents).
    keep_unweighted_terms : bool, keep a sparse (l1, elasticnet) model's whole vocabulary.
    prior_tokens : length cooling (0 turns it off).
    calibrate : bool, with calibration_folds, calibration_group_by ("source", "month",
        "none") and calibration_seed.
    threads : threads for fitting and scoring (all cores when None); does not change the model.

    Attributes after ``fit``: ``classes_`` (sorted, as ``np.unique(y)``), ``model_`` (the
    ``stance.Model``).
    """

    def __init__(
        self,
        *,
        preset: Optional[str] = None,
        alpha: Optional[float] = None,
        C: Optional[float] = None,
        penalty: Optional[str] = None,
        l1_ratio: Optional[float] = None,
        ngram_range: Optional[tuple] = None,
        min_df: Any = None,
        max_df: Any = None,
        max_features: Optional[int] = None,
        min_sources: Optional[int] = None,
        stop_words: Optional[str] = None,
        language: Optional[str] = None,
        stem: Optional[bool] = None,
        numbers: Optional[str] = None,
        sublinear_tf: Optional[bool] = None,
        class_weight: Optional[str] = "preset",
        max_iter: Optional[int] = None,
        tol: Optional[float] = None,
        mask: Optional[bool] = None,
        mask_outlet: tuple = (),
        mask_rule: Any = (),
        unmask: tuple = (),
        chunk_words: Optional[int] = None,
        keep_unweighted_terms: Optional[bool] = None,
        prior_tokens: Optional[float] = None,
        calibrate: Optional[bool] = None,
        calibration_folds: Optional[int] = None,
        calibration_group_by: Optional[str] = None,
        calibration_seed: Optional[int] = None,
        threads: Optional[int] = None,
    ):
        self.preset = preset
        self.alpha = alpha
        self.C = C
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.min_sources = min_sources
        self.stop_words = stop_words
        self.language = language
        self.stem = stem
        self.numbers = numbers
        self.sublinear_tf = sublinear_tf
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.mask = mask
        self.mask_outlet = mask_outlet
        self.mask_rule = mask_rule
        self.unmask = unmask
        self.chunk_words = chunk_words
        self.keep_unweighted_terms = keep_unweighted_terms
        self.prior_tokens = prior_tokens
        self.calibrate = calibrate
        self.calibration_folds = calibration_folds
        self.calibration_group_by = calibration_group_by
        self.calibration_seed = calibration_seed
        self.threads = threads

    def _train_params(self) -> dict:
        """``stance.train``'s keyword arguments: the parameters set (``None`` is not set)."""
        params = self.get_params()
        params.pop("threads")
        weight = params.pop("class_weight")
        if weight is None:
            params["class_weight"] = "none"
        elif weight == "balanced":
            params["class_weight"] = "balanced"
        elif weight != "preset":
            raise ValueError(f"class_weight must be 'balanced', None or 'preset', got {weight!r}")
        for name in ("mask_outlet", "unmask"):
            params[name] = list(params[name])
        if not isinstance(params["mask_rule"], dict):
            params["mask_rule"] = list(params["mask_rule"])
        return {k: v for k, v in params.items() if v is not None}

    def fit(self, X, y, sources=None, dates=None):
        """Trains on texts ``X`` and labels ``y``; ``sources`` (outlets) and ``dates``
        (YYYY-MM-DD) are used by ``min_sources`` and the calibration's grouped folds."""
        if y is None:
            raise ValueError("StanceClassifier requires y to be passed, but the target y is None")
        # The labels are checked before the texts, so that a bad target is named as such.
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {y.shape}")
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"StanceClassifier needs at least two classes, but the data has one class: {classes[0]!r}"
            )
        texts = _texts(X)
        if len(y) != len(texts):
            raise ValueError(f"X has {len(texts)} texts but y has {len(y)} labels")
        names = [str(c) for c in classes]
        if len(set(names)) != len(names):
            raise ValueError(f"labels {list(classes)} are not distinct as strings")
        by_class = {c: n for c, n in zip(classes.tolist(), names)}
        labels = [by_class[c] for c in y.tolist()]
        model = _stance.train(
            texts,
            labels,
            sources=None if sources is None else [str(s) for s in sources],
            dates=None if dates is None else [str(d) for d in dates],
            threads=self.threads,
            **self._train_params(),
        )
        # Labels are compared trimmed by the library; map the model's columns back to classes.
        index = {name.strip(): i for i, name in enumerate(names)}
        self.classes_ = classes
        self.model_ = model
        self._columns = np.array([model.labels.index(names[i].strip()) for i in range(len(names))])
        self._class_of = {lab: classes[index[lab]] for lab in model.labels}
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities, shape (n_texts, n_classes), columns in ``classes_`` order."""
        check_is_fitted(self, "model_")
        p = self.model_.predict_proba(_texts(X), threads=self.threads)
        return p[:, self._columns]

    def predict(self, X) -> np.ndarray:
        """The most probable class of each text (as ``stance score`` labels it)."""
        check_is_fitted(self, "model_")
        names = self.model_.predict(_texts(X), threads=self.threads)
        return np.array([self._class_of[n] for n in names], dtype=self.classes_.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = True
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"X_types": ["string"], "requires_y": True}
