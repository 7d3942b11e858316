#!/usr/bin/env bash
# Alternates the Spark job (local[2]) and stance score --threads 2 on the same records:
#   python/bench/spark_vs_cli.sh ARTICLES.jsonl   (benches/README.md's "Scale" figures: 10,000 records)
# Needs the release binary, and stance, pyspark, pandas and pyarrow in the python on PATH.
set -euo pipefail
articles=$(realpath "${1:?usage: spark_vs_cli.sh ARTICLES.jsonl}")
cd "$(dirname "$0")/../.."
for r in 1 2 3; do
  s=$(date +%s.%N); target/release/stance score --format jsonl --threads 2 "$articles" > /dev/null; e=$(date +%s.%N)
  echo "round $r cli $(echo "$e - $s" | bc) s"
  rm -rf /tmp/sparkbench
  s=$(date +%s.%N)
  python python/examples/spark_score.py "$articles" /tmp/sparkbench --master 'local[2]' 2>&1 | grep '^spark_score:'
  e=$(date +%s.%N)
  echo "round $r spark wall $(echo "$e - $s" | bc) s"
  s=$(date +%s.%N); target/release/stance score --format jsonl --threads 2 "$articles" > /dev/null; e=$(date +%s.%N)
  echo "round $r cli $(echo "$e - $s" | bc) s"
done
