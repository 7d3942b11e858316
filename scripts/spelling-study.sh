#!/usr/bin/env bash
# The spelling-normaliser study (issue 26, item 5; figures in models/model-card.md, "Spelling
# is not framing"). For each variant, one after the other: cross-validation grouped by source
# and by month with the out-of-domain dev set, on `--preset default`; then a model trained on
# the whole corpus, evaluated on Sputnik 2015-2018 (all russian: its recall) and on
# NYT/Guardian 2022 (all western).
#
#   scripts/spelling-study.sh OUT_DIR [VARIANT...]
#
# VARIANT is none, standard or standard+places (`--spelling`); all three when none is given.
# STANCE_BIN picks the binary (default target/release/stance). Takes 15-20 minutes a variant
# on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/spelling-study.sh OUT_DIR [VARIANT...]}
shift
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(none standard standard+places)
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
echo "== done ($(date -u +%H:%M))"
