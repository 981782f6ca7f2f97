#!/usr/bin/env python3
"""Evaluate an exported expression model on a FER2013 split with onnxruntime (CPU).

    python training/expression/evaluate.py --model models/expression-fer2013.onnx \
        --data ../shared/data/fer2013 [--split publictest] [--json OUT.json]

Needs numpy, pillow and onnxruntime only (no PyTorch). Prints accuracy, per-class recall and
the confusion matrix (rows: true class, columns: predicted), in CLASSES order.
"""
import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort
from PIL import Image

CLASSES = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True, help="fer2013 folder holding <split>/<class>/*.jpg")
    p.add_argument("--split", default="publictest")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", help="also write the result here")
    a = p.parse_args()

    xs, ys = [], []
    for label, name in enumerate(CLASSES):
        folder = os.path.join(a.data, a.split, name)
        for f in sorted(os.listdir(folder)):
            with Image.open(os.path.join(folder, f)) as im:
                xs.append(np.asarray(im.convert("L"), dtype=np.float32))
            ys.append(label)
    x, y = np.stack(xs)[:, None], np.asarray(ys)

    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    s = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    t = time.time()
    probs = np.concatenate([s.run(["probs"], {"input": x[i : i + 256]})[0] for i in range(0, len(x), 256)])
    seconds = time.time() - t
    pred = probs.argmax(1)
    cm = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    np.add.at(cm, (y, pred), 1)
    result = {
        "model": os.path.basename(a.model),
        "split": a.split,
        "n": int(len(y)),
        "accuracy": round(float((pred == y).mean()), 4),
        "recall": {c: round(float(cm[i, i] / cm[i].sum()), 4) for i, c in enumerate(CLASSES)},
        "mean_recall": round(float(np.mean([cm[i, i] / cm[i].sum() for i in range(len(CLASSES))])), 4),
        "confusion": {"rows_true_cols_pred": CLASSES, "matrix": cm.tolist()},
        "onnxruntime": ort.__version__,
        "ms_per_image": round(1000 * seconds / len(y), 2),
    }
    print(json.dumps(result, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
