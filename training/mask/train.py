"""Face-mask classifier on the pipeline's own aligned crops.

Input contract of the exported model (what MaskClassifier.swift feeds it):
  input  `input`  N x 3 x 112 x 112, RGB, values 0-255: the ArcFace-aligned crop that
         `visage dataset crops` (and FaceAnalyzer) makes from YuNet's five landmarks.
  output `probs`  N x 2 softmax probabilities [with_mask, without_mask], averaged over the
         crop and its mirror image (folded into the graph).

Protocol: the held-out part is a seeded (--split-seed, default 20261123), stratified 20% of
the *photos* of each class folder, drawn before any face detection, so photos where YuNet
finds no face stay in it and are counted by `visage eval mask`. Nothing was tuned on it: the
epoch count and augmentation are fixed in advance, and the last epoch is exported.

  python training/mask/train.py --photos ../shared/data/masks --crops /tmp/mask-crops --out runs/mask
"""
import argparse
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

CLASSES = ["with_mask", "without_mask"]


def list_photos(root):
    photos = []
    for label, name in enumerate(CLASSES):
        for f in sorted(os.listdir(os.path.join(root, name))):
            if f.lower().rsplit(".", 1)[-1] in ("jpg", "jpeg", "png", "webp"):
                photos.append((f"{name}/{f}", label))
    return photos


def split(photos, seed, fraction):
    rng = random.Random(seed)
    held = set()
    for label in range(len(CLASSES)):
        items = sorted(p for p, l in photos if l == label)
        rng.shuffle(items)
        held.update(items[: round(len(items) * fraction)])
    return held


def load_crops(crops, names):
    xs, ys, kept = [], [], []
    for rel, label in names:
        path = os.path.join(crops, rel + ".png")
        if not os.path.exists(path):
            continue
        xs.append(np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8))
        ys.append(label)
        kept.append(rel)
    return np.stack(xs), np.array(ys, dtype=np.int64), kept


class Net(nn.Module):
    """About 30k parameters on a 56x56 input: the 112x112 crop box-averaged by 2 (a mask is a
    large, coarse pattern; training at 56 px keeps an epoch within seconds on a shared CPU)."""

    def __init__(self):
        super().__init__()
        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))
        self.features = nn.Sequential(
            block(3, 8), nn.MaxPool2d(2),         # 56 -> 28
            block(8, 16), nn.MaxPool2d(2),        # 14
            block(16, 32), nn.MaxPool2d(2),       # 7
            block(32, 48),
        )
        self.head = nn.Linear(48, len(CLASSES))

    def forward(self, x):  # x: N x 3 x 56 x 56 in 0-255
        x = (x - 127.5) / 127.5
        return self.head(self.features(x).mean(dim=(2, 3)))


class Exported(nn.Module):
    """The shipped graph: 112x112 crop -> 2x2 box average -> net, averaged with the mirror image."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        x = F.avg_pool2d(x, 2)
        p = F.softmax(self.net(x), dim=1) + F.softmax(self.net(torch.flip(x, dims=[3])), dim=1)
        return p / 2


def augment(batch, rng):
    """Mirror, a small random similarity jitter (landmark noise), brightness/contrast."""
    n = batch.shape[0]
    flip = torch.from_numpy(rng.random(n) < 0.5)
    batch = torch.where(flip[:, None, None, None], torch.flip(batch, dims=[3]), batch)
    angle = torch.from_numpy(rng.uniform(-0.17, 0.17, n)).float()
    scale = torch.from_numpy(rng.uniform(0.92, 1.08, n)).float()
    shift = torch.from_numpy(rng.uniform(-0.06, 0.06, (n, 2))).float()
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = scale * torch.cos(angle)
    theta[:, 0, 1] = -scale * torch.sin(angle)
    theta[:, 1, 0] = scale * torch.sin(angle)
    theta[:, 1, 1] = scale * torch.cos(angle)
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, batch.shape, align_corners=False)
    batch = F.grid_sample(batch, grid, padding_mode="border", align_corners=False)
    gain = torch.from_numpy(rng.uniform(0.7, 1.3, (n, 1, 1, 1))).float()
    bias = torch.from_numpy(rng.uniform(-25, 25, (n, 1, 1, 1))).float()
    grey = torch.from_numpy(rng.random(n) < 0.1)
    mono = batch.mean(dim=1, keepdim=True).expand_as(batch)
    batch = torch.where(grey[:, None, None, None], mono, batch)
    return (batch * gain + bias).clamp(0, 255)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", required=True, help="folder with with_mask/ and without_mask/ photos")
    ap.add_argument("--crops", required=True, help="`visage dataset crops` output for that folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--split-seed", type=int, default=20261123)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)

    photos = list_photos(args.photos)
    held = split(photos, args.split_seed, args.holdout)
    with open(os.path.join(args.out, "holdout.txt"), "w") as f:
        f.writelines(p + "\n" for p, _ in photos if p in held)
    xtr, ytr, _ = load_crops(args.crops, [(p, l) for p, l in photos if p not in held])
    xte, yte, kept_te = load_crops(args.crops, [(p, l) for p, l in photos if p in held])
    print(f"photos {len(photos)}, held out {len(held)}; crops: train {len(ytr)}, held out {len(yte)}", flush=True)

    xtr_t = F.avg_pool2d(torch.from_numpy(xtr).permute(0, 3, 1, 2).float(), 2)
    xte_t = torch.from_numpy(xte).permute(0, 3, 1, 2).float()
    net = Net()
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
    batch_size = 64
    steps = args.epochs * ((len(ytr) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=steps, pct_start=0.15)
    history = []
    start = time.time()
    for epoch in range(args.epochs):
        net.train()
        order = rng.permutation(len(ytr))
        total = 0.0
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            x = augment(xtr_t[idx], rng)
            loss = F.cross_entropy(net(x), torch.from_numpy(ytr[idx]), label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        history.append({"epoch": epoch + 1, "loss": total / len(ytr)})
        print(f"epoch {epoch + 1} loss {total / len(ytr):.4f} ({time.time() - start:.0f} s)", flush=True)

    net.eval()
    exported = Exported(net).eval()
    with torch.no_grad():
        p = torch.cat([exported(xte_t[i : i + 256]) for i in range(0, len(yte), 256)]).numpy()
    pred = p.argmax(1)
    confusion = [[int(((yte == t) & (pred == q)).sum()) for q in range(2)] for t in range(2)]
    acc = float((pred == yte).mean())
    print(f"held-out crops: accuracy {acc:.4f} on {len(yte)}; confusion {confusion}")
    torch.save(net.state_dict(), os.path.join(args.out, "model.pt"))
    onnx_path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(exported, torch.zeros(1, 3, 112, 112), onnx_path, input_names=["input"], output_names=["probs"],
                      dynamic_axes={"input": {0: "n"}, "probs": {0: "n"}}, opset_version=17, dynamo=False)
    import onnxruntime as ort
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    q = session.run(["probs"], {"input": xte_t[:64].numpy()})[0]
    gap = float(np.abs(q - p[:64]).max())
    print(f"onnxruntime vs torch max |diff| {gap:.2e}")
    wrong = [kept_te[i] for i in np.nonzero(pred != yte)[0]]
    json.dump({"args": vars(args), "parameters": params, "train_crops": len(ytr), "holdout_photos": len(held),
               "holdout_crops": len(yte), "holdout_crop_accuracy": acc, "confusion": confusion, "wrong": wrong,
               "onnx_max_diff": gap, "history": history, "seconds": time.time() - start},
              open(os.path.join(args.out, "metrics.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
