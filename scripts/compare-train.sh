#!/usr/bin/env bash
# Times `stance train --preset default` end to end against the textbook scikit-learn pipeline
# that fits the same kind of model, in one run and on one thread, alternating the two so that
# both see the same machine load; prints each run, the medians and their ratio.
#
#   scripts/compare-train.sh [--corpus PATH] [--repeat K] [--venv DIR]
#
# stance: `stance train --data CORPUS --out TMP --preset default -q` with RAYON_NUM_THREADS=1,
#   wall clock of the whole process (reading, features, L1 fit by coordinate descent, writing).
# scikit-learn: reading the same JSON Lines file, TfidfVectorizer(ngram_range=(1, 2),
#   stop_words="english") on the `text` field, LogisticRegression(penalty L1,
#   solver="liblinear", C=30, class_weight="balanced") fitted on it, one BLAS/OpenMP thread;
#   timed inside Python (the interpreter's start and imports are not counted: in its favour).
# --venv is a virtual environment with scikit-learn (default target/sklearn-venv, as
# scripts/compare-sklearn.sh makes it). Not run in CI.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=$repo/../shared/corpus/ukraine-media.jsonl
repeat=5
venv=$repo/target/sklearn-venv
die() { echo "compare-train: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) [ $# -ge 2 ] || die "--corpus needs a value"; corpus=$2; shift 2 ;;
    --repeat) [ $# -ge 2 ] || die "--repeat needs a value"; repeat=$2; shift 2 ;;
    --venv) [ $# -ge 2 ] || die "--venv needs a value"; venv=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer, got '$repeat'"
[ -f "$corpus" ] || die "no corpus at $corpus"
py=$venv/bin/python
[ -x "$py" ] || die "no Python at $py (make the venv with scripts/compare-sklearn.sh, or pass --venv)"
bin=${STANCE_BIN:-$repo/target/release/stance}
[ -x "$bin" ] || (cd "$repo" && cargo build --release -q)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

cat > "$tmp/pipeline.py" <<'PY'
import json, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
import inspect
start = time.perf_counter()
texts, labels = [], []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if line.strip():
            d = json.loads(line)
            texts.append(d["text"]); labels.append(d["label"])
X = TfidfVectorizer(ngram_range=(1, 2), stop_words="english").fit_transform(texts)
common = dict(C=30, class_weight="balanced", solver="liblinear")
if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated":
    model = LogisticRegression(l1_ratio=1.0, **common)
else:
    model = LogisticRegression(penalty="l1", **common)
model.fit(X, labels)
print(f"{time.perf_counter() - start:.3f}")
print(f"scikit-learn: {X.shape[0]} x {X.shape[1]}, {int((model.coef_ != 0).sum())} non-zero weights",
      file=sys.stderr)
PY

stance_s=(); sklearn_s=()
for i in $(seq "$repeat"); do
  t0=$(date +%s.%N)
  RAYON_NUM_THREADS=1 "$bin" train --data "$corpus" --out "$tmp/model.json" --preset default -q > /dev/null
  t1=$(date +%s.%N)
  stance_s+=("$(echo "$t1 - $t0" | bc -l)")
  sklearn_s+=("$("$py" "$tmp/pipeline.py" "$corpus")")
  echo "run $i: stance ${stance_s[-1]} s, scikit-learn ${sklearn_s[-1]} s" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ms=$(median "${stance_s[@]}"); mk=$(median "${sklearn_s[@]}")
echo "- command: \`scripts/compare-train.sh --repeat $repeat\` ($(date -u '+%Y-%m-%d %H:%M UTC')) at $(git -C "$repo" rev-parse --short HEAD); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| stance train --preset default (1 thread) | scikit-learn TfidfVectorizer (1,2) + liblinear L1, C=30 | ratio |"
echo "|---:|---:|---:|"
printf '| %.2f s (%s) | %.2f s (%s) | %.3f |\n' "$ms" "${stance_s[*]}" "$mk" "${sklearn_s[*]}" "$(echo "$ms / $mk" | bc -l)"
