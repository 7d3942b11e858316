"""Per-outlet error rates of the pooled out-of-fold predictions (source grouping). usage: pergroup.py NAME..."""
import sys
from run import *
from collections import defaultdict
for name in sys.argv[1:]:
    spec, kw = parse(name); T = tokens(spec)
    oof = np.zeros(len(y))
    for tr, te in GroupKFold(5).split(T['corpus'], y, g_src):
        m = Model(**kw).fit([T['corpus'][i] for i in tr], y[tr]); oof[te] = m.logit([T['corpus'][i] for i in te])
    src = np.array([r['source'] for r in corpus])
    out = {s: round(float(((oof[src == s] > 0) != y[src == s]).mean()), 3) for s in sorted(set(src), key=lambda s: -(src == s).sum())}
    print(name, 'error rate by outlet:', out, flush=True)
