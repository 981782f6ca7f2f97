"""Issue 21: does CelebA's `Male` label on its 291 photos (an allowed extra, never an evaluation
set for gender here) help the gender head? The bn1 ridge classifier of stack_age_gender.py
(rows + columns, penalty 10) is cross-validated on UTKFace's training part with the same folds,
each fit seeing its training folds (and mirrors) and, with --celeba, all 291 CelebA photos and
their mirrors; the stacked version adds the package's gender logit (logistic, second-level CV).
UTKFace's held-out part is not read.

  python training/bn1-heads/gender_celeba_cv.py --features utk.npz --celeba celeba.npz \
      --labels ../shared/data/celeba-attributes/list_attr_celeba.txt --base stack-cv-base.npz
"""
import argparse
import os

import numpy as np

import heads as H
from heads import centred_kernel_ridge, logistic
from train_age_gender import labels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--celeba", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--base", required=True, help="stack_age_gender.py's -base.npz (package logits, folds)")
    a = p.parse_args()
    f, c = np.load(a.features), np.load(a.celeba)
    _, age, gender, held = labels(list(f["paths"]))
    train = ~held
    n = int(train.sum())
    fold = H.folds_of(gender[train] * 1000 + np.minimum(age[train], 99).astype(int) // 10, 5)
    lines = open(a.labels).read().split("\n")
    header = lines[1].split()
    male = {parts[0]: int(parts[1 + header.index("Male")]) for parts in (l.split() for l in lines[2:]) if parts}
    cm = np.array([male[os.path.basename(x)[:-4]] for x in c["paths"]], float)  # -1 female, +1 male
    rc = lambda src, pre: H.pooled(src[pre + "rows"], src[pre + "cols"], "rowscols")
    x, xf = rc(f, "")[train], rc(f, "flip_")[train]
    mean, std = H.standardiser(np.concatenate([x, xf]))
    z = np.concatenate([x, xf, rc(c, ""), rc(c, "flip_")])
    del x, xf
    z -= mean
    z /= std
    gram = (z @ z.T).astype(np.float64)
    del z
    nc = len(cm)
    y = np.r_[np.where(gender[train] == 1, 1.0, -1.0), np.where(gender[train] == 1, 1.0, -1.0), cm, cm]
    both = np.r_[np.arange(n), np.arange(n)]
    extra = np.arange(2 * n, 2 * n + 2 * nc)
    b = np.load(a.base)
    pg = b["pkg_gender"][:n]
    yg = gender[train]
    print(f"{n} UTKFace training photos, {nc} CelebA photos ({int((cm > 0).sum())} male)")
    for with_celeba in [False, True]:
        oof = np.empty(n)
        for k in range(5):
            tr = np.flatnonzero(fold[both] != k)
            te = np.flatnonzero(fold == k)
            rows = np.r_[tr, extra] if with_celeba else tr
            oof[te] = centred_kernel_ridge(gram, y[rows], rows, te, 10.0)
        acc = ((oof > 0) == (yg == 1)).mean()
        st = np.empty(n)
        for k in range(5):
            tr, te = fold != k, fold == k
            w = logistic(np.c_[oof[tr], pg[tr]], yg[tr])
            st[te] = np.c_[oof[te], pg[te], np.ones(te.sum())] @ w
        print(f"CelebA {'with' if with_celeba else 'without'}: head CV {acc:.4f}, "
              f"stacked with the package CV {((st > 0) == (yg == 1)).mean():.4f}", flush=True)


if __name__ == "__main__":
    main()
