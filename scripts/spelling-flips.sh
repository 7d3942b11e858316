#!/usr/bin/env bash
# The spelling-pair flip test (issue 26, item 5; figures in models/model-card.md): scores each
# sentence in two spellings with each MODEL and prints p(russian) for both and |delta p|, then
# the largest |delta p| over the spelling pairs and over the place-name pairs. The sentences
# were written for this test.
#
#   scripts/spelling-flips.sh MODEL...      (`default` for the built-in model)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${STANCE_BIN:-target/release/stance}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# kind|sentence with {A/B}: two spellings of one word.
pairs=(
  "spelling|Foreign Minister {Sergey/Sergei} Lavrov said NATO wants to fight Russia to the last Ukrainian."
  "spelling|The Russian {Defence/Defense} Ministry said its forces destroyed a weapons depot."
  "spelling|Kremlin spokesman {Dmitry/Dmitri} Peskov said the talks had stalled."
  "spelling|{Andrey/Andrei} Rudenko, the deputy foreign minister, met the ambassador."
  "places|President {Zelensky/Zelenskyy} asked Western allies for more weapons."
  "spelling|{Alexey/Alexei} Navalny was moved to a prison colony."
  "spelling|{Yury/Yuri} Ushakov, a Kremlin aide, said the call lasted an hour."
  "spelling|{Nikolay/Nikolai} Patrushev chaired a meeting of the Security Council."
  "spelling|{Mariya/Maria} Zakharova accused London of hypocrisy."
  "spelling|Minister {Shoygu/Shoigu} inspected the troops in the south."
  "spelling|The government announced a new weapons {programme/program}."
  "spelling|The bank paid 300 million {roubles/rubles} in fines."
  "spelling|The {organisation/organization} said the sanctions were illegal."
  "spelling|The shell landed 50 {metres/meters} from the reactor."
  "spelling|Ukraine faces a {labour/labor} shortage."
  "spelling|Exports of grain and {fertilisers/fertilizers} resumed from the ports."
  "spelling|Commentator Mikhail {Leontyev/Leontiev} criticised the decision."
  "places|Officials in {Kiev/Kyiv} said the city was quiet overnight."
  "places|Fighting continued in the {Donbass/Donbas} region."
  "places|The {Zaporozhye/Zaporizhzhia} nuclear plant lost power again."
  "places|Shelling was reported in {Lugansk/Luhansk} and {Kharkov/Kharkiv}."
  "places|Grain ships left {Odessa/Odesa} on Monday."
)
: >"$tmp/in.jsonl"
i=0
for p in "${pairs[@]}"; do
  s=${p#*|}
  a=$(sed -E 's/\{([^/}]*)\/[^}]*\}/\1/g' <<<"$s")
  b=$(sed -E 's/\{[^/}]*\/([^}]*)\}/\1/g' <<<"$s")
  printf '{"id":"%da","text":"%s"}\n{"id":"%db","text":"%s"}\n' "$i" "$a" "$i" "$b" >>"$tmp/in.jsonl"
  i=$((i + 1))
done
for model in "$@"; do
  args=()
  [ "$model" = default ] || args=(--model "$model")
  "$bin" score "${args[@]}" --format jsonl "$tmp/in.jsonl" >"$tmp/out.jsonl"
  echo "== $model"
  python3 - "$tmp/out.jsonl" "${pairs[@]}" <<'PY'
import json, sys
rows = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
worst = {}
for i, p in enumerate(sys.argv[2:]):
    kind, sentence = p.split("|", 1)
    a, b = (rows[f"{i}{s}"]["probabilities"]["russian"] for s in "ab")
    flags = "".join("u" if rows[f"{i}{s}"]["uncertain"] else "c" for s in "ab")
    d = abs(a - b)
    worst[kind] = max(worst.get(kind, 0.0), d)
    print(f"{kind:8} {a:6.3f} {b:6.3f} |d| {d:6.3f} {flags}  {sentence}")
for kind, d in worst.items():
    print(f"max |delta p(russian)| over {kind} pairs: {d:.3f}")
PY
done
