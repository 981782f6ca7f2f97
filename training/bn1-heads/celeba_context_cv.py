"""CelebA's 40 attributes from the tight crop's bn1 map, the wider context crop's (context_crops.py),
or both side by side, by nested cross-validation as celeba_cv.py: each photo is predicted by a head
that never saw it; inside each outer training part an inner 5-fold CV picks the feature set and
the ridge penalty (and, with --threshold, the decision threshold on the score, from the inner
out-of-fold scores of the chosen setting).

  python training/bn1-heads/celeba_context_cv.py --tight celeba.npz --context ctx2-celeba.npz \
      --labels ../shared/data/celeba-attributes/list_attr_celeba.txt --sets tight,context,both \
      --out celeba-context-cv.json [--threshold] [--flip] [--seeds 1,11,21]

--flip: the mirrored crops join each training part, and a test photo's score is the mean of its
two crops' scores. --seeds: outer fold seeds (each a full nested CV), to see how much of the
count is the fold draw. Rows pooling (1024 x 7) throughout, as the Swift evaluation.
"""
import argparse
import collections
import json
import os

import numpy as np

import heads as H
from celeba_cv import ridge_scores

DECAYS = [10.0, 1.0, 0.1, 0.01, 0.001]


def rows_of(f, prefix=""):
    return f[prefix + "rows"].astype(np.float64).reshape(len(f["paths"]), -1)


def pixel_features(f, idx, npz):
    """Colour (8 x 8 RGB block means) and sharpness (log variance of the 4-neighbour Laplacian of
    the grey image) of each crop; paths in the .npz are relative to its folder."""
    from PIL import Image
    root = os.path.dirname(os.path.abspath(npz))
    out = []
    for path in f["paths"][idx]:
        image = np.asarray(Image.open(os.path.join(root, str(path))).convert("RGB"), np.float64)
        blocks = image.reshape(8, 14, 8, 14, 3).mean(axis=(1, 3)).ravel() / 255
        grey = image.mean(axis=2)
        lap = grey[1:-1, 1:-1] * 4 - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
        out.append(np.concatenate([blocks, [np.log(lap.var() + 1)]]))
    return np.array(out)


def best_threshold(scores, y):
    """The cut between sorted scores with the most right answers (ties: nearest to 0)."""
    candidates = np.concatenate([[0.0], (np.sort(scores)[1:] + np.sort(scores)[:-1]) / 2])
    right = [((scores > c).astype(int) == y).sum() for c in candidates]
    top = max(right)
    return min((abs(c), c) for c, r in zip(candidates, right) if r == top)[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tight", required=True)
    p.add_argument("--context", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--sets", default="tight,context,both")
    p.add_argument("--threshold", action="store_true")
    p.add_argument("--flip", action="store_true")
    p.add_argument("--seeds", default="1")
    p.add_argument("--pixels", action="store_true",
                   help="add the candidate sets 'pixels' (8 x 8 RGB means of both crops and the log Laplacian "
                        "variance of each: colour and sharpness) and 'both+pixels'")
    a = p.parse_args()
    ft, fc = np.load(a.tight), np.load(a.context)
    names_t = [os.path.basename(x) for x in ft["paths"]]
    names_c = [os.path.basename(x) for x in fc["paths"]]
    common = sorted(set(names_t) & set(names_c))
    it = [names_t.index(n) for n in common]
    ic = [names_c.index(n) for n in common]
    lines = open(a.labels).read().split("\n")
    names = lines[1].split()
    table = {l.split()[0]: [v == "1" for v in l.split()[1:]] for l in lines[2:] if l.strip()}
    y_all = np.array([table[n[:-4]] for n in common], int)
    n = len(common)

    def block(f, idx):
        x = rows_of(f)[idx]
        return np.concatenate([x, rows_of(f, "flip_")[idx]]) if a.flip else x

    xt, xc = block(ft, it), block(fc, ic)
    gt, gc = xt @ xt.T, xc @ xc.T
    grams = {"tight": gt, "context": gc, "both": gt + gc}
    if a.pixels:
        xp = np.concatenate([pixel_features(ft, it, a.tight), pixel_features(fc, ic, a.context)], axis=1)
        if a.flip:
            xp = np.concatenate([xp, xp])  # colour and sharpness do not change in the mirror
        xp = (xp - xp.mean(0)) / (xp.std(0) + 1e-6)
        gp = xp @ xp.T
        grams["pixels"] = gp
        # scaled so that both kinds of feature weigh alike in the sum
        grams["both+pixels"] = gt + gc + gp * (np.trace(gt + gc) / np.trace(gp))
    sets = a.sets.split(",")

    def scores(gram, y2, train, test, decay):
        if not a.flip:
            return ridge_scores(gram, y2, train, test, decay)
        tr2 = np.concatenate([train, train + n])
        return (ridge_scores(gram, y2, tr2, test, decay) + ridge_scores(gram, y2, tr2, test + n, decay)) / 2

    report = {}
    for seed in [int(s) for s in a.seeds.split(",")]:
        results, chosen = [], collections.Counter()
        for j, attribute in enumerate(names):
            y = y_all[:, j]
            y2 = np.concatenate([y, y]) if a.flip else y
            pos = int(y.sum())
            majority = max(pos, n - pos) / n
            if min(pos, n - pos) < 10:
                results.append({"attribute": attribute, "positives": pos, "majority": majority, "accuracy": None})
                continue
            outer = H.folds_of(y, 5, seed=seed)
            predicted = np.empty(n, int)
            for k in range(5):
                tr, te = np.flatnonzero(outer != k), np.flatnonzero(outer == k)
                inner = H.folds_of(y[tr], 5, seed=seed + 1)
                best = None
                for s in sets:
                    for decay in DECAYS:
                        oof = np.empty(len(tr))
                        for m in range(5):
                            oof[inner == m] = scores(grams[s], y2, tr[inner != m], tr[inner == m], decay)
                        right = ((oof > 0).astype(int) == y[tr]).sum()
                        if best is None or right > best[0]:
                            best = (right, s, decay, oof)
                _, s, decay, oof = best
                cut = best_threshold(oof, y[tr]) if a.threshold else 0.0
                chosen[s] += 1
                predicted[te] = (scores(grams[s], y2, tr, te, decay) > cut).astype(int)
            accuracy = float((predicted == y).mean())
            results.append({"attribute": attribute, "positives": pos, "majority": majority, "accuracy": accuracy})
        above = [r["attribute"] for r in results if r["accuracy"] is not None and r["accuracy"] > r["majority"] + 1e-9]
        mean = np.mean([r["accuracy"] if r["accuracy"] is not None else r["majority"] for r in results])
        print(f"seed {seed}: above the majority {len(above)} of {len(names)}, mean {mean:.4f}, sets chosen {dict(chosen)}", flush=True)
        print("  not above:", [r["attribute"] for r in results if r["accuracy"] is not None and r["attribute"] not in above], flush=True)
        report[seed] = {"above": len(above), "mean": mean, "chosen": dict(chosen), "results": results}
    json.dump({"sets": sets, "threshold": a.threshold, "flip": a.flip, "runs": report}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
