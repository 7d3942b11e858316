#!/usr/bin/env bash
# Compares `stance bench` with scikit-learn on the same corpus, in one run (issue 5).
#
#   scripts/compare-sklearn.sh [--corpus PATH] [--threads N] [--out DIR] [--ngram-range 1..2]
#                              [--venv DIR] [--python PYTHON] [--no-stem-cache]
#
# 1. builds the release binary (cargo is a no-op when it is up to date; STANCE_BIN skips it),
# 2. makes (or reuses) a Python virtual environment with scikit-learn and snowballstemmer,
# 3. runs `stance bench --format json` under /usr/bin/time -v (peak RSS of the whole process),
# 4. if bench reports no final training loss, runs `stance train` once with the same defaults
#    (training is deterministic) and reads iterations, final loss and vocabulary size from it,
# 5. times `stance score` with the built-in default model (process wall time, upper bound on
#    loading it),
# 6. runs scikit-learn single-threaded (scripts/compare_sklearn.py measure): TfidfVectorizer with
#    our settings, plain and with Snowball stemming; LogisticRegression(lbfgs) with C = 1/alpha;
#    scoring one article at a time; unpickling the model; peak RSS of fit_transform,
# 7. prints a markdown table (stance 1 thread, N threads, scikit-learn, ratio, target, result)
#    and keeps every raw figure in --out (default target/compare-sklearn/).
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
venv=$repo/target/sklearn-venv
python=python3
stem_cache=()

usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "compare-sklearn: $*" >&2; exit 1; }
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }

args_seen=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) need_value "$@"; corpus=$2; shift 2 ;;
    --threads) need_value "$@"; threads=$2; shift 2 ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --ngram-range) need_value "$@"; ngram=$2; shift 2 ;;
    --venv) need_value "$@"; venv=$2; shift 2 ;;
    --python) need_value "$@"; python=$2; shift 2 ;;
    --no-stem-cache) stem_cache=(--no-stem-cache); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer, got '$threads'"
[ -e "$corpus" ] || die "corpus not found: $corpus (give --corpus PATH; the shared corpus is ../shared/corpus/ukraine-media.jsonl)"
[ -f "$corpus" ] && [ -r "$corpus" ] || die "corpus is not a readable file: $corpus"
[ -s "$corpus" ] || die "corpus is empty: $corpus"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is needed for stance's peak memory; apt-get install time"
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

# 3. stance bench.
echo "== stance bench ($threads threads)" >&2
bench_cmd=("$bin" bench --data "$corpus" --threads "$threads" --ngram-range "$ngram" --format json)
/usr/bin/time -v -o "$out/stance-bench.time" "${bench_cmd[@]}" > "$out/stance-bench.json" \
  || die "stance bench failed (see $out/stance-bench.time)"
"$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/stance-bench.json" \
  || die "stance bench did not print JSON: $out/stance-bench.json"

# Training settings bench used: its own keys when it reports them, else TrainParams::default().
read -r alpha tol max_iter has_loss < <("$py" - "$out/stance-bench.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def get(keys, default):
    for k in keys:
        if isinstance(d.get(k), (int, float)) and not isinstance(d.get(k), bool):
            return d[k]
    return default
has_loss = any(isinstance(d.get(k), (int, float)) for k in
               ("final_loss", "train_final_loss", "train_loss", "loss"))
print(get(["alpha"], 1.0), get(["tol", "tolerance"], 1e-4), get(["max_iter"], 500), int(has_loss))
EOF
)

# 4. stance's final loss, when bench does not report it.
train_summary=
if [ "$has_loss" = 0 ]; then
  echo "== stance train (bench reports no final loss; same defaults, deterministic)" >&2
  "$bin" train --data "$corpus" --out "$out/stance-model.json" --quiet --ngram-range "$ngram" \
    --alpha "$alpha" --tol "$tol" --max-iter "$max_iter" > "$out/stance-train.txt"
  "$py" - "$out/stance-model.json" > "$out/stance-train-summary.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
t = m["training"]
print(json.dumps({"final_loss": t["final_loss"], "iterations": t["iterations"],
                  "converged": t["converged"], "n_features": len(m["vocabulary"]),
                  "logistic": t["logistic"], "rows": t["rows"]}, indent=2))
EOF
  rm -f "$out/stance-model.json"
  train_summary=$out/stance-train-summary.json
fi

# 5. The built-in default model: wall time of `stance score` on one short made-up sentence,
#    median of 5 (process start, embedded-model parse, scoring).
default_ms=$("$py" - "$bin" <<'EOF'
import subprocess, sys, time
runs = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "score", "-"], input=b"Officials discussed the talks.\n",
                   stdout=subprocess.DEVNULL, check=True)
    runs.append((time.perf_counter() - t) * 1e3)
print(f"{sorted(runs)[2]:.1f}")
EOF
)

# 6. scikit-learn.
echo "== scikit-learn (1 thread)" >&2
"$py" scripts/compare_sklearn.py measure --corpus "$corpus" --ngram-range "$ngram" \
  --alpha "$alpha" --tol "$tol" --max-iter "$max_iter" ${stem_cache[@]+"${stem_cache[@]}"} \
  --out "$out/sklearn.json"

# 7. The report.
{
  echo "## stance vs scikit-learn"
  echo
  echo "- command: \`scripts/compare-sklearn.sh${args_seen[*]:+ ${args_seen[*]}}\` ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo "- stance bench: \`stance bench --data $(basename "$corpus") --threads $threads --ngram-range $ngram --format json\` at $commit"
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
    --sklearn "$out/sklearn.json" --stance-time "$out/stance-bench.time" \
    ${train_summary:+--stance-train "$train_summary"} --threads "$threads" \
    --default-load-ms "$default_ms"
  echo
  echo "Ratios are stance / scikit-learn: above 1 is better for MB/s, below 1 is better for s, µs, ms and MB."
  echo "Raw figures: $out/{stance-bench.json,stance-bench.time,sklearn.json${train_summary:+,stance-train-summary.json}}"
} | tee "$out/report.md"
