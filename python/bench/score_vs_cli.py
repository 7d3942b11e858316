"""The cost of scoring from Python against `stance score`, on the same articles and threads.

    python bench/score_vs_cli.py ARTICLES.jsonl --bin target/release/stance --threads 2 --rounds 5

Alternates runs (the machine may be shared, so single timings mean little) and prints each
round's times and the ratio Python / CLI, then the median ratio. Measured:
- cli: `stance score --format jsonl --threads N ARTICLES > /dev/null`, a whole process: it parses
  the built-in model, reads and parses the JSON Lines, scores and writes JSON;
- score: `model.score(texts, threads=N)` on texts already in memory, to the list of dicts;
- predict_proba: `model.predict_proba(texts, threads=N)`, to the NumPy array;
- end-to-end: what a script does from nothing: `Model.default()` in a fresh process, reading and
  parsing the JSON Lines with `json`, then `model.score` (run as a subprocess, like the CLI).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import stance

END_TO_END = """
import json, sys, stance
model = stance.Model.default()
with open(sys.argv[1], encoding="utf-8") as f:
    records = [json.loads(line) for line in f]
out = model.score([r["text"] for r in records], ids=[r["id"] for r in records], threads=int(sys.argv[2]))
assert len(out) == len(records)
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("articles")
    parser.add_argument("--bin", default="target/release/stance")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with open(args.articles, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    texts = [r["text"] for r in records]
    ids = [r["id"] for r in records]
    model = stance.Model.default()
    model.score(texts[:100], threads=args.threads)  # warm up

    def cli() -> float:
        start = time.perf_counter()
        with open("/dev/null", "wb") as null:
            subprocess.run([args.bin, "score", "--format", "jsonl", "--threads", str(args.threads), args.articles],
                           stdout=null, check=True)
        return time.perf_counter() - start

    def score() -> float:
        start = time.perf_counter()
        out = model.score(texts, ids=ids, threads=args.threads)
        assert len(out) == len(texts)
        return time.perf_counter() - start

    def proba() -> float:
        start = time.perf_counter()
        p = model.predict_proba(texts, threads=args.threads)
        assert p.shape[0] == len(texts)
        return time.perf_counter() - start

    def end_to_end() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", END_TO_END, args.articles, str(args.threads)], check=True)
        return time.perf_counter() - start

    ratios = {"score": [], "predict_proba": [], "end-to-end": []}
    print(f"{len(texts)} articles, {args.threads} threads, {args.rounds} rounds")
    for r in range(args.rounds):
        # Alternate: CLI, Python, CLI, ... and compare each Python run with the CLI run next to it.
        c1 = cli()
        s = score()
        c2 = cli()
        p = proba()
        c3 = cli()
        e = end_to_end()
        c4 = cli()
        ratios["score"].append(s / ((c1 + c2) / 2))
        ratios["predict_proba"].append(p / ((c2 + c3) / 2))
        ratios["end-to-end"].append(e / ((c3 + c4) / 2))
        print(f"round {r + 1}: cli {c1:.2f} {c2:.2f} {c3:.2f} {c4:.2f} s; score {s:.2f} s, "
              f"predict_proba {p:.2f} s, end-to-end {e:.2f} s")
    for name, values in ratios.items():
        print(f"{name} / cli: median {statistics.median(values):.3f} "
              f"(rounds: {', '.join(f'{v:.3f}' for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
