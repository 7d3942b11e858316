#!/usr/bin/env bash
# One row of the model-selection table: grouped and random cross-validation of a set of
# training options on the corpus, plus the seed margins of a model trained with them on all of it.
#
#   scripts/experiment.sh NAME [training options...]
#
# Prints: NAME, random macro-F1, source-grouped macro-F1, month-grouped macro-F1,
# source-grouped macro-F1 after Platt scaling fitted on its own out-of-fold predictions,
# source-grouped AUC and ECE, then for each out-of-domain dev set (../shared/devsets/*.jsonl, or
# DEVSETS="a.jsonl b.jsonl") its macro-F1, AUC, length drift per true label (mean p(label) of the
# longest length quarter minus the shortest) and paragraph agreement, then the vocabulary size,
# macro-F1 on the project's own examples (data/examples.jsonl: invented outlets, so unseen by
# construction), and the smallest seed margin (|p - 0.5| on the right side; negative means a seed
# is scored wrong), then each seed's margin. The seeds are a smoke test: never choose by them.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; shift
corpus=${CORPUS:-../shared/corpus/ukraine-media.jsonl}
seeds=${SEEDS:-../shared/seeds}
bin=${STANCE_BIN:-target/release/stance}
[ -x "$bin" ] || cargo build --release -q
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
devsets=${DEVSETS:-$(ls ../shared/devsets/*.jsonl 2>/dev/null || true)}
dev_args=()
for d in $devsets; do dev_args+=(--dev "$d"); done
"$bin" cv --data "$corpus" --folds 5 --group-by none,source,month --format json "${dev_args[@]}" "$@" > "$tmp/cv.json"
"$bin" train --data "$corpus" --out "$tmp/m.json" -q "$@" > "$tmp/train.txt"
examples=$("$bin" eval --model "$tmp/m.json" --data data/examples.jsonl --format json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['macro_f1'], 4))")
vocab=$(sed -n 's/^vocabulary: \([0-9]*\) terms/\1/p' "$tmp/train.txt")
min_margin=1
margins=""
while IFS=$'\t' read -r file _ _ label _; do
  [ "$file" = file ] && continue
  p=$("$bin" score --model "$tmp/m.json" --format jsonl "$seeds/$file" | python3 -c "import json,sys; print(json.load(sys.stdin)['probabilities']['$label'])")
  min_margin=$(python3 -c "print(min($min_margin, $p - 0.5))")
  margins="$margins $(python3 -c "print(f'{$p - 0.5:+.2f}')")"
done < "$seeds/labels.tsv"
python3 - "$tmp/cv.json" "$name" "$vocab" "$min_margin" "$margins" "$examples" <<'PY'
import json, sys
cv = json.load(open(sys.argv[1]))
runs = {r["group_by"]: r["pooled"] for r in cv["runs"]}
cal = {r["group_by"]: r.get("calibrated") for r in cv["runs"]}
src_cal = f'{cal["source"]["pooled"]["macro_f1"]:.4f}' if cal.get("source") else "n/a"
dev = ""
for d in cv.get("dev", []):
    name = d["path"].rsplit("/", 1)[-1].removesuffix(".jsonl")
    drift = " ".join(f'drift_{l["label"]}={l["drift"]:+.3f}' for l in d["drift"])
    dev += (f' dev[{name}]: f1={d["metrics"]["macro_f1"]:.4f} auc={d["metrics"]["roc_auc"]:.4f} '
            f'{drift} para_agree={d["paragraph_agreement"]:.3f}')
print(f'{sys.argv[2]:<28} random={runs["none"]["macro_f1"]:.4f} source={runs["source"]["macro_f1"]:.4f} '
      f'month={runs["month"]["macro_f1"]:.4f} source_calibrated={src_cal} source_auc={runs["source"]["roc_auc"]:.4f} '
      f'source_ece={runs["source"]["ece"]:.4f}{dev} vocab={sys.argv[3]} examples={sys.argv[6]} seed_min_margin={float(sys.argv[4]):.3f} seeds=[{sys.argv[5].strip()}]')
PY
