"""Issue 21: the second level that Visage ships (`FaceAnalyzer.AttributeModel.stacked`): our bn1
heads combined with the package's age-v1 / gender-v1, fitted on the heads' out-of-fold outputs
for UTKFace's training part and written as the constants of Sources/VisageModels/StackedAgeGender.swift.
--base holds those outputs: since the fifth pass, stack_candidates.py --export's ordinal-base.npz
(the shipped clipped-ordinal age head's out-of-fold answers; the gender columns are
stack_age_gender.py's, mixes "bn1", penalty 10, the shipped gender head's setting).

Inputs per face, as the Swift pipeline has them:
  head age      max(0, age-sface-head.onnx)
  package age   mean of age-v1's expectation on the dlib chip and on its mirror image
  head logit    ln(p_male / p_female) of gender-sface-head.onnx (its Platt scaling of the ridge score)
  package logit ln(p_male / p_female) of gender-v1's probabilities (clamped to [1e-6, 1 - 1e-6])
Age = c0 + a * head + b * package + sum_k u_k * max(0, head - k) + v_k * max(0, package - k), knots
k in KNOTS, fitted by least absolute deviations (IRLS); gender p(male) = sigmoid(w1 * head logit +
w2 * package logit + w0) (logistic). Both are cross-validated on the training part's folds
(second level out of fold too); the held-out part is scored only with --score.

  python training/bn1-heads/fit_stack.py --base OUT/ordinal-base.npz --package package-utk.npz \
      --heads models --features utk.npz --out training/bn1-heads/results/stack-coefficients.json [--score]
"""
import argparse
import json
import os

import numpy as np
import onnxruntime as ort

import heads as H

KNOTS = [5, 10, 15, 20, 30, 40, 50, 60, 70]
AGE_WEIGHTS = np.r_[0.25, np.arange(1, 81)]


def hinge_features(head, package):
    return np.c_[head, package, np.stack([np.maximum(0, head - k) for k in KNOTS], 1),
                 np.stack([np.maximum(0, package - k) for k in KNOTS], 1)]


def least_absolute(x, y, iterations=30, floor=0.5):
    """min sum |[x 1] c - y| by iteratively reweighted least squares."""
    A = np.c_[x, np.ones(len(x))]
    w = np.ones(len(y))
    for _ in range(iterations):
        Aw = A * w[:, None]
        c = np.linalg.solve(A.T @ Aw, Aw.T @ y)
        w = 1 / np.maximum(np.abs(A @ c - y), floor)
    return c


def logit_of(probs):
    p = np.clip(probs[:, 1].astype(np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--package", required=True)
    p.add_argument("--features", required=True, help="extract.py output (held-out maps for the shipped heads)")
    p.add_argument("--heads", required=True, help="folder with age-sface-head.onnx and gender-sface-head.onnx")
    p.add_argument("--out", required=True)
    p.add_argument("--score", action="store_true", help="also score the held-out part (final candidate only)")
    a = p.parse_args()
    b = np.load(a.base)
    age, gender, held, fold = b["age"], b["gender"], b["held"], b["fold"]
    train = ~held
    n, m = int(train.sum()), int(held.sum())
    f = np.load(a.features)
    pk = np.load(a.package)
    at = {x: i for i, x in enumerate(pk["names"])}
    ip = np.array([at[os.path.basename(x)[:-4]] for x in f["paths"]])
    tr_idx, he_idx = np.flatnonzero(train), np.flatnonzero(held)

    # training part: the heads' out-of-fold outputs (photos, not mirrors); Platt scaling of the
    # gender score fitted on those scores, as train_age_gender.py does for the shipped head
    head_age = np.maximum(0, b["age bn1"][:n])
    score = b["gender bn1"][:n]
    platt_w, platt_b = H.fit_softmax(score[:, None].astype(np.float32), gender[train], 2, 0.0)
    head_logit = score * (platt_w[1, 0] - platt_w[0, 0]) + (platt_b[1] - platt_b[0])
    pkg_age_all = (pk["age_probs"] @ AGE_WEIGHTS + pk["flip_age_probs"] @ AGE_WEIGHTS) / 2
    pkg_age = pkg_age_all[ip][tr_idx]
    pkg_logit = logit_of(pk["gender_probs"][ip][tr_idx])

    report = {"knots": KNOTS, "training_faces": n}
    ya, yg = age[train], gender[train]
    xa = hinge_features(head_age, pkg_age)
    oof = np.empty(n)
    for k in range(5):
        t, e = fold != k, fold == k
        oof[e] = np.c_[xa[e], np.ones(e.sum())] @ least_absolute(xa[t], ya[t])
    report["age_cv_mae"] = float(np.abs(np.maximum(oof, 0) - ya).mean())
    xg = np.c_[head_logit, pkg_logit]
    og = np.empty(n)
    for k in range(5):
        t, e = fold != k, fold == k
        og[e] = np.c_[xg[e], np.ones(e.sum())] @ H.logistic(xg[t], yg[t])
    report["gender_cv_accuracy"] = float(((og > 0) == (yg == 1)).mean())
    report["head_alone_cv"] = {"age_mae": float(np.abs(head_age - ya).mean()), "gender": float(((score > 0) == (yg == 1)).mean())}
    ca = least_absolute(xa, ya)
    cg = H.logistic(xg, yg)
    report["age"] = {"head": ca[0], "package": ca[1], "head_hinges": list(ca[2:2 + len(KNOTS)]),
                     "package_hinges": list(ca[2 + len(KNOTS):2 + 2 * len(KNOTS)]), "intercept": ca[-1]}
    report["gender"] = {"head_logit": cg[0], "package_logit": cg[1], "intercept": cg[2]}
    report["age"] = {k: (float(v) if np.isscalar(v) else [float(x) for x in v]) for k, v in report["age"].items()}
    report["gender"] = {k: float(v) for k, v in report["gender"].items()}
    print(f"CV on the training part: age MAE {report['age_cv_mae']:.3f} (head alone {report['head_alone_cv']['age_mae']:.3f}), "
          f"gender {report['gender_cv_accuracy']:.4f} (head alone {report['head_alone_cv']['gender']:.4f})")

    if a.score:  # the shipped heads' own outputs on the held-out maps
        maps = f["full"][he_idx].astype(np.float32).reshape(-1, 1024, 7, 7)
        ha = ort.InferenceSession(os.path.join(a.heads, "age-sface-head.onnx")).run(["age"], {"bn1": maps})[0][:, 0]
        hp = ort.InferenceSession(os.path.join(a.heads, "gender-sface-head.onnx")).run(["probs"], {"bn1": maps})[0]
        assert np.allclose(ha, b["age bn1"][2 * n:2 * n + m], atol=0.05), "the shipped age head is not the base head"
        ha = np.maximum(0, ha)
        pa = pkg_age_all[ip][he_idx]
        stacked_age = np.maximum(0, np.c_[hinge_features(ha, pa), np.ones(m)] @ ca)
        stacked_logit = np.c_[logit_of(hp), logit_of(pk["gender_probs"][ip][he_idx]), np.ones(m)] @ cg
        report["held_out"] = {"faces": m, "age_mae": float(np.abs(stacked_age - age[held]).mean()),
                              "gender_accuracy": float(((stacked_logit > 0) == (gender[held] == 1)).mean()),
                              "head_alone_age_mae": float(np.abs(ha - age[held]).mean()),
                              "head_alone_gender": float((hp.argmax(1) == gender[held]).mean())}
        print("held-out:", report["held_out"])
    json.dump(report, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
