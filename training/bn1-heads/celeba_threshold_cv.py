"""CelebA's 40 attributes from the tight crop's row-pooled bn1 map (celeba.npz from extract.py),
by nested 5-fold cross-validation as celeba_context_cv.py, varying what the inner CV decides:
how it ranks the ridge penalties (--penalty-by), where it cuts the chosen head's score
(--threshold), and how few positives an attribute may have to be attempted (--minimum); plus
flip variants of the features. Each setting is run over several outer fold seeds (--seeds),
because the count of attributes above the majority answer moves by +-2 with the fold draw alone.

  python training/bn1-heads/celeba_threshold_cv.py --features celeba.npz \
      --labels ../shared/data/celeba-attributes/list_attr_celeba.txt \
      --penalty-by squared-error --threshold logistic --minimum 5 --seeds 1,2,3,4,5 --out run.json

--penalty-by accuracy: out-of-fold answers right at a cut of 0 (the first rule); squared-error:
out-of-fold squared error against the -1/1 target; auc. --threshold zero | most-right (the cut
with most inner out-of-fold answers right, 0 among equals) | logistic (where a logistic fit of the
labels on the inner out-of-fold scores crosses 1/2). --flip average: a photo's vector is the mean of
its crop's and its mirrored crop's; --flip train: the mirrored crops join each training part and a
test photo's score is the mean of its two crops' scores. --embedding EMB.npz (fc1 of the same crops,
`emb` and `flip_emb`): the 128-d embedding as a second candidate the inner CV may choose per
attribute (`rows|emb`). Python's fold draw (numpy) is not Swift's: compare settings over the same
seeds here, and measure the chosen one with `visage eval attributes --seed S`.
"""
import argparse
import json
import os

import numpy as np

import heads as H

DECAYS = [10.0, 1.0, 0.1, 0.01, 0.001]


class Ridge:
    """Dual ridge regression with an unpenalised intercept (celeba_cv.ridge_scores), for every
    penalty at once from one eigendecomposition of the centred training kernel."""

    def __init__(self, gram, train):
        k = gram[np.ix_(train, train)]
        self.rm, self.am = k.mean(0), k.mean()
        self.e, self.v = np.linalg.eigh(k - self.rm[None, :] - self.rm[:, None] + self.am)
        self.gram, self.train = gram, train

    def scores(self, t, test, decays):
        tm = t.mean()
        vt = self.v.T @ (t - tm)
        kt = self.gram[np.ix_(test, self.train)]
        kv = (kt - kt.mean(1)[:, None] - self.rm[None, :] + self.am) @ self.v
        return [kv @ (vt / (self.e + d * len(self.train))) + tm for d in decays]


def most_right_threshold(scores, y):
    s = np.sort(scores)
    candidates = np.concatenate([[0.0], (s[1:] + s[:-1]) / 2])
    right = ((scores[None, :] > candidates[:, None]).astype(int) == y[None, :]).sum(1)
    best = candidates[right == right.max()]
    return best[np.argmin(np.abs(best))]


def logistic_threshold(scores, y, pull=1e-6):
    """-b/a of the fit P(1) = sigmoid(a s + b) (Newton; as AttributeEvaluation.logisticThreshold)."""
    if len(set(y.tolist())) < 2:
        return 0.0
    x = np.stack([scores, np.ones_like(scores)], 1)
    w = np.array([1.0, 0.0])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x @ w)))
        step = np.linalg.solve(x.T @ (x * (p * (1 - p))[:, None]) + pull * np.eye(2), x.T @ (p - y) + pull * w)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return -w[1] / w[0] if w[0] > 0 else 0.0


def auc(s, y):
    order = np.argsort(s)
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    p = y.sum()
    return (ranks[y == 1].sum() - p * (p + 1) / 2) / (p * (len(y) - p))


def merit(oof, y, by):
    if by == "accuracy":
        return ((oof > 0).astype(int) == y).sum()
    if by == "squared-error":
        return -((oof - (2.0 * y - 1)) ** 2).sum()
    return auc(oof, y)


def inner_cv_choice(grams, tr, inner, folds, fit_scores, merit_of):
    """(Gram name, penalty index, out-of-fold scores) of the candidate whose inner out-of-fold
    scores merit most, the first among equals; fit_scores(gram, fit, check) gives one score vector
    per entry of DECAYS."""
    best = None
    for name, g in grams.items():
        oofs = np.zeros((len(DECAYS), len(tr)))
        for m in range(folds):
            for d, s in enumerate(fit_scores(g, tr[inner != m], tr[inner == m])):
                oofs[d, inner == m] = s
        for d in range(len(DECAYS)):
            value = merit_of(oofs[d])
            if best is None or value > best[0]:
                best = (value, name, d, oofs[d])
    return best[1:]


def nested_cv_per_attribute(grams, y_all, names, folds, minimum, draw_folds, scorer_of, merit_of, cut_of,
                            label_of=lambda name, d: name):
    """Each attribute (column of y_all) with at least `minimum` photos a side, by nested CV: the
    outer folds (draw_folds(y, 0)) each train on the rest, where the inner folds (draw_folds(y, 1))
    choose the Gram and penalty (inner_cv_choice by merit_of(scores, y)) and the cut
    (cut_of(scores, y)). scorer_of(y) gives fit_scores(gram, fit, test, decays) for that attribute.
    Shared with celeba_swift_cv.py, so that both scripts decide alike."""
    n = len(y_all)
    results = []
    for j, attribute in enumerate(names):
        y = y_all[:, j]
        pos = int(y.sum())
        majority = max(pos, n - pos) / n
        if min(pos, n - pos) < minimum:
            results.append({"attribute": attribute, "positives": pos, "majority": majority, "accuracy": None})
            continue
        fit_scores = scorer_of(y)
        outer = draw_folds(y, 0)
        predicted, chosen = np.empty(n, int), []
        for k in range(folds):
            tr, te = np.flatnonzero(outer != k), np.flatnonzero(outer == k)
            inner = draw_folds(y[tr], 1)
            name, d, oof = inner_cv_choice(grams, tr, inner, folds, lambda g, fit, check: fit_scores(g, fit, check, DECAYS),
                                           lambda scores: merit_of(scores, y[tr]))
            chosen.append(label_of(name, d))
            cut = cut_of(oof, y[tr])
            predicted[te] = (fit_scores(grams[name], tr, te, [DECAYS[d]])[0] > cut).astype(int)
        results.append({"attribute": attribute, "positives": pos, "majority": majority,
                        "accuracy": float((predicted == y).mean()), "chosen": chosen})
    return results


def nested_cv(grams, y_all, names, seed, a, n):
    def scorer_of(y):
        t = 2.0 * y - 1
        t2 = np.concatenate([t, t]) if a.flip == "train" else t

        def fit_scores(g, fit, test, decays):
            if a.flip != "train":
                return Ridge(g, fit).scores(t2[fit], test, decays)
            both = np.concatenate([fit, fit + n])
            r = Ridge(g, both)
            return [(u + v) / 2 for u, v in zip(r.scores(t2[both], test, decays), r.scores(t2[both], test + n, decays))]
        return fit_scores

    cut_of = {"zero": lambda scores, y: 0.0, "most-right": most_right_threshold, "logistic": logistic_threshold}[a.threshold]
    return nested_cv_per_attribute(grams, y_all, names, 5, a.minimum, lambda y, offset: H.folds_of(y, 5, seed=seed + offset),
                                   scorer_of, lambda scores, y: merit(scores, y, a.penalty_by), cut_of)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--penalty-by", default="squared-error", choices=["accuracy", "squared-error", "auc"])
    p.add_argument("--threshold", default="logistic", choices=["zero", "most-right", "logistic"])
    p.add_argument("--minimum", type=int, default=5)
    p.add_argument("--flip", default="none", choices=["none", "average", "train"])
    p.add_argument("--embedding")
    p.add_argument("--seeds", default="1,2,3,4,5")
    a = p.parse_args()
    f = np.load(a.features)
    n = len(f["paths"])
    lines = open(a.labels).read().split("\n")
    names = lines[1].split()
    table = {l.split()[0].split(".")[0]: [v == "1" for v in l.split()[1:]] for l in lines[2:] if l.strip()}
    y_all = np.array([table[os.path.basename(str(x)).split(".")[0]] for x in f["paths"]], int)
    rows = f["rows"].astype(np.float64).reshape(n, -1)
    mirrored = f["flip_rows"].astype(np.float64).reshape(n, -1) if a.flip != "none" else None
    x = {"none": rows, "average": (rows + mirrored) / 2 if mirrored is not None else rows,
         "train": np.concatenate([rows, mirrored]) if mirrored is not None else rows}[a.flip]
    grams = {"rows": x @ x.T}
    if a.embedding:
        e = np.load(a.embedding)
        assert [str(q) for q in e["paths"]] == [str(q) for q in f["paths"]], "embedding rows must follow the features' order"
        emb = e["emb"].astype(np.float64)
        if a.flip == "train":
            emb = np.concatenate([emb, e["flip_emb"].astype(np.float64)])
        emb /= np.linalg.norm(emb, axis=1, keepdims=True)
        grams["emb"] = emb @ emb.T * (np.trace(grams["rows"]) / np.trace(emb @ emb.T))
    report = {}
    for seed in [int(s) for s in a.seeds.split(",")]:
        results = nested_cv(grams, y_all, names, seed, a, n)
        above = [r["attribute"] for r in results if r["accuracy"] is not None and r["accuracy"] > r["majority"] + 1e-9]
        mean = float(np.mean([r["accuracy"] if r["accuracy"] is not None else r["majority"] for r in results]))
        print(f"seed {seed}: above the majority {len(above)} of {len(names)}, mean {mean:.4f}", flush=True)
        report[seed] = {"above": len(above), "mean": mean, "results": results}
    counts = [r["above"] for r in report.values()]
    print(f"mean over seeds: {np.mean(counts):.2f} above, accuracy {np.mean([r['mean'] for r in report.values()]):.4f}")
    json.dump({"settings": vars(a), "runs": report}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
