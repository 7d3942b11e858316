#!/usr/bin/env python3
"""scikit-learn side of scripts/compare-sklearn.sh (issue 5): the same corpus through
TfidfVectorizer + LogisticRegression with settings as close to `stance bench` as scikit-learn
allows, and the comparison table. Run it through the shell script, which makes the virtual
environment, pins every library to one thread and runs `stance bench` in the same run.

Subcommands:
  measure  time scikit-learn on the corpus, write JSON     (single-threaded)
  peak     featurize the corpus once, print peak RSS as JSON (run as a child by `measure`)
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


def stance_objective(X, y01, coef, intercept, alpha, sample_weight):
    """stance's training loss (src/objective.rs), binary case:
    sum_i s_i * logloss_i + alpha/2 * ||w||^2, intercept not penalised."""
    import numpy as np

    z = X @ coef + intercept
    sign = np.where(y01 == 1, -1.0, 1.0)
    ll = np.logaddexp(0.0, sign * z)
    return float(np.dot(sample_weight, ll) + 0.5 * alpha * float(coef @ coef))


def percentile(sorted_values, q):
    # Same rule as src/cli/bench.rs: the element at round((n-1) * q).
    if not sorted_values:
        return 0.0
    return sorted_values[int(round((len(sorted_values) - 1) * q))]


# --------------------------------------------------------------------------------------------
# measure
# --------------------------------------------------------------------------------------------


def cmd_peak(args):
    """Child process: read the corpus, fit_transform once, report peak RSS."""
    _setup(args.stem_cache)
    import numpy  # noqa: F401  (imports count towards the baseline, as in `measure`)
    import sklearn.feature_extraction.text  # noqa: F401

    texts, _ = read_corpus(args.corpus)
    before = maxrss_mb()
    vec = make_vectorizer(args.kind, parse_ngram(args.ngram_range), args.min_df)
    X = vec.fit_transform(texts)
    after = maxrss_mb()
    print(json.dumps({"kind": args.kind, "maxrss_mb": after, "before_fit_mb": before,
                      "nnz": int(X.nnz), "n_features": int(X.shape[1])}))


def fit_lr(X, y, C, tol, max_iter):
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
    vec, X = fitted["stemmed"]

    # Logistic regression on the stemmed features. Labels sorted; the second is positive,
    # as in stance and scikit-learn.
    classes = sorted(set(labels))
    if len(classes) != 2:
        sys.exit(f"compare_sklearn: expected two labels, got {classes}")
    y01 = np.array([1 if label == classes[1] else 0 for label in labels])
    counts = np.bincount(y01, minlength=2)
    sw = len(y01) / (2.0 * counts[y01])  # class_weight="balanced", as src/logistic.rs
    sw_sum = float(sw.sum())
    C = 1.0 / args.alpha
    runs = {}
    # "matched": scikit-learn minimises G = F / sw_sum (see the derivation in the shell
    # script), and stops on max|grad G| <= tol; tol = stance_tol / sw_sum stops on
    # max|grad F| <= stance_tol, which is no stricter than stance's ||grad F||_2 < stance_tol.
    for name, tol in (("matched_tol", args.tol / sw_sum), ("default_tol", 1e-4)):
        clf, seconds, converged = fit_lr(X, labels, C, tol, args.max_iter)
        coef = clf.coef_.ravel()
        b = float(clf.intercept_[0])
        runs[name] = {
            "tol": tol,
            "train_s": seconds,
            "iterations": int(np.max(clf.n_iter_)),
            "converged": converged,
            "final_loss": stance_objective(X, y01, coef, b, args.alpha, sw),
            "sklearn_loss": stance_objective(X, y01, coef, b, args.alpha, sw) / sw_sum,
        }
        if name == "matched_tol":
            model = clf
        log(f"lbfgs {name} (tol {tol:.3g}): {seconds:.2f} s, {runs[name]['iterations']} iterations, "
            f"loss {runs[name]['final_loss']:.6f} (stance units)")
    out["train"] = {"C": C, "alpha": args.alpha, "sample_weight_sum": sw_sum,
                    "max_iter": args.max_iter, **runs}

    # Scoring one article at a time, on the same sample as `stance bench`.
    step = max(len(texts) // max(args.score_sample, 1), 1)
    times = []
    for text in texts[::step]:
        t = time.perf_counter()
        p = model.predict_proba(vec.transform([text]))
        times.append((time.perf_counter() - t) * 1e6)
        del p
    times.sort()
    out["score_n"] = len(times)
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

    # Peak memory of featurizing, in a fresh process so earlier steps do not count.
    child = [sys.executable, os.path.abspath(__file__), "peak", "--corpus", args.corpus,
             "--ngram-range", args.ngram_range, "--min-df", str(args.min_df), "--kind", "stemmed"]
    if not args.stem_cache:
        child.append("--no-stem-cache")
    res = subprocess.run(child, check=True, capture_output=True, text=True)
    out["peak"] = json.loads(res.stdout)
    log(f"featurize peak RSS {out['peak']['maxrss_mb']:.0f} MB")

    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------

BARE_KEYS = ["bare_tokenize_mb_s", "tokenize_bare_mb_s", "bare_tokenizer_mb_s", "bare_mb_s"]
LBFGS_KEYS = ["lbfgs_s", "train_lbfgs_s", "logistic_s", "classifier_s", "train_classifier_s",
              "fit_classifier_s", "optimise_s", "optimize_s", "solver_s"]
LOSS_KEYS = ["final_loss", "train_final_loss", "train_loss", "loss"]
ITER_KEYS = ["iterations", "train_iterations", "lbfgs_iterations"]
PEAK_KEYS = ["featurize_peak_mb", "peak_featurize_mb", "peak_mb", "peak_memory_mb", "peak_rss_mb",
             "max_rss_mb"]
KNOWN = set(BARE_KEYS + LBFGS_KEYS + LOSS_KEYS + ITER_KEYS + PEAK_KEYS + [
    "bytes", "docs", "tokens", "threads", "tokenize_mb_s", "fit_mb_s", "transform_mb_s",
    "fit_transform_mb_s", "train_s", "score_p50_us", "score_p99_us", "model_load_ms",
    "parallel"])


def first(d, keys):
    for k in keys:
        v = d.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return k, float(v)
    return None, None


def fmt(v, digits=2):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
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


def fit_transform_mb_s(d):
    k, v = first(d, ["fit_transform_mb_s"])
    if v is not None:
        return v, False
    f, t = d.get("fit_mb_s"), d.get("transform_mb_s")
    if isinstance(f, (int, float)) and isinstance(t, (int, float)) and f > 0 and t > 0:
        # bench times fit (vocabulary) and transform separately: fit+transform of the same
        # bytes takes 1/fit + 1/transform seconds per MB.
        return 1.0 / (1.0 / f + 1.0 / t), True
    return None, False


def cmd_report(args):
    with open(args.stance) as f:
        st = json.load(f)
    with open(args.sklearn) as f:
        sk = json.load(f)
    par = st.get("parallel") or {}
    n_threads = par.get("threads", args.threads)
    summary = None
    if args.stance_train and os.path.exists(args.stance_train):
        with open(args.stance_train) as f:
            summary = json.load(f)
    peak_rss = None
    if args.stance_time and os.path.exists(args.stance_time):
        with open(args.stance_time) as f:
            m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", f.read())
            if m:
                peak_rss = int(m.group(1)) / 1024.0

    rows = []  # (figure, stance 1, stance N, sklearn, ratio, target, verdict)

    def add(name, s1, sn, skv, r, target, ok):
        rows.append((name, fmt(s1), fmt(sn), fmt(skv), fmt(r), target, verdict(ok)))

    # Bare tokenizer pass.
    bare_key, bare1 = first(st, BARE_KEYS)
    _, baren = first(par, BARE_KEYS)
    tok1, tokn = st.get("tokenize_mb_s"), par.get("tokenize_mb_s")
    if bare_key:
        add(f"bare tokenizer pass, MB/s (`{bare_key}`)", bare1, baren, sk["tokenize_mb_s"],
            ratio(bare1, sk["tokenize_mb_s"]), "-", None)
    if tok1 is not None:
        add("tokenize-only pass (stance: mask+tokenize, no stem), MB/s", tok1, tokn,
            sk["tokenize_mb_s"], ratio(tok1, sk["tokenize_mb_s"]), "-", None)
    if bare1 is None:
        bare1 = tok1

    ft1, derived = fit_transform_mb_s(st)
    ftn, _ = fit_transform_mb_s(par)
    how = " (stance: 1/(1/fit+1/transform))" if derived else ""
    for kind, label in (("stemmed", "sklearn + Snowball stemming"),
                        ("plain", "sklearn plain, no stemming")):
        skv = sk[kind]["fit_transform_mb_s"]
        r = ratio(ft1, skv)
        add(f"fit+transform (1,2) MB/s vs {label}{how}", ft1, ftn, skv, r, ">= 40x",
            None if r is None else r >= 40)
    tr1, trn = st.get("transform_mb_s"), par.get("transform_mb_s")
    skt = sk["stemmed"]["transform_mb_s"]
    rb = ratio(tr1, bare1)
    add("transform MB/s (sklearn: stemmed)", tr1, trn, skt, ratio(tr1, skt),
        f">= 0.5x stance's bare pass (is {fmt(rb)}x)", None if rb is None else rb >= 0.5)
    for name, a, b in (("fit+transform", ft1, ftn), ("transform", tr1, trn)):
        r = ratio(b, a)
        add(f"{n_threads} threads / 1 thread, {name}", 1.0 if a else None, r, None, None,
            ">= 1.8x", None if r is None else r >= 1.8)

    # Training.
    m = sk["train"]["matched_tol"]
    d = sk["train"]["default_tol"]
    lb_key, lb1 = first(st, LBFGS_KEYS)
    _, lbn = first(par, LBFGS_KEYS)
    r = ratio(lb1, m["train_s"])
    add(f"train: L-BFGS only, s (sklearn tol {m['tol']:.3g}, matched)"
        + (f" (`{lb_key}`)" if lb_key else ""), lb1, lbn, m["train_s"], r, "<= 1x",
        None if r is None else r <= 1)
    whole_sk = sk["stemmed"]["fit_transform_s"] + m["train_s"]
    t1, tn = st.get("train_s"), par.get("train_s")
    r = ratio(t1, whole_sk)
    add("train: whole, s (stance `train_s`; sklearn fit_transform + L-BFGS)", t1, tn, whole_sk, r,
        "<= 1x" if lb_key is None else "-", None if (r is None or lb_key) else r <= 1)
    add(f"sklearn L-BFGS at its default tol 1e-4, s ({d['iterations']} iterations)", None, None,
        d["train_s"], None, "-", None)
    loss_key, loss1 = first(st, LOSS_KEYS)
    iters = first(st, ITER_KEYS)[1]
    loss_src = f"`{loss_key}`" if loss_key else None
    if loss1 is None and summary:
        loss1, iters = summary.get("final_loss"), summary.get("iterations")
        loss_src = "`stance train` model summary"
    rl = ratio(loss1, m["final_loss"])
    add("final training loss, stance units (sum s_i*logloss_i + alpha/2*|w|^2)"
        + (f" [stance: {loss_src}]" if loss_src else " [stance: not reported]"),
        loss1, None, m["final_loss"], rl, "same loss (features differ slightly)", None)
    add("L-BFGS iterations", None if iters is None else int(iters), None, int(m["iterations"]),
        ratio(iters, m["iterations"]),
        "-", None)

    # Scoring, loading, memory.
    for key in ("score_p50_us", "score_p99_us"):
        add(f"score one article, {key[6:9]} µs (bench sample of {sk['score_n']})", st.get(key),
            par.get(key), sk[key], ratio(st.get(key), sk[key]), "report", None)
    ml = st.get("model_load_ms")
    add("model load, ms (bench-trained model, from memory; sklearn: unpickle)", ml,
        par.get("model_load_ms"), sk["model_load_ms"], ratio(ml, sk["model_load_ms"]), "< 50 ms",
        None if ml is None else ml < 50)
    if args.default_load_ms is not None:
        add("default model: `stance score` process wall time, ms (load + score, upper bound)",
            args.default_load_ms, None, None, None, "< 50 ms", args.default_load_ms < 50)
    pk_key, pk = first(st, PEAK_KEYS)
    src = f"`{pk_key}`" if pk_key else "whole bench process, /usr/bin/time"
    if pk is None:
        pk = peak_rss
    skp = sk["peak"]["maxrss_mb"]
    r = ratio(pk, skp)
    add(f"peak memory featurizing, MB (stance: {src}; sklearn: fit_transform process)", pk, None,
        skp, r, "< sklearn", None if r is None else r < 1)

    out = []
    out.append("| figure | stance 1 thread | stance %s threads | scikit-learn (1 thread) | stance / sklearn | target | result |"
               % n_threads)
    out.append("|---|---:|---:|---:|---:|---|---|")
    for row in rows:
        out.append("| " + " | ".join(row) + " |")
    print("\n".join(out))
    print()

    notes = []
    notes.append(f"- Corpus as read by both sides: stance {st.get('docs')} docs / {st.get('bytes')} bytes; "
                 f"sklearn {sk['docs']} docs / {sk['bytes']} bytes.")
    notes.append(f"- Tokens: stance {st.get('tokens')} (after masking, stop words, numbers, length); "
                 f"sklearn bare token_pattern {sk['tokens_bare']} (before stop words); "
                 f"stance's policy re-implemented in Python without masking {sk['tokens_filtered']}.")
    nf = summary.get("n_features") if summary else None
    notes.append(f"- Features: sklearn stemmed {sk['stemmed']['n_features']} (nnz {sk['stemmed']['nnz']}), "
                 f"plain {sk['plain']['n_features']}" + (f"; stance {nf}" if nf else "") + ".")
    notes.append("- Masking (outlet names, datelines, URLs, dates, ...) has no scikit-learn equivalent: "
                 "stance pays for it in every featurizer figure, scikit-learn does not.")
    notes.append(f"- sklearn stemming: {sk['settings']['stemmer']}; stop words dropped in the tokenizer "
                 "before stemming, as stance does.")
    tr = sk["train"]
    notes.append(f"- Regularisation: alpha = {tr['alpha']} -> C = 1/alpha = {tr['C']}, class_weight=balanced "
                 f"(sum of weights {tr['sample_weight_sum']:.1f}), lbfgs, max_iter {tr['max_iter']}; "
                 f"sklearn matched tol = stance tol / sum of weights = {m['tol']:.3g} "
                 f"({m['iterations']} iterations, converged: {m['converged']}); "
                 f"at sklearn's default tol 1e-4: {d['iterations']} iterations, loss {d['final_loss']:.6f}.")
    if lb_key is None:
        notes.append("- stance bench reports no L-BFGS-only time: its `train_s` is the whole `train()` "
                     "(vocabulary fit, transform, L-BFGS, a predict pass over every document for the "
                     "uncertainty band, surface forms), so the whole-train row is compared instead.")
    if loss_key is None:
        notes.append("- stance bench reports no final loss" + (
            "; the figure shown comes from a deterministic `stance train` with the same defaults."
            if summary else "."))
    if pk_key is None:
        notes.append("- stance bench's JSON has no peak-memory key: the stance figure is the maximum RSS of "
                     "the whole bench process (1- and N-thread runs, training included), an upper bound "
                     "on featurizing alone.")
    extra = sorted(k for k, v in st.items() if k not in KNOWN and isinstance(v, (int, float)))
    if extra:
        notes.append("- Other stance bench keys: " + ", ".join(f"{k}={fmt(float(st[k]))}" for k in extra))
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
    m.add_argument("--alpha", type=float, default=1.0)
    m.add_argument("--tol", type=float, default=1e-4)
    m.add_argument("--max-iter", type=int, default=500)
    m.add_argument("--score-sample", type=int, default=1000)
    m.add_argument("--out", required=True)
    k = sub.add_parser("peak")
    common(k)
    k.add_argument("--kind", choices=["plain", "stemmed"], default="stemmed")
    r = sub.add_parser("report")
    r.add_argument("--stance", required=True)
    r.add_argument("--sklearn", required=True)
    r.add_argument("--stance-time")
    r.add_argument("--stance-train")
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--default-load-ms", type=float)
    args = p.parse_args()
    {"measure": cmd_measure, "peak": cmd_peak, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
