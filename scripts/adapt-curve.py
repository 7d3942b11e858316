#!/usr/bin/env python3
"""Learning curve of `stance adapt` (issue 26): for each corpus, N and seed, draw N texts
stratified by label (`stance sample --strategy random --by label`), adapt the default model to
them (`stance adapt`, strength auto), fit the sample alone (`stance adapt --strength 0`), and
score the rest of the corpus with the default model, the adapted model and the sample-alone
model (`stance eval`). Prints a markdown table of mean and standard deviation over the seeds of
macro-F1 and ROC AUC.

Usage: scripts/adapt-curve.py [--stance PATH] [--ns 25,50,100,200] [--seeds 1,2,3,4,5]
                              [--base-data CORPUS]

With --base-data, `stance adapt` also gets `--base-data CORPUS` (the pooled candidate).

Corpora (read-only, never copied into the repository):
- dev: ../shared/devsets/government-press-2021.jsonl
- extra: ../shared/corpus/extra/ (Sputnik 2015-2018 and NYT/Guardian 2022, one pool)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(REPO, "..", "shared")
CORPORA = {
    "dev (government press)": [os.path.join(SHARED, "devsets", "government-press-2021.jsonl")],
    "extra (Sputnik vs NYT/Guardian)": [
        os.path.join(SHARED, "corpus", "extra", "sputnik-2015-2018.jsonl"),
        os.path.join(SHARED, "corpus", "extra", "nyt-guardian-2022.jsonl"),
    ],
}


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return out.stdout


def evaluate(stance, model, data):
    cmd = [stance, "eval", "--data", data, "--format", "json"]
    if model:
        cmd += ["--model", model]
    m = json.loads(run(cmd))
    m = m.get("metrics", m)
    return m["macro_f1"], m["roc_auc"]


def one_run(stance, pool, n, seed, tmp, base_data=None):
    sample = os.path.join(tmp, "sample.jsonl")
    run([stance, "sample", pool, "--n", str(n), "--by", "label", "--keep", "label,source",
         "--seed", str(seed), "--out", sample])
    rows = [json.loads(line) for line in open(sample)]
    drawn = set()
    with open(sample, "w") as f:
        for r in rows:
            r["label"] = r["input_label"]  # the labeller's job, done from the corpus's labels
            drawn.add(r["id"])
            f.write(json.dumps(r) + "\n")
    rest = os.path.join(tmp, "rest.jsonl")
    with open(pool) as src, open(rest, "w") as dst:
        for line in src:
            if line.strip() and json.loads(line)["id"] not in drawn:
                dst.write(line)
    adapted = os.path.join(tmp, "adapted.json")
    scratch = os.path.join(tmp, "scratch.json")
    extra = ["--base-data", base_data] if base_data else []
    log = run([stance, "adapt", "--data", sample, "--out", adapted, "--seed", str(seed)] + extra)
    kept = [l.split()[0] for l in log.splitlines() if l.endswith("<- kept")]
    run([stance, "adapt", "--data", sample, "--out", scratch, "--strength", "0",
         "--seed", str(seed)])
    return {
        "base": evaluate(stance, None, rest),
        "adapt": evaluate(stance, adapted, rest),
        "scratch": evaluate(stance, scratch, rest),
        "kept": kept[0] if kept else "?",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stance", default=os.path.join(REPO, "target", "release", "stance"))
    ap.add_argument("--ns", default="25,50,100,200")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--base-data", default=None)
    args = ap.parse_args()
    ns = [int(x) for x in args.ns.split(",")]
    seeds = [int(x) for x in args.seeds.split(",")]
    print("| corpus | N | base F1 | adapt F1 | scratch F1 | base AUC | adapt AUC | scratch AUC | kept |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, files in CORPORA.items():
        with tempfile.TemporaryDirectory() as tmp:
            pool = os.path.join(tmp, "pool.jsonl")
            seen, repeats = set(), 0
            with open(pool, "w") as out:
                for path in files:
                    for line in open(path):
                        if not line.strip():
                            continue
                        rid = json.loads(line)["id"]
                        if rid in seen:  # `stance sample` refuses repeated ids
                            repeats += 1
                            continue
                        seen.add(rid)
                        out.write(line)
            if repeats:
                print(f"{name}: {repeats} record(s) with a repeated id left out", file=sys.stderr)
            for n in ns:
                runs = [one_run(args.stance, pool, n, s, tmp, args.base_data) for s in seeds]
                cell = lambda key, i: "{:.3f} ± {:.3f}".format(
                    statistics.mean(r[key][i] for r in runs),
                    statistics.stdev(r[key][i] for r in runs) if len(runs) > 1 else 0.0)
                kept = ", ".join(r["kept"] for r in runs)
                print(f"| {name} | {n} | {cell('base', 0)} | {cell('adapt', 0)} | "
                      f"{cell('scratch', 0)} | {cell('base', 1)} | {cell('adapt', 1)} | "
                      f"{cell('scratch', 1)} | {kept} |", flush=True)


if __name__ == "__main__":
    main()
