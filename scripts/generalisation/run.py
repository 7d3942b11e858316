"""Run candidates: ./venv/bin/python run.py NAME [NAME ...]   (appends to results.jsonl)
Each candidate: fit on the whole corpus -> dev metrics; then grouped 5-fold CV (source, month)."""
import sys, os, json, time, pickle
import numpy as np
from common import *

# name -> (token spec, model kwargs); token spec = (tokenizer, wire-stop?, ngram)
CANDS = {
    'l1_C1':        (('sk', 0, 1), dict(penalty='l1', C=1)),
    'l1_C3':        (('sk', 0, 1), dict(penalty='l1', C=3)),
    'l1_C10':       (('sk', 0, 1), dict(penalty='l1', C=10)),
    'l2_C1':        (('sk', 0, 1), dict(penalty='l2', solver='lbfgs', C=1, max_iter=2000)),
    'l2_C10':       (('sk', 0, 1), dict(penalty='l2', solver='lbfgs', C=10, max_iter=2000)),
    'en_C3':        (('sk', 0, 1), dict(penalty='elasticnet', solver='saga', l1_ratio=0.5, C=3, max_iter=300, tol=1e-3)),
    'en_C10':       (('sk', 0, 1), dict(penalty='elasticnet', solver='saga', l1_ratio=0.5, C=10, max_iter=300, tol=1e-3)),
}
# variants of the best L1 setting are added by name pattern: L1_<C>_<tok>_<wire>_<ngram>_<norm>[_<c>][_noint]
def parse(name):
    if name in CANDS:
        return CANDS[name]
    p = name.split('_')
    assert p[0] == 'L1', name
    C, tok, wire, ng, norm = float(p[1]), p[2], int(p[3]), int(p[4]), p[5]
    kw = dict(penalty='l1', C=C, norm=norm)
    rest = p[6:]
    if rest and rest[-1] == 'noint':
        kw['fit_intercept'] = False; rest = rest[:-1]
    if rest:
        kw['c'] = float(rest[0])
    return (tok, wire, ng), kw

PROBES = ['Kiev', 'Kyiv', '', 'qwertzuiop xyzzy', 'Donbass', 'Kiev regime', 'Russia']

corpus, dev = load(CORPUS), load(DEV)
y = np.array([r['label'] == 'russian' for r in corpus], dtype=int)
yd = np.array([r['label'] == 'russian' for r in dev], dtype=int)
wcd = np.array([n_words(r['text']) for r in dev])
g_src = [source_group(r) for r in corpus]
g_mon = [month_group(r) for r in corpus]
dev_paras = [paragraphs(r['text']) for r in dev]

_cache = {}
def tokens(spec):
    if spec in _cache:
        return _cache[spec]
    tok, wire, ng = spec
    f = f'{OUT}/cache/{tok}_{wire}_{ng}.pkl'
    if os.path.exists(f):
        _cache[spec] = pickle.load(open(f, 'rb')); return _cache[spec]
    fn = {'sk': tok_sklearn, 'st': tok_stem, 'st2': tok_stem2}[tok]
    ex = {0: frozenset(), 1: WIRE, 2: WIRE | OUTLETS}[wire]
    an = lambda t: ngrams(fn(t, ex), ng)
    out = dict(corpus=[an(r['text']) for r in corpus], dev=[an(r['text']) for r in dev],
               paras=[[an(p) for p in ps] for ps in dev_paras], probes=[an(t) for t in PROBES])
    os.makedirs(f'{OUT}/cache', exist_ok=True)
    pickle.dump(out, open(f, 'wb'))
    _cache[spec] = out
    return out


def run(name, cv=True):
    spec, kw = parse(name)
    T = tokens(spec)
    t0 = time.time()
    m = Model(**kw).fit(T['corpus'], y)
    fit_s = time.time() - t0
    zd = m.logit(T['dev'])
    f1, auc = cls_metrics(yd, zd)
    dw, dr = drift(zd, yd, wcd, 0), drift(zd, yd, wcd, 1)
    flat = [p for ps in T['paras'] for p in ps]
    zp = m.logit(flat)
    agree, i = [], 0
    for d, ps in enumerate(T['paras']):
        agree.append((zp[i:i + len(ps)].mean() > 0) == (zd[d] > 0)); i += len(ps)
    probes = dict(zip(PROBES, map(float, sigmoid(m.logit(T['probes'])))))
    res = dict(name=name, spec=spec, kw=kw, dev_f1=f1, dev_auc=auc,
               drift_w=dw, drift_r=dr, agree=float(np.mean(agree)), nnz=m.nnz(),
               vocab=len(m.vec.vocabulary_), intercept=float(m.clf.intercept_[0]) if m.clf.fit_intercept else 0.0,
               probes=probes, fit_s=fit_s,
               dev_pred_russian=int((zd > 0).sum()))
    print(json.dumps(res), flush=True)
    if cv:
        t0 = time.time()
        res['cv_src'] = grouped_cv(lambda: Model(**kw), T['corpus'], y, g_src)
        res['cv_mon'] = grouped_cv(lambda: Model(**kw), T['corpus'], y, g_mon)
        res['cv_s'] = time.time() - t0
    with open(f'{OUT}/results.jsonl', 'a') as fo:
        fo.write(json.dumps(res) + '\n')
    print(json.dumps(res), flush=True)
    return m, res


if __name__ == '__main__':
    cv = '--nocv' not in sys.argv
    for n in sys.argv[1:]:
        if n != '--nocv':
            run(n, cv)
