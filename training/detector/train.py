"""Mask-invariant distillation of YuNet 2023mar (issue 18, item 1).

The teacher is the original YuNet, frozen. Each training sample is a canvas of 1-25 face
photos (a mosaic, so faces range from the canvas size down to ~15 px). The teacher sees the
canvas with every face bare; the student sees the same canvas in which each photo is, with
probability --masked, replaced by its copy with a rendered mask (`visage dataset mask`). The
student matches the teacher's raw maps of all three strides: score maps (cls, obj) with a
weighted BCE, boxes and landmarks with an L1 weighted by the teacher's score. So a masked
face should get the score, box and landmarks YuNet gives the same face bare, while bare
faces and the background keep YuNet's behaviour. No box assignment is involved.

    python train.py --src SRC --masked MASKED --out OUT [--steps N]
"""
import argparse, copy, glob, math, os, random, time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx2torch import convert
from PIL import Image

STRIDES = (8, 16, 32)


def load_pairs(src, masked, max_side):
    pairs = []
    for path in sorted(glob.glob(os.path.join(src, "*", "*.jpg"))):
        rel = os.path.relpath(path, src)
        mpath = os.path.join(masked, rel)
        if not os.path.exists(mpath):
            continue
        a = Image.open(path).convert("RGB")
        b = Image.open(mpath).convert("RGB")
        if a.size != b.size:
            continue
        s = min(1.0, max_side / max(a.size))
        if s < 1:
            size = (round(a.size[0] * s), round(a.size[1] * s))
            a, b = a.resize(size, Image.BILINEAR), b.resize(size, Image.BILINEAR)
        # The rendered mask alone: where the masked copy differs from the photo.
        alpha = (np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).sum(-1) > 40).astype(np.uint8) * 255
        pairs.append((rel, a, b, Image.fromarray(alpha, "L")))
    return pairs


SIZES = [224, 256, 288, 320, 352, 384]


def make_canvas(pairs, rng, masked_p, W, H, mask_alone_p=0.0, cut_p=0.0):
    """Returns (bare, student) float arrays 3xHxW, BGR 0-255 (YuNet's input).

    A cell left empty may instead get, in the student's canvas only, a rendered mask without
    its face (probability mask_alone_p): the teacher sees no face there, so the student
    learns that a mask alone is not a face.

    With probability cut_p a photo in a grid is moved by up to half its size, so part of it
    falls outside its cell (under a neighbour pasted later) or outside the canvas: faces cut
    off by an edge, the kind the students lose in group photos. Both canvases get the same
    cut, so the teacher's output on the cut bare face is the target.
    """
    n = rng.choices([1, 2, 3, 4, 5], weights=[3, 3, 2, 2, 1])[0]
    fill = tuple(rng.randint(0, 255) for _ in range(3)) if rng.random() < 0.5 else (0, 0, 0)
    bare = Image.new("RGB", (W, H), fill)
    stud = Image.new("RGB", (W, H), fill)
    tw, th = W / n, H / n
    for r in range(n):
        for c in range(n):
            if n > 1 and rng.random() < 0.15 or rng.random() < mask_alone_p:
                if rng.random() < mask_alone_p * 3:
                    _, a, b, alpha = rng.choice(pairs)
                    box = alpha.getbbox()
                    if box:
                        piece, cut = b.crop(box), alpha.crop(box)
                        s = min(tw / piece.size[0], th / piece.size[1]) * rng.uniform(0.3, 1.0)
                        size = (max(4, round(piece.size[0] * s)), max(4, round(piece.size[1] * s)))
                        x = round(c * tw + rng.uniform(0, max(0, tw - size[0])))
                        y = round(r * th + rng.uniform(0, max(0, th - size[1])))
                        stud.paste(piece.resize(size, Image.BILINEAR), (x, y), cut.resize(size, Image.BILINEAR))
                continue
            _, a, b, _ = rng.choice(pairs)
            use_mask = rng.random() < masked_p
            s = min(tw / a.size[0], th / a.size[1]) * rng.uniform(0.55, 1.0)
            if n == 1:
                s = min(s * rng.uniform(0.8, 1.6), 2.0)
            size = (max(8, round(a.size[0] * s)), max(8, round(a.size[1] * s)))
            a2, b2 = a.resize(size, Image.BILINEAR), b.resize(size, Image.BILINEAR)
            if rng.random() < 0.5:
                a2, b2 = a2.transpose(Image.FLIP_LEFT_RIGHT), b2.transpose(Image.FLIP_LEFT_RIGHT)
            x = round(c * tw + rng.uniform(0, max(0, tw - size[0]))) if n > 1 else rng.randint(min(0, W - size[0]), max(0, W - size[0]))
            y = round(r * th + rng.uniform(0, max(0, th - size[1]))) if n > 1 else rng.randint(min(0, H - size[1]), max(0, H - size[1]))
            if n > 1 and cut_p and rng.random() < cut_p:
                x += round(rng.uniform(-0.5, 0.5) * size[0])
                y += round(rng.uniform(-0.5, 0.5) * size[1])
            bare.paste(a2, (x, y))
            stud.paste(b2 if use_mask else a2, (x, y))
    # The same brightness and contrast change on both canvases.
    br, ct = rng.uniform(0.6, 1.4), rng.uniform(0.7, 1.3)
    def to(im):
        x = np.asarray(im, dtype=np.float32)
        x = np.clip((x * br - 128) * ct + 128, 0, 255)
        return np.ascontiguousarray(x[:, :, ::-1].transpose(2, 0, 1))
    return to(bare), to(stud)


def outputs(net, x):
    """The 12 outputs as dict name -> (B, N, k)."""
    outs = net(x)
    B = x.shape[0]
    return {n: o.reshape(B, -1, o.shape[-1]) for n, o in zip(ORDER, outs)}


def distill_loss(s, t, fp_weight=0.0, recall_weight=0.0):
    total, parts = 0.0, {}
    for st in STRIDES:
        tc, to_ = t[f"cls_{st}"].clamp(0, 1), t[f"obj_{st}"].clamp(0, 1)
        tscore = (tc * to_).sqrt()
        sc = s[f"cls_{st}"].clamp(1e-6, 1 - 1e-6)
        so = s[f"obj_{st}"].clamp(1e-6, 1 - 1e-6)
        w = 1 + 20 * tscore
        if fp_weight:
            # Extra weight where the student scores well above a teacher that sees no face:
            # the weak boxes the masked-face rescue would otherwise examine.
            sscore = (sc * so).sqrt().detach()
            w = w + fp_weight * ((sscore > tscore + 0.1) & (tscore < 0.3)).float()
        if recall_weight:
            # Extra weight where the teacher is sure of a face the student scores well below it:
            # the cut-off and background faces the students drop.
            sscore = (sc * so).sqrt().detach()
            w = w + recall_weight * ((tscore > 0.5) & (sscore < tscore - 0.2)).float()
        bce = (F.binary_cross_entropy(sc, tc, reduction="none") * w).sum() + \
              (F.binary_cross_entropy(so, to_, reduction="none") * w).sum()
        wr = tscore * (tscore > 0.1)
        reg = ((s[f"bbox_{st}"] - t[f"bbox_{st}"]).abs().sum(-1, keepdim=True) * wr).sum() + \
              0.5 * ((s[f"kps_{st}"] - t[f"kps_{st}"]).abs().sum(-1, keepdim=True) * wr).sum()
        parts[st] = (bce.item(), reg.item())
        total = total + bce + 5 * reg
    return total / tc.shape[0], parts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", default=os.path.expanduser("~/.cache/visage/models/yunet_2023mar.onnx"))
    ap.add_argument("--src", required=True)
    ap.add_argument("--masked", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--masked-p", type=float, default=0.6)
    ap.add_argument("--max-side", type=int, default=320)
    ap.add_argument("--fp-weight", type=float, default=0.0)
    ap.add_argument("--mask-alone-p", type=float, default=0.1)
    ap.add_argument("--cut-p", type=float, default=0.0, help="chance a grid photo is cut by its cell's or the canvas's edge")
    ap.add_argument("--recall-weight", type=float, default=0.0, help="extra BCE weight where teacher >0.5 and student 0.2 below it")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--resume", default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    model = onnx.load(args.onnx)
    global ORDER
    ORDER = [o.name for o in model.graph.output]
    teacher = convert(model).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    student = copy.deepcopy(teacher).train()
    for p in student.parameters():
        p.requires_grad_(True)
    start = 0
    if args.resume:
        ck = torch.load(args.resume)
        student.load_state_dict(ck["student"])
        start = ck["step"]
    pairs = load_pairs(args.src, args.masked, args.max_side)
    print(f"{len(pairs)} photo pairs", flush=True)
    opt = torch.optim.AdamW(student.parameters(), lr=args.lr, weight_decay=1e-4)
    log = open(os.path.join(args.out, "train.log"), "a")
    t0 = time.time()
    run = 0.0
    for step in range(start, args.steps):
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * step / args.steps)) * min(1, (step + 1) / 100)
        for g in opt.param_groups:
            g["lr"] = lr
        # One canvas size per batch (multiples of 32, as Visage pads).
        W, H = rng.choice(SIZES), rng.choice(SIZES)
        canvases = [make_canvas(pairs, rng, args.masked_p, W, H, args.mask_alone_p, args.cut_p) for _ in range(args.batch)]
        bares, studs = [c[0] for c in canvases], [c[1] for c in canvases]
        xb, xs = torch.from_numpy(np.stack(bares)), torch.from_numpy(np.stack(studs))
        with torch.no_grad():
            t = outputs(teacher, xb)
        s = outputs(student, xs)
        loss, parts = distill_loss(s, t, args.fp_weight, args.recall_weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(student.parameters(), 10.0)
        opt.step()
        run = loss.item() if step == start else 0.95 * run + 0.05 * loss.item()
        if step % 20 == 0 or step == args.steps - 1:
            line = f"step {step} loss {loss.item():.2f} avg {run:.2f} lr {lr:.2e} size {W}x{H} " + \
                   " ".join(f"s{k}:bce={v[0]/args.batch:.1f},reg={v[1]/args.batch:.2f}" for k, v in parts.items()) + \
                   f" t={time.time()-t0:.0f}s"
            print(line, flush=True); log.write(line + "\n"); log.flush()
        if (step + 1) % 250 == 0 or step == args.steps - 1:
            torch.save({"student": student.state_dict(), "step": step + 1}, os.path.join(args.out, "student.pt"))
    print("done", flush=True)


if __name__ == "__main__":
    main()
