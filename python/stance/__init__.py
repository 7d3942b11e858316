"""stance: a source-stance classifier for news articles, as a Python package.

The Rust library is the one implementation; this package binds it. Scores, explanations and
models are the ones the ``stance`` command-line tool gives for the same input::

    import stance
    model = stance.Model.default()
    model.score(["Kyiv said the invasion goes on."])  # one dict per text, as `stance score`

Batch calls (``score``, ``predict``, ``predict_proba``, ``train``, ``evaluate``) release the
GIL and run on all cores. Bad input raises ``ValueError``, file problems ``OSError``.
``stance.sklearn.StanceClassifier`` is the scikit-learn estimator.
"""

from ._stance import Model, __version__, adapt, evaluate, sample, train, validate

__all__ = ["Model", "train", "evaluate", "adapt", "sample", "validate", "__version__"]
