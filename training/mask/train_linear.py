"""Mask classifier as a linear head on SFace's last feature map (`bn1`, 1024 x 7 x 7).

The face-attributes paper's recipe: localise and align the face, then read the attribute off
deep features with a linear classifier. SFace already runs on every face for recognition, so the
mask costs one 1024 -> 2 product on top of it instead of a network of its own.

The held-out photos are `holdout.txt` (drawn before detection, shared with train.py). The pooling
of the map and the weight decay are chosen by 5-fold cross-validation on the training photos
only; the held-out part is scored once, for the chosen setting.

  python training/mask/train_linear.py --crops /tmp/mask-crops \
      --sface $VISAGE_HOME/models/sface_2021dec.onnx --out /tmp/mask-linear
  # writes model.onnx (input `bn1` N x 1024 x 7 x 7, output `probs` N x 2) and metrics.json

The crops are `visage dataset crops ../shared/data/masks /tmp/mask-crops` (README step 1). The
`sface_2021dec.onnx` given must be the set-up's conversion, which exposes `bn1` as an output.
"""
import argparse
import json
import os
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

LABELS = ["with_mask", "without_mask"]  # the output order the Swift MaskClassifier reads
POOLINGS = ["average", "rows", "none"]   # simplest first: ties go to the earlier one
DECAYS = [1e-2, 1e-3, 1e-4]              # strongest first, for the same reason
SEED = 20261123


def crops_of(root):
    """(photo name as in holdout.txt, crop path, label index) for every crop."""
    out = []
    for k, label in enumerate(LABELS):
        for f in sorted(os.listdir(os.path.join(root, label))):
            if f.endswith(".png"):
                out.append((f"{label}/{f[:-4]}", os.path.join(root, label, f), k))
    return out


def jittered(picture, rng):
    """A random zoom-out (0.7-1.05), shift (up to 8 px) and turn (up to 8 degrees) of an aligned crop,
    borders mirrored: what a face looks like when it was not aligned on its landmarks, as in
    `visage analyze --face-crop`, where the whole loose crop is shrunk to 112 x 112."""
    scale, angle = rng.uniform(0.7, 1.05), np.deg2rad(rng.uniform(-8, 8))
    dx, dy = rng.uniform(-8, 8, size=2)
    a, b = np.cos(angle) / scale, np.sin(angle) / scale
    cx = cy = 55.5
    # PIL maps each output pixel to an input pixel: the inverse of zoom, turn and shift about the centre.
    coeffs = (a, b, cx - a * (cx + dx) - b * (cy + dy), -b, a, cy + b * (cx + dx) - a * (cy + dy))
    padded = np.pad(np.asarray(picture), ((56, 56), (56, 56), (0, 0)), mode="reflect")
    big = Image.fromarray(padded)
    shifted = tuple(coeffs[:2]) + (coeffs[2] + 56,) + tuple(coeffs[3:5]) + (coeffs[5] + 56,)
    return big.transform((112, 112), Image.AFFINE, shifted, resample=Image.BILINEAR)


def sface_session(sface, threads):
    """SFace with its `bn1` output, spinning off (spinning costs 3x on two shared cores)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(sface, options, providers=["CPUExecutionProvider"])
    if "bn1" not in [o.name for o in sess.get_outputs()]:
        raise SystemExit(f"{sface} has no `bn1` output: run scripts/setup to convert it again")
    return sess


def feature_maps(sface, paths, threads=2, batch=32, jitter_seed=None):
    rng = None if jitter_seed is None else np.random.default_rng(jitter_seed)
    sess = sface_session(sface, threads)
    maps = []
    for i in range(0, len(paths), batch):
        pictures = [Image.open(p).convert("RGB") for p in paths[i:i + batch]]
        if rng is not None:
            pictures = [jittered(picture, rng) for picture in pictures]
        x = np.stack([np.asarray(picture, np.float32) for picture in pictures])
        maps.append(sess.run(["bn1"], {"data": x.transpose(0, 3, 1, 2)})[0])
    return np.concatenate(maps)


def pooled(maps, pooling):
    if pooling == "average":
        return maps.mean(axis=(2, 3))
    if pooling == "rows":  # average over columns only: keeps where along the face (mouth vs eyes)
        return maps.mean(axis=3).reshape(len(maps), -1)
    return maps.reshape(len(maps), -1)


def fit(x, y, decay):
    """Standardised multinomial logistic regression, L-BFGS; returns (weight, bias) on raw x."""
    mean, std = x.mean(0), x.std(0) + 1e-6
    z = torch.tensor((x - mean) / std, dtype=torch.float32)
    t = torch.tensor(y)
    torch.manual_seed(SEED)
    linear = torch.nn.Linear(x.shape[1], len(LABELS))
    opt = torch.optim.LBFGS(linear.parameters(), max_iter=300, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(linear(z), t) + decay * linear.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    w = linear.weight.detach().numpy() / std             # fold the standardisation in
    b = linear.bias.detach().numpy() - w @ mean
    return w.astype(np.float32), b.astype(np.float32)


def predict(x, w, b):
    return (x @ w.T + b).argmax(1)


def cross_validate(x, y, decay, extra=None, folds=5):
    order = np.random.default_rng(SEED).permutation(len(y))
    fold = np.empty(len(y), int)
    for label in np.unique(y):  # stratified
        members = order[y[order] == label]
        fold[members] = np.arange(len(members)) % folds
    right = 0
    for f in range(folds):
        train = fold != f
        if extra is None:
            w, b = fit(x[train], y[train], decay)
        else:  # the jittered copies of the training fold's photos only
            w, b = fit(np.concatenate([x[train], extra[train]]), np.concatenate([y[train], y[train]]), decay)
        right += (predict(x[fold == f], w, b) == y[fold == f]).sum()
    return right / len(y)


def export(w, b, pooling, path):
    nodes, c = [], 1024
    if pooling == "average":
        nodes += [helper.make_node("GlobalAveragePool", ["bn1"], ["pooled4"]),
                  helper.make_node("Flatten", ["pooled4"], ["pooled"], axis=1)]
    elif pooling == "rows":
        nodes += [helper.make_node("ReduceMean", ["bn1"], ["pooled4"], axes=[3], keepdims=0),
                  helper.make_node("Flatten", ["pooled4"], ["pooled"], axis=1)]
    else:
        nodes += [helper.make_node("Flatten", ["bn1"], ["pooled"], axis=1)]
    nodes += [helper.make_node("Gemm", ["pooled", "weight", "bias"], ["logits"], transB=1),
              helper.make_node("Softmax", ["logits"], ["probs"], axis=1)]
    graph = helper.make_graph(
        nodes, "mask_classifier_linear_on_sface_bn1",
        [helper.make_tensor_value_info("bn1", TensorProto.FLOAT, ["N", c, 7, 7])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", len(LABELS)])],
        [numpy_helper.from_array(w, "weight"), numpy_helper.from_array(b, "bias")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="visage training/mask")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--crops", required=True)
    p.add_argument("--sface", required=True)
    p.add_argument("--holdout", default=os.path.join(os.path.dirname(__file__), "holdout.txt"))
    p.add_argument("--out", required=True)
    p.add_argument("--jitter", action="store_true", help="add one jittered copy of each training crop (see `jittered`)")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)

    held = {line.strip() for line in open(a.holdout) if line.strip() and not line.startswith("#")}
    items = crops_of(a.crops)
    started = time.time()
    maps = feature_maps(a.sface, [path for _, path, _ in items])
    jittered_maps = feature_maps(a.sface, [path for _, path, _ in items], jitter_seed=SEED) if a.jitter else None
    print(f"SFace feature maps of {len(items)} crops in {time.time() - started:.0f} s", flush=True)
    y = np.array([label for _, _, label in items])
    test = np.array([name in held for name, _, _ in items])
    train = ~test

    trials = []
    for pooling in POOLINGS:
        x = pooled(maps, pooling)
        extra = None if jittered_maps is None else pooled(jittered_maps, pooling)[train]
        for decay in DECAYS:
            accuracy = cross_validate(x[train], y[train], decay, extra)
            trials.append({"pooling": pooling, "weight_decay": decay, "cv_accuracy": float(accuracy)})
            print(f"  {pooling:8s} decay {decay:g}: 5-fold CV on the training photos {accuracy:.4%}", flush=True)
    best = max(trials, key=lambda t: t["cv_accuracy"])  # max keeps the first of equals
    print(f"chosen: {best['pooling']} pooling, decay {best['weight_decay']:g}")

    x = pooled(maps, best["pooling"])
    if jittered_maps is None:
        w, b = fit(x[train], y[train], best["weight_decay"])
    else:
        extra = pooled(jittered_maps, best["pooling"])[train]
        w, b = fit(np.concatenate([x[train], extra]), np.concatenate([y[train], y[train]]), best["weight_decay"])
    guess = predict(x[test], w, b)
    truth = y[test]
    names = [name for (name, _, _), t in zip(items, test) if t]
    recall = {LABELS[k]: float((guess[truth == k] == k).mean()) for k in range(len(LABELS))}
    accuracy = float((guess == truth).mean())
    print(f"held-out: {accuracy:.4%} of {len(truth)} faces; recall {recall}")

    path = os.path.join(a.out, "model.onnx")
    export(w, b, best["pooling"], path)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    onnx_guess = sess.run(["probs"], {"bn1": maps[test]})[0].argmax(1)
    assert (onnx_guess == guess).all(), "the exported graph disagrees with the fitted head"

    json.dump({
        "features": "SFace bn1 (1024x7x7) of the pipeline's ArcFace-aligned crop",
        "jitter": bool(a.jitter),
        "training_faces": int(train.sum()), "held_out_faces": int(test.sum()),
        "selection": trials, "chosen": best,
        "held_out": {"accuracy": accuracy, "recall": recall,
                     "errors": [{"photo": n, "truth": LABELS[t], "guess": LABELS[g]}
                                for n, t, g in zip(names, truth, guess) if t != g]},
    }, open(os.path.join(a.out, "metrics.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
