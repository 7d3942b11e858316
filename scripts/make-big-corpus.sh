#!/usr/bin/env bash
# Writes a JSON Lines file of at least SIZE_MB megabytes (default 1024) by repeating the corpus in
# ../shared, to measure `stance score` at scale (benches/README.md, "Scoring a 1 GB file").
# The file holds publishers' text: write it outside the repository (e.g. /tmp) and never
# commit it.
#
#   scripts/make-big-corpus.sh /tmp/big.jsonl [SIZE_MB]
set -euo pipefail
out=${1:?usage: scripts/make-big-corpus.sh OUT.jsonl [SIZE_MB]}
size_mb=${2:-1024}
corpus="$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus/ukraine-media.jsonl"
[ -f "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 1; }
: > "$out"
target=$((size_mb * 1000 * 1000))
copies=0
while [ "$(stat -c %s "$out")" -lt "$target" ]; do
  cat "$corpus" >> "$out"
  copies=$((copies + 1))
done
echo "$out: $copies copies of the corpus, $(wc -l < "$out") lines, $(stat -c %s "$out") bytes"
