"""Linear probes of the FAb-Net encoder against its controls, on features cached by
`features.py probes`: expression on CK+ (10 folds split by subject) and FER2013 (head on a
seeded sample of train, tested on PublicTest), head pose on CFP (yaw and pitch proxies from the
five landmarks, regressed from the embedding; 10 folds split by subject).

Compared, all on the same images:
  fabnet     trained top on the frozen SFace trunk (the encoder train.py exports)
  untrained  the same top at its initialisation, on the same trunk: what the trunk alone gives
  random     trunk and top both randomly initialised (same shape): the random-init control
  sface      SFace's 128-d identity embedding (fc1)

The expression head is `visage eval probe`'s (VisageHeads.SoftmaxRegression): standardised
features, class-balanced multinomial logistic regression, L2 0.01 per unit of mean loss, which is
scikit-learn's C = 1 / (0.01 n). The pose head is ridge regression on standardised features, its
penalty chosen by inner cross-validation on the training folds only.

    python probe.py --probes probes.npz --checkpoint RUN/checkpoint.pt --out RUN/probes.json
"""
import argparse
import json
import sys
import warnings

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from train import Top  # noqa: E402


def embed(top, trunk):
    top.eval()
    with torch.no_grad():
        return np.concatenate([top(torch.from_numpy(trunk[i:i + 256].astype(np.float32))).numpy() for i in range(0, len(trunk), 256)])


def classify(train_x, train_y, test_x):
    scaler = StandardScaler().fit(train_x)
    head = LogisticRegression(C=1 / (0.01 * len(train_x)), class_weight="balanced", max_iter=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        head.fit(scaler.transform(train_x), train_y)
    return head.predict(scaler.transform(test_x))


def scores(truth, predicted, classes):
    recall = [np.mean(predicted[truth == c] == c) for c in range(classes) if np.any(truth == c)]
    return {"accuracy": round(float(np.mean(truth == predicted)) * 100, 2), "mean_recall": round(float(np.mean(recall)) * 100, 2)}


def subject_folds(groups, folds=10):
    """CK+ style: subjects sorted and dealt round-robin, as ExpressionProbe.subjectFolds does."""
    order = {s: i % folds for i, s in enumerate(sorted(set(groups)))}
    fold = np.array([order[g] for g in groups])
    return [(np.where(fold != f)[0], np.where(fold == f)[0]) for f in range(folds)]


def ck(x, y, groups):
    truth, predicted = [], []
    for train, test in subject_folds(groups):
        truth.append(y[test])
        predicted.append(classify(x[train], y[train], x[test]))
    return scores(np.concatenate(truth), np.concatenate(predicted), int(y.max()) + 1)


def fer(train_x, train_y, test_x, test_y):
    return scores(test_y, classify(train_x, train_y, test_x), int(train_y.max()) + 1)


def pose(x, targets, groups):
    predicted = np.zeros_like(targets)
    baseline = np.zeros_like(targets)
    for train, test in subject_folds(groups):
        scaler = StandardScaler().fit(x[train])
        head = RidgeCV(alphas=np.logspace(0, 5, 11)).fit(scaler.transform(x[train]), targets[train])
        predicted[test] = head.predict(scaler.transform(x[test]))
        baseline[test] = targets[train].mean(0)
    out = {}
    for i, name in enumerate(["yaw", "pitch"]):
        error = np.abs(predicted[:, i] - targets[:, i]).mean()
        base = np.abs(baseline[:, i] - targets[:, i]).mean()
        r2 = 1 - ((predicted[:, i] - targets[:, i]) ** 2).sum() / ((targets[:, i] - targets[:, i].mean()) ** 2).sum()
        out[name] = {"mae": round(float(error), 4), "mae_predicting_mean": round(float(base), 4), "r2": round(float(r2), 3)}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probes", required=True)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    z = np.load(args.probes)
    state = torch.load(args.checkpoint, weights_only=False)
    trained, untrained = Top(), Top()
    trained.load_state_dict(state["top"])
    untrained.load_state_dict(state["untrained_top"])

    def features(name, variant):
        if variant == "sface":
            return z[f"{name}_sface"].astype(np.float32)
        if variant == "random":
            return embed(untrained, z[f"{name}_random_trunk"])
        return embed(trained if variant == "fabnet" else untrained, z[f"{name}_trunk"])

    report = {"checkpoint": args.checkpoint, "step": state["step"], "images": {
        "ck": int(len(z["ck_labels"])), "fer_train": int(len(z["fer_train_labels"])), "fer_test": int(len(z["fer_test_labels"])),
        "cfp": int(len(z["cfp_labels"])), "cfp_profile": int(z["cfp_profile"].sum()), "cfp_subjects": int(len(set(z["cfp_groups"])))}}
    for variant in ["fabnet", "untrained", "random", "sface"]:
        result = {
            "ck": ck(features("ck", variant), z["ck_labels"], z["ck_groups"]),
            "fer": fer(features("fer_train", variant), z["fer_train_labels"], features("fer_test", variant), z["fer_test_labels"]),
            "pose": pose(features("cfp", variant), z["cfp_labels"], z["cfp_groups"]),
        }
        report[variant] = result
        print(variant, json.dumps(result), flush=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
