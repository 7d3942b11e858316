"""Scoring with Apache Spark: ``score_frame`` turns a DataFrame of articles into a DataFrame of
scores, with ``mapInPandas`` (Arrow batches) on the executors.

The model travels as the bytes of its file, in a broadcast variable, and each executor's Python
worker parses it once: the parsed model is kept in this module (``_MODELS``), which the worker
imports once and reuses across tasks. (A cache defined in the driver's script would be pickled
with the function and rebuilt for every task.)

Output columns: ``id``, ``label``, ``p_<label>`` per model label, ``uncertain``, the evidence
(``tokens``, ``known``, ``signal``, ``terms``) and, with ``paragraphs=True``, ``paragraphs``: an
array of structs with ``index``, ``start``, ``end`` (byte offsets), ``label``, ``p_<label>``,
``uncertain`` and the evidence. The values are those of ``stance score --format jsonl``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Iterator

from . import Model

__all__ = ["score_frame", "output_schema"]

# Parsed models of this Python process, by the SHA-256 of their bytes.
_MODELS: Dict[str, Model] = {}

_EVIDENCE = [("tokens", "long"), ("known", "double"), ("signal", "double"), ("terms", "long")]


def _model(key: str, broadcast: Any) -> Model:
    model = _MODELS.get(key)
    if model is None:
        model = Model.from_bytes(broadcast.value, origin=f"<broadcast model {key[:12]}>")
        _MODELS[key] = model
    return model


def output_schema(labels, paragraphs: bool):
    """The Spark schema of ``score_frame``'s output for a model with these labels."""
    from pyspark.sql import types as T

    def kind(name: str):
        return {"long": T.LongType(), "double": T.DoubleType()}[name]

    def scored(prefix):
        fields = list(prefix)
        # None on an exact tie or for a text not in the model's language.
        fields.append(T.StructField("label", T.StringType(), True))
        fields += [T.StructField(f"p_{label}", T.DoubleType(), False) for label in labels]
        fields.append(T.StructField("uncertain", T.BooleanType(), False))
        fields += [T.StructField(name, kind(k), False) for name, k in _EVIDENCE]
        return fields

    fields = scored([T.StructField("id", T.StringType(), False)])
    if paragraphs:
        paragraph = T.StructType(
            scored(
                [
                    T.StructField("index", T.LongType(), False),
                    T.StructField("start", T.LongType(), False),
                    T.StructField("end", T.LongType(), False),
                ]
            )
        )
        fields.append(T.StructField("paragraphs", T.ArrayType(paragraph, False), False))
    return T.StructType(fields)


def _flat(record: dict, labels) -> dict:
    """A score record (``Model.score``'s dict) as the flat columns of the output schema."""
    row = {k: record[k] for k in ("index", "start", "end") if k in record}
    if "id" in record:
        row["id"] = record["id"]
    row["label"] = record["label"]
    for label in labels:
        row[f"p_{label}"] = record["probabilities"][label]
    row["uncertain"] = record["uncertain"]
    for name, _ in _EVIDENCE:
        row[name] = record["evidence"][name]
    return row


def score_frame(df, model: Model, *, text_col: str = "text", id_col: str = "id", paragraphs: bool = False,
                threads: int = 1):
    """Scores the articles of Spark DataFrame ``df`` (columns ``id_col`` and ``text_col``) with
    ``model``, on the executors. ``threads`` is the scoring threads per task: keep it at
    ``spark.task.cpus``, since Spark already runs one task per core. A row whose text is null,
    empty or only whitespace fails the job with its id, as ``stance score`` refuses the record.
    """
    import pandas as pd

    data = model.to_bytes()
    key = hashlib.sha256(data).hexdigest()
    broadcast = df.sparkSession.sparkContext.broadcast(data)
    labels = list(model.labels)
    schema = output_schema(labels, paragraphs)
    columns = [f.name for f in schema.fields]

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        local = _model(key, broadcast)
        for batch in batches:
            ids = [str(i) for i in batch[id_col]]
            texts = list(batch[text_col])
            for i, t in enumerate(texts):
                if not isinstance(t, str) or not t.strip():
                    raise ValueError(f"record {ids[i]!r}: the text is missing, empty or only whitespace")
            records = local.score(texts, paragraphs=paragraphs, ids=ids, threads=threads)
            rows = []
            for r in records:
                row = _flat(r, labels)
                if paragraphs:
                    row["paragraphs"] = [_flat(p, labels) for p in r["paragraphs"]]
                rows.append(row)
            yield pd.DataFrame(rows, columns=columns)

    return df.select(df[id_col].cast("string").alias(id_col), df[text_col]).mapInPandas(score, schema)
