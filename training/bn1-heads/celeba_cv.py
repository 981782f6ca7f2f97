"""CelebA's 40 attributes from SFace `bn1` on the 291 labelled photos, by nested cross-validation:
which pooling and penalty `visage eval attributes --features sface-map` should use.

Each photo is predicted by a head that never saw it (5 outer folds by image, seed 1 permutation);
inside each training part an inner 5-fold CV picks the pooling and the penalty of a ridge
classifier (targets -1/1, dual form: a 291-photo Gram matrix makes every fit a small solve). Printed: accuracy against the majority answer per attribute, and which
settings the inner CVs chose (the Swift evaluation then uses the most chosen pooling).

  python training/bn1-heads/celeba_cv.py --features /tmp/helperA/attr/celeba.npz \
      --labels ../shared/data/celeba-attributes/list_attr_celeba.txt --out /tmp/helperA/attr/celeba-cv.json
"""
import argparse
import collections
import json
import os

import numpy as np

import heads as H

DECAYS = [10.0, 1.0, 0.1, 0.01, 0.001, 0.0001]  # ridge penalty per training photo, strongest first


def ridge_scores(gram, y, train, test, decay):
    """Linear ridge regression of y in {-1, 1} with an unpenalised intercept, in dual form
    on a Gram matrix (bn1 is a batch-norm output, so its channels are already on one scale and
    are not standardised). Returns the scores of the test photos."""
    K = gram[np.ix_(train, train)]
    Kt = gram[np.ix_(test, train)]
    rm, am = K.mean(0), K.mean()
    Kc = K - rm[None, :] - rm[:, None] + am
    Ktc = Kt - Kt.mean(1)[:, None] - rm[None, :] + am
    t = 2.0 * y[train] - 1
    alpha = np.linalg.solve(Kc + decay * len(train) * np.eye(len(train)), t - t.mean())
    return Ktc @ alpha + t.mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--poolings", default="average,rows,rowscols")
    a = p.parse_args()
    f = np.load(a.features)
    lines = open(a.labels).read().split("\n")
    names = lines[1].split()
    table = {l.split()[0]: [v == "1" for v in l.split()[1:]] for l in lines[2:] if l.strip()}
    files = [os.path.basename(p)[:-4] for p in f["paths"]]
    y_all = np.array([table[n] for n in files], int)
    poolings = a.poolings.split(",")
    grams = {}
    for pl in poolings:
        x = H.pooled(f["rows"], f["cols"], pl).astype(np.float64)
        grams[pl] = x @ x.T
    results, chosen = [], collections.Counter()
    for j, attribute in enumerate(names):
        y = y_all[:, j]
        pos = int(y.sum())
        majority = max(pos, len(y) - pos) / len(y)
        if min(pos, len(y) - pos) < 10:
            results.append({"attribute": attribute, "positives": pos, "majority": majority, "accuracy": None})
            print(f"{attribute:22s} {pos:3d}/{len(y)} skipped (too few on one side)")
            continue
        outer = H.folds_of(y, 5, seed=1)
        predicted = np.empty(len(y), int)
        for k in range(5):
            tr, te = np.flatnonzero(outer != k), np.flatnonzero(outer == k)
            inner = H.folds_of(y[tr], 5, seed=2)
            best = None
            for pl in poolings:
                for decay in DECAYS:
                    right = 0
                    for m in range(5):
                        scores = ridge_scores(grams[pl], y, tr[inner != m], tr[inner == m], decay)
                        right += ((scores > 0).astype(int) == y[tr[inner == m]]).sum()
                    if best is None or right > best[0]:
                        best = (right, pl, decay)
            _, pl, decay = best
            chosen[(pl, decay)] += 1
            predicted[te] = (ridge_scores(grams[pl], y, tr, te, decay) > 0).astype(int)
        accuracy = float((predicted == y).mean())
        results.append({"attribute": attribute, "positives": pos, "majority": majority, "accuracy": accuracy})
        print(f"{attribute:22s} {pos:3d}/{len(y)} accuracy {accuracy:.3f} majority {majority:.3f}", flush=True)
    above = [r for r in results if r["accuracy"] is not None and r["accuracy"] > r["majority"]]
    print(f"above the majority answer: {len(above)} of {len(names)}; inner choices {dict(chosen)}")
    json.dump({"results": results, "chosen": {f"{k[0]} {k[1]}": v for k, v in chosen.items()}}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
