#!/usr/bin/env python3
"""scikit-learn side of scripts/compare-sklearn.sh: the same corpus through
TfidfVectorizer + LogisticRegression with settings as close to `stance bench` as scikit-learn
allows, LogisticRegression on exactly stance's training matrix (exported by
`stance bench --export-matrix`), and the comparison table. Run it through the shell script,
which makes the virtual environment, pins every library to one thread and runs `stance bench`
in the same run.

Subcommands:
  measure  time scikit-learn on the corpus and on stance's matrix, write JSON (single-threaded)
  peak     fit_transform the corpus once, print its peak RSS as JSON (a child of `measure`)
  l1       fit saga (L1) on the matrix of a `stance bench --penalty l1` run, compare both
           objectives in stance's units, write JSON and print a markdown table
  report   print the markdown comparison from both sides' JSON

Nothing here writes article text anywhere: only figures.
"""

import argparse
import json
import math
import os
import pickle
import platform
import re
import resource
import subprocess
import sys
import time
import warnings

# --------------------------------------------------------------------------------------------
# The tokenizer, as close to src/tokenize.rs as Python's `re` gets.
#
# stance: a word is a run of Unicode alphanumerics (char::is_alphanumeric, so no underscore);
# an apostrophe (' ’ ‘ ʼ ` ′) between a letter and a letter stays inside the word and folds to
# '; a trailing 's is dropped; a word without a letter is a number and is dropped; words under
# 2 characters are dropped; stop words (scikit-learn's English list) are matched on the
# lower-cased word before stemming; then Snowball English stemming. Masking has no equivalent.
# --------------------------------------------------------------------------------------------

APOSTROPHES = "'’‘ʼ`′"
WORD = re.compile(
    r"[^\W_]+(?:(?<=[^\W\d_])[" + APOSTROPHES + r"](?=[^\W\d_])[^\W_]+)*"
)
HAS_LETTER = re.compile(r"[^\W\d_]")
FOLD = str.maketrans({c: "'" for c in APOSTROPHES})

# The plain (no stemming) vectorizer uses scikit-learn's own token_pattern machinery: runs of
# alphanumerics without underscore, 2+ characters, containing a letter (numbers dropped).
# Greedy findall always takes a whole run, so no look-behind is needed.
PLAIN_TOKEN_PATTERN = r"(?=[^\W_]*[^\W\d_])[^\W_]{2,}"

_STEMMER = None
_STEM_CACHE = {}
_USE_CACHE = True
_STOP = frozenset()


def _setup(stem_cache):
    global _STEMMER, _USE_CACHE, _STOP
    import snowballstemmer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    _STEMMER = snowballstemmer.stemmer("english")
    _USE_CACHE = stem_cache
    _STOP = frozenset(ENGLISH_STOP_WORDS)


def words(text):
    """Lower-cased (by the vectorizer's preprocessor), folded, filtered words, not stemmed."""
    out = []
    for w in WORD.findall(text):
        w = w.translate(FOLD)
        if w.endswith("'s"):
            w = w[:-2]
        if len(w.replace("'", "")) < 2 or w in _STOP or not HAS_LETTER.search(w):
            continue
        out.append(w)
    return out


def stemmed_words(text):
    """The tokenizer handed to TfidfVectorizer: words() then Snowball English."""
    ws = words(text)
    if not _USE_CACHE:
        return _STEMMER.stemWords(ws)
    cache = _STEM_CACHE
    out = []
    for w in ws:
        s = cache.get(w)
        if s is None:
            s = cache[w] = _STEMMER.stemWord(w)
        out.append(s)
    return out


def make_vectorizer(kind, ngram, min_df):
    from sklearn.feature_extraction.text import TfidfVectorizer

    common = dict(
        lowercase=True,
        ngram_range=ngram,
        min_df=min_df,
        sublinear_tf=True,
        smooth_idf=True,
        norm="l2",
        dtype=__import__("numpy").float64,
    )
    if kind == "stemmed":
        # Stop words are dropped inside the tokenizer, before stemming, as stance does;
        # scikit-learn's own stop_words would be matched against stems.
        return TfidfVectorizer(tokenizer=stemmed_words, token_pattern=None, stop_words=None, **common)
    return TfidfVectorizer(token_pattern=PLAIN_TOKEN_PATTERN, stop_words="english", **common)


# --------------------------------------------------------------------------------------------
# Corpus and helpers
# --------------------------------------------------------------------------------------------


def read_corpus(path, text_field="text", label_field="label"):
    texts, labels = [], []
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            if not isinstance(d.get(text_field), str):
                sys.exit(f"compare_sklearn: {path}:{n}: no string field {text_field!r}")
            label = (d.get(label_field) or "").strip()
            if not label:
                sys.exit(f"compare_sklearn: {path}:{n}: no label in field {label_field!r}")
            texts.append(d[text_field])
            labels.append(label)
    return texts, labels


def _version(dist):
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # noqa: BLE001 - a missing version is not worth failing for
        return "?"


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def mb_s(nbytes, seconds):
    return nbytes / 1e6 / max(seconds, 1e-9)


def parse_ngram(s):
    for sep in ("..=", "..", "-", ","):
        if sep in s:
            a, b = s.split(sep, 1)
            return int(a), int(b)
    return int(s), int(s)


def stance_objective(X, y01, coef, intercept, alpha, sample_weight, l1_share=0.0):
    """stance's training loss (src/model/objective.rs, src/model/logistic.rs), binary case:
    sum_i s_i * logloss_i + alpha * (l1_share * ||w||_1 + (1 - l1_share)/2 * ||w||^2),
    intercept not penalised (l1_share: 0 for l2, 1 for l1, l1_ratio for elasticnet)."""
    import numpy as np

    z = X @ coef + intercept
    sign = np.where(y01 == 1, -1.0, 1.0)
    ll = np.logaddexp(0.0, sign * z)
    l2 = 0.5 * (1.0 - l1_share) * float(coef @ coef)
    l1 = l1_share * float(np.abs(coef).sum())
    return float(np.dot(sample_weight, ll) + alpha * (l1 + l2))


def stance_gradient(X, y01, coef, intercept, alpha, sample_weight, l1_share=0.0):
    """The gradient of stance_objective's smooth part (all of it when l1_share is 0) with
    respect to (coef, intercept), one flat vector."""
    import numpy as np
    from scipy.special import expit

    r = sample_weight * (expit(X @ coef + intercept) - y01)
    return np.concatenate([X.T @ r + alpha * (1.0 - l1_share) * coef, [r.sum()]])


def stance_pseudo_gradient(X, y01, coef, intercept, alpha, sample_weight, l1_share):
    """The pseudo-gradient OWL-QN stops on (src/model/owlqn.rs `pseudo_gradient`): the
    gradient where |w_j| is differentiable, at w_j = 0 the one-sided derivative that points
    downhill or 0; it is zero exactly at the minimum."""
    import numpy as np

    g = stance_gradient(X, y01, coef, intercept, alpha, sample_weight, l1_share)
    gw, lam = g[:-1], alpha * l1_share
    pg = np.where(coef > 0, gw + lam, np.where(coef < 0, gw - lam, 0.0))
    at_zero = coef == 0
    pg = np.where(at_zero & (gw + lam < 0), gw + lam, pg)
    pg = np.where(at_zero & (gw - lam > 0), gw - lam, pg)
    return np.concatenate([pg, g[-1:]])


def percentile(sorted_values, q):
    # Same rule as src/cli/bench.rs: the element at round((n-1) * q), rounding halves up as
    # Rust's f64::round does (Python's round() rounds them to even).
    if not sorted_values:
        return 0.0
    return sorted_values[int(math.floor((len(sorted_values) - 1) * q + 0.5))]


def score_sample(texts, sample):
    """The articles `stance bench` times one by one: those of 4000 to 6000 bytes (all of them
    if fewer than 20 are), every step-th so that about `sample` remain."""
    band = [t for t in texts if 4000 <= len(t.encode("utf-8")) <= 6000]
    pool = band if len(band) >= 20 else texts
    step = max(len(pool) // max(sample, 1), 1)
    return pool[::step]


def status_mb(key):
    """A line of /proc/self/status in MB (Linux), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def reset_peak_memory():
    """Resets VmHWM to the current RSS (Linux), as src/cli/bench.rs does before its fit."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# measure
# --------------------------------------------------------------------------------------------


def cmd_peak(args):
    """Child process: read the corpus, then fit_transform once with the peak mark reset just
    before it, so the figure is the peak of fit_transform alone (plus what the process already
    held: interpreter, libraries, corpus), measured as stance bench measures its own."""
    _setup(args.stem_cache)
    import numpy  # noqa: F401  (imported before the reset, as in `measure`)
    import sklearn.feature_extraction.text  # noqa: F401

    texts, _ = read_corpus(args.corpus)
    vec = make_vectorizer(args.kind, parse_ngram(args.ngram_range), args.min_df)
    reset = reset_peak_memory()
    start = status_mb("VmRSS:")
    X = vec.fit_transform(texts)
    # Without the reset (not Linux), the process's lifetime peak: an upper bound.
    peak = status_mb("VmHWM:") if reset else maxrss_mb()
    print(json.dumps({"kind": args.kind, "peak_mb": peak, "start_mb": start if reset else None,
                      "reset": reset, "nnz": int(X.nnz), "n_features": int(X.shape[1])}))


def fit_lr(X, y, C, tol, max_iter):
    """LogisticRegression as stance trains: lbfgs, balanced class weights, C = 1/alpha, an
    unpenalised intercept. Times `fit` only."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, class_weight="balanced", solver="lbfgs", tol=tol,
                             max_iter=max_iter, fit_intercept=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        t = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - t
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return clf, seconds, converged


def cmd_measure(args):
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    _setup(args.stem_cache)
    import numpy as np
    import scipy
    import sklearn
    from sklearn.datasets import load_svmlight_file

    ngram = parse_ngram(args.ngram_range)
    texts, labels = read_corpus(args.corpus)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    out = {
        "corpus": os.path.abspath(args.corpus),
        "docs": len(texts),
        "bytes": nbytes,
        "threads": 1,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "scipy": scipy.__version__,
            "numpy": np.__version__,
            "snowballstemmer": _version("snowballstemmer"),
        },
        "settings": {
            "ngram_range": list(ngram),
            "min_df": args.min_df,
            "sublinear_tf": True,
            "smooth_idf": True,
            "norm": "l2",
            "lowercase": True,
            "stem_tokenizer_pattern": WORD.pattern,
            "plain_token_pattern": PLAIN_TOKEN_PATTERN,
            "stop_words": "sklearn ENGLISH_STOP_WORDS (before stemming)",
            "stemmer": "snowballstemmer english"
            + (" (memoised per word)" if args.stem_cache else " (no cache)"),
            "masking": None,
        },
    }

    def log(msg):
        print(f"[sklearn] {msg}", file=sys.stderr, flush=True)

    # Bare tokenizer pass: scikit-learn's preprocessor (lowercase) + token_pattern, no n-grams.
    plain = make_vectorizer("plain", ngram, args.min_df)
    pre, tok = plain.build_preprocessor(), plain.build_tokenizer()
    t = time.perf_counter()
    n_tokens = sum(len(tok(pre(x))) for x in texts)
    s = time.perf_counter() - t
    out["tokenize_s"], out["tokenize_mb_s"], out["tokens_bare"] = s, mb_s(nbytes, s), n_tokens
    # Our tokenizer's policy in Python (untimed), to compare token counts with stance's.
    out["tokens_filtered"] = sum(len(words(x.lower())) for x in texts)
    log(f"bare tokenize {out['tokenize_mb_s']:.2f} MB/s")

    # Featurizer, plain and stemmed: fit_transform (one pass, as scikit-learn does it) and
    # transform alone on the fitted vectorizer.
    fitted = {}
    for kind in ("plain", "stemmed"):
        _STEM_CACHE.clear()
        vec = make_vectorizer(kind, ngram, args.min_df)
        t = time.perf_counter()
        X = vec.fit_transform(texts)
        fit_s = time.perf_counter() - t
        t = time.perf_counter()
        X2 = vec.transform(texts)
        transform_s = time.perf_counter() - t
        assert X2.shape == X.shape
        del X2
        out[kind] = {
            "fit_transform_s": fit_s,
            "fit_transform_mb_s": mb_s(nbytes, fit_s),
            "transform_s": transform_s,
            "transform_mb_s": mb_s(nbytes, transform_s),
            "n_features": int(X.shape[1]),
            "nnz": int(X.nnz),
        }
        fitted[kind] = (vec, X)
        log(f"{kind}: fit_transform {out[kind]['fit_transform_mb_s']:.2f} MB/s, "
            f"transform {out[kind]['transform_mb_s']:.2f} MB/s, {X.shape[1]} features")
    del fitted["plain"]
    vec, X = fitted.pop("stemmed")
    C = 1.0 / args.alpha

    # Training on exactly stance's matrix. Labels there are indices into stance's sorted
    # labels; with two, 1 is the positive class in both libraries.
    Xs, ys = load_svmlight_file(args.matrix, n_features=args.n_features, zero_based=True,
                                dtype=np.float64)
    if Xs.shape[0] != len(texts):
        sys.exit(f"compare_sklearn: {args.matrix} has {Xs.shape[0]} rows for {len(texts)} documents")
    y01 = ys.astype(np.int64)
    if sorted(set(y01.tolist())) != [0, 1] or not np.array_equal(y01, ys):
        sys.exit(f"compare_sklearn: {args.matrix}: expected labels 0 and 1 (a two-label corpus)")
    counts = np.bincount(y01, minlength=2)
    sw = len(y01) / (2.0 * counts[y01])  # class_weight="balanced", as src/logistic.rs
    sw_sum = float(sw.sum())
    runs = {}
    # "matched": scikit-learn minimises G = F / sw_sum (see the derivation in the shell
    # script), and stops on max|grad G| <= tol; tol = stance_tol / sw_sum stops on
    # max|grad F| <= stance_tol, which is no stricter than stance's ||grad F||_2 < stance_tol.
    for name, tol in (("matched_tol", args.tol / sw_sum), ("default_tol", 1e-4)):
        clf, seconds, converged = fit_lr(Xs, y01, C, tol, args.max_iter)
        coef = clf.coef_.ravel()
        b = float(clf.intercept_[0])
        grad = stance_gradient(Xs, y01, coef, b, args.alpha, sw)
        runs[name] = {
            "tol": tol,
            "train_s": seconds,
            "iterations": int(np.max(clf.n_iter_)),
            "converged": converged,
            "final_loss": stance_objective(Xs, y01, coef, b, args.alpha, sw),
            "grad_norm2": float(np.linalg.norm(grad)),
            "grad_max": float(np.max(np.abs(grad))),
        }
        log(f"lbfgs on stance's matrix, {name} (tol {tol:.3g}): {seconds:.2f} s, "
            f"{runs[name]['iterations']} iterations, loss {runs[name]['final_loss']:.6f} "
            f"(stance units), |grad|_2 {runs[name]['grad_norm2']:.2e}")
    out["train"] = {"C": C, "alpha": args.alpha, "stance_tol": args.tol,
                    "sample_weight_sum": sw_sum, "max_iter": args.max_iter,
                    "rows": int(Xs.shape[0]), "n_features": int(Xs.shape[1]),
                    "nnz": int(Xs.nnz), **runs}
    del Xs, ys, clf

    # scikit-learn's own pipeline for scoring and loading: LogisticRegression at its default
    # tol on its own stemmed features (stance's matrix has no scikit-learn vectorizer).
    labels_arr = np.array(labels)
    model, seconds, converged = fit_lr(X, labels_arr, C, 1e-4, args.max_iter)
    out["own_features_train"] = {"tol": 1e-4, "train_s": seconds,
                                 "iterations": int(np.max(model.n_iter_)),
                                 "converged": converged}
    log(f"lbfgs on its own stemmed features (tol 1e-4): {seconds:.2f} s")

    # Scoring one article at a time, on the same sample as `stance bench`.
    sample = score_sample(texts, args.score_sample)
    times = []
    for text in sample:
        t = time.perf_counter()
        p = model.predict_proba(vec.transform([text]))
        times.append((time.perf_counter() - t) * 1e6)
        del p
    times.sort()
    out["score_n"] = len(times)
    out["score_mean_bytes"] = sum(len(t.encode("utf-8")) for t in sample) / max(len(sample), 1)
    out["score_p50_us"] = percentile(times, 0.5)
    out["score_p99_us"] = percentile(times, 0.99)
    log(f"score p50 {out['score_p50_us']:.0f} us, p99 {out['score_p99_us']:.0f} us")

    # Model load: unpickle the fitted vectorizer + classifier from bytes in memory (stance bench
    # parses its model JSON from memory). stop_words_ (every term min_df dropped) is removed
    # first, as scikit-learn's documentation advises for pickling.
    if hasattr(vec, "stop_words_"):
        delattr(vec, "stop_words_")
    blob = pickle.dumps((vec, model), protocol=pickle.HIGHEST_PROTOCOL)
    loads = []
    for _ in range(3):
        t = time.perf_counter()
        obj = pickle.loads(blob)
        loads.append((time.perf_counter() - t) * 1e3)
        del obj
    out["model_load_ms"] = sorted(loads)[1]
    out["model_bytes"] = len(blob)
    log(f"model load {out['model_load_ms']:.1f} ms ({len(blob) / 1e6:.1f} MB pickle)")
    del fitted, vec, X, model

    # Peak memory of fit_transform, in a fresh process so that nothing above counts.
    child = [sys.executable, os.path.abspath(__file__), "peak", "--corpus", args.corpus,
             "--ngram-range", args.ngram_range, "--min-df", str(args.min_df), "--kind", "stemmed"]
    if not args.stem_cache:
        child.append("--no-stem-cache")
    res = subprocess.run(child, check=True, capture_output=True, text=True)
    out["peak"] = json.loads(res.stdout)
    log(f"fit_transform peak RSS {out['peak']['peak_mb']:.0f} MB")

    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


# --------------------------------------------------------------------------------------------
# l1: stance's OWL-QN against scikit-learn's saga on the same matrix, which checks that
# OWL-QN reaches the L1 optimum
# --------------------------------------------------------------------------------------------


def load_matrix(path, n_features):
    """stance's exported matrix and 0/1 labels, with 32-bit indices (saga refuses 64-bit)."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.datasets import load_svmlight_file

    X, y = load_svmlight_file(path, n_features=n_features, zero_based=True, dtype=np.float64)
    X = sp.csr_matrix((X.data, X.indices.astype(np.int32), X.indptr.astype(np.int32)),
                      shape=X.shape)
    y01 = y.astype(np.int64)
    if sorted(set(y01.tolist())) != [0, 1] or not np.array_equal(y01, y):
        sys.exit(f"compare_sklearn: {path}: expected labels 0 and 1 (a two-label corpus)")
    return X, y01


def saga_l1(C, tol, max_iter):
    """LogisticRegression with an L1 penalty by saga, balanced class weights, C = 1/alpha, an
    unpenalised intercept. scikit-learn 1.8 deprecated `penalty` for `l1_ratio=1`."""
    import inspect

    from sklearn.linear_model import LogisticRegression

    common = dict(C=C, class_weight="balanced", solver="saga", tol=tol, max_iter=max_iter,
                  fit_intercept=True)
    default = inspect.signature(LogisticRegression).parameters["penalty"].default
    if default == "deprecated":
        return LogisticRegression(l1_ratio=1.0, **common)
    return LogisticRegression(penalty="l1", **common)


def liblinear_l1(C, tol):
    """LogisticRegression with an L1 penalty by liblinear (newGLMNET), balanced class weights,
    C = 1/alpha. liblinear penalises its intercept (a constant feature of value
    intercept_scaling = 1), so its optimum is never below the unpenalised one stance finds;
    the objective reported is stance's, with the intercept unpenalised."""
    import inspect

    from sklearn.linear_model import LogisticRegression

    common = dict(C=C, class_weight="balanced", solver="liblinear", tol=tol, max_iter=1000,
                  fit_intercept=True)
    if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated":
        return LogisticRegression(l1_ratio=1.0, **common)
    return LogisticRegression(penalty="l1", **common)


def timed_fit(clf, X, y, repeats):
    """Fits `repeats` times; returns the median seconds and the last fit's convergence."""
    from sklearn.exceptions import ConvergenceWarning

    times = []
    for _ in range(repeats):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            t = time.perf_counter()
            clf.fit(X, y)
            times.append(time.perf_counter() - t)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return sorted(times)[len(times) // 2], times, converged


def cmd_l1(args):
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    import numpy as np
    import sklearn
    from sklearn.exceptions import ConvergenceWarning

    with open(args.stance) as f:
        st = json.load(f)
    missing = [k for k in ("alpha", "penalty", "features", "nnz", "docs", "final_loss",
                           "gradient_norm", "converged", "nonzero_weights", "tolerance",
                           "max_iter", "lbfgs_iterations", "train_s") if k not in st]
    if missing:
        sys.exit(f"compare_sklearn: {args.stance} lacks {', '.join(missing)}: it must come "
                 "from `stance bench --extended --format json --penalty l1` of this branch")
    if st["penalty"] != "l1":
        sys.exit(f"compare_sklearn: {args.stance} is a --penalty {st['penalty']} run, not l1")
    alpha = float(st["alpha"])
    C = 1.0 / alpha
    X, y01 = load_matrix(args.matrix, st["features"])
    if X.shape[0] != st["docs"] or X.nnz != st["nnz"]:
        sys.exit(f"compare_sklearn: {args.matrix} is {X.shape[0]} rows with nnz {X.nnz}, "
                 f"but bench trained on {st['docs']} rows with nnz {st['nnz']}")
    counts = np.bincount(y01, minlength=2)
    sw = len(y01) / (2.0 * counts[y01])  # class_weight="balanced", as src/model/logistic.rs

    lib = liblinear_l1(C, args.liblinear_tol)
    lib_s, lib_times, lib_converged = timed_fit(lib, X, y01, args.liblinear_repeat)
    lib_coef, lib_b = lib.coef_.ravel(), float(lib.intercept_[0])
    f_lib = stance_objective(X, y01, lib_coef, lib_b, alpha, sw, l1_share=1.0)
    pg_lib = stance_pseudo_gradient(X, y01, lib_coef, lib_b, alpha, sw, l1_share=1.0)
    liblinear = {"final_loss": f_lib, "nonzero_weights": int(np.count_nonzero(lib_coef)),
                 "converged": lib_converged, "pseudo_gradient_norm": float(np.linalg.norm(pg_lib)),
                 "iterations": int(np.max(lib.n_iter_)), "tol": args.liblinear_tol,
                 "train_s": lib_s, "train_s_all": lib_times}
    if args.no_saga:
        coef, b, seconds, converged, epochs = None, None, float("nan"), False, 0
        f_saga, pg = float("nan"), np.array([float("nan")])
    else:
        clf = saga_l1(C, args.tol, args.max_iter)
        seconds, _, converged = timed_fit(clf, X, y01, 1)
        coef = clf.coef_.ravel()
        b = float(clf.intercept_[0])
        epochs = int(np.max(clf.n_iter_))
        f_saga = stance_objective(X, y01, coef, b, alpha, sw, l1_share=1.0)
        pg = stance_pseudo_gradient(X, y01, coef, b, alpha, sw, l1_share=1.0)
    f_ours = float(st["final_loss"])
    rel = (f_ours - f_saga) / abs(f_saga)
    out = {
        "alpha": alpha, "C": C, "rows": int(X.shape[0]), "n_features": int(X.shape[1]),
        "nnz": int(X.nnz), "sample_weight_sum": float(sw.sum()),
        "scikit-learn": sklearn.__version__,
        "ours": {"final_loss": f_ours, "nonzero_weights": st["nonzero_weights"],
                 "converged": st["converged"], "gradient_norm": st["gradient_norm"],
                 "iterations": st["lbfgs_iterations"], "tol": st["tolerance"],
                 "max_iter": st["max_iter"], "train_s": st["train_s"]},
        "saga": {"final_loss": f_saga,
                 "nonzero_weights": 0 if coef is None else int(np.count_nonzero(coef)),
                 "converged": converged, "pseudo_gradient_norm": float(np.linalg.norm(pg)),
                 "epochs": epochs, "tol": args.tol,
                 "max_iter": args.max_iter, "train_s": seconds},
        "liblinear": liblinear,
        "relative_difference": rel,
        "pass": rel <= args.rel_tol,
        "rel_tol": args.rel_tol,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")

    o, g, ll = out["ours"], out["saga"], liblinear
    rows = [
        ("F = sum s_i*logloss_i + alpha*|w|_1 (stance's units)", f"{f_ours:.10g}",
         f"{f_saga:.10g}", f"{f_lib:.10g}"),
        ("non-zero weights (intercept excluded)", o["nonzero_weights"], g["nonzero_weights"],
         ll["nonzero_weights"]),
        ("converged", str(o["converged"]).lower(), str(converged).lower(),
         str(lib_converged).lower()),
        ("pseudo-gradient L2 norm of F", f"{o['gradient_norm']:.3e}",
         f"{g['pseudo_gradient_norm']:.3e}", f"{ll['pseudo_gradient_norm']:.3e}"),
        ("iterations (stance) / epochs (saga) / Newton iterations (liblinear)", o["iterations"],
         g["epochs"], ll["iterations"]),
        ("stopping rule", f"norm <= {o['tol']:g}, max_iter {o['max_iter']}",
         f"tol {args.tol:g} (max weight change / max weight), max_iter {args.max_iter}",
         f"tol {args.liblinear_tol:g} (liblinear's relative violation)"),
        ("fit, s (1 thread; liblinear: median of "
         f"{args.liblinear_repeat})", f"{o['train_s']:.2f}", f"{seconds:.1f}",
         f"{lib_s:.2f} ({', '.join(f'{t:.2f}' for t in lib_times)})"),
    ]
    print(f"| L1, alpha = {alpha:g} (C = {C:g}), {X.shape[0]} x {X.shape[1]}, nnz {X.nnz} "
          f"| stance {st.get('solver') or 'bench'} | scikit-learn saga | scikit-learn liblinear |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |")
    print()
    print(f"stance / liblinear: time {o['train_s'] / lib_s:.3f}, objective "
          f"{(f_ours - f_lib) / abs(f_lib):+.3e} relative (negative: stance's is lower)")
    if args.no_saga:
        return
    if rel <= -args.rel_tol:
        how = "pass: ours is lower than saga's (saga stopped short of the minimum)"
    elif abs(rel) <= args.rel_tol:
        how = "pass"
    else:
        how = "**miss**"
    print(f"(F_ours - F_saga) / |F_saga| = {rel:+.3e}; target |.| <= {args.rel_tol:g} "
          f"(or ours lower): {how}")


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------

# What `stance bench --extended --format json` reports, for each run.
STANCE_KEYS = ["bytes", "docs", "tokens", "threads", "tokenize_mb_s", "fit_mb_s",
               "transform_mb_s", "train_s", "score_p50_us", "score_p99_us", "model_load_ms",
               "mask_mb_s", "fit_transform_mb_s", "featurize_peak_mb", "featurize_start_mb",
               "features", "nnz", "lbfgs_iterations", "final_loss", "lbfgs_converged",
               "train_all_s", "score_articles", "score_article_mean_bytes",
               "trained_model_load_ms", "alpha", "tolerance", "max_iter"]


def fmt(v, digits=2):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) >= 10):
        return f"{int(v):,}"
    if v != 0 and abs(v) < 0.01:
        return f"{v:.2e}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def verdict(ok):
    if ok is None:
        return "n/a"
    return "pass" if ok else "**miss**"


def check_stance(d, where):
    missing = [k for k in STANCE_KEYS if k not in d]
    if missing:
        sys.exit(f"compare_sklearn: stance bench JSON ({where}) lacks {', '.join(missing)}: "
                 "it must come from `stance bench --extended --format json` of this branch")


def cmd_report(args):
    with open(args.stance) as f:
        st = json.load(f)
    with open(args.sklearn) as f:
        sk = json.load(f)
    par = st.get("parallel") or {}
    check_stance(st, "one thread")
    check_stance(par, "parallel")
    n = par["threads"]

    rows = []  # (figure, stance 1, stance N, sklearn, ratio, target, verdict)

    def add(name, s1, sn, skv, r, target="-", ok=None):
        rows.append((name, fmt(s1), fmt(sn), fmt(skv), fmt(r), target, verdict(ok)))

    # Featurizing.
    add("bare tokenizer pass, MB/s (stance: no masking, no stemming; sklearn: lowercase + "
        "token_pattern)", st["tokenize_mb_s"], par["tokenize_mb_s"], sk["tokenize_mb_s"],
        ratio(st["tokenize_mb_s"], sk["tokenize_mb_s"]))
    add("masking alone, MB/s (no scikit-learn equivalent)", st["mask_mb_s"], par["mask_mb_s"],
        None, None)
    ng = "..".join(str(x) for x in sk["settings"]["ngram_range"])
    ft1, ftn = st["fit_transform_mb_s"], par["fit_transform_mb_s"]
    for kind, label in (("stemmed", "sklearn + Snowball stemming"),
                        ("plain", "sklearn plain, no stemming")):
        skv = sk[kind]["fit_transform_mb_s"]
        r = ratio(ft1, skv)
        add(f"fit+transform ({ng}) in one pass, MB/s, vs {label}", ft1, ftn, skv, r, ">= 40x",
            None if r is None else r >= 40)
    tr1, trn = st["transform_mb_s"], par["transform_mb_s"]
    rb = ratio(tr1, st["tokenize_mb_s"])
    add("transform, MB/s (sklearn: stemmed)", tr1, trn, sk["stemmed"]["transform_mb_s"],
        ratio(tr1, sk["stemmed"]["transform_mb_s"]),
        f">= 0.5x stance's bare tokenizer pass (is {fmt(rb)}x)", None if rb is None else rb >= 0.5)
    for name, a, b in (("fit+transform", ft1, ftn), ("transform", tr1, trn)):
        r = ratio(b, a)
        add(f"{n} threads / 1 thread, {name}", 1.0, r, None, None, ">= 1.8x",
            None if r is None else r >= 1.8)

    # Training, on the same matrix.
    tr = sk["train"]
    m, d = tr["matched_tol"], tr["default_tol"]
    r = ratio(st["train_s"], m["train_s"])
    add(f"train: L-BFGS on stance's matrix, s (sklearn `fit`, tol {m['tol']:.3g}, matched)",
        st["train_s"], par["train_s"], m["train_s"], r, "<= 1x at the same loss",
        None if r is None else r <= 1)
    add("train: L-BFGS on stance's matrix, s (sklearn `fit`, default tol 1e-4)",
        st["train_s"], par["train_s"], d["train_s"], ratio(st["train_s"], d["train_s"]))

    def rel(a, b):
        return f"stance - sklearn = {(a - b) / abs(b):+.2e} relative"

    for run, label in ((m, "matched tol"), (d, "default tol")):
        add(f"final loss F = sum s_i*logloss_i + alpha/2*|w|^2 (sklearn: {label})",
            f"{st['final_loss']:.6f}", f"{par['final_loss']:.6f}", f"{run['final_loss']:.6f}",
            None, rel(st["final_loss"], run["final_loss"]))
    add("L-BFGS iterations (sklearn: matched tol)", st["lbfgs_iterations"],
        par["lbfgs_iterations"], m["iterations"], ratio(st["lbfgs_iterations"], m["iterations"]))
    own = sk["own_features_train"]
    whole_sk = sk["stemmed"]["fit_transform_s"] + own["train_s"]
    add("whole train, s (stance `train`; sklearn: stemmed fit_transform + `fit` at default tol "
        "on its own features)", st["train_all_s"], par["train_all_s"], whole_sk,
        ratio(st["train_all_s"], whole_sk))

    # Scoring, loading, memory.
    for key, q in (("score_p50_us", "p50"), ("score_p99_us", "p99")):
        add(f"score one article (bench's 4-6 KB sample), {q}, µs", st[key], par[key], sk[key],
            ratio(st[key], sk[key]), "report")
    ml = st["model_load_ms"]
    add("model load, ms (stance: built-in default model; sklearn: unpickle vectorizer + "
        "classifier trained here)", ml, par["model_load_ms"], sk["model_load_ms"],
        ratio(ml, sk["model_load_ms"]), "< 50 ms", ml < 50)
    add("model load, ms (stance: the model bench trained, from memory; sklearn: same unpickle)",
        st["trained_model_load_ms"], par["trained_model_load_ms"], sk["model_load_ms"],
        ratio(st["trained_model_load_ms"], sk["model_load_ms"]))
    pk = sk["peak"]
    r = ratio(st["featurize_peak_mb"], pk["peak_mb"])
    add("peak memory during fit+transform, MB (VmHWM, reset just before the fit)",
        st["featurize_peak_mb"], par["featurize_peak_mb"], pk["peak_mb"], r, "< sklearn",
        None if (r is None or st["featurize_peak_mb"] == 0) else r < 1)
    if pk.get("start_mb") is not None and st["featurize_start_mb"] > 0:
        g1 = st["featurize_peak_mb"] - st["featurize_start_mb"]
        gn = par["featurize_peak_mb"] - par["featurize_start_mb"]
        gs = pk["peak_mb"] - pk["start_mb"]
        add("growth during fit+transform, MB (that peak - resident memory at the reset)",
            g1, gn, gs, ratio(g1, gs))

    out = ["| figure | stance 1 thread | stance %s threads | scikit-learn (1 thread) | "
           "stance / sklearn | target | result |" % n,
           "|---|---:|---:|---:|---:|---|---|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    print("\n".join(out))
    print()

    notes = [
        f"- Corpus as read by both sides: stance {st['docs']} docs / {st['bytes']} bytes; "
        f"sklearn {sk['docs']} docs / {sk['bytes']} bytes.",
        f"- Tokens: stance {st['tokens']} (bare tokenizer pass); sklearn bare token_pattern "
        f"{sk['tokens_bare']}; stance's word policy re-implemented in Python (stop words, "
        f"numbers, length; no masking) {sk['tokens_filtered']}.",
        f"- Features: stance {st['features']} (nnz {st['nnz']}); sklearn stemmed "
        f"{sk['stemmed']['n_features']} (nnz {sk['stemmed']['nnz']}), plain "
        f"{sk['plain']['n_features']} (nnz {sk['plain']['nnz']}).",
        "- Masking (outlet names, datelines, URLs, dates, ...) has no scikit-learn equivalent: "
        "stance pays for it in every featurizer figure except the bare tokenizer pass, "
        "scikit-learn does not.",
        f"- sklearn stemming: {sk['settings']['stemmer']}; stop words dropped in the tokenizer "
        "before stemming, as stance does.",
        f"- Training rows: both sides train on stance's own matrix (`stance bench --export-matrix`, "
        f"svmlight, values round-trip exactly), loaded by sklearn as {tr['rows']} x "
        f"{tr['n_features']} with nnz {tr['nnz']} (stance: {st['docs']} x {st['features']}, "
        f"nnz {st['nnz']}). stance's `train_s` is `LogisticParams::fit` alone, 1 thread in the "
        "first column; sklearn's is `LogisticRegression.fit` alone.",
        f"- Regularisation: alpha = {tr['alpha']} -> C = 1/alpha = {tr['C']}, "
        f"class_weight=balanced (sum of weights S = {tr['sample_weight_sum']:.1f}), lbfgs "
        f"(10 corrections both), max_iter {tr['max_iter']}, intercept unpenalised.",
        f"- Stopping: stance stops when |grad F|_2 < {st['tolerance']:g} "
        f"({st['lbfgs_iterations']} iterations, converged: {str(st['lbfgs_converged']).lower()}). "
        f"sklearn minimises F/S and stops when max|grad (F/S)| <= tol (or its relative decrease "
        f"falls below 64 machine epsilons): matched tol = {st['tolerance']:g} / S = {m['tol']:.3g} "
        f"means max|grad F| <= {st['tolerance']:g}, never stricter than stance's rule. "
        f"At sklearn's solutions, in F's units: matched tol {m['iterations']} iterations, "
        f"|grad F|_2 = {m['grad_norm2']:.2e}, max|grad F| = {m['grad_max']:.2e}, converged: "
        f"{str(m['converged']).lower()}; default tol {d['iterations']} iterations, "
        f"|grad F|_2 = {d['grad_norm2']:.2e}, max|grad F| = {d['grad_max']:.2e}.",
        f"- sklearn's own pipeline (scoring and model load): LogisticRegression at tol 1e-4 on "
        f"its stemmed features, {own['iterations']} iterations, {own['train_s']:.2f} s; "
        f"pickle {sk['model_bytes'] / 1e6:.1f} MB.",
        f"- Scoring: stance {st['score_articles']} articles of {st['score_article_mean_bytes']:.0f} "
        f"bytes on average, sklearn {sk['score_n']} of {sk['score_mean_bytes']:.0f} (same rule: "
        "the 4000-6000 byte band, evenly sampled); sklearn times `transform` + `predict_proba`.",
        f"- Memory: stance's figure is its bench process's VmHWM, reset before "
        f"`FeaturizerParams::fit` (resident then: {st['featurize_start_mb']:.0f} MB at 1 thread, "
        f"{par['featurize_start_mb']:.0f} MB at {n}, the corpus included; the {n}-thread run's "
        "includes what the allocator kept from the one-thread run, so its growth figure "
        "understates). sklearn's is a fresh "
        "process's VmHWM, reset after reading the corpus and importing scikit-learn, just before "
        f"`fit_transform` (resident then: {fmt(pk.get('start_mb'))} MB)"
        + ("" if pk.get("reset") else "; the reset failed, so that figure is the lifetime peak")
        + ".",
    ]
    print("\n".join(notes))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(q):
        q.add_argument("--corpus", required=True)
        q.add_argument("--ngram-range", default="1..2")
        q.add_argument("--min-df", type=int, default=2)
        q.add_argument("--no-stem-cache", dest="stem_cache", action="store_false")

    m = sub.add_parser("measure")
    common(m)
    m.add_argument("--matrix", required=True,
                   help="stance's training matrix, from `stance bench --export-matrix`")
    m.add_argument("--n-features", type=int, required=True,
                   help="its number of columns (bench's `features`)")
    m.add_argument("--alpha", type=float, required=True)
    m.add_argument("--tol", type=float, required=True, help="stance's gradient tolerance")
    m.add_argument("--max-iter", type=int, required=True)
    m.add_argument("--score-sample", type=int, default=1000)
    m.add_argument("--out", required=True)
    k = sub.add_parser("peak")
    common(k)
    k.add_argument("--kind", choices=["plain", "stemmed"], default="stemmed")
    l1 = sub.add_parser("l1", help="stance's L1 objective against saga's on stance's matrix")
    l1.add_argument("--matrix", required=True,
                    help="the matrix of that run, from `stance bench --export-matrix`")
    l1.add_argument("--stance", required=True,
                    help="`stance bench --extended --format json --penalty l1` output")
    l1.add_argument("--tol", type=float, default=1e-8, help="saga's tol")
    l1.add_argument("--max-iter", type=int, default=100000, help="saga's max_iter (epochs)")
    l1.add_argument("--liblinear-tol", type=float, default=1e-4, help="liblinear's tol")
    l1.add_argument("--liblinear-repeat", type=int, default=3,
                    help="liblinear fits timed (the median is reported)")
    l1.add_argument("--no-saga", action="store_true", help="skip saga (minutes at a tight tol)")
    l1.add_argument("--rel-tol", type=float, default=1e-6,
                    help="pass when (F_ours - F_saga) / |F_saga| is at most this")
    l1.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("--stance", required=True)
    r.add_argument("--sklearn", required=True)
    args = p.parse_args()
    {"measure": cmd_measure, "peak": cmd_peak, "l1": cmd_l1, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
