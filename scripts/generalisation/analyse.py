"""Top weights of a candidate, and how much the dev result depends on kiev/kyiv.
usage: analyse.py NAME [NAME...]"""
import sys
from run import *
for name in sys.argv[1:]:
    spec, kw = parse(name); T = tokens(spec)
    m = Model(**kw).fit(T['corpus'], y)
    w = m.clf.coef_[0]; inv = {i: t for t, i in m.vec.vocabulary_.items()}
    o = np.argsort(w)
    print(f'== {name}: intercept {m.clf.intercept_[0]:.3f}, nnz {m.nnz()}')
    print('top +30 (russian):', ', '.join(f'{inv[i]} {w[i]:.1f}' for i in o[::-1][:30]))
    print('top -30 (western):', ', '.join(f'{inv[i]} {w[i]:.1f}' for i in o[:30]))
    zd = m.logit(T['dev'])
    # zero the spelling-marker columns (all features containing kiev/kyiv) and rescore
    cols = [i for t, i in m.vec.vocabulary_.items() if 'kiev' in t or 'kyiv' in t]
    saved = m.clf.coef_[0, cols].copy(); m.clf.coef_[0, cols] = 0
    zd0 = m.logit(T['dev']); m.clf.coef_[0, cols] = saved
    print('dev F1/AUC:', np.round(cls_metrics(yd, zd), 3), ' with kiev/kyiv weights zeroed:', np.round(cls_metrics(yd, zd0), 3),
          ' predicted russian:', int((zd > 0).sum()), '->', int((zd0 > 0).sum()))
    # share of dev docs containing the markers
    has = lambda t: np.array([t in d for d in T['dev']])
    print('dev docs with kiev: russian %d/54 western %d/348; with kyiv: russian %d/54 western %d/348' % (
        has('kiev')[yd == 1].sum(), has('kiev')[yd == 0].sum(), has('kyiv')[yd == 1].sum(), has('kyiv')[yd == 0].sum()))
    # corpus-level share of |contribution| carried by the marker features
    X = m._post(m.vec.transform(T['corpus']))
    contrib = abs(X.multiply(w)).sum(axis=1).A.ravel()
    mk = abs(X[:, cols].multiply(w[cols])).sum(axis=1).A.ravel()
    print('share of |w.x| from kiev/kyiv features: corpus mean %.3f, dev mean %.3f' % (
        (mk / np.maximum(contrib, 1e-12)).mean(),
        (lambda Xd: (abs(Xd[:, cols].multiply(w[cols])).sum(1).A.ravel() / np.maximum(abs(Xd.multiply(w)).sum(1).A.ravel(), 1e-12)).mean())(m._post(m.vec.transform(T['dev'])))))
    print(flush=True)
