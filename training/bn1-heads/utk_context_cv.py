"""Age and gender from the tight crop's bn1 map, the context crop's (context_crops.py), or both side by
side: ridge heads as train_age_gender.py (rows and columns pooling, standardised on the training
part and its mirrors, dual form, 5-fold CV on UTKFace's training part with folds by gender x decade).
Per feature set the penalty (and the age target) is chosen by that CV; the set itself is chosen by
the same CV; the held-out part (FNV-1a hash divisible by 3) is then scored for every set's chosen
setting, so that the report shows what the choice was worth, not to make it.

  python training/bn1-heads/utk_context_cv.py --tight utk.npz --context ctx2-utk.npz --out utk-context.json
"""
import argparse
import json
import os

import numpy as np

import heads as H
from train_age_gender import labels

DECAYS = [100.0, 30.0, 10.0, 3.0, 1.0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tight", required=True)
    p.add_argument("--context", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--sets", default="tight,context,both")
    a = p.parse_args()
    ft, fc = np.load(a.tight), np.load(a.context)
    nt = [os.path.basename(x) for x in ft["paths"]]
    nc = {os.path.basename(x): i for i, x in enumerate(fc["paths"])}
    common = [i for i, n in enumerate(nt) if n in nc]
    ic = [nc[nt[i]] for i in common]
    _, age, gender, held = labels([ft["paths"][i] for i in common])
    train = ~held
    fold = H.folds_of(gender[train] * 1000 + np.minimum(age[train], 99).astype(int) // 10, 5)
    n, m = int(train.sum()), int(held.sum())
    print(f"{n} training faces, {m} held out (with both crops)", flush=True)

    def block(f, idx, prefix=""):
        return H.pooled(f[prefix + "rows"][idx], f[prefix + "cols"][idx], "rowscols")

    def standardised(f, idx):
        x, xf = block(f, idx), block(f, idx, "flip_")
        mean, std = H.standardiser(np.concatenate([x[train], xf[train]]))
        # rows: training photos, their mirrors, held-out photos
        return np.concatenate([(x[train] - mean) / std, (xf[train] - mean) / std, (x[held] - mean) / std]).astype(np.float32)

    zt = standardised(ft, common)
    gt = (zt @ zt.T).astype(np.float64)
    del zt
    zc = standardised(fc, ic)
    gc = (zc @ zc.T).astype(np.float64)
    del zc
    grams = {"tight": gt, "context": gc, "both": gt + gc}
    both = np.concatenate([np.arange(n), np.arange(n)])
    train_rows = np.arange(2 * n)
    held_rows = np.arange(2 * n, 2 * n + m)
    female_male = np.where(gender == 1, 1.0, -1.0)

    report = {}
    for s in a.sets.split(","):
        gram = grams[s]
        trials = []
        for what in ["age", "gender"]:
            yt = age[train] if what == "age" else female_male[train]
            y2 = np.concatenate([yt, yt])
            for decay in DECAYS:
                pred = np.empty(n)
                for k in range(5):
                    tr = np.flatnonzero(fold[both] != k)
                    te = np.flatnonzero(fold == k)
                    pred[te] = H.centred_kernel_ridge(gram, y2[tr], tr, te, decay)
                figure = float(np.abs(np.clip(pred, 0, 120) - age[train]).mean()) if what == "age" \
                    else float(((pred > 0) == (gender[train] == 1)).mean())
                trials.append({"what": what, "decay": decay, "cv": figure})
                print(f"  {s:8s} {what:6s} decay {decay:g}: CV {figure:.4f}", flush=True)
        best_age = min((t for t in trials if t["what"] == "age"), key=lambda t: t["cv"])
        best_gender = max((t for t in trials if t["what"] == "gender"), key=lambda t: t["cv"])
        ya = np.concatenate([age[train], age[train]])
        guess = np.clip(H.centred_kernel_ridge(gram, ya, train_rows, held_rows, best_age["decay"]), 0, 120)
        yg = np.concatenate([female_male[train], female_male[train]])
        score = H.centred_kernel_ridge(gram, yg, train_rows, held_rows, best_gender["decay"])
        report[s] = {"trials": trials, "age": best_age, "gender": best_gender,
                     "held_out_mae": float(np.abs(guess - age[held]).mean()),
                     "held_out_gender": float(((score > 0) == (gender[held] == 1)).mean())}
        print(f"{s}: age CV {best_age['cv']:.3f} (decay {best_age['decay']:g}) held-out MAE {report[s]['held_out_mae']:.3f}; "
              f"gender CV {best_gender['cv']:.4f} (decay {best_gender['decay']:g}) held-out {report[s]['held_out_gender']:.4f}", flush=True)
    json.dump(report, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
