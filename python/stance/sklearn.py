"""scikit-learn estimator over `stance.train`: ``StanceClassifier``.

The estimator takes raw texts (a list, NumPy array or pandas Series of str, or a one-column
DataFrame or (n, 1) array) and any hashable labels, so it fits into scikit-learn's model
selection as it is::

    from sklearn.model_selection import GroupKFold, cross_val_score
    from stance.sklearn import StanceClassifier
    cross_val_score(StanceClassifier(), texts, labels, groups=outlets, cv=GroupKFold(5))

Its parameters are `stance train`'s options (``min_df``, ``ngram_range``, ``alpha``,
``penalty``, ...) with the CLI's defaults, so a fitted ``model_`` is the model ``stance train``
writes for the same data and options.
"""

from __future__ import annotations

from typing import Any, Optional

import inspect

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

    Parameters are ``stance train``'s options with ``_`` for ``-`` and the same defaults (see
    ``stance train --help``). ``threads`` is how many threads fitting and scoring use (all
    cores when None). Booleans stand for the CLI's flags (``no_stem=True`` is ``--no-stem``);
    ``mask_outlet``, ``mask_rule`` (``NAME=REGEX`` strings) and ``unmask`` take sequences.

    Attributes after ``fit``: ``classes_`` (sorted, as ``np.unique(y)``), ``model_`` (the
    ``stance.Model``).
    """

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        penalty: str = "l2",
        l1_ratio: Optional[float] = None,
        ngram_range: Any = (1, 2),
        min_df: Any = 2,
        max_df: Any = 1.0,
        max_features: Optional[int] = None,
        min_sources: int = 1,
        stop_words: Optional[str] = "english",
        no_stop_words: bool = False,
        language: str = "english",
        no_stem: bool = False,
        numbers: str = "drop",
        no_sublinear_tf: bool = False,
        no_balanced: bool = False,
        max_iter: int = 500,
        tol: float = 1e-4,
        no_mask: bool = False,
        mask_outlet: tuple = (),
        mask_rule: tuple = (),
        unmask: tuple = (),
        chunk_words: int = 0,
        keep_unweighted_terms: bool = False,
        prior_tokens: float = 10.0,
        calibrate: bool = False,
        calibration_folds: int = 5,
        calibration_group_by: str = "source",
        calibration_seed: int = 0,
        preset: Optional[str] = None,
        stem: bool = False,
        sublinear_tf: bool = False,
        balanced: bool = False,
        drop_unweighted_terms: bool = False,
        strict_labels: bool = False,
        spelling: str = "none",
        threads: Optional[int] = None,
    ):
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.min_sources = min_sources
        self.stop_words = stop_words
        self.no_stop_words = no_stop_words
        self.language = language
        self.no_stem = no_stem
        self.numbers = numbers
        self.no_sublinear_tf = no_sublinear_tf
        self.no_balanced = no_balanced
        self.max_iter = max_iter
        self.tol = tol
        self.no_mask = no_mask
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
        self.preset = preset
        # The opposites of the no_* flags, to undo what a preset sets (``stem=True`` after
        # ``preset="default"``, which does not stem).
        self.stem = stem
        self.sublinear_tf = sublinear_tf
        self.balanced = balanced
        self.drop_unweighted_terms = drop_unweighted_terms
        self.strict_labels = strict_labels
        self.spelling = spelling
        self.threads = threads

    def _train_params(self) -> dict:
        params = self.get_params()
        params.pop("threads")
        if not params["calibrate"]:
            # The CLI refuses calibration options without --calibrate.
            params.pop("calibration_folds")
            params.pop("calibration_group_by")
            params.pop("calibration_seed")
        # Only what differs from the defaults (which are the CLI's) is passed on, as on the
        # command line, so that a `preset` is overridden only by the parameters actually set.
        defaults = {
            name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        return {k: v for k, v in params.items() if k not in defaults or not _same(v, defaults[k])}

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


def _same(value, default) -> bool:
    """Whether a parameter still has its default (tuples and lists compare by items)."""
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)):
        return list(value) == list(default)
    return type(value) is type(default) and value == default
