"""Shared code for the scikit-learn study that chose the default model's settings. Python only; it reads ../shared and writes nothing in the repository."""
import json, re, time
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer, ENGLISH_STOP_WORDS
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import GroupKFold
import snowballstemmer

import os
_HERE = os.path.dirname(os.path.abspath(__file__))
_SHARED = os.path.join(_HERE, '..', '..', '..', 'shared')
CORPUS = os.path.join(_SHARED, 'corpus', 'ukraine-media.jsonl')
DEV = os.path.join(_SHARED, 'devsets', 'government-press-2021.jsonl')
# Results and feature caches go here (not committed).
OUT = os.environ.get('OUT', os.path.join(_HERE, '..', '..', 'target', 'generalisation'))


def load(path):
    return [json.loads(l) for l in open(path)]


# ---------------------------------------------------------------- paragraphs
SENT_RE = re.compile(r'(?<=[.!?])["\u201d\')]?\s+(?=["\u201c(]?[A-Z0-9])')
WORD_RE = re.compile(r'\w+')


def n_words(t):
    return len(WORD_RE.findall(t))


def paragraphs(text, target=60):
    """Split on newlines (blank or single); a single-line text is cut into groups of
    consecutive sentences of ~60 words (a group is closed once it reaches 60 words)."""
    paras = [p.strip() for p in re.split(r'\n+', text) if p.strip()]
    if len(paras) > 1:
        return paras
    sents = [s for s in SENT_RE.split(text.strip()) if s.strip()]
    groups, cur, cw = [], [], 0
    for s in sents:
        cur.append(s)
        cw += n_words(s)
        if cw >= target:
            groups.append(' '.join(cur)); cur, cw = [], 0
    if cur:
        if groups and cw < target / 3:      # fold a short tail into the previous group
            groups[-1] += ' ' + ' '.join(cur)
        else:
            groups.append(' '.join(cur))
    return groups or [text]


# ---------------------------------------------------------------- tokenisers
SK_TOKEN = re.compile(r'(?u)\b\w\w+\b')     # scikit-learn's default token_pattern
STOP = frozenset(ENGLISH_STOP_WORDS)
# newsroom reporting verbs / wire words (candidate 6)
WIRE = frozenset('''said says say saying noted notes note stressed stresses stress according
stated states explained explains told tells tell added adds reported reports reporting report
statement statements press also spokesperson spokesman spokeswoman spokespeople claimed claims
announced announces commented comments quoted quoting cited citing confirmed confirms
emphasized emphasised underlined pointed remarked insisted asserted wrote writes
reporters reporter journalists interview briefing news agency agencies
'''.split())
# outlet self-names (variant wire=2 = WIRE | OUTLETS)
OUTLETS = frozenset('rt reuters ap afp bbc cnn nbc cbs abc nyt huffpost guardian mail express mirror tass ria novosti'.split())
_stem = snowballstemmer.stemmer('english')


def tok_sklearn(text, extra_stop=frozenset()):
    """Exactly scikit-learn's analyzer for lowercase=True, stop_words='english' (+ extras)."""
    return [t for t in SK_TOKEN.findall(text.lower()) if t not in STOP and t not in extra_stop]


def tok_stem(text, extra_stop=frozenset()):
    """lowercase, regex \\w+, drop English stop words (and extras, before stemming), Snowball stem."""
    ws = [w for w in WORD_RE.findall(text.lower()) if w not in STOP and w not in extra_stop]
    return _stem.stemWords(ws)


def tok_stem2(text, extra_stop=frozenset()):
    """as tok_stem but with scikit-learn's token pattern (tokens of 2+ word characters)."""
    ws = [w for w in SK_TOKEN.findall(text.lower()) if w not in STOP and w not in extra_stop]
    return _stem.stemWords(ws)


def ngrams(toks, n):
    if n == 1:
        return toks
    return toks + [a + ' ' + b for a, b in zip(toks, toks[1:])]


def identity(x):
    return x


# ---------------------------------------------------------------- model
class Model:
    """tf-idf + normalisation + logistic regression over pre-tokenised documents.

    norm: 'l2'      sublinear tf-idf, L2 normalised (sklearn default-ish)
          'l1raw'   raw tf * idf, L1 normalised (article logit = length-weighted mean of paragraphs)
          'shrink'  sublinear tf-idf, x / sqrt(||x||^2 + c^2)
          'shrinkmax' sublinear tf-idf, x / max(||x||, c)
    """

    def __init__(self, penalty='l1', C=3.0, solver='liblinear', l1_ratio=None, norm='l2',
                 c=None, min_df=2, fit_intercept=True, max_iter=1000, tol=1e-4):
        self.kw = dict(penalty=penalty, C=C, solver=solver, l1_ratio=l1_ratio,
                       class_weight='balanced', fit_intercept=fit_intercept,
                       max_iter=max_iter, tol=tol)
        if l1_ratio is None:
            del self.kw['l1_ratio']
        self.norm, self.c, self.min_df = norm, c, min_df

    def _vec(self):
        sub = self.norm != 'l1raw'
        nrm = 'l1' if self.norm == 'l1raw' else ('l2' if self.norm == 'l2' else None)
        return TfidfVectorizer(analyzer=identity, sublinear_tf=sub, min_df=self.min_df, norm=nrm)

    def _post(self, X):
        if self.norm in ('l2', 'l1raw'):
            return X
        nr = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        if self.norm == 'shrink':
            d = np.sqrt(nr ** 2 + self.c ** 2)
        else:
            d = np.maximum(nr, self.c)
        d[d == 0] = 1.0
        return sp.diags(1.0 / d) @ X

    def fit(self, docs, y):
        self.vec = self._vec()
        X = self._post(self.vec.fit_transform(docs))
        self.clf = LogisticRegression(**self.kw)
        self.clf.fit(X, y)
        return self

    def logit(self, docs):
        X = self._post(self.vec.transform(docs))
        return self.clf.decision_function(X)

    def nnz(self):
        return int(np.count_nonzero(self.clf.coef_))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- metrics
def cls_metrics(y, z):
    pred = (z > 0).astype(int)
    return f1_score(y, pred, average='macro'), roc_auc_score(y, z)


def drift(z, y, wc, label):
    """mean p(russian) of the shortest vs the longest word-count quartile, among docs of `label`."""
    m = y == label
    p, w = sigmoid(z[m]), wc[m]
    q1, q3 = np.quantile(w, [0.25, 0.75])
    return float(p[w <= q1].mean()), float(p[w >= q3].mean())


def month_group(r):
    return (r['date'] or 'null')[:7]


def source_group(r):
    # the project's `--group-by source`: outlets are groups; RT (the only russian outlet)
    # cannot be held out whole (a training fold would have one class), so RT is grouped by month
    return 'RT:' + month_group(r) if r['source'] == 'RT' else r['source']


def grouped_cv(make_model, docs, y, groups, k=5):
    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=k).split(docs, y, groups):
        m = make_model().fit([docs[i] for i in tr], y[tr])
        oof[te] = m.logit([docs[i] for i in te])
    return cls_metrics(y, oof)
