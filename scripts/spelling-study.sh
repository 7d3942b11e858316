#!/usr/bin/env bash
# The spelling-normaliser study (issue 26, item 5; figures in models/model-card.md, "Spelling
# is not framing"). For each variant, one after the other: cross-validation grouped by source
# and by month with the out-of-domain dev set, on `--preset default`; then a model trained on
# the whole corpus, evaluated on Sputnik 2015-2018 (all russian: its recall) and on
# NYT/Guardian 2022 (all western).
#
#   scripts/spelling-study.sh OUT_DIR [VARIANT...]
#   scripts/spelling-study.sh OUT_DIR summary     only print the table of what OUT_DIR holds
#
# VARIANT is none, standard or standard+places (`--spelling`); all three when none is given.
# The table follows the runs.
# STANCE_BIN picks the binary (default target/release/stance). Takes 15-20 minutes a variant
# on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/spelling-study.sh OUT_DIR [VARIANT...]}
shift
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(none standard standard+places)
[ "${variants[0]}" = summary ] && variants=()
bin=${STANCE_BIN:-target/release/stance}
shared=../shared
mkdir -p "$out"
for v in "${variants[@]}"; do
  # The `none` variant passes no flag, so that a build without --spelling runs it too.
  flags=(--preset default)
  [ "$v" = none ] || flags+=(--spelling "$v")
  echo "== $v: cv ($(date -u +%H:%M))"
  "$bin" cv --data "$shared/corpus/ukraine-media.jsonl" \
    --dev "$shared/devsets/government-press-2021.jsonl" --folds 5 --group-by source,month \
    "${flags[@]}" --format json >"$out/cv-$v.json"
  echo "== $v: train and eval ($(date -u +%H:%M))"
  "$bin" train --data "$shared/corpus/ukraine-media.jsonl" --out "$out/model-$v.json" -q \
    "${flags[@]}"
  for d in sputnik-2015-2018 nyt-guardian-2022; do
    "$bin" eval --model "$out/model-$v.json" --data "$shared/corpus/extra/$d.jsonl" \
      --format json >"$out/eval-$v-$d.json"
  done
done
[ ${#variants[@]} -eq 0 ] || echo "== done ($(date -u +%H:%M))"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| spelling | source F1 (calibrated) | source AUC | month F1 | month AUC | dev F1 | dev AUC | dev agreement | Sputnik recall | NYT/Guardian recall |")
print("|---|---|---|---|---|---|---|---|---|---|")
for v in ["none", "standard", "standard+places"]:
    path = os.path.join(out, f"cv-{v}.json")
    evals = [os.path.join(out, f"eval-{v}-{d}.json") for d in ("sputnik-2015-2018", "nyt-guardian-2022")]
    if not all(os.path.exists(p) for p in [path, *evals]):
        continue
    cv = json.load(open(path))
    runs = {r["group_by"]: r for r in cv["runs"]}
    src, month = runs["source"], runs["month"]
    dev = cv["dev"][0]
    recall = {}
    for d, label in [("sputnik-2015-2018", "russian"), ("nyt-guardian-2022", "western")]:
        e = json.load(open(os.path.join(out, f"eval-{v}-{d}.json")))
        recall[d] = next(l["recall"] for l in e["per_label"] if l["label"] == label)
    cal = src.get("calibrated") or {}
    print(
        f"| {v} | {src['pooled']['macro_f1']:.4f} ({cal.get('pooled', {}).get('macro_f1', float('nan')):.4f}) "
        f"| {src['pooled']['roc_auc']:.4f} | {month['pooled']['macro_f1']:.4f} | {month['pooled']['roc_auc']:.4f} "
        f"| {dev['metrics']['macro_f1']:.4f} | {dev['metrics']['roc_auc']:.4f} | {dev['paragraph_agreement']:.3f} "
        f"| {recall['sputnik-2015-2018']:.4f} | {recall['nyt-guardian-2022']:.4f} |"
    )
PY
