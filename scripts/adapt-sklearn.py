#!/usr/bin/env python3
"""`stance adapt` against scikit-learn on the same samples (issue 26).

For each corpus, N and seed, draw N texts stratified by label (`stance sample --strategy random
--by label --seed S`, as scripts/adapt-curve.py does), fill in their labels from the corpus, and
score the rest of the corpus with:

- stance base: the default model, as it is;
- stance adapt: `stance adapt` on the sample, strength auto;
- sklearn base: TfidfVectorizer (word 1-2-grams, English stop words, sublinear_tf, min_df 2) and
  LogisticRegression (L2, class_weight balanced, C = 30: the default model's alpha 1/30 mapped
  to C = 1/alpha, see scripts/compare-sklearn.sh), fitted once on ../shared/corpus/ukraine-media
  and cached under the target directory;
- sklearn prior: on the sklearn base's features, the class-weighted log loss plus
  s/2 * ||w - w_base||^2 with the intercept free (scipy L-BFGS), s chosen from stance's own grid
  (1000 .. 0.1) by stratified 5-fold CV on the sample (pooled out-of-fold class-weighted log
  loss); "prior s=10" is the grid's middle, fixed;
- sklearn scratch: TfidfVectorizer (same settings) fitted on the sample and
  LogisticRegressionCV (class_weight balanced, 10 Cs, stratified 5-fold, log loss); "scratch C=1"
  is LogisticRegression's default C.

Metrics on the rest: macro-F1 at each model's own p > 0.5 cut and ROC AUC of p(russian).
Prints two markdown tables (mean ± sd over seeds) and, per corpus and N, whether stance adapt is
at least as good as every sklearn model within the seeds' spread: the mean of the per-seed
differences (adapt - other, same draw) is >= minus their standard deviation. Per-draw figures,
with diagnostics (the best cut's macro-F1, the predicted russian share), go to --json.

Usage: scripts/adapt-sklearn.py [--stance PATH] [--ns 25,50,100,200] [--seeds 1,2,3,4,5]
                                [--corpora dev,extra] [--json PATH] [--cache DIR]
                                [--adapt-args "--base-data CORPUS"]
       scripts/adapt-sklearn.py --tables-from RUN.json... (the tables of earlier runs, merged)

Nothing here writes article text into the repository: the pool, the samples and the rest live
in a temporary directory; the cached sklearn base (a pickle) lives in the target directory.
"""

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(REPO, "..", "shared")
TRAIN = os.path.join(SHARED, "corpus", "ukraine-media.jsonl")
CORPORA = {
    "dev": ("dev (government press)",
            [os.path.join(SHARED, "devsets", "government-press-2021.jsonl")]),
    "extra": ("extra (Sputnik vs NYT/Guardian)",
              [os.path.join(SHARED, "corpus", "extra", "sputnik-2015-2018.jsonl"),
               os.path.join(SHARED, "corpus", "extra", "nyt-guardian-2022.jsonl")]),
}
POSITIVE = "russian"
BASE_C = 30.0  # the default model's alpha 1/30 (models/model-card.md) as C = 1/alpha
PRIOR_GRID = [1000.0, 100.0, 30.0, 10.0, 3.0, 1.0, 0.3, 0.1]  # src/adapt AUTO_STRENGTHS
PRIOR_MIDDLE = 10.0
MODELS = ["stance base", "stance adapt", "sklearn base", "sklearn prior (CV)",
          "sklearn prior s=10", "sklearn scratch (CV)", "sklearn scratch C=1"]


def vectorizer():
    return TfidfVectorizer(ngram_range=(1, 2), stop_words="english", sublinear_tf=True,
                           min_df=2, dtype=np.float64)


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return out.stdout


def read_jsonl(path):
    with open(path, encoding="utf-8-sig") as f:
        return [json.loads(line) for line in f if line.strip()]


# --- scikit-learn models -------------------------------------------------------------------


def sklearn_base(cache_dir):
    """The sklearn base on the training corpus, fitted once and cached by the corpus's hash."""
    h = hashlib.sha256(open(TRAIN, "rb").read()).hexdigest()[:16]
    path = os.path.join(cache_dir, f"adapt-sklearn-base-{h}-C{BASE_C:g}.pkl")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return pickle.load(f)
    rows = read_jsonl(TRAIN)
    vec = vectorizer()
    x = vec.fit_transform([r["text"] for r in rows])
    y = np.array([r["label"] == POSITIVE for r in rows], dtype=int)
    clf = LogisticRegression(C=BASE_C, class_weight="balanced", max_iter=5000).fit(x, y)
    os.makedirs(cache_dir, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        pickle.dump((vec, clf), f)
    os.replace(tmp, path)
    print(f"sklearn base: {x.shape[0]} texts, {x.shape[1]} terms, C {BASE_C:g}; cached in {path}",
          file=sys.stderr)
    return vec, clf


def balanced_weights(y):
    n, pos = len(y), int(y.sum())
    return np.where(y == 1, n / (2.0 * pos), n / (2.0 * (n - pos)))


def fit_prior(x, y, w0, b0, s):
    """Minimise sum_i c_i logloss_i + s/2 ||w - w0||^2 (c_i class weights), intercept free.

    Only the columns the sample uses move: elsewhere the gradient is s (w - w0), zero at w0."""
    cols = np.unique(x.indices)
    xs = x[:, cols].tocsr()
    c = balanced_weights(y)
    w0s = w0[cols]

    def f(theta):
        w, b = theta[:-1], theta[-1]
        z = xs @ w + b
        loss = np.sum(c * (np.logaddexp(0.0, z) - y * z))
        d = w - w0s
        r = c * (expit(z) - y)
        grad = np.append(xs.T @ r + s * d, r.sum())
        return loss + 0.5 * s * d @ d, grad

    theta = minimize(f, np.append(w0s, b0), jac=True, method="L-BFGS-B",
                     options={"maxiter": 2000, "gtol": 1e-8}).x
    w = w0.copy()
    w[cols] = theta[:-1]
    return w, theta[-1]


def folds(y, seed):
    k = min(5, int(y.sum()), int(len(y) - y.sum()))
    return StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)


def prior_cv(x, y, w0, b0, seed):
    """The grid's s with the lowest pooled out-of-fold class-weighted log loss."""
    c = balanced_weights(y)
    best = None
    for s in PRIOR_GRID:
        p = np.empty(len(y))
        for tr, te in folds(y, seed).split(x, y):
            w, b = fit_prior(x[tr], y[tr], w0, b0, s)
            p[te] = expit(x[te] @ w + b)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        loss = -np.sum(c * (y * np.log(p) + (1 - y) * np.log(1 - p)))
        if best is None or loss < best[0]:
            best = (loss, s)
    return best[1]


def scratch_models(texts, y, seed):
    vec = vectorizer()
    x = vec.fit_transform(texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = LogisticRegressionCV(Cs=10, cv=folds(y, seed), class_weight="balanced",
                                  scoring="neg_log_loss", max_iter=5000).fit(x, y)
    plain = LogisticRegression(class_weight="balanced", max_iter=5000).fit(x, y)
    return vec, cv, plain


# --- stance -------------------------------------------------------------------------------


def stance_p(stance, model, data, ids):
    cmd = [stance, "score", data, "--format", "jsonl"]
    if model:
        cmd += ["--model", model]
    got = {}
    for line in run(cmd).splitlines():
        r = json.loads(line)
        probs = r.get("probabilities") or {}
        if POSITIVE in probs:
            got[r["id"]] = probs[POSITIVE]
    missing = [i for i in ids if i not in got]
    if missing:
        sys.exit(f"stance score gave no p({POSITIVE}) for {len(missing)} text(s), e.g. {missing[0]}")
    return np.array([got[i] for i in ids])


# --- one draw -----------------------------------------------------------------------------


def metrics(y, p):
    f1 = f1_score(y, (p > 0.5).astype(int), average="macro", labels=[0, 1], zero_division=0)
    cuts = np.unique(p)
    best = max(f1_score(y, (p >= t).astype(int), average="macro", labels=[0, 1],
                        zero_division=0) for t in cuts[:: max(1, len(cuts) // 400)])
    return {"f1": f1, "auc": roc_auc_score(y, p), "best_cut_f1": best,
            "share": float((p > 0.5).mean())}


def one_draw(args, pool, rows, x_pool, base, n, seed, tmp):
    stance = args.stance
    sample = os.path.join(tmp, "sample.jsonl")
    run([stance, "sample", pool, "--n", str(n), "--by", "label", "--keep", "label,source",
         "--seed", str(seed), "--out", sample])
    drawn = read_jsonl(sample)
    with open(sample, "w") as f:
        for r in drawn:
            r["label"] = r["input_label"]  # the labeller's job, done from the corpus's labels
            f.write(json.dumps(r) + "\n")
    index = {r["id"]: i for i, r in enumerate(rows)}
    s_idx = np.array([index[r["id"]] for r in drawn])
    taken = set(s_idx.tolist())
    r_idx = np.array([i for i in range(len(rows)) if i not in taken])
    rest = os.path.join(tmp, "rest.jsonl")
    with open(rest, "w") as f:
        for i in r_idx:
            f.write(json.dumps(rows[i]) + "\n")
    y_all = np.array([r["label"] == POSITIVE for r in rows], dtype=int)
    ys, yr = y_all[s_idx], y_all[r_idx]
    rest_ids = [rows[i]["id"] for i in r_idx]

    adapted = os.path.join(tmp, "adapted.json")
    log = run([stance, "adapt", "--data", sample, "--out", adapted, "--seed", str(seed)]
              + args.adapt_args.split())
    kept = [line.split()[0] for line in log.splitlines() if line.endswith("<- kept")]

    vec, clf = base
    w0, b0 = clf.coef_[0], clf.intercept_[0]
    xs, xr = x_pool[s_idx], x_pool[r_idx]
    s_cv = prior_cv(xs, ys, w0, b0, seed)
    w_cv, b_cv = fit_prior(xs, ys, w0, b0, s_cv)
    w_mid, b_mid = fit_prior(xs, ys, w0, b0, PRIOR_MIDDLE)
    svec, scv, splain = scratch_models([rows[i]["text"] for i in s_idx], ys, seed)
    xr_s = svec.transform([rows[i]["text"] for i in r_idx])

    p = {
        "stance base": stance_p(stance, None, rest, rest_ids),
        "stance adapt": stance_p(stance, adapted, rest, rest_ids),
        "sklearn base": clf.predict_proba(xr)[:, 1],
        "sklearn prior (CV)": expit(xr @ w_cv + b_cv),
        "sklearn prior s=10": expit(xr @ w_mid + b_mid),
        "sklearn scratch (CV)": scv.predict_proba(xr_s)[:, 1],
        "sklearn scratch C=1": splain.predict_proba(xr_s)[:, 1],
    }
    out = {m: metrics(yr, p[m]) for m in MODELS}
    out["kept"] = kept[0] if kept else "?"
    out["prior_s"] = s_cv
    out["scratch_C"] = float(scv.C_[0])
    out["true_share"] = float(yr.mean())
    out["rest"] = int(len(r_idx))
    out["seed"] = seed
    return out


# --- the tables ---------------------------------------------------------------------------


def cell(runs, model, key):
    v = [r[model][key] for r in runs]
    sd = statistics.stdev(v) if len(v) > 1 else 0.0
    return f"{statistics.mean(v):.3f} ± {sd:.3f}"


def verdict(runs, key):
    """Per sklearn model: mean and sd of (adapt - model) over the seeds, and whether it holds."""
    parts, ok = [], True
    for m in MODELS[2:]:
        d = [r["stance adapt"][key] - r[m][key] for r in runs]
        mean, sd = statistics.mean(d), (statistics.stdev(d) if len(d) > 1 else 0.0)
        if mean < -sd:
            ok = False
            parts.append(f"loses to {m} by {-mean:.3f} (sd {sd:.3f})")
    return ok, parts


def print_tables(results):
    for key, title in (("f1", "macro-F1 at p > 0.5"), ("auc", "ROC AUC")):
        print(f"\n{title} on the rest of the corpus, mean ± sd over seeds:\n")
        print("| corpus | N | " + " | ".join(MODELS) + " |")
        print("|---|---|" + "---|" * len(MODELS))
        for (name, n), runs in results.items():
            print(f"| {name} | {n} | " + " | ".join(cell(runs, m, key) for m in MODELS) + " |")
    print("\nChoices per seed (stance adapt kept; sklearn prior s; sklearn scratch C):\n")
    for (name, n), runs in results.items():
        print(f"- {name}, N = {n}: " + "; ".join(
            f"{r['kept']}, s {r['prior_s']:g}, C {r['scratch_C']:.3g}" for r in runs))
    print("\nstance adapt >= every sklearn model within the seeds' spread "
          "(mean of paired differences >= -their sd):\n")
    for (name, n), runs in results.items():
        line = []
        for key in ("f1", "auc"):
            ok, parts = verdict(runs, key)
            line.append(f"{key.upper()} " + ("yes" if ok else "NO: " + "; ".join(parts)))
        print(f"- {name}, N = {n}: " + ". ".join(line))


def merged(paths):
    """The runs of several --json files by (corpus, N), in corpus then N order, each seed once."""
    by = {}
    for path in paths:
        with open(path) as f:
            for entry in json.load(f):
                runs = by.setdefault((entry["corpus"], entry["n"]), {})
                for r in entry["runs"]:
                    runs.setdefault(r["seed"], r)
    order = [name for name, _ in CORPORA.values()]
    keys = sorted(by, key=lambda k: (order.index(k[0]) if k[0] in order else len(order), k[1]))
    return {k: [by[k][s] for s in sorted(by[k])] for k in keys}


def pool_of(files, tmp, name):
    pool = os.path.join(tmp, "pool.jsonl")
    seen, rows, repeats = set(), [], 0
    for path in files:
        for r in read_jsonl(path):
            if r["id"] in seen:  # `stance sample` refuses repeated ids
                repeats += 1
                continue
            seen.add(r["id"])
            rows.append(r)
    with open(pool, "w") as out:
        for r in rows:
            out.write(json.dumps(r) + "\n")
    if repeats:
        print(f"{name}: {repeats} record(s) with a repeated id left out", file=sys.stderr)
    return pool, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stance", default=os.path.join(REPO, "target", "release", "stance"))
    ap.add_argument("--ns", default="25,50,100,200")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--corpora", default="dev,extra")
    ap.add_argument("--adapt-args", default="",
                    help="more options for `stance adapt`, e.g. \"--base-data CORPUS\"")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    ap.add_argument("--cache", default=target)
    ap.add_argument("--json", default=os.path.join(target, "adapt-sklearn.json"))
    ap.add_argument("--tables-from", nargs="+", metavar="JSON",
                    help="print the tables from the --json files of earlier runs (merged by "
                         "corpus and N, seeds pooled) instead of running")
    args = ap.parse_args()
    if args.tables_from:
        print_tables(merged(args.tables_from))
        return
    ns = [int(x) for x in args.ns.split(",")]
    seeds = [int(x) for x in args.seeds.split(",")]
    base = sklearn_base(args.cache)
    results = {}
    for key in args.corpora.split(","):
        name, files = CORPORA[key]
        with tempfile.TemporaryDirectory() as tmp:
            pool, rows = pool_of(files, tmp, name)
            x_pool = base[0].transform([r["text"] for r in rows])
            for n in ns:
                runs = []
                for s in seeds:
                    runs.append(one_draw(args, pool, rows, x_pool, base, n, s, tmp))
                    print(f"{name} N={n} seed={s}: " + ", ".join(
                        f"{m} {runs[-1][m]['f1']:.3f}/{runs[-1][m]['auc']:.3f}" for m in MODELS)
                        + f"; kept {runs[-1]['kept']}", file=sys.stderr, flush=True)
                results[(name, n)] = runs
                with open(args.json, "w") as f:
                    json.dump([{"corpus": c, "n": k, "runs": v} for (c, k), v in results.items()],
                              f, indent=1)
    print_tables(results)


if __name__ == "__main__":
    main()
