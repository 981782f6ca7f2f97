"""A masked-face SFace: SFace's last layers fine-tuned so that a masked face embeds where SFace
puts the same face without its mask (issue 18, item 3: "a fine-tuned SFace").

Mask-invariant distillation needs no identity labels: the teacher is SFace itself on the bare
crop, the student is a copy of SFace whose layers after `conv_12_relu` (the last 14×14 map:
conv_13's depthwise and pointwise convolutions, conv_14's, `bn1` and the embedding layer, 8.0M
of SFace's 9.7M weights) are trained on the masked rendering of the same crop, loss 1 − cosine
to the teacher's embedding. Bare crops are mixed in (--bare-ratio, target: the teacher's own
embedding) so that a bare face the mask classifier wrongly calls masked still embeds as SFace
embeds it. The layers up to `conv_12_relu` stay SFace's, so their output is computed once per
crop and cached (`extract`), which is what makes the training fit two CPU cores.

Because the target is SFace's own embedding space, a masked probe embedded by the student is
compared directly with templates SFace made of unmasked photos (a gallery needs no re-embedding).

    # the pipeline's crops, bare and masked, as for train.py (README), for every set used
    python training/mfsa/distill.py extract --bare /tmp/cfp-crops-clean --masked /tmp/cfp-crops-masked \
        --sface $VISAGE_HOME/models/sface_2021dec.onnx --out /tmp/distill-cfp.npz
    python training/mfsa/distill.py train --cfp-features /tmp/distill-cfp.npz --extra /tmp/distill-lfw.npz \
        --cfp ../shared/data/cfp --sface-npz /tmp/sface_full.npz --out runs/distill --eval-folds 7,8
    python training/mfsa/distill.py compare --cfp-features /tmp/distill-cfp.npz --head-features /tmp/mfsa-features.npz \
        --head models/mfsa-attention-head.onnx --student runs/distill/student.pt --sface-npz /tmp/sface_full.npz \
        --cfp ../shared/data/cfp --eval-folds 9,10      # after a run with --train-identities 1-400 --eval-folds 9,10
    visage dataset crops ../shared/data/masked-people /tmp/mp-crops --fallback-score 0.3
    python training/mfsa/distill.py extract --bare /tmp/mp-crops --sface $VISAGE_HOME/models/sface_2021dec.onnx --out /tmp/distill-mp.npz
    python training/mfsa/distill.py real --features /tmp/distill-mp.npz --sface-npz /tmp/sface_full.npz \
        --student runs/distill/student.pt --out masked-people.json

`--sface-npz` is `training/expression/sface_torch.py --upto ''`'s file (SFace's graph and weights).
Evaluation: CFP-FF pairs of --eval-folds (identities never trained on) with the second photo
masked, the student on the masked side and SFace on the bare side, against SFace on both; and,
with `real`, masked-people-style folders (<person>/{masked,unmasked}) of real masks.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "expression"))
from sface_torch import SFaceGraph  # noqa: E402
from train import cfp_pairs, fold_accuracy, tar_at_far, identity_of, cfp_people, same_name  # noqa: E402

CUT = "conv_12_relu"


# ---------------------------------------------------------------- extract

def extract(a):
    from PIL import Image

    from extract import crop_names, session_with_feature_map

    _, sess = session_with_feature_map(a.sface, a.threads, feature_map=CUT)
    names = sorted(set(crop_names(a.bare)) | set(crop_names(a.masked or a.bare)))
    result = {"names": np.array(names)}
    for kind, folder in (("bare", a.bare), ("masked", a.masked)):
        present = np.array([bool(folder) and os.path.exists(os.path.join(folder, n)) for n in names])
        cut = np.zeros((len(names), 512, 14, 14), np.float16)
        emb = np.zeros((len(names), 128), np.float32)
        rows = np.flatnonzero(present)
        start = time.time()
        for i in range(0, len(rows), a.batch):
            r = rows[i:i + a.batch]
            load = lambda k: Image.open(os.path.join(folder, names[k])).convert("RGB")
            if kind == "masked" and a.degrade_masked:
                load = lambda k, plain=load: degrade(plain(k), np.random.default_rng([a.degrade_masked, int(k)]))
            x = np.stack([np.asarray(load(k), np.float32) for k in r])
            e, c = sess.run(["fc1", CUT], {"data": x.transpose(0, 3, 1, 2)})
            cut[r], emb[r] = c.astype(np.float16), e
            if i // a.batch % 25 == 0:
                print(f"  {kind}: {i + len(r)}/{len(rows)} ({time.time() - start:.0f} s)", flush=True)
        result.update({f"{kind}_present": present, f"{kind}_cut": cut, f"{kind}_embeddings": emb})
    np.savez(a.out, **result)
    print(f"{a.out}: {len(names)} crops, {int(result['bare_present'].sum())} bare, {int(result['masked_present'].sum())} masked")


def degrade(image, rng):
    """A crop as a poor photo makes it: shrunk to 35–100% of its width and enlarged back, then
    JPEG-compressed at quality 30–90; half the time blurred a little first. Real masked photos
    are often snapshots, and the teacher's target stays the clean bare crop."""
    import io

    from PIL import Image, ImageFilter

    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    side = int(round(112 * rng.uniform(0.35, 1.0)))
    image = image.resize((side, side), Image.BILINEAR).resize((112, 112), Image.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=int(rng.integers(30, 91)))
    return Image.open(buffer).convert("RGB")


# ---------------------------------------------------------------- the student

def student_from(npz_path):
    """SFace's nodes after CUT, trainable: conv_12_relu (N×512×14×14) → fc1 (N×128)."""
    return SFaceGraph(npz_path, "fc1", start=CUT)


def embed(student, cut, batch=256):
    student.eval()
    with torch.no_grad():
        return torch.cat([F.normalize(student(torch.from_numpy(cut[i:i + batch].astype(np.float32))))
                          for i in range(0, len(cut), batch)])


# ---------------------------------------------------------------- evaluation on CFP (synthetic masks)

def cfp_methods(data, student, folds):
    """(bare, masked) L2-normalised embeddings of every crop for plain SFace and, where given,
    the student on the masked copies of the folds' identities (SFace on the bare ones)."""
    bare = F.normalize(torch.from_numpy(data["bare_embeddings"]))
    methods = {"sface": (bare, F.normalize(torch.from_numpy(data["masked_embeddings"])))}
    if student is not None:
        people = set(range(50 * min(folds) - 49, 50 * max(folds) + 1))
        rows = np.array([i for i, n in enumerate(data["names"]) if identity_of(str(n)) in people and data["masked_present"][i]])
        masked = torch.zeros_like(bare)
        masked[rows] = embed(student, data["masked_cut"][rows])
        methods["student"] = (bare, masked)
    return methods


def evaluate_cfp(data, methods, cfp, folds, log):
    """CFP-FF pairs of `folds`, the second photo masked (one) or both: 2-fold accuracy on the
    official pairs, and TAR at FAR 1e-3 over all pairs of the folds' frontal photos."""
    names = [str(n) for n in data["names"]]
    index = {n: i for i, n in enumerate(names)}
    people = set(range(50 * min(folds) - 49, 50 * max(folds) + 1))
    frontal = np.array([i for i, n in enumerate(names) if identity_of(n) in people and "/frontal/" in n
                        and data["masked_present"][i] and data["bare_present"][i]])
    ids = np.array([identity_of(names[i]) for i in frontal])
    genuine = ids[:, None] == ids[None, :]
    off = ~np.eye(len(frontal), dtype=bool)
    pairs = cfp_pairs(cfp, folds)
    report = {}
    for method, (bare, masked) in methods.items():
        # neither masked: what Visage compares with SFace whatever the masked path is
        for condition in ("none", "one", "both") if method == "sface" else ("one", "both"):
            first_side = masked if condition == "both" else bare
            second_side = bare if condition == "none" else masked
            second_present = data["bare_present" if condition == "none" else "masked_present"]
            scores, same, fold_of = [], [], []
            for fold, p1, p2, s in pairs:
                i, j = index.get(p1), index.get(p2)
                ok = i is not None and j is not None and second_present[j] and (
                    data["masked_present"][i] if condition == "both" else data["bare_present"][i])
                scores.append(float(first_side[i] @ second_side[j]) if ok else -1.0)
                same.append(s)
                fold_of.append(fold)
            acc, std = fold_accuracy(np.array(scores), np.array(same, bool), np.array(fold_of))
            sim = (first_side[frontal] @ second_side[frontal].T).numpy()
            tar = tar_at_far(sim[genuine & off], sim[~genuine], 1e-3)
            report[f"{method}/{condition}"] = {"accuracy": acc, "std": std, "tar_far_1e-3": tar}
            log(f"CFP-FF folds {folds} {method:15s} {condition:4s} masked: {100 * acc:.2f} ± {100 * std:.2f}%  TAR@1e-3 {100 * tar:.2f}%")
    return report


def compare(a):
    """The student beside plain SFace and Visage's shipped attention head (both faces through
    the head, as `visage verify` compares when either is masked), on the same crops."""
    import onnxruntime as ort

    data = np.load(a.cfp_features)
    folds = [int(x) for x in a.eval_folds.split(",")]
    student = student_from(a.sface_npz)
    student.load_state_dict(torch.load(a.student))
    methods = cfp_methods(data, student, folds)
    maps = np.load(a.head_features)  # extract.py's bn1 maps of the same crops
    row = {str(n): i for i, n in enumerate(maps["names"])}
    take = np.array([row.get(str(n), -1) for n in data["names"]])
    session = ort.InferenceSession(a.head, providers=["CPUExecutionProvider"])
    head = []
    for key in ("bare_features", "masked_features"):
        out = np.zeros((len(take), 128), np.float32)
        rows = np.flatnonzero(take >= 0)
        for i in range(0, len(rows), 256):
            r = rows[i:i + 256]
            out[r] = session.run(["embedding"], {"features": maps[key][take[r]].astype(np.float32)})[0]
        head.append(F.normalize(torch.from_numpy(out)))
    methods = {"sface": methods["sface"], "attention head": tuple(head), "student": methods["student"]}
    report = evaluate_cfp(data, methods, a.cfp, folds, print)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)


# ---------------------------------------------------------------- evaluation on real masks

def evaluate_real(a):
    """masked-people-style crops: <person>/{masked,unmasked}/*.png. Masked photos go through the
    student (or SFace), unmasked ones through SFace; every masked × unmasked pair is scored."""
    data = np.load(a.features)
    names = list(data["names"])
    present = data["bare_present"]
    person = np.array([n.split("/")[0] for n in names])
    masked = np.array(["/masked/" in f"/{n}" for n in names])
    sface = F.normalize(torch.from_numpy(data["bare_embeddings"]))
    methods = {"sface": sface}
    for path in a.student:
        student = student_from(a.sface_npz)
        student.load_state_dict(torch.load(path))
        methods[os.path.basename(os.path.dirname(path)) or path] = embed(student, data["bare_cut"])
    report = {}
    m_rows = np.flatnonzero(masked & present)
    u_rows = np.flatnonzero(~masked & present)
    for method, emb in methods.items():
        # the unmasked side through SFace (a template SFace made), or through the same network
        for condition, (ra, rb, other) in {
            "masked-vs-unmasked": (m_rows, u_rows, sface),
            "masked-vs-unmasked, both through it": (m_rows, u_rows, emb),
            "masked-vs-masked": (m_rows, m_rows, emb),
        }.items():
            if method == "sface" and condition.endswith("through it"):
                continue
            sim = (emb[ra] @ other[rb].T).numpy()
            genuine = person[ra][:, None] == person[rb][None, :]
            valid = np.ones_like(genuine)
            if condition == "masked-vs-masked":
                valid = np.triu(valid, 1)
            g, imp = sim[genuine & valid], sim[~genuine & valid]
            # best accuracy on a balanced set: mean of TAR and TNR at the best threshold
            ts = np.unique(np.concatenate([g, imp]))
            best = max(((g >= t).mean() + (imp < t).mean()) / 2 for t in ts[::max(1, len(ts) // 2000)])
            row = {"genuine": int(len(g)), "impostor": int(len(imp)), "tar_far_1e-3": tar_at_far(g, imp, 1e-3),
                   "tar_far_1e-2": tar_at_far(g, imp, 1e-2), "best_balanced_accuracy": float(best),
                   "threshold_far_1e-3": float(np.sort(imp)[::-1][int(1e-3 * len(imp))])}
            report[f"{method}/{condition}"] = row
            print(f"{method:24s} {condition:36s} TAR@1e-3 {100 * row['tar_far_1e-3']:.2f}%  TAR@1e-2 {100 * row['tar_far_1e-2']:.2f}%  "
                  f"best balanced {100 * best:.2f}%  thr@1e-3 {row['threshold_far_1e-3']:.3f}  ({len(g)} + {len(imp)})")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)


# ---------------------------------------------------------------- training

def training_rows(data, keep):
    """(set, row) of every crop with both copies, where keep(name) allows it."""
    both = data["bare_present"] & data["masked_present"]
    return [i for i, n in enumerate(data["names"]) if both[i] and keep(str(n))]


def train(a):
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    logf = open(os.path.join(a.out, "log.txt"), "a")

    def log(line):
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    lo, hi = (int(x) for x in a.train_identities.split("-"))
    eval_folds = [int(x) for x in a.eval_folds.split(",")]
    cfp = np.load(a.cfp_features)
    sets = [(cfp, training_rows(cfp, lambda n: lo <= identity_of(n) <= hi))]
    excluded = cfp_people(a.cfp)
    for path in a.extra:
        extra = np.load(path)
        sets.append((extra, training_rows(extra, lambda n: same_name(n.split("/")[0]) not in excluded)))
    # load what training reads into memory once (float16 maps: 200 KB a crop and copy)
    bare_cut = np.concatenate([d["bare_cut"][r] for d, r in sets])
    masked_cut = np.concatenate([d["masked_cut"][r] for d, r in sets])
    target = F.normalize(torch.from_numpy(np.concatenate([d["bare_embeddings"][r] for d, r in sets])))
    log(f"training crops: {len(target)} ({', '.join(str(len(r)) for _, r in sets)} per set), identities {lo}-{hi} of CFP; "
        f"bare ratio {a.bare_ratio}, lr {a.lr}, epochs {a.epochs}, batch {a.batch}")

    student = student_from(a.sface_npz)
    trainable = [p for p in student.parameters() if p.requires_grad]
    log(f"trainable weights: {sum(p.numel() for p in trainable):,}")
    opt = torch.optim.AdamW(trainable, lr=a.lr, weight_decay=a.weight_decay)
    steps = a.epochs * (len(target) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.05)
    history = []
    if a.evaluate_first:
        history.append({"epoch": 0, **evaluate_cfp(cfp, cfp_methods(cfp, student, eval_folds), a.cfp, eval_folds, log)})
    step = 0
    for epoch in range(1, a.epochs + 1):
        student.train()
        order = rng.permutation(len(target))
        start, total = time.time(), 0.0
        for b in range(len(target) // a.batch):
            idx = np.sort(order[b * a.batch:(b + 1) * a.batch])
            use_bare = rng.random(len(idx)) < a.bare_ratio
            x = np.where(use_bare[:, None, None, None], bare_cut[idx], masked_cut[idx]).astype(np.float32)
            if rng.random() < 0.5:  # a mirrored face has the mirrored 14×14 map, near enough for a frozen trunk
                x = x[..., ::-1].copy()
            out = F.normalize(student(torch.from_numpy(x)))
            loss = (1 - (out * target[idx]).sum(1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            total += loss.item()
            if b % 50 == 0:
                print(f"  epoch {epoch} batch {b}: loss {loss.item():.4f} ({time.time() - start:.0f} s)", flush=True)
        n = len(target) // a.batch
        log(f"epoch {epoch}: mean loss {total / n:.4f} ({time.time() - start:.0f} s)")
        row = {"epoch": epoch, "loss": total / n}
        if epoch == a.epochs or epoch % a.eval_every == 0:
            row.update(evaluate_cfp(cfp, cfp_methods(cfp, student, eval_folds), a.cfp, eval_folds, log))
        history.append(row)
        torch.save(student.state_dict(), os.path.join(a.out, "student.pt"))
        with open(os.path.join(a.out, "history.json"), "w") as f:
            json.dump({"args": vars(a), "history": history}, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="cache SFace's conv_12_relu maps and embeddings of bare and masked crops")
    e.add_argument("--bare", required=True)
    e.add_argument("--masked", help="masked crops with the same relative names (absent: real photos, bare only)")
    e.add_argument("--sface", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--degrade-masked", type=int, default=0, metavar="SEED",
                   help="degrade each masked crop (blur, resolution, JPEG; seeded per crop) before SFace sees it")
    e.add_argument("--batch", type=int, default=32)
    e.add_argument("--threads", type=int, default=2)
    t = sub.add_parser("train")
    t.add_argument("--cfp-features", required=True)
    t.add_argument("--extra", action="append", default=[], help="features of another set (e.g. LFW), people named in CFP left out")
    t.add_argument("--cfp", required=True)
    t.add_argument("--sface-npz", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--train-identities", default="1-300")
    t.add_argument("--eval-folds", default="7,8")
    t.add_argument("--epochs", type=int, default=4)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--weight-decay", type=float, default=1e-4)
    t.add_argument("--bare-ratio", type=float, default=0.3)
    t.add_argument("--eval-every", type=int, default=1)
    t.add_argument("--evaluate-first", action="store_true")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--threads", type=int, default=2)
    c = sub.add_parser("compare", help="the student beside SFace and the shipped attention head on CFP-FF")
    c.add_argument("--cfp-features", required=True)
    c.add_argument("--head-features", required=True, help="extract.py's output over the same crops (bn1 maps)")
    c.add_argument("--head", required=True, help="the attention head's ONNX file (models/mfsa-attention-head.onnx)")
    c.add_argument("--student", required=True)
    c.add_argument("--sface-npz", required=True)
    c.add_argument("--cfp", required=True)
    c.add_argument("--eval-folds", default="9,10")
    c.add_argument("--out")
    r = sub.add_parser("real", help="score real masked photos: <person>/{masked,unmasked} crops' features")
    r.add_argument("--features", required=True, help="extract's output over the crops (bare only)")
    r.add_argument("--student", action="append", default=[])
    r.add_argument("--sface-npz", required=True)
    r.add_argument("--out")
    a = p.parse_args()
    {"extract": extract, "train": train, "compare": compare, "real": evaluate_real}[a.command](a)


if __name__ == "__main__":
    main()
