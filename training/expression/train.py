#!/usr/bin/env python3
"""Train Visage's 7-class facial-expression classifier on FER2013.

    python training/expression/train.py --data DIR --out DIR [options]

DIR for --data is either the FER2013 folder (``train/<class>/*.jpg`` and
``publictest/<class>/*.jpg``, as in ../shared/data/fer2013) or the output of
``pack.py`` (``train.npz`` / ``train_x.npy.xz`` / ``train_jpeg.bin.xz`` and the same for
publictest).

What it does (the model card docs/models/expression-fer2013.md records the exact
command and the numbers it printed):

* Splits FER2013 *train* into 90% training / 10% validation, stratified by
  class, with a fixed seed (12345) that does not depend on --seed, so every
  run sees the same validation set. The checkpoint (raw weights or their EMA,
  at whichever epoch) is chosen on that validation set only; PublicTest is
  evaluated once, at the end, and never used for a choice.
* Model: a VGG-style CNN on 48×48 grey input: four stages of two 3×3
  conv-BN-ReLU layers (width w, 2w, 4w, 4w) each followed by 2×2 max-pooling,
  then flatten (4w×3×3), dropout and one linear layer to 7 logits.
  w = 64 gives 2.3 M parameters (about 9.4 MB as float32 ONNX).
* Augmentation, done on the GPU on the whole batch: horizontal flip, rotation
  (±15°), scale (0.85–1.15), shift (±15% of the half-width, like a random
  crop with padding), brightness/contrast jitter, random erasing (p 0.5).
* SGD with Nesterov momentum 0.9, weight decay 5e-4, linear warm-up for two
  epochs then cosine decay to zero, label smoothing 0.1, bf16 autocast,
  batch 128, an exponential moving average (0.999) of the weights.
* --time-budget S: after the second epoch the number of epochs is cut so that
  training ends within S seconds (the cosine schedule follows the new length).
* --teachers A.onnx,B.onnx: distillation. The loss becomes
  kd_alpha·T²·KL(teachers' averaged softmax(z/T) ‖ student's) + (1 − kd_alpha)·CE, the
  teachers (earlier exports of this same network, rebuilt by FoldedNet) seeing the same
  augmented batch. With --kd-split each teacher labels only its own slice of the batch
  (the same target in expectation, at the cost of one teacher). The shipped model was made
  this way; see README.md beside this file.

Export: ``model.onnx`` takes ``input`` N×1×48×48 float32 grey values 0–255
(no other scaling: the graph normalises) and returns ``probs`` N×7 softmax
probabilities in CLASSES order, already averaged over the image and its
horizontal mirror (test-time flip averaging is folded into the graph, so a
caller runs the model once per face). ``metrics.json`` holds validation and
PublicTest accuracy, per-class recall, the confusion matrix and the per-epoch
history. If onnxruntime is installed the exported file is re-evaluated with it.
"""
import argparse
import copy
import io
import json
import lzma
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
VAL_SPLIT_SEED = 12345


# ----------------------------------------------------------------------------- data
def load_split(root, split):
    jpeg = os.path.join(root, split + "_jpeg.bin.xz")
    if os.path.exists(jpeg):  # pack.py --jpeg
        from PIL import Image

        with lzma.open(jpeg, "rb") as f:
            blob = f.read()
        ends = np.load(os.path.join(root, split + "_jpeg_offsets.npy"))
        x = np.stack([np.asarray(Image.open(io.BytesIO(blob[s:e])).convert("L"), dtype=np.uint8) for s, e in zip(ends[:-1], ends[1:])])
        return x, np.load(os.path.join(root, split + "_y.npy"))
    xz = os.path.join(root, split + "_x.npy.xz")
    npz = os.path.join(root, split + ".npz")
    if os.path.exists(xz):
        with lzma.open(xz, "rb") as f:
            x = np.load(io.BytesIO(f.read()))
        y = np.load(os.path.join(root, split + "_y.npy"))
        return x, y
    if os.path.exists(npz):
        d = np.load(npz)
        return d["x"], d["y"]
    folder = os.path.join(root, split)
    if not os.path.isdir(folder):
        return None, None
    from PIL import Image  # only needed when reading the image folders

    xs, ys = [], []
    for label, name in enumerate(CLASSES):
        sub = os.path.join(folder, name)
        for f in sorted(os.listdir(sub)):
            with Image.open(os.path.join(sub, f)) as im:
                xs.append(np.asarray(im.convert("L").resize((48, 48), Image.BILINEAR), dtype=np.uint8))
            ys.append(label)
    return np.stack(xs), np.asarray(ys, dtype=np.int64)


def stratified_split(y, frac):
    rng = np.random.default_rng(VAL_SPLIT_SEED)
    val = []
    for c in range(len(CLASSES)):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        val.extend(idx[: int(round(frac * len(idx)))].tolist())
    val = np.sort(np.asarray(val))
    mask = np.ones(len(y), dtype=bool)
    mask[val] = False
    return np.flatnonzero(mask), val


# ----------------------------------------------------------------------------- model
class ExpressionNet(nn.Module):
    """VGG-style CNN; input N×1×48×48 grey 0–255, output N×7 logits."""

    def __init__(self, width=64, drop=0.5):
        super().__init__()
        chans = [width, 2 * width, 4 * width, 4 * width]
        layers, cin = [], 1
        for c in chans:
            for _ in range(2):
                layers += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
                cin = c
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(drop), nn.Linear(cin * 3 * 3, len(CLASSES)))

    def forward(self, x):
        x = (x * (1.0 / 255.0) - 0.5) * 4.0  # FER2013 mean ≈ 0.51, std ≈ 0.25
        return self.head(self.features(x))


class FlipAveraged(nn.Module):
    """What gets exported: softmax probabilities averaged over x and its mirror."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        n = x.shape[0]
        p = torch.softmax(self.net(torch.cat([x, torch.flip(x, [3])], 0)), 1)
        return (p[:n] + p[n:]) * 0.5


class FoldedNet(nn.Module):
    """ExpressionNet as exported (BatchNorm folded into the convolutions), rebuilt from an
    ONNX file written by this script; used as a frozen teacher for distillation."""

    def __init__(self, path):
        super().__init__()
        ws, bs = self.read(path)
        layers = []
        for i, (w, b) in enumerate(zip(ws[:-1], bs[:-1])):
            conv = nn.Conv2d(w.shape[1], w.shape[0], 3, padding=1)
            conv.weight.data.copy_(w)
            conv.bias.data.copy_(b)
            layers += [conv, nn.ReLU(inplace=True)]
            if i % 2 == 1:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(ws[-1].shape[1], ws[-1].shape[0])
        self.fc.weight.data.copy_(ws[-1])
        self.fc.bias.data.copy_(bs[-1])

    @staticmethod
    def read(path):
        """Weights and biases of the 8 convolutions and the final linear layer, in order, from
        the exported .onnx or from an .npz of arrays w0…w8, b0…b8, or int8 q0…q8 with per-channel
        scales s0…s8 (smaller transfer copies written by teacher_npz.py)."""
        if path.endswith(".npz"):
            d = np.load(path)
            if "q0" in d:  # int8 per-output-channel copy from teacher_npz.py --int8: w = q · s
                ws = [torch.from_numpy(d[f"q{i}"].astype(np.float32) * d[f"s{i}"].astype(np.float32).reshape((-1,) + (1,) * (d[f"q{i}"].ndim - 1))) for i in range(9)]
            else:
                ws = [torch.from_numpy(d[f"w{i}"].astype(np.float32)) for i in range(9)]
            bs = [torch.from_numpy(d[f"b{i}"].astype(np.float32)) for i in range(9)]
            return ws, bs
        import onnx
        from onnx import numpy_helper

        m = onnx.load(path)
        inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).astype(np.float32)) for i in m.graph.initializer}
        nodes = [n for n in m.graph.node if n.op_type in ("Conv", "Gemm")]
        assert [n.op_type for n in nodes] == ["Conv"] * 8 + ["Gemm"], f"{path}: not an ExpressionNet export"
        return [inits[n.input[1]] for n in nodes], [inits[n.input[2]] for n in nodes]

    def forward(self, x):
        x = (x * (1.0 / 255.0) - 0.5) * 4.0
        return self.fc(torch.flatten(self.features(x), 1))


# ----------------------------------------------------------------------------- augmentation
def add_augmentation_arguments(p, rotate=15.0, shift=0.15, erase=0.5):
    """The options `augment` reads (finetune_sface.py passes milder defaults)."""
    p.add_argument("--rotate", type=float, default=rotate, help="degrees either way")
    p.add_argument("--scale", type=float, default=0.15)
    p.add_argument("--shift", type=float, default=shift, help="fraction of the half-width")
    p.add_argument("--contrast", type=float, default=0.2)
    p.add_argument("--brightness", type=float, default=0.1)
    p.add_argument("--erase", type=float, default=erase, help="probability of random erasing")


def augment(x, a):
    """x: B×1×48×48 float in [0,1] on the GPU. Returns an augmented copy."""
    b, dev = x.shape[0], x.device
    u = lambda lo, hi: torch.empty(b, device=dev).uniform_(lo, hi)
    flip = torch.where(torch.rand(b, device=dev) < 0.5, -1.0, 1.0)
    ang = u(-a.rotate, a.rotate) * (math.pi / 180)
    scale = u(1 - a.scale, 1 + a.scale)
    cos, sin = torch.cos(ang) / scale, torch.sin(ang) / scale
    theta = torch.stack(
        [
            torch.stack([cos * flip, -sin, u(-a.shift, a.shift)], 1),
            torch.stack([sin * flip, cos, u(-a.shift, a.shift)], 1),
        ],
        1,
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    # brightness / contrast
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    c = u(1 - a.contrast, 1 + a.contrast).view(b, 1, 1, 1)
    br = u(-a.brightness, a.brightness).view(b, 1, 1, 1)
    x = ((x - m) * c + m + br).clamp(0, 1)
    # random erasing
    if a.erase > 0:
        h = w = x.shape[-1]
        area = u(0.02, 0.25) * h * w
        ratio = torch.exp(u(math.log(0.3), math.log(3.3)))
        eh = (area * ratio).sqrt().clamp(1, h).floor()
        ew = (area / ratio).sqrt().clamp(1, w).floor()
        y0 = (torch.rand(b, device=dev) * (h - eh + 1)).floor()
        x0 = (torch.rand(b, device=dev) * (w - ew + 1)).floor()
        rr = torch.arange(h, device=dev).view(1, h, 1)
        cc = torch.arange(w, device=dev).view(1, 1, w)
        box = (rr >= y0.view(b, 1, 1)) & (rr < (y0 + eh).view(b, 1, 1)) & (cc >= x0.view(b, 1, 1)) & (cc < (x0 + ew).view(b, 1, 1))
        box = box & (torch.rand(b, 1, 1, device=dev) < a.erase)
        x = torch.where(box.unsqueeze(1), torch.rand_like(x), x)
    return x


# ----------------------------------------------------------------------------- evaluation
@torch.no_grad()
def predict(net, x_u8, bs=1024):
    """Flip-averaged probabilities for uint8 N×48×48 on the model's device."""
    net.eval()
    out = []
    for i in range(0, len(x_u8), bs):
        xb = x_u8[i : i + bs].unsqueeze(1).float()
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=xb.is_cuda):
            lg = net(torch.cat([xb, torch.flip(xb, [3])], 0)).float()
        p = torch.softmax(lg, 1)
        n = xb.shape[0]
        out.append((p[:n] + p[n:]) * 0.5)
    return torch.cat(out)


def keep_best(candidates, xva, yva, best, epoch, rec, bs=1024):
    """Scores each (name, model) on validation into `rec`; returns the best so far, its weights copied."""
    for name, m in candidates:
        acc = float((predict(m, xva, bs).argmax(1).cpu().numpy() == yva).mean())
        rec[name] = round(acc, 4)
        if acc > best["acc"]:
            best = {"acc": acc, "epoch": epoch, "which": name, "state": {k: v.detach().clone() for k, v in m.state_dict().items()}}
    return best


def export_flip_averaged(model, path, say):
    """`model` (N×1×48×48 grey → logits) as ONNX, float32, with flip averaging folded in."""
    wrapper = FlipAveraged(copy.deepcopy(model).cpu().float().eval()).eval()
    dummy = torch.full((2, 1, 48, 48), 128.0)
    try:
        torch.onnx.export(
            wrapper, (dummy,), path, input_names=["input"], output_names=["probs"],
            dynamic_axes={"input": {0: "N"}, "probs": {0: "N"}}, opset_version=17, dynamo=False,
        )
    except Exception as e:  # newer torch without the TorchScript exporter
        say("legacy export failed:", repr(e)[:300])
        torch.onnx.export(
            wrapper, (dummy,), path, input_names=["input"], output_names=["probs"],
            dynamic_shapes={"x": {0: torch.export.Dim("N", min=1, max=4096)}}, dynamo=True, external_data=False,
        )
    return os.path.getsize(path)


def report(probs, y):
    pred = np.asarray(probs).argmax(1)
    y = np.asarray(y)
    k = len(CLASSES)
    cm = np.zeros((k, k), dtype=int)
    np.add.at(cm, (y, pred), 1)
    recall = {CLASSES[i]: round(float(cm[i, i] / max(cm[i].sum(), 1)), 4) for i in range(k)}
    return {
        "n": int(len(y)),
        "accuracy": round(float((pred == y).mean()), 4),
        "recall": recall,
        "confusion": {"rows_true_cols_pred": CLASSES, "matrix": cm.tolist()},
    }


# ----------------------------------------------------------------------------- main
def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--drop", type=float, default=0.5)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--ema", type=float, default=0.999)
    add_augmentation_arguments(p)
    p.add_argument("--val-frac", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-budget", type=float, default=0, help="seconds for training; 0 = no limit")
    p.add_argument("--tag", default="", help="prefix for printed lines")
    p.add_argument("--teachers", default="", help="comma-separated model.onnx files of earlier runs: distil their averaged soft labels")
    p.add_argument("--kd-alpha", type=float, default=0.8, help="weight of the distillation term")
    p.add_argument("--kd-temp", type=float, default=2.0)
    p.add_argument("--kd-split", action="store_true", help="each teacher labels 1/k of every batch instead of all of it (k teachers cost one)")
    p.add_argument("--limit", type=int, default=0, help="train on a random subset of this size (smoke tests)")
    a = p.parse_args()

    t_start = time.time()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True
    os.makedirs(a.out, exist_ok=True)
    say = lambda *s: print(a.tag, *s, flush=True)

    x_all, y_all = load_split(a.data, "train")
    x_pt, y_pt = load_split(a.data, "publictest")
    tr, va = stratified_split(y_all, a.val_frac)
    if a.limit:
        tr = np.sort(np.random.default_rng(a.seed).choice(tr, a.limit, replace=False))
    xtr = torch.from_numpy(x_all[tr]).to(dev)
    ytr = torch.from_numpy(y_all[tr]).long().to(dev)
    xva = torch.from_numpy(x_all[va]).to(dev)
    yva = y_all[va]
    say(f"train {len(tr)} val {len(va)} publictest {0 if x_pt is None else len(x_pt)} device {dev}")

    teachers = []
    for path in filter(None, a.teachers.split(",")):
        t = FoldedNet(path).to(dev).to(memory_format=torch.channels_last).eval()
        for q in t.parameters():
            q.requires_grad_(False)
        acc = float((predict(t, xva).argmax(1).cpu().numpy() == yva).mean())
        say(f"teacher {path}: val {acc:.4f}")
        assert acc > 0.6, "teacher does not work"
        teachers.append(t)
    if teachers:
        ens = sum(predict(t, xva) for t in teachers) / len(teachers)
        say(f"teacher ensemble val {float((ens.argmax(1).cpu().numpy() == yva).mean()):.4f}")

    net = ExpressionNet(a.width, a.drop).to(dev).to(memory_format=torch.channels_last)
    n_params = sum(q.numel() for q in net.parameters())
    ema = copy.deepcopy(net)
    ema_f = [v for v in ema.state_dict().values() if v.dtype.is_floating_point]
    net_f = [v for v in net.state_dict().values() if v.dtype.is_floating_point]
    ema_i = [v for v in ema.state_dict().values() if not v.dtype.is_floating_point]
    net_i = [v for v in net.state_dict().values() if not v.dtype.is_floating_point]

    decay, no_decay = [], []
    for name, q in net.named_parameters():
        (no_decay if q.ndim <= 1 else decay).append(q)
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": a.wd}, {"params": no_decay, "weight_decay": 0}],
        lr=a.lr, momentum=0.9, nesterov=True,
    )
    crit = nn.CrossEntropyLoss(label_smoothing=a.label_smoothing)
    steps_per_epoch = len(tr) // a.batch
    epochs = a.epochs
    warm = 2 * steps_per_epoch

    def lr_at(step, total):
        if step < warm:
            return a.lr * (step + 1) / warm
        return a.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, total - warm))))

    best = {"acc": -1.0}
    history = []
    step = 0
    t_train = time.time()
    ep = 0
    while ep < epochs:
        net.train()
        perm = torch.randperm(len(tr), device=dev)
        tot_loss = torch.zeros((), device=dev)
        for i in range(steps_per_epoch):
            idx = perm[i * a.batch : (i + 1) * a.batch]
            xb = augment(xtr[idx].unsqueeze(1).float() * (1.0 / 255.0), a) * 255.0
            xb = xb.contiguous(memory_format=torch.channels_last)
            for g in opt.param_groups:
                g["lr"] = lr_at(step, epochs * steps_per_epoch)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=dev.type == "cuda"):
                logits = net(xb).float()
                loss = crit(logits, ytr[idx])
                if teachers:
                    with torch.no_grad():
                        if a.kd_split and len(teachers) > 1:
                            # each teacher labels its own slice of the (randomly drawn) batch: in
                            # expectation the same gradient as the averaged target (the KL term is
                            # linear in it), at the cost of one teacher instead of all of them
                            k = step % len(teachers)
                            order = teachers[k:] + teachers[:k]
                            soft = torch.cat([torch.softmax(t(c).float() / a.kd_temp, 1) for t, c in zip(order, xb.chunk(len(teachers)))])
                        else:
                            soft = sum(torch.softmax(t(xb).float() / a.kd_temp, 1) for t in teachers) / len(teachers)
                    kd = F.kl_div(F.log_softmax(logits / a.kd_temp, 1), soft, reduction="batchmean") * a.kd_temp**2
                    loss = a.kd_alpha * kd + (1 - a.kd_alpha) * loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                d = min(a.ema, (1 + step) / (10 + step))
                torch._foreach_lerp_(ema_f, net_f, 1 - d)
                for e, n_ in zip(ema_i, net_i):
                    e.copy_(n_)
            tot_loss += loss.detach()
            step += 1
        ep += 1
        if ep == 1:
            t_ep1 = time.time()
        if ep == 2 and a.time_budget > 0:
            # epoch 1 includes cuDNN's autotuning; epoch 2 is representative
            per_epoch = time.time() - t_ep1
            fit = 2 + int((a.time_budget - (time.time() - t_train)) / (per_epoch * 1.1))
            if fit < epochs:
                say(f"epoch takes {per_epoch:.2f}s: cutting {epochs} epochs to {max(fit, 3)}")
                epochs = max(fit, 3)
        rec = {"epoch": ep, "loss": round(float(tot_loss) / steps_per_epoch, 4)}
        best = keep_best((("raw", net), ("ema", ema)), xva, yva, best, ep, rec)
        history.append(rec)
        if ep % 5 == 0 or ep == epochs:
            say(f"ep {ep}/{epochs} loss {rec['loss']:.3f} val raw {rec['raw']:.4f} ema {rec['ema']:.4f} best {best['acc']:.4f}@{best['epoch']}{best['which']} {time.time() - t_train:.0f}s")

    final = ExpressionNet(a.width, a.drop).to(dev)
    final.load_state_dict(best["state"])
    final.eval()
    torch.save(best["state"], os.path.join(a.out, "model.pt"))
    metrics = {
        "args": vars(a),
        "epochs_run": epochs,
        "params": n_params,
        "chosen": {"epoch": best["epoch"], "weights": best["which"], "val_accuracy": round(best["acc"], 4)},
        "train_seconds": round(time.time() - t_train, 1),
        "validation": report(predict(final, xva).cpu().numpy(), yva),
        "history": history,
    }
    if x_pt is not None:
        metrics["publictest_torch"] = report(predict(final, torch.from_numpy(x_pt).to(dev)).cpu().numpy(), y_pt)

    path = os.path.join(a.out, "model.onnx")
    metrics["onnx_bytes"] = export_flip_averaged(final, path, say)
    try:
        import onnxruntime as ort

        s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        iname = s.get_inputs()[0].name

        def run_ort(x):
            return np.concatenate([s.run(None, {iname: x[i : i + 512, None].astype(np.float32)})[0] for i in range(0, len(x), 512)])

        metrics["validation_onnx"] = report(run_ort(x_all[va]), yva)
        if x_pt is not None:
            metrics["publictest_onnx"] = report(run_ort(x_pt), y_pt)
    except ImportError:
        pass
    metrics["total_seconds"] = round(time.time() - t_start, 1)
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    summary = {k: metrics[k]["accuracy"] for k in ("validation", "publictest_torch", "validation_onnx", "publictest_onnx") if k in metrics}
    say("done", json.dumps(summary), f"onnx {metrics['onnx_bytes']} B", f"params {n_params}", f"{metrics['total_seconds']}s")


if __name__ == "__main__":
    main()
