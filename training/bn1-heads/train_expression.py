"""Expression head (seven FER2013 classes) on SFace `bn1`, FER2013 train only, scored on PublicTest.

FER2013's 48 x 48 grey crops are resized to SFace's 112 x 112 input with no detection
(extract.py --resize 112), as `visage eval expression --model sface-head` does. The pooling and
the weight decay of the softmax head are chosen on a stratified tenth of the training images
(seed 20261203), never on PublicTest; the final head is fitted on all training images and
PublicTest is scored once.

  python training/bn1-heads/train_expression.py --train /tmp/helperA/attr/fer-train.npz \
      --test /tmp/helperA/attr/fer-test.npz --out /tmp/helperA/attr/fer-head
"""
import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort

import heads as H

LABELS = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]  # ExpressionLabel order
DECAYS = [1e-3, 1e-4]


def labels_of(paths):
    return np.array([LABELS.index(p.split("/")[-2]) for p in paths])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--poolings", default="average,rows")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tr, te = np.load(a.train), np.load(a.test)
    y, yt = labels_of(list(tr["paths"])), labels_of(list(te["paths"]))
    val = H.folds_of(y, 10) == 0
    started = time.time()
    trials = []
    for pooling in a.poolings.split(","):
        x = H.pooled(tr["rows"], tr["cols"], pooling)
        for decay in DECAYS:
            w, b = H.fit_softmax(x[~val], y[~val], len(LABELS), decay, iterations=200)
            acc = float(((x[val] @ w.T + b).argmax(1) == y[val]).mean())
            trials.append({"pooling": pooling, "decay": decay, "validation_accuracy": acc})
            print(f"  {pooling:8s} decay {decay:g}: validation {acc:.4%} ({time.time() - started:.0f} s)", flush=True)
    best = max(trials, key=lambda t: t["validation_accuracy"])
    print("chosen:", best)
    x = H.pooled(tr["rows"], tr["cols"], best["pooling"])
    w, b = H.fit_softmax(x, y, len(LABELS), best["decay"], iterations=200)
    xt = H.pooled(te["rows"], te["cols"], best["pooling"])
    guess = (xt @ w.T + b).argmax(1)
    accuracy = float((guess == yt).mean())
    print(f"PublicTest: {accuracy:.4%} of {len(yt)}")
    path = os.path.join(a.out, "expression-sface-head.onnx")
    H.export(path, "expression_on_sface_bn1", best["pooling"], [(w, b)], "probs", len(LABELS), "softmax")
    json.dump({"training_images": int(len(y)), "validation_images": int(val.sum()), "selection": trials, "chosen": best,
               "publictest_accuracy": accuracy,
               "recall": {LABELS[k]: float((guess[yt == k] == k).mean()) for k in range(len(LABELS))}},
              open(os.path.join(a.out, "metrics.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
