#!/usr/bin/env bash
# Scores the five seed documents (texts in ../shared/seeds) with the built binary's default
# model and checks each against the project's manifest (seeds/manifest.tsv): right label, and
# a margin of at least 0.2 from 0.5. Prints one line per seed and exits non-zero on any miss.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-../shared/seeds}
bin=${STANCE_BIN:-target/release/stance}
[ -x "$bin" ] || cargo build --release -q
fail=0; n=0
while IFS=$'\t' read -r file outlet date label; do
  [ "$file" = file ] && continue
  n=$((n + 1))
  line=$("$bin" score --format jsonl "$seeds/$file")
  verdict=$(python3 - "$label" "$line" <<'PY'
import json, sys
want, v = sys.argv[1], json.loads(sys.argv[2])
p = v["probabilities"][want]
ok = v["label"] == want and p - 0.5 >= 0.2
print(f'{"ok  " if ok else "FAIL"} {v["label"]:<8} p({want})={p:.4f} margin={p - 0.5:+.4f}')
PY
)
  echo "$file $verdict"
  case "$verdict" in FAIL*) fail=$((fail + 1));; esac
done < seeds/manifest.tsv
echo "seeds: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
