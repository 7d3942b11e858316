"""Score articles with stance on Apache Spark and write the scores as Parquet.

    python spark_score.py INPUT OUTPUT_DIR [--model PATH] [--paragraphs] [--master URL]

INPUT is JSON Lines (one article per line, fields ``id`` and ``text``, as ``stance score``
reads) or Parquet (a file or a directory, chosen by ``--format``, by default from the name).
OUTPUT_DIR gets Parquet with ``id``, ``label``, ``p_<label>`` per label, ``uncertain``, the
evidence (``tokens``, ``known``, ``signal``, ``terms``) and, with ``--paragraphs``, the
paragraphs as an array of structs; every value is the one ``stance score --format jsonl`` gives.

The model (``--model``, else the built-in one) is read once on the driver, shipped to the
executors as bytes in a broadcast variable and parsed once per executor process
(``stance.spark``). Each task scores its Arrow batches with ``spark.task.cpus`` threads.
Records without an id get one from their position (``monotonically_increasing_id``). Only the
id and text fields of JSON Lines are read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import stance
from stance.spark import score_frame


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="JSON Lines file(s) or Parquet")
    parser.add_argument("output_dir", help="where to write the Parquet scores")
    parser.add_argument("--model", help="model file (default: the built-in model)")
    parser.add_argument("--paragraphs", action="store_true", help="also score each paragraph")
    parser.add_argument("--master", default="local[*]", help="Spark master URL (default local[*])")
    parser.add_argument("--format", choices=["auto", "jsonl", "parquet"], default="auto",
                        help="input format (auto: .parquet or a directory is Parquet, else JSON Lines)")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--id-field", default="id")
    parser.add_argument("--partitions", type=int, default=0,
                        help="repartition the input into N partitions if it has fewer (default: the number of cores)")
    parser.add_argument("--overwrite", action="store_true", help="replace OUTPUT_DIR if it exists")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    t0 = time.perf_counter()
    model = stance.Model.load(args.model) if args.model else stance.Model.default()
    if args.master.startswith("local"):
        # Local workers run this interpreter (with stance installed), not whatever python3 is
        # first on PATH; on a cluster, PYSPARK_PYTHON is the cluster's to set.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(args.master)
        .appName("stance-score")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        fmt = args.format
        if fmt == "auto":
            fmt = "parquet" if args.input.endswith(".parquet") or os.path.isdir(args.input) else "jsonl"
        started_session = time.perf_counter()
        if fmt == "parquet":
            df = spark.read.parquet(args.input)
        else:
            # Only the two fields are read, and naming them spares Spark a pass over the whole
            # input to infer a schema. A record without an id gets null, replaced below.
            df = spark.read.schema(
                T.StructType([T.StructField(args.id_field, T.StringType()),
                              T.StructField(args.text_field, T.StringType())])
            ).json(args.input)
        if args.text_field not in df.columns:
            print(f"spark_score: {args.input}: no field {args.text_field!r} (fields: {', '.join(df.columns)})",
                  file=sys.stderr)
            return 2
        position = F.monotonically_increasing_id().cast("string")
        if args.id_field in df.columns:
            df = df.withColumn(args.id_field, F.coalesce(F.col(args.id_field).cast("string"), position))
        else:
            df = df.withColumn(args.id_field, position)
        # Spark already splits files into one partition per core or more; a repartition is a
        # shuffle of every text through the JVM, measured at 2.5 times the cost of the whole
        # stage without it, so it is done only when the input has fewer partitions than cores.
        partitions = args.partitions or spark.sparkContext.defaultParallelism
        if df.rdd.getNumPartitions() < partitions:
            df = df.repartition(partitions)
        partitions = max(partitions, df.rdd.getNumPartitions())
        threads = int(spark.conf.get("spark.task.cpus", "1"))
        started = time.perf_counter()
        scores = score_frame(df, model, text_col=args.text_field, id_col=args.id_field,
                             paragraphs=args.paragraphs, threads=threads)
        scores.write.mode("overwrite" if args.overwrite else "errorifexists").parquet(args.output_dir)
        seconds = time.perf_counter() - started
        n = spark.read.parquet(args.output_dir).count()
        print(f"spark_score: scored {n} articles in {seconds:.2f} s ({n / seconds:.0f} articles/s; "
              f"model and Spark session {started_session - t0:.2f} s before that) on {args.master}, "
              f"{partitions} partitions; wrote {args.output_dir}", file=sys.stderr)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
