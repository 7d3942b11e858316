"""Type stubs of the native module (stance._stance); the API is re-exported by `stance`."""

import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

Texts = Iterable[str]
PathLike = Union[str, "os.PathLike[str]"]

class Model:
    """A trained model: score, explain and save."""

    @staticmethod
    def default() -> "Model":
        """The built-in default model (loaded once per process)."""
    @staticmethod
    def load(path: PathLike) -> "Model":
        """Loads and checks a model file. OSError if unreadable, ValueError if not a model."""
    @staticmethod
    def from_bytes(data: bytes, origin: str = "<bytes>") -> "Model":
        """A model from the bytes of a model file."""
    def to_bytes(self) -> bytes:
        """The model file's bytes."""
    def save(self, path: PathLike) -> None:
        """Writes the model file atomically."""
    @property
    def labels(self) -> list[str]:
        """The labels, in the order of predict_proba's columns."""
    @property
    def n_features(self) -> int:
        """The number of features (terms in the vocabulary)."""
    @property
    def training(self) -> dict[str, Any]:
        """What training recorded, as a dict."""
    def score(
        self,
        texts: Texts,
        paragraphs: bool = False,
        ids: Optional[Iterable[Any]] = None,
        threads: Optional[int] = None,
        uncertain_band: Optional[float] = None,
        min_signal: Optional[float] = None,
        min_known: Optional[float] = None,
    ) -> list[dict[str, Any]]:
        """One dict per text, as a line of `stance score --format jsonl`."""
    def predict_proba(
        self, texts: Texts, threads: Optional[int] = None
    ) -> npt.NDArray[np.float64]:
        """Probabilities, shape (len(texts), len(labels)), float64."""
    def predict(self, texts: Texts, threads: Optional[int] = None) -> list[Optional[str]]:
        """The most probable label of each text; None when two labels tie exactly."""
    def explain(
        self,
        text: str,
        top: int = 10,
        swaps: Optional[Sequence[Tuple[str, str]]] = None,
    ) -> dict[str, Any]:
        """The dict of `stance explain --format json`."""
    def explain_html(
        self,
        text: str,
        top: int = 10,
        swaps: Optional[Sequence[Tuple[str, str]]] = None,
        title: str = "text",
    ) -> str:
        """The self-contained HTML page of `stance explain --html`."""
    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]: ...

def train(
    texts: Texts,
    labels: Iterable[str],
    sources: Optional[Iterable[str]] = None,
    dates: Optional[Iterable[str]] = None,
    ids: Optional[Iterable[str]] = None,
    threads: Optional[int] = None,
    *,
    preset: Optional[str] = None,
    min_df: Optional[Union[int, float]] = None,
    max_df: Optional[Union[int, float]] = None,
    max_features: Optional[int] = None,
    min_sources: Optional[int] = None,
    ngram_range: Optional[Union[Tuple[int, int], str]] = None,
    alpha: Optional[float] = None,
    C: Optional[float] = None,
    penalty: Optional[str] = None,
    l1_ratio: Optional[float] = None,
    stop_words: Optional[Union[str, PathLike]] = None,
    language: Optional[str] = None,
    stem: Optional[bool] = None,
    numbers: Optional[str] = None,
    sublinear_tf: Optional[bool] = None,
    class_weight: Optional[str] = None,
    max_iter: Optional[int] = None,
    tol: Optional[float] = None,
    mask: Optional[bool] = None,
    mask_outlet: Optional[Sequence[str]] = None,
    mask_rule: Optional[Union[Mapping[str, str], Sequence[str]]] = None,
    unmask: Optional[Sequence[str]] = None,
    chunk_words: Optional[int] = None,
    keep_unweighted_terms: Optional[bool] = None,
    prior_tokens: Optional[float] = None,
    calibrate: Optional[bool] = None,
    calibration_folds: Optional[int] = None,
    calibration_group_by: Optional[str] = None,
    calibration_seed: Optional[int] = None,
) -> Model:
    """Trains a model as `stance train` does; a parameter left at None keeps the preset's
    value (the library's default without a preset)."""

def adapt(
    texts: Texts,
    labels: Iterable[str],
    model: Optional[Union[Model, PathLike]] = None,
    groups: Optional[Iterable[str]] = None,
    ids: Optional[Iterable[str]] = None,
    strength: Optional[Union[str, float]] = None,
    folds: int = 5,
    seed: int = 0,
    threads: Optional[int] = None,
    base_texts: Optional[Texts] = None,
    base_labels: Optional[Iterable[str]] = None,
    base_groups: Optional[Iterable[str]] = None,
) -> Model:
    """Adapts a model (the built-in one by default) to labelled texts as `stance adapt` does,
    byte for byte; `strength` is "auto" (the default) or a number >= 0, and `base_texts` /
    `base_labels` / `base_groups` add the pooled candidate of `stance adapt --base-data`."""

def sample(
    texts: Texts,
    n: int,
    strategy: str = "random",
    ids: Optional[Iterable[str]] = None,
    by: Optional[Iterable[str]] = None,
    seed: int = 0,
    model: Optional[Union[Model, PathLike]] = None,
) -> list[dict[str, Any]]:
    """Draws `n` texts to label as `stance sample` does: one dict per drawn text, in drawing
    order, with its `index` in `texts`, its `id` and its inclusion `weight` (None unless
    random)."""

def fold_plan(
    labels: Iterable[Any],
    groups: Iterable[Any],
    dates: Optional[Iterable[Any]] = None,
    n_splits: int = 5,
    group_by: str = "source",
    seed: int = 0,
) -> Tuple[list[int], list[str]]:
    """The fold each document is tested in and the plan's notes, as `stance cv` deals them."""
def evaluate(
    model: Model,
    texts: Texts,
    labels: Iterable[str],
    sources: Optional[Iterable[str]] = None,
    threads: Optional[int] = None,
) -> dict[str, Any]:
    """The dict of `stance eval --format json`; with `sources`, `training_data` warns when the
    documents are the model's training documents."""

def validate(
    inputs: Union[PathLike, Sequence[PathLike]],
    validation: Union[PathLike, Sequence[PathLike]],
    model: Optional[Union[Model, PathLike]] = None,
    by: Optional[Sequence[str]] = None,
    skip_bad: bool = False,
    id_field: str = "id",
    label_field: Optional[str] = None,
    threads: Optional[int] = None,
) -> dict[str, Any]:
    """The dict of `stance report --validation VALIDATION --json` on the files `inputs`: the
    model measured on the labelled sample, and the shares adjusted (`by` defaults to source)."""
