"""CelebA's 40 attributes as `visage eval attributes` scores them (AttributeEvaluation.evaluate:
ridge classifier in dual form, penalty chosen by the inner CV's out-of-fold squared error, cut
where a logistic fit to those scores crosses 1/2, attempted with at least --folds photos per
side), on Swift's own fold draw (swift_folds.py), so that a candidate change is compared with
the default on exactly the folds the Swift tool would use at the same seeds.

A candidate is a list of alternatives (--alternatives, ';'-separated); each alternative is a
sum of feature blocks ('+'-separated, each block's Gram scaled to the trace of the rows block
times an optional weight, e.g. rows+cols, rows+extra*0.1). With more than one alternative the
inner CV picks (alternative, penalty) per attribute and outer training part by squared error,
so the choice never sees the outer test fold.

Blocks (from extract.py's celeba.npz and, for 'extra', --extra EXTRA.npz with a matrix 'x' whose
rows follow the features' paths): rows (7,168: the shipped features), cols (7,168), avg (1,024),
upper / lower (1,024: the mean of rows 0-3 / 3-6), extra (standardised columns, e.g. make_celeba_extra.py's or
image_stats.py's; put at the rows block's trace even with --raw), ctx (7,168: the rows of the context crop's
map, --context).

  python training/bn1-heads/celeba_swift_cv.py --features celeba.npz \
      --labels ../shared/data/celeba-attributes/list_attr_celeba.txt \
      --alternatives "rows;rows+cols" --seeds 6-25 --out results/celeba-swift/rows-or-rowscols.json
"""
import argparse
import json
import os

import numpy as np

from celeba_threshold_cv import DECAYS, Ridge, logistic_threshold, nested_cv_per_attribute
from swift_folds import assign_folds


def seeds_of(text):
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def blocks_of(f, extra, context):
    n = len(f["paths"])
    rows = f["rows"].astype(np.float32).astype(np.float64)
    blocks = {"rows": rows.reshape(n, -1),
              "cols": f["cols"].astype(np.float64).reshape(n, -1),
              "upper": rows[:, :, 0:4].mean(2), "lower": rows[:, :, 3:7].mean(2),
              "avg": f["full"].astype(np.float64).mean(2)}
    if context is not None:
        blocks["ctx"] = context["rows"].astype(np.float32).astype(np.float64).reshape(n, -1)
    if extra is not None:
        x = extra.astype(np.float64)
        blocks["extra"] = (x - x.mean(0)) / (x.std(0) + 1e-9)
    return blocks


def gram_of(spec, grams, raw=False):
    total = None
    scale = np.trace(grams["rows"])
    for term in spec.split("+"):
        name, _, weight = term.partition("*")
        # --raw keeps the feature maps' own scales side by side; the extra block's standardised
        # columns have no scale of their own beside a map, so it is always put at the rows' trace.
        g = grams[name] * (1 if raw and name != "extra" else scale / np.trace(grams[name])) * float(weight or 1)
        total = g if total is None else total + g
    return total


def prevalence_threshold(scores, y):
    """The cut under which the inner training part's share of negatives falls."""
    return float(np.quantile(scores, 1 - y.mean()))


def evaluate(grams, y_all, names, seed, folds, threshold, minimum):
    def scorer_of(y):
        t = 2.0 * y - 1
        return lambda g, fit, test, decays: Ridge(g, fit).scores(t[fit], test, decays)

    return nested_cv_per_attribute(grams, y_all, names, folds, minimum,
                                   lambda y, offset: np.array(assign_folds(y, folds, seed + offset)), scorer_of,
                                   lambda scores, y: -((scores - (2.0 * y - 1)) ** 2).sum(),
                                   logistic_threshold if threshold == "logistic" else prevalence_threshold,
                                   lambda name, d: f"{name}@{DECAYS[d]:g}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--alternatives", default="rows")
    p.add_argument("--extra")
    p.add_argument("--context", help="extract.py's npz of the context crops (context_crops.py): block ctx")
    p.add_argument("--raw", action="store_true", help="blocks side by side as they are, no trace scaling "
                   "(rows+ctx --raw is `--features sface-map-context`)")
    p.add_argument("--threshold", default="logistic", choices=["logistic", "prevalence"])
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--minimum", type=int, help="fewest photos per side to attempt an attribute (default: --folds)")
    p.add_argument("--seeds", default="6-25")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    f = np.load(a.features)
    lines = open(a.labels).read().split("\n")
    names = lines[1].split()
    table = {l.split()[0].split(".")[0]: [v == "1" for v in l.split()[1:]] for l in lines[2:] if l.strip()}
    stems = [os.path.basename(str(x)).split(".")[0] for x in f["paths"]]
    assert stems == sorted(stems), "rows must be in file-name order, as Swift sorts the labelled files"
    y_all = np.array([table[s] for s in stems], int)
    extra = None
    if a.extra:
        e = np.load(a.extra)
        assert [str(s) for s in e["stems"]] == stems, "extra rows must follow the features' paths"
        extra = e["x"]
    context = None
    if a.context:
        context = np.load(a.context)
        assert [os.path.basename(str(q)) for q in context["paths"]] == [os.path.basename(str(q)) for q in f["paths"]]
    blocks = blocks_of(f, extra, context)
    grams = {name: x @ x.T for name, x in blocks.items()}
    alternatives = {spec: gram_of(spec, grams, a.raw) for spec in a.alternatives.split(";")}
    report = {}
    for seed in seeds_of(a.seeds):
        results = evaluate(alternatives, y_all, names, seed, a.folds, a.threshold, a.minimum or a.folds)
        above = sum(r["accuracy"] is not None and r["accuracy"] > r["majority"] + 1e-9 for r in results)
        mean = float(np.mean([r["majority"] if r["accuracy"] is None else r["accuracy"] for r in results]))
        print(f"seed {seed}: {above} of {len(names)} above the majority, mean accuracy {mean:.4f}", flush=True)
        report[seed] = {"above": int(above), "mean": mean, "results": results}
    counts = [r["above"] for r in report.values()]
    print(f"{a.alternatives} ({a.threshold}): mean over {len(counts)} seeds {np.mean(counts):.2f} above, "
          f"accuracy {np.mean([r['mean'] for r in report.values()]):.4f}")
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    json.dump({"settings": vars(a), "counts": counts, "runs": report}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
