"""results.jsonl -> markdown table (last entry per name)."""
import json
from common import OUT
rows = {}
for l in open(f'{OUT}/results.jsonl'):
    r = json.loads(l); rows[r['name']] = r
def meets(r):
    return r['dev_f1'] >= .88 and r['dev_auc'] >= .95 and abs(r['drift_w'][1] - r['drift_w'][0]) <= .15 and r['agree'] >= .9
print('| candidate | dev F1 | dev AUC | drift W (Q1→Q4) | drift R (Q1→Q4) | para agree | nnz | src-CV F1 / AUC | month-CV F1 / AUC | p("Kiev") / p("Kyiv") / p("") | meets dev targets |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for n, r in rows.items():
    cs = r.get('cv_src'); cm = r.get('cv_mon')
    f = lambda v: f'{v[0]:.3f} / {v[1]:.3f}' if v else 'n/a (no CV)'
    p = r['probes']
    print(f"| {n} | {r['dev_f1']:.3f} | {r['dev_auc']:.3f} | {r['drift_w'][0]:.3f}→{r['drift_w'][1]:.3f} | {r['drift_r'][0]:.3f}→{r['drift_r'][1]:.3f} | {r['agree']:.3f} | {r['nnz']} | {f(cs)} | {f(cm)} | {p['Kiev']:.3f} / {p['Kyiv']:.3f} / {p['']:.3f} | {'yes' if meets(r) else 'no'} |")
