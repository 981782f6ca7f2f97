"""Age (regression) and gender (two classes) heads on SFace `bn1`, UTKFace training part only.

The split is Visage's fixed one (Sources/VisageEvaluation/Datasets/UTKFace.swift): a photo is
held out when the 64-bit FNV-1a hash of its file name is divisible by 3. Pooling, weight decay
and the target transform (age) are chosen by 5-fold cross-validation on the training part; the
MLP tier was not tried (see the README). The
held-out part is scored once, for the chosen setting (the Swift `visage eval age-gender` run is
the figure that counts; this one checks the export).

  python training/bn1-heads/train_age_gender.py --features /tmp/helperA/attr/utk.npz --out /tmp/helperA/attr/utk-heads
"""
import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort

import heads as H

DECAYS_RIDGE = [10.0, 3.0, 1.0, 0.3]
GENDERS = ["female", "male"]  # the output order GenderClassifier and the bn1 head share


def fnv1a(name):
    h = 0xcbf29ce484222325
    for byte in name.encode():
        h ^= byte
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def labels(paths):
    names = [os.path.basename(p)[:-4] for p in paths]  # crops are NAME.png
    age = np.array([int(n.split("_")[0]) for n in names], np.float32)
    female = np.array([int(n.split("_")[1]) for n in names])
    held = np.array([fnv1a(n) % 3 == 0 for n in names])
    return names, age, np.where(female == 1, 0, 1), held  # gender index into GENDERS


def age_target(age, transform):
    return np.log1p(age) if transform == "log" else age


def age_back(value, transform):
    return np.expm1(value) if transform == "log" else value


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    f = np.load(a.features)
    names, age, gender, held = labels(list(f["paths"]))
    train = ~held
    print(f"{train.sum()} training faces, {held.sum()} held out")
    fold = H.folds_of(gender[train] * 1000 + np.minimum(age[train], 99).astype(int) // 10, 5)
    metrics = {"training_faces": int(train.sum()), "held_out_faces": int(held.sum()), "age": {}, "gender": {}}
    started = time.time()

    def features(pooling, flip=False):
        prefix = "flip_" if flip else ""
        return H.pooled(f[prefix + "rows"], f[prefix + "cols"], pooling)

    def cv(fit_predict, x, xf, y):
        """Out-of-fold predictions; each fit sees its training folds' photos and their mirrors."""
        xt, xft, yt = x[train], xf[train], y[train]
        out = np.empty(len(yt), np.float32)
        for k in range(5):
            tr, te = fold != k, fold == k
            out[te] = fit_predict(np.concatenate([xt[tr], xft[tr]]), np.concatenate([yt[tr], yt[tr]]), xt[te])
        return out

    # ---- both heads: ridge on standardised pooled features, age regressed in years or log(1 + years),
    # gender as a ridge classifier (targets -1 female, +1 male) whose score is turned into a
    # probability by a logistic fit on its out-of-fold scores. The trials share one Gram matrix
    # per pooling (standardised on the training part with its mirrors; no labels involved).
    # The MLP tier (heads.fit_mlp) was too slow for two shared cores within this session.
    age_trials, gender_trials = [], []
    n = int(train.sum())
    female_male = np.where(gender[train] == 1, 1.0, -1.0)
    for pooling in H.POOLINGS:
        x, xf = features(pooling)[train], features(pooling, True)[train]
        mean, std = H.standardiser(np.concatenate([x, xf]))
        z = np.concatenate([(x - mean) / std, (xf - mean) / std]).astype(np.float64)
        gram = z @ z.T
        both = np.concatenate([np.arange(n), np.arange(n)])  # row -> photo
        targets = [("age", t, age_target(np.concatenate([age[train], age[train]]), t)) for t in ["log", "identity"]]
        targets.append(("gender", None, np.concatenate([female_male, female_male])))
        for what, transform, y in targets:
            for decay in DECAYS_RIDGE:
                pred = np.empty(n)
                for k in range(5):
                    tr = np.flatnonzero(fold[both] != k)  # the training folds' photos and their mirrors
                    te = np.flatnonzero(fold == k)        # the photos themselves
                    K = gram[np.ix_(tr, tr)]
                    Kt = gram[np.ix_(te, tr)]
                    rm, am = K.mean(0), K.mean()
                    Kc = K - rm[None, :] - rm[:, None] + am
                    Ktc = Kt - Kt.mean(1)[:, None] - rm[None, :] + am
                    ym = y[tr].mean()
                    alpha = np.linalg.solve(Kc + decay * len(tr) * np.eye(len(tr)), y[tr] - ym)
                    pred[te] = Ktc @ alpha + ym
                if what == "age":
                    mae = float(np.abs(np.clip(age_back(pred, transform), 0, 120) - age[train]).mean())
                    age_trials.append({"tier": "ridge", "pooling": pooling, "target": transform, "decay": decay, "cv_mae": mae})
                    print(f"  age ridge {pooling:8s} {transform:8s} decay {decay:g}: CV MAE {mae:.3f} ({time.time() - started:.0f} s)", flush=True)
                else:
                    acc = float(((pred > 0) == (gender[train] == 1)).mean())
                    gender_trials.append({"tier": "ridge classifier", "pooling": pooling, "decay": decay, "cv_accuracy": acc,
                                          "scores": pred})
                    print(f"  gender ridge {pooling:8s} decay {decay:g}: CV accuracy {acc:.4%} ({time.time() - started:.0f} s)", flush=True)
    best_age = min(age_trials, key=lambda t: t["cv_mae"])
    best_gender = max(gender_trials, key=lambda t: t["cv_accuracy"])
    # Platt scaling of the chosen setting's out-of-fold scores: p(male) = sigmoid(a * score + c).
    scores = best_gender.pop("scores")
    for t in gender_trials:
        t.pop("scores", None)
    platt_w, platt_b = H.fit_softmax(scores[:, None].astype(np.float32), gender[train], 2, 0.0)
    metrics["age"]["selection"], metrics["age"]["chosen"] = age_trials, best_age
    metrics["gender"]["selection"], metrics["gender"]["chosen"] = gender_trials, best_gender
    print("age chosen:", best_age)
    print("gender chosen:", best_gender)

    # ---- final fits on the whole training part (and mirrors), held-out score (once), export
    full = np.load(a.features)
    maps_held = full["full"][held].astype(np.float32).reshape(-1, 1024, 7, 7)

    x, xf = features(best_age["pooling"]), features(best_age["pooling"], True)
    xa, ya = np.concatenate([x[train], xf[train]]), np.concatenate([age[train], age[train]])
    path = os.path.join(a.out, "age-bn1.onnx")
    t = best_age["target"]
    w, b = H.fit_ridge(xa, age_target(ya, t), best_age["decay"])
    layers, guess = [(w, b)], age_back(x[held] @ w[0] + b[0], t)
    H.export(path, "age_on_sface_bn1", best_age["pooling"], layers, "age", 1, "expm1" if t == "log" else "identity")
    onnx_age = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(["age"], {"bn1": maps_held})[0][:, 0]
    assert np.allclose(onnx_age, guess, atol=0.05, rtol=1e-3), "the exported age graph disagrees"
    metrics["age"]["fitted_on"] = "log1p(years)" if t == "log" else "years"
    metrics["age"]["held_out_mae"] = float(np.abs(np.clip(onnx_age, 0, 120) - age[held]).mean())
    print(f"age held-out MAE {metrics['age']['held_out_mae']:.3f} (fitted on {metrics['age']['fitted_on']})")

    x, xf = features(best_gender["pooling"]), features(best_gender["pooling"], True)
    xa, ya = np.concatenate([x[train], xf[train]]), np.concatenate([gender[train], gender[train]])
    path = os.path.join(a.out, "gender-bn1.onnx")
    w, b = H.fit_ridge(xa, np.where(ya == 1, 1.0, -1.0), best_gender["decay"])
    # Two logits whose softmax is the Platt probability: [female, male] = (W_platt * score + b_platt).
    layers = [(platt_w @ w, platt_w[:, 0] * b[0] + platt_b)]
    H.export(path, "gender_on_sface_bn1", best_gender["pooling"], layers, "probs", 2, "softmax")
    probs = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(["probs"], {"bn1": maps_held})[0]
    metrics["gender"]["held_out_accuracy"] = float((probs.argmax(1) == gender[held]).mean())
    print(f"gender held-out accuracy {metrics['gender']['held_out_accuracy']:.4%}")
    json.dump(metrics, open(os.path.join(a.out, "metrics.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
