"""Issue 21, age and gender: the bn1 heads stacked with the package's age-v1 / gender-v1, with
test-time flip, and with the package's penultimate features beside bn1. Every choice is made by
5-fold cross-validation on UTKFace's training part (the folds of train_age_gender.py: gender x
decade, seed 20261203); the held-out part is scored only for the candidates named in --score.

Base heads: kernel ridge (dual form, as train_age_gender.py) on feature blocks standardised on
the training photos and their mirrors, each block's Gram scaled to weigh as much as bn1's 14,336
values: bn1 rows + columns, the whole bn1 map (`bn1full`), SFace's earlier maps from
extract_layers.py (--layers), summed as --mixes says; optionally the package's penultimate
features (age-v1: 256, gender-v1: 16; weighted by --pkg-weights) added; --kernels linear or
rbf:G (a probe only: an RBF head would not be a small graph); penalty per kernel chosen by CV
among --decays (the best decay's out-of-fold answers are kept). Each base head gives out-of-fold predictions for
every training photo and its mirror. Second level (`combine`): age = a + b * head + c * package
(least squares), gender = logistic on [head score, package logit]; each second-level fit is
itself cross-validated on the same folds, so the CV figure of a stack is out-of-fold at both levels.

  python training/bn1-heads/package_outputs.py ... --out package-utk.npz
  python training/bn1-heads/stack_age_gender.py --features utk.npz --package package-utk.npz \
      --cache gram-rowscols.npy --out stack-cv.json [--layers layers-utk.npz --mixes "bn1;bn1+conv_12_relu"] \
      [--decays 3,10,30] [--pkg-weights 0,0.1] [--score NAME,NAME]
  (writes stack-cv-base.npz beside the JSON: every base head's out-of-fold answers, for
  combiner_cv.py, gender_celeba_cv.py and fit_stack.py)
"""
import argparse
import json
import os

import numpy as np

import heads as H
from train_age_gender import labels

AGE_WEIGHTS = np.r_[0.25, np.arange(1, 81)]  # AgeEstimator: class 0 counts as 0.25 years


def kernel(gram, spec):
    """linear, or rbf:G = exp(-G * squared distance / its median over the training rows)."""
    if spec == "linear":
        return gram
    g = float(spec.split(":")[1])
    d = np.diag(gram)
    sq = np.maximum(d[:, None] + d[None, :] - 2 * gram, 0)
    return np.exp(-g * sq / np.median(sq))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--package", required=True)
    p.add_argument("--cache", required=True, help="where to keep the bn1 Gram matrix (float32 .npy)")
    p.add_argument("--out", required=True)
    p.add_argument("--kernels", default="linear")
    p.add_argument("--decays", default="10", help="per kernel, ';' between kernels, ',' between values")
    p.add_argument("--pkg-weights", default="0,0.1,0.3,1")
    p.add_argument("--layers", default="", help="extract_layers.py output (earlier SFace maps)")
    p.add_argument("--layer-names", default="conv_12_relu,conv_6_relu")
    p.add_argument("--mixes", default="bn1", help="kernels to try: blocks with weights, e.g. bn1;bn1+conv_12_relu*0.5")
    p.add_argument("--score", default="", help="candidates to score on the held-out part (comma-separated)")
    a = p.parse_args()
    f = np.load(a.features)
    names = [os.path.basename(x)[:-4] for x in f["paths"]]
    _, age, gender, held = labels(list(f["paths"]))
    pk = np.load(a.package)
    at = {n: i for i, n in enumerate(pk["names"])}
    ip = np.array([at[n] for n in names])
    train = ~held
    n, m = int(train.sum()), int(held.sum())
    fold = H.folds_of(gender[train] * 1000 + np.minimum(age[train], 99).astype(int) // 10, 5)
    # row order everywhere: training photos, their mirrors, held-out photos, their mirrors
    order = np.r_[np.flatnonzero(train), np.flatnonzero(train), np.flatnonzero(held), np.flatnonzero(held)]
    mirrored = np.r_[np.zeros(n, bool), np.ones(n, bool), np.zeros(m, bool), np.ones(m, bool)]

    def block_gram(source, prefix_rows, prefix_cols, cache):
        """Gram matrix of one block of features (rows + columns pooled, standardised on the
        training photos and their mirrors), rows in `order`; cached as float32."""
        if os.path.exists(cache):
            return np.load(cache).astype(np.float64)
        def rowscols(pre):
            r, c = source[pre + prefix_rows], source[pre + prefix_cols]
            return np.concatenate([r.reshape(len(r), -1), c.reshape(len(c), -1)], 1).astype(np.float32)
        x, xf = rowscols(""), rowscols("flip_")
        mean, std = H.standardiser(np.concatenate([x[train], xf[train]]))
        z = np.concatenate([x[train], xf[train], x[held], xf[held]])
        del x, xf
        z -= mean
        z /= std
        g = z @ z.T * (14336 / z.shape[1])  # every block weighs as much as bn1's 14,336 values
        np.save(cache, g.astype(np.float32))
        return g.astype(np.float64)

    blocks = {"bn1": block_gram(f, "rows", "cols", a.cache)}
    if "bn1full" in a.mixes:  # the whole 1024 x 49 map, as SFace's own fc reads it (cells as "rows", no "cols")
        blocks["bn1full"] = block_gram({"full": f["full"], "flip_full": f["flip_full"], "none": np.zeros((len(age), 0), np.float16),
                                        "flip_none": np.zeros((len(age), 0), np.float16)}, "full", "none", a.cache.replace(".npy", "-full.npy"))
    if a.layers:
        fl = np.load(a.layers)
        assert [os.path.basename(x) for x in fl["paths"]] == [os.path.basename(x) for x in f["paths"]]
        for layer in a.layer_names.split(","):
            blocks[layer] = block_gram(fl, layer + "_rows", layer + "_cols", a.cache.replace(".npy", f"-{layer}.npy"))
    gram = blocks["bn1"]
    print(f"{n} training faces, {m} held out; blocks {list(blocks)}", flush=True)

    def package_rows(key):
        plain, flip = pk[f"{key}"][ip], pk[f"flip_{key}"][ip]
        return np.where(mirrored[:, None], flip[order], plain[order]) if plain.ndim > 1 else np.where(mirrored, flip[order], plain[order])

    # package outputs per row: age expectation, gender logit (male - female)
    pkg_age = package_rows("age_probs") @ AGE_WEIGHTS
    gl = package_rows("gender_logits")
    pkg_gender = gl[:, 1] - gl[:, 0]
    pf = np.concatenate([package_rows("age_features"), package_rows("gender_features")], 1).astype(np.float64)
    pm, ps = H.standardiser(pf[:2 * n])
    pz = (pf - pm) / ps
    gram_pkg = pz @ pz.T / pz.shape[1] * 14336  # per-dimension scale of the bn1 block

    female_male = np.where(gender == 1, 1.0, -1.0)
    yrow = {"age": age[order], "gender": female_male[order]}
    train_rows = np.arange(2 * n)
    both = np.r_[np.arange(n), np.arange(n)]
    base, chosen = {}, {}
    tags = []
    def mixed(mix):
        total = 0
        for term in mix.split("+"):
            name, _, weight = term.partition("*")
            total = total + float(weight or 1) * blocks[name]
        return total

    for mix in a.mixes.split(";"):
        gram = mixed(mix)
        for spec, decays in zip(a.kernels.split(","), a.decays.split(";")):
            for s in [float(v) for v in a.pkg_weights.split(",")]:
                K = kernel(gram + s * gram_pkg if s else gram, spec)
                tag = (mix if spec == "linear" else f"{mix}[{spec}]") + (f"+pkgfeat{s:g}" if s else "")
                tags.append(tag)
                for what in ["age", "gender"]:
                    best = None
                    for decay in [float(v) for v in decays.split(",")]:
                        oof = np.empty(2 * n)  # out-of-fold prediction for each training photo and its mirror
                        for k in range(5):
                            tr = np.flatnonzero(fold[both] != k)
                            te = np.flatnonzero(fold[both] == k)
                            oof[te] = H.centred_kernel_ridge(K, yrow[what][tr], tr, te, decay)
                        cv = np.abs(np.clip(oof[:n], 0, 120) - age[train]).mean() if what == "age" \
                            else -((oof[:n] > 0) == (gender[train] == 1)).mean()
                        print(f"  base {what} {tag} decay {decay:g}: CV {abs(cv):.4f}", flush=True)
                        if best is None or cv < best[0]:
                            best = (cv, decay, oof)
                    heldp = H.centred_kernel_ridge(K, yrow[what][train_rows], train_rows, np.arange(2 * n, 2 * n + 2 * m), best[1])
                    base[(what, tag)] = np.r_[best[2], heldp]
                    chosen[f"{what} {tag}"] = best[1]
                del K
    np.savez(a.out.replace(".json", "-base.npz"), **{f"{w} {t}": v for (w, t), v in base.items()},
             pkg_age=pkg_age, pkg_gender=pkg_gender, order=order, fold=fold, age=age, gender=gender, held=held)

    # ---- candidates: (name, age or gender, features per row -> second-level inputs or None)
    def plain(v):  # the photo's own row
        return v[np.r_[np.arange(n), np.arange(2 * n, 2 * n + m)]]

    def tta(v):  # mean of the photo's and its mirror's rows
        return (v[np.r_[np.arange(n), np.arange(2 * n, 2 * n + m)]] + v[np.r_[np.arange(n, 2 * n), np.arange(2 * n + m, 2 * n + 2 * m)]]) / 2

    ya, yg = np.r_[age[train], age[held]], np.r_[gender[train], gender[held]]
    cands = []
    for tag in tags:
        for view, fn in [("", plain), ("+flip", tta)]:
            cands.append((f"age {tag}{view}", "age", np.c_[fn(base[("age", tag)])], False))
            cands.append((f"age {tag}{view} + package", "age", np.c_[fn(base[("age", tag)]), fn(pkg_age)], True))
            cands.append((f"gender {tag}{view}", "gender", np.c_[fn(base[("gender", tag)])], False))
            cands.append((f"gender {tag}{view} + package", "gender", np.c_[fn(base[("gender", tag)]), fn(pkg_gender)], True))
    for view, fn in [("", plain), ("+flip", tta)]:
        cands.append((f"age package{view}", "age", np.c_[fn(pkg_age)], False))
        cands.append((f"gender package{view}", "gender", np.c_[fn(pkg_gender)], False))

    report = {"training_faces": n, "held_out_faces": m, "mixes": a.mixes, "chosen_decays": chosen, "cv": {}, "held_out": {}}
    wanted = set(x.strip() for x in a.score.split(",") if x.strip())
    for name, what, x, fitted in cands:
        xt, xh = x[:n], x[n:]
        oof = np.empty(n)
        if what == "age":
            if fitted:  # a + b * head + c * package, least squares, cross-validated
                for k in range(5):
                    tr, te = fold != k, fold == k
                    coef = np.linalg.lstsq(np.c_[xt[tr], np.ones(tr.sum())], ya[:n][tr], rcond=None)[0]
                    oof[te] = np.c_[xt[te], np.ones(te.sum())] @ coef
                coef = np.linalg.lstsq(np.c_[xt, np.ones(n)], ya[:n], rcond=None)[0]
                heldp = np.c_[xh, np.ones(m)] @ coef
            else:
                oof, heldp, coef = xt[:, 0], xh[:, 0], None
            cv = float(np.abs(np.clip(oof, 0, 120) - ya[:n]).mean())
            score = float(np.abs(np.clip(heldp, 0, 120) - ya[n:]).mean())
        else:
            if fitted:
                for k in range(5):
                    tr, te = fold != k, fold == k
                    w = H.logistic(xt[tr], yg[:n][tr])
                    oof[te] = np.c_[xt[te], np.ones(te.sum())] @ w
                coef = H.logistic(xt, yg[:n])
                heldp = np.c_[xh, np.ones(m)] @ coef
            else:
                oof, heldp, coef = xt[:, 0], xh[:, 0], None
            cv = float(((oof > 0) == (yg[:n] == 1)).mean())
            score = float(((heldp > 0) == (yg[n:] == 1)).mean())
        report["cv"][name] = {"cv": cv, "coef": None if coef is None else [float(c) for c in coef]}
        line = f"{name:42s} CV {cv:.4f}"
        if name in wanted:
            report["held_out"][name] = score
            line += f"   held-out {score:.4f}"
        print(line, flush=True)
    json.dump(report, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
