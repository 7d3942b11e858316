#!/usr/bin/env bash
# Compares `stance bench` with scikit-learn on the same corpus, in one run, so that both
# see the same machine load.
#
#   scripts/compare-sklearn.sh [--corpus PATH] [--threads N] [--out DIR] [--ngram-range 1..2]
#                              [--repeat K] [--venv DIR] [--python PYTHON] [--no-stem-cache]
#                              [--keep-matrix]
#   scripts/compare-sklearn.sh --l1 ALPHA [--l1-tol TOL] [--l1-max-iter N] [--saga-tol TOL]
#                              [--saga-max-iter N] [--l1-docs N] [--no-saga] [--corpus PATH] ...
#
# --l1 ALPHA runs, instead of the speed comparison, the L1 objective check: one
#   `stance bench --penalty l1 --alpha ALPHA --tol TOL --max-iter N --repeat 1` (OWL-QN; defaults
#   --l1-tol 1e-8, --l1-max-iter 300) exports its training matrix, scikit-learn's
#   LogisticRegression(L1, solver="saga", C = 1/ALPHA, class_weight="balanced") is fitted on it
#   (defaults --saga-tol 1e-8, --saga-max-iter 100000 epochs), and both solutions' objectives
#   F = sum s_i*logloss_i + alpha*|w|_1 (scikit-learn's ||w||_1 + C*sum s_i*logloss_i, times
#   alpha) are printed with the non-zero counts; pass when (F_ours - F_saga)/|F_saga| <= 1e-6.
#   In the same run liblinear's L1 solver (newGLMNET, tol 1e-4, the median of 3 fits) is timed
#   on the same matrix and its objective printed beside ours; --no-saga leaves saga out.
#   --l1-docs N trains both on N evenly spaced documents of the corpus instead (saga needs
#   thousands of epochs at a tight tol: tens of minutes on the whole shared corpus).
#
# 1. builds the release binary (cargo is a no-op when it is up to date; STANCE_BIN skips it),
# 2. makes (or reuses) a Python virtual environment with scikit-learn and snowballstemmer,
# 3. runs `stance bench --extended --format json --export-matrix`: every stance figure, the
#    training settings, and the one-thread run's training matrix in svmlight format,
# 4. runs scikit-learn single-threaded (scripts/compare_sklearn.py measure): TfidfVectorizer with
#    our settings, plain and with Snowball stemming; LogisticRegression(lbfgs) with C = 1/alpha
#    on exactly stance's matrix, at the matched tol and at its default; scoring one article at a
#    time; unpickling the model; peak RSS of fit_transform alone,
# 5. prints a markdown table (stance 1 thread, N threads, scikit-learn, ratio, target, result)
#    and keeps every raw figure in --out (default target/compare-sklearn/); the matrix (about
#    100 MB for the shared corpus) is deleted unless --keep-matrix.
#
# How stance's alpha maps to scikit-learn's C (src/objective.rs, src/logistic.rs):
#   stance minimises   F(w, b) = sum_i s_i * logloss_i(w, b) + alpha/2 * ||w||^2
#   scikit-learn's documented objective is C * sum_i s_i * logloss_i + 1/2 * ||w||^2
#     = F / alpha  when C = 1/alpha,
#   the same minimiser. Both: intercept not penalised, s_i = n / (n_labels * n_label(i))
#   (class_weight="balanced"). scikit-learn 1.x's lbfgs actually minimises
#   G = (sum_i s_i logloss_i + 1/(2C) ||w||^2) / S, S = sum_i s_i (= n for balanced weights),
#   so with C = 1/alpha, G = F / S. It stops when max_j |dG/dw_j| <= tol; stance stops when
#   ||grad F||_2 < 1e-4. The "matched" scikit-learn run uses tol = 1e-4 / S, i.e.
#   max_j |dF/dw_j| <= 1e-4, which is never stricter than stance's rule. Losses are reported
#   in stance's units (F), computed from scikit-learn's coefficients.
#
# Takes several minutes (a few more the first time, for the venv). Not run in CI.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

# Paths given as options are relative to where the script is run from; the defaults are in the
# repository (the corpus next to it, in ../shared).
corpus=$repo/../shared/corpus/ukraine-media.jsonl
threads=2
out=$repo/target/compare-sklearn
ngram=1..2
# Passes of each bench figure per thread count (medians): this machine's speed drifts by tens of
# percent within seconds, and bench's own default of 3 left single figures at the mercy of it.
repeat=5
venv=$repo/target/sklearn-venv
python=python3
stem_cache=()
keep_matrix=0
l1_alpha=
l1_tol=1e-8
l1_max_iter=300
saga_tol=1e-8
saga_max_iter=100000
l1_docs=
saga=()

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "compare-sklearn: $*" >&2; exit 1; }
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }

args_seen=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) need_value "$@"; corpus=$2; shift 2 ;;
    --threads) need_value "$@"; threads=$2; shift 2 ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --ngram-range) need_value "$@"; ngram=$2; shift 2 ;;
    --repeat) need_value "$@"; repeat=$2; shift 2 ;;
    --venv) need_value "$@"; venv=$2; shift 2 ;;
    --python) need_value "$@"; python=$2; shift 2 ;;
    --no-stem-cache) stem_cache=(--no-stem-cache); shift ;;
    --keep-matrix) keep_matrix=1; shift ;;
    --l1) need_value "$@"; l1_alpha=$2; shift 2 ;;
    --l1-tol) need_value "$@"; l1_tol=$2; shift 2 ;;
    --l1-max-iter) need_value "$@"; l1_max_iter=$2; shift 2 ;;
    --saga-tol) need_value "$@"; saga_tol=$2; shift 2 ;;
    --saga-max-iter) need_value "$@"; saga_max_iter=$2; shift 2 ;;
    --l1-docs) need_value "$@"; l1_docs=$2; shift 2 ;;
    --no-saga) saga=(--no-saga); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer, got '$threads'"
[ -e "$corpus" ] || die "corpus not found: $corpus (give --corpus PATH; the shared corpus is ../shared/corpus/ukraine-media.jsonl)"
[ -f "$corpus" ] && [ -r "$corpus" ] || die "corpus is not a readable file: $corpus"
[ -s "$corpus" ] || die "corpus is empty: $corpus"
corpus=$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")
mkdir -p "$out"
out=$(cd "$out" && pwd)
mkdir -p "$(dirname "$venv")"
venv=$(cd "$(dirname "$venv")" && pwd)/$(basename "$venv")
cd "$repo"

# 1. The binary.
if [ -n "${STANCE_BIN:-}" ]; then
  bin=$STANCE_BIN
else
  echo "== cargo build --release" >&2
  cargo build --release --quiet
  bin=$repo/target/release/stance
fi
[ -x "$bin" ] || die "no stance binary at $bin"

# 2. The virtual environment, reused when it already has what we need.
py=$venv/bin/python
if ! { [ -x "$py" ] && "$py" -c 'import sklearn, snowballstemmer, threadpoolctl, scipy' 2>/dev/null; }; then
  echo "== making the Python environment in $venv" >&2
  command -v "$python" >/dev/null || die "no $python to make the virtual environment with (--python PYTHON)"
  "$python" -m venv "$venv" || die "could not make a virtual environment in $venv"
  "$py" -m pip install --quiet --upgrade pip
  "$py" -m pip install --quiet scikit-learn snowballstemmer threadpoolctl \
    || die "pip install scikit-learn snowballstemmer failed (is PyPI reachable?)"
fi

# Before OMP_NUM_THREADS is set: GNU nproc honours it.
cores=$(nproc)

# Single-threaded scikit-learn, numpy and scipy (the OpenMP loss, BLAS).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 VECLIB_MAXIMUM_THREADS=1 \
  NUMEXPR_NUM_THREADS=1 BLIS_NUM_THREADS=1

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -v '^??' | head -1 || true)
[ -n "$dirty" ] && commit="$commit (uncommitted changes)"

# The L1 objective check (--l1), instead of the speed comparison.
if [ -n "$l1_alpha" ]; then
  [ -z "$l1_docs" ] || [[ "$l1_docs" =~ ^[1-9][0-9]*$ ]] \
    || die "--l1-docs must be a positive integer, got '$l1_docs'"
  l1_corpus=$corpus
  if [ -n "$l1_docs" ]; then
    # Evenly spaced documents, so that both labels and every outlet stay in; kept in $out and
    # deleted after the run.
    l1_corpus=$out/l1-corpus.jsonl
    "$py" - "$corpus" "$l1_docs" "$l1_corpus" <<'EOF' || die "could not subsample $corpus"
import sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
n = min(int(sys.argv[2]), len(lines))
with open(sys.argv[3], "w", encoding="utf-8") as f:
    f.writelines(lines[i * len(lines) // n] for i in range(n))
EOF
  fi
  echo "== stance bench --penalty l1 --alpha $l1_alpha --tol $l1_tol --max-iter $l1_max_iter" >&2
  matrix=$out/stance-l1-matrix.svm
  "$bin" bench --data "$l1_corpus" --threads 1 --ngram-range "$ngram" --repeat 1 \
    --score-sample 20 --extended --format json --export-matrix "$matrix" \
    --penalty l1 --alpha "$l1_alpha" --tol "$l1_tol" --max-iter "$l1_max_iter" \
    > "$out/stance-l1-bench.json" || die "stance bench --penalty l1 failed"
  [ -z "$l1_docs" ] || rm -f "$l1_corpus"
  echo "== scikit-learn saga (1 thread)" >&2
  {
    echo "## stance vs scikit-learn saga and liblinear, L1"
    echo
    echo "- command: \`scripts/compare-sklearn.sh${args_seen[*]:+ ${args_seen[*]}}\` ($(date -u '+%Y-%m-%d %H:%M UTC')) at $commit"
    echo "- corpus: $(basename "$corpus")${l1_docs:+, $l1_docs evenly spaced documents}; n-grams $ngram; machine: $cores cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    "$py" scripts/compare_sklearn.py l1 --matrix "$matrix" --stance "$out/stance-l1-bench.json" \
      --tol "$saga_tol" --max-iter "$saga_max_iter" ${saga[@]+"${saga[@]}"} --out "$out/sklearn-l1.json"
    echo
    echo "Raw figures: $out/{stance-l1-bench.json,sklearn-l1.json}"
  } | tee "$out/report-l1.md"
  [ "${PIPESTATUS[0]}" = 0 ] || die "the saga comparison failed"
  [ "$keep_matrix" = 1 ] || rm -f "$matrix"
  exit 0
fi

# 3. stance bench. Its training matrix goes to $out, to be trained on by scikit-learn too.
echo "== stance bench ($threads threads)" >&2
matrix=$out/stance-matrix.svm
bench_cmd=("$bin" bench --data "$corpus" --threads "$threads" --ngram-range "$ngram" \
  --repeat "$repeat" --extended --format json --export-matrix "$matrix")
"${bench_cmd[@]}" > "$out/stance-bench.json" || die "stance bench failed"
"$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/stance-bench.json" \
  || die "stance bench did not print JSON: $out/stance-bench.json"

# The training settings bench used and the matrix's width, from bench itself.
read -r alpha tol max_iter features < <("$py" - "$out/stance-bench.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
missing = [k for k in ("alpha", "tolerance", "max_iter", "features") if k not in d]
if missing:
    sys.exit(f"compare-sklearn: stance bench --extended reported no {', '.join(missing)}")
print(repr(float(d["alpha"])), repr(float(d["tolerance"])), d["max_iter"], d["features"])
EOF
) || die "could not read the training settings from $out/stance-bench.json"

# 4. scikit-learn.
echo "== scikit-learn (1 thread)" >&2
"$py" scripts/compare_sklearn.py measure --corpus "$corpus" --ngram-range "$ngram" \
  --matrix "$matrix" --n-features "$features" \
  --alpha "$alpha" --tol "$tol" --max-iter "$max_iter" ${stem_cache[@]+"${stem_cache[@]}"} \
  --out "$out/sklearn.json"
[ "$keep_matrix" = 1 ] || rm -f "$matrix"

# 5. The report.
{
  echo "## stance vs scikit-learn"
  echo
  echo "- command: \`scripts/compare-sklearn.sh${args_seen[*]:+ ${args_seen[*]}}\` ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo "- stance bench: \`stance bench --data $(basename "$corpus") --threads $threads --ngram-range $ngram --repeat $repeat --extended --format json --export-matrix ...\` at $commit"
  echo "- machine: $cores cores (nproc), ${cpu:-unknown CPU}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$py" - "$out/sklearn.json" "$corpus" <<'EOF'
import json, os, sys
s = json.load(open(sys.argv[1]))
v = s["versions"]
print(f"- corpus: {os.path.basename(sys.argv[2])}, {s['docs']} documents, {s['bytes'] / 1e6:.1f} MB of text")
print(f"- scikit-learn {v['scikit-learn']}, scipy {v['scipy']}, numpy {v['numpy']}, "
      f"snowballstemmer {v['snowballstemmer']}, Python {v['python']}; OMP/BLAS threads 1")
EOF
  echo
  "$py" scripts/compare_sklearn.py report --stance "$out/stance-bench.json" \
    --sklearn "$out/sklearn.json"
  echo
  echo "Ratios are stance / scikit-learn: above 1 is better for MB/s, below 1 is better for s, µs, ms and MB."
  echo "Raw figures: $out/{stance-bench.json,sklearn.json}"
} | tee "$out/report.md"
