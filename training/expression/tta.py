#!/usr/bin/env python3
"""Test-time augmentation for the expression model: shifted and rescaled views of each 48x48
face, their class probabilities averaged (the model already averages each view with its mirror).

    python training/expression/tta.py --model models/expression-fer2013.onnx \
        --data ../shared/data/fer2013 --split validation --out results/tta-validation.json
    python training/expression/tta.py ... --split publictest --variants none,CHOSEN --out results/tta-publictest.json

--split validation: the 10% of FER2013 *train* that train.py holds out (stratified, seed 12345),
where the variant is chosen; publictest is then scored once for the chosen one. Views are made
as train.py's augmentation makes them (affine_grid / grid_sample, bilinear, border padding): a
shift of 0.1 moves the face by 2.4 px, a scale of 1.1 zooms in by 10%. Needs torch (for the
resampling and train.py's split), numpy, onnxruntime.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import CLASSES, load_split, stratified_split  # noqa: E402

# name -> (scale, shift x, shift y)
VIEWS = {
    "id": (1.0, 0.0, 0.0),
    "left": (1.0, -0.1, 0.0), "right": (1.0, 0.1, 0.0), "up": (1.0, 0.0, -0.1), "down": (1.0, 0.0, 0.1),
    "zoom-in": (1.1, 0.0, 0.0), "zoom-out": (0.9, 0.0, 0.0),
}
VARIANTS = {
    "none": ["id"],
    "shift5": ["id", "left", "right", "up", "down"],
    "scale3": ["id", "zoom-in", "zoom-out"],
    "zoom-in2": ["id", "zoom-in"],
    "all7": list(VIEWS),
}


def view(x, scale, dx, dy):
    """x: N x 1 x 48 x 48 float 0-255; the same resampling as train.augment without rotation or flip."""
    if (scale, dx, dy) == (1.0, 0.0, 0.0):
        return x
    t = torch.from_numpy(x)
    theta = torch.tensor([[1 / scale, 0, dx], [0, 1 / scale, dy]], dtype=torch.float32).expand(len(t), 2, 3)
    grid = F.affine_grid(theta, list(t.shape), align_corners=False)
    return F.grid_sample(t, grid, mode="bilinear", padding_mode="border", align_corners=False).numpy()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--split", default="validation", choices=["validation", "publictest"])
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.split == "validation":
        x, y = load_split(a.data, "train")
        _, va = stratified_split(y, 0.1)
        x, y = x[va], y[va]
    else:
        x, y = load_split(a.data, "publictest")
    if a.limit:
        x, y = x[: a.limit], y[: a.limit]
    x = x.astype(np.float32)[:, None]
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    s = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    variants = a.variants.split(",")
    needed = sorted({v for name in variants for v in VARIANTS[name]}, key=list(VIEWS).index)
    probs, seconds = {}, {}
    for name in needed:
        xv = view(x, *VIEWS[name])
        t = time.time()
        probs[name] = np.concatenate([s.run(["probs"], {"input": xv[i:i + 256]})[0] for i in range(0, len(xv), 256)])
        seconds[name] = time.time() - t
        print(f"view {name}: alone {(probs[name].argmax(1) == y).mean():.4f}, {1000 * seconds[name] / len(y):.1f} ms/image", flush=True)
    result = {"model": os.path.basename(a.model), "split": a.split, "n": int(len(y)), "views": {k: VIEWS[k] for k in needed},
              "onnxruntime": ort.__version__, "variants": {}}
    for name in variants:
        pr = np.mean([probs[v] for v in VARIANTS[name]], axis=0)
        pred = pr.argmax(1)
        recall = {c: round(float((pred[y == i] == i).mean()), 4) for i, c in enumerate(CLASSES)}
        result["variants"][name] = {"views": VARIANTS[name], "accuracy": round(float((pred == y).mean()), 4), "recall": recall,
                                    "ms_per_image": round(1000 * sum(seconds[v] for v in VARIANTS[name]) / len(y), 1)}
        print(f"{name:10s} {len(VARIANTS[name])} views: accuracy {(pred == y).mean():.4f}", flush=True)
    json.dump(result, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
