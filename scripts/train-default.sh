#!/usr/bin/env bash
# Trains the default model, models/default.json, from the bundled corpus with the settings
# chosen by grouped cross-validation (see models/model-card.md).
#
#   scripts/train-default.sh           retrain and replace models/default.json
#   scripts/train-default.sh --check   retrain into a temporary file and check that it is
#                                      byte-identical to the committed models/default.json
#
# The binary embeds models/default.json at build time: after retraining, rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-../shared/corpus/ukraine-media.jsonl}
bin=${STANCE_BIN:-target/release/stance}
[ -x "$bin" ] || cargo build --release -q

# The chosen settings (models/model-card.md, "How the default model was chosen"): sparse (L1)
# logistic regression at alpha 1/30 on whole documents, unstemmed unigrams and bigrams, the
# English stop words plus reporting verbs, wire words and outlet names, no calibration. They
# are `stance train --preset default` (`stance train --help` lists its flags).
FLAGS=(--preset default)

if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  "$bin" train --data "$corpus" --out "$tmp/default.json" -q "${FLAGS[@]}"
  if cmp -s "$tmp/default.json" models/default.json; then
    echo "default model: retrained file is byte-identical to models/default.json ($(wc -c < models/default.json) bytes)"
  else
    echo "default model: retrained file DIFFERS from models/default.json" >&2
    exit 1
  fi
else
  "$bin" train --data "$corpus" --out models/default.json "${FLAGS[@]}"
fi
