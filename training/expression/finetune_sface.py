#!/usr/bin/env python3
"""Fine-tune SFace (a face-recognition network) into a 7-class FER2013 expression classifier.

    python training/expression/finetune_sface.py --data DIR --sface sface.npz --out DIR [options]

Why: the VGG trained from scratch on FER2013 (train.py) levels off at 71% on validation
whatever the schedule (README.md beside this file). Networks that start from face-recognition
weights are the usual way past that, and SFace is already in Visage. `sface.npz` is written by
sface_torch.py (its graph up to `bn1`, the 1024×7×7 map). No labels other than FER2013's are
used; SFace itself was trained for identity on public face-recognition data (its card in
docs/models).

The exported model keeps the expression model's contract, so Visage's ExpressionClassifier
runs it unchanged: input N×1×48×48 grey 0–255, output N×7 probabilities averaged over the face
and its mirror. Inside, the 48×48 face is resized to 112×112 (bilinear), repeated into three
channels and run through SFace (`--size` smaller than 112 trades accuracy for speed: the
cost is (size/112)² of SFace's 4.75 GFLOP); the head is either global average pooling of `bn1` and one
linear layer (`--head gap`) or one linear layer on the whole 7×7 map (`--head flat`).

Protocol as train.py's: the same validation split of FER2013 *train* (10%, stratified, seed
12345) chooses the epoch and raw-or-EMA weights; PublicTest is not read here at all (score the
exported file with evaluate.py). Training: SGD Nesterov 0.9, weight decay 5e-4, the head at
`--head-lr-mult` times the backbone's learning rate, warm-up then cosine, label smoothing,
EMA of the weights, bf16 autocast, train.py's augmentation on the 48×48 face.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as fer  # noqa: E402  (data, split, augmentation, reports, flip-averaged export)
from sface_torch import SFaceGraph  # noqa: E402


class SFaceExpression(nn.Module):
    """N×1×48×48 grey 0–255 → N×7 logits through SFace's layers up to bn1."""

    def __init__(self, sface_npz, head="gap", drop=0.3, size=112):
        super().__init__()
        assert head == "gap" or size == 112, "the flat head needs the 7×7 map of a 112×112 input"
        self.backbone = SFaceGraph(sface_npz, "bn1")
        self.head_kind = head
        self.size = size
        self.drop = nn.Dropout(drop)
        self.fc = nn.Linear(1024 if head == "gap" else 1024 * 7 * 7, len(fer.CLASSES))

    def forward(self, x):
        x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)
        f = self.backbone(x.repeat(1, 3, 1, 1))
        f = f.mean((2, 3)) if self.head_kind == "gap" else torch.flatten(f, 1)
        return self.fc(self.drop(f))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--sface", required=True, help=".npz from sface_torch.py")
    p.add_argument("--out", required=True)
    p.add_argument("--head", choices=["gap", "flat"], default="gap")
    p.add_argument("--size", type=int, default=112, help="side SFace sees (112 as trained; smaller costs (size/112)² of it)")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--head-lr-mult", type=float, default=10.0)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--drop", type=float, default=0.3)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--ema", type=float, default=0.998)
    fer.add_augmentation_arguments(p, rotate=10.0, shift=0.1, erase=0.3)
    p.add_argument("--val-frac", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-budget", type=float, default=0, help="seconds for training (the cosine runs over them; --epochs caps); 0 = no limit")
    p.add_argument("--limit", type=int, default=0, help="train (and validate) on subsets of about this size (smoke tests)")
    p.add_argument("--tag", default="")
    p.add_argument("--onnx-check", action="store_true", help="score the exported file on validation with onnxruntime (CPU: slow)")
    a = p.parse_args()

    t_start = time.time()
    torch.manual_seed(a.seed)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True
    os.makedirs(a.out, exist_ok=True)
    say = lambda *s: print(a.tag, *s, flush=True)

    x_all, y_all = fer.load_split(a.data, "train")
    tr, va = fer.stratified_split(y_all, a.val_frac)
    if a.limit:  # smoke tests: a subset for training and for validation
        tr = np.sort(np.random.default_rng(a.seed).choice(tr, a.limit, replace=False))
        va = va[:: max(1, len(va) // a.limit)]
    xtr = torch.from_numpy(x_all[tr]).to(dev)
    ytr = torch.from_numpy(y_all[tr]).long().to(dev)
    xva = torch.from_numpy(x_all[va]).to(dev)
    yva = y_all[va]
    say(f"train {len(tr)} val {len(va)} device {dev} head {a.head}")

    net = SFaceExpression(a.sface, a.head, a.drop, a.size).to(dev).to(memory_format=torch.channels_last)
    n_params = sum(q.numel() for q in net.parameters())
    ema = copy.deepcopy(net)
    ema_f = [v for v in ema.state_dict().values() if v.dtype.is_floating_point]
    net_f = [v for v in net.state_dict().values() if v.dtype.is_floating_point]

    groups = {"backbone_decay": [], "backbone_no_decay": [], "head": []}
    for name, q in net.named_parameters():
        if name.startswith("fc."):
            groups["head"].append(q)
        else:
            groups["backbone_decay" if q.ndim > 1 and "slope" not in name else "backbone_no_decay"].append(q)
    mult = {"backbone_decay": 1.0, "backbone_no_decay": 1.0, "head": a.head_lr_mult}
    opt = torch.optim.SGD(
        [{"params": v, "weight_decay": 0 if k == "backbone_no_decay" else a.wd, "mult": mult[k]} for k, v in groups.items()],
        lr=a.lr, momentum=0.9, nesterov=True,
    )
    crit = nn.CrossEntropyLoss(label_smoothing=a.label_smoothing)
    steps_per_epoch = len(tr) // a.batch
    epochs = a.epochs
    warm = steps_per_epoch

    def lr_at(step):
        """Warm-up for one epoch, then cosine to zero over --epochs or, with --time-budget, over
        the budget's seconds (a one-off estimate of the epoch count went wrong when several runs
        shared a GPU: their first epochs were slow, and the runs stopped at half their budget)."""
        if step < warm:
            return a.lr * (step + 1) / warm
        if a.time_budget > 0:
            frac = (time.time() - t_warm) / max(1.0, a.time_budget - (t_warm - t_train))
        else:
            frac = (step - warm) / max(1, epochs * steps_per_epoch - warm)
        return a.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))

    best = {"acc": -1.0}
    history = []
    step = 0
    t_train = time.time()
    ep = 0
    t_warm = t_epoch = t_train
    while ep < epochs:
        net.train()
        perm = torch.randperm(len(tr), device=dev)
        tot_loss = torch.zeros((), device=dev)
        for i in range(steps_per_epoch):
            idx = perm[i * a.batch : (i + 1) * a.batch]
            xb = fer.augment(xtr[idx].unsqueeze(1).float() * (1.0 / 255.0), a) * 255.0
            if step == warm:
                t_warm = time.time()
            lr = lr_at(step)
            for g in opt.param_groups:
                g["lr"] = lr * g["mult"]
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=dev.type == "cuda"):
                loss = crit(net(xb).float(), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                torch._foreach_lerp_(ema_f, net_f, 1 - min(a.ema, (1 + step) / (10 + step)))
            tot_loss += loss.detach()
            step += 1
        ep += 1
        if a.time_budget > 0 and ep > 1 and time.time() - t_train + (time.time() - t_epoch) * 0.5 > a.time_budget:
            epochs = ep  # the budget's cosine has reached (about) zero: this is the last epoch
        t_epoch = time.time()
        rec = {"epoch": ep, "loss": round(float(tot_loss) / steps_per_epoch, 4), "seconds": round(time.time() - t_train, 1)}
        best = fer.keep_best((("raw", net), ("ema", ema)), xva, yva, best, ep, rec, bs=256)
        history.append(rec)
        say(f"ep {ep}/{epochs} loss {rec['loss']:.3f} val raw {rec['raw']:.4f} ema {rec['ema']:.4f} best {best['acc']:.4f}@{best['epoch']}{best['which']} {rec['seconds']:.0f}s")

    final = SFaceExpression(a.sface, a.head, a.drop, a.size).to(dev)
    final.load_state_dict(best["state"])
    final.eval()
    metrics = {
        "args": vars(a),
        "epochs_run": epochs,
        "params": n_params,
        "chosen": {"epoch": best["epoch"], "weights": best["which"], "val_accuracy": round(best["acc"], 4)},
        "train_seconds": round(time.time() - t_train, 1),
        "validation": fer.report(fer.predict(final, xva, bs=256).cpu().numpy(), yva),
        "history": history,
    }
    path = os.path.join(a.out, "model.onnx")
    metrics["onnx_bytes"] = fer.export_flip_averaged(final, path, say)
    if a.onnx_check:
        import onnxruntime as ort

        s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        xv = x_all[va]
        probs = np.concatenate([s.run(None, {"input": xv[i : i + 256, None].astype(np.float32)})[0] for i in range(0, len(xv), 256)])
        metrics["validation_onnx"] = fer.report(probs, yva)
    metrics["total_seconds"] = round(time.time() - t_start, 1)
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    summary = {k: metrics[k]["accuracy"] for k in ("validation", "validation_onnx") if k in metrics}
    say("done", json.dumps(summary), f"onnx {metrics['onnx_bytes']} B", f"params {n_params}", f"{metrics['total_seconds']}s")


if __name__ == "__main__":
    main()
