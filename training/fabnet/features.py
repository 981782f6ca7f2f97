"""Frozen-trunk features for FAb-Net: SFace's early layers, computed once per image and cached.

The encoder that `train.py` trains is SFace's trunk up to `conv_6_relu` (256x28x28 for a 112x112
crop; no attribute labels ever used: SFace was trained for identity only), average-pooled 4x4 to
256x7x7, followed by a small trainable top. The trunk is frozen, so its output is computed here
once per image with ONNX Runtime (one thread) and `train.py` trains only the top and the decoder.

    python features.py trunk  --sface SFACE.onnx --out DIR        # DIR/trunk.onnx, DIR/trunk-random.onnx, DIR/probe-sface.onnx
    python features.py tracks --trunk DIR --tracks TRACKS --every 2 --out DIR/tracks.npz
    python features.py probes --trunk DIR --data VISAGE_DATA --cfp-detections cfp.jsonl --out DIR/probes.npz

`trunk-random.onnx` is the same graph with freshly initialised weights (He-normal convolutions,
identity batch norms, PReLU slope 0.25): the random-init control of the same shape.
Crops are fed as SFace expects them: 112x112 RGB, raw 0-255 (the graph subtracts 127.5 and
scales by 1/128 itself).
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper
from PIL import Image

CUT = "conv_6_relu"
POOL = 4
FRAME = re.compile(r"frame-(\d+)\.(png|jpg)$")
ARCFACE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]])


def add_pool(graph, source, name):
    graph.node.append(helper.make_node("AveragePool", [source], [name], kernel_shape=[POOL, POOL], strides=[POOL, POOL]))
    graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, ["N", 256, 28 // POOL, 28 // POOL]))


def build(args):
    os.makedirs(args.out, exist_ok=True)
    trunk_path = os.path.join(args.out, "trunk-raw.onnx")
    onnx.utils.extract_model(args.sface, trunk_path, ["data"], [CUT])
    trunk = onnx.load(trunk_path)
    del trunk.graph.output[:]
    add_pool(trunk.graph, CUT, "trunk")
    onnx.save(trunk, os.path.join(args.out, "trunk.onnx"))

    # Random control: every learned weight redrawn, the graph unchanged.
    rng = np.random.default_rng(args.seed)
    inits = {i.name: i for i in trunk.graph.initializer}
    for node in trunk.graph.node:
        weights = [inits[x] for x in node.input if x in inits]
        if node.op_type == "Conv" and weights:
            w = numpy_helper.to_array(weights[0])
            if node.name == "":  # the 1x1 depthwise convolutions that spell out PReLU: x + (1 - slope) relu(-x)
                value = -1.0 if node.input[1].endswith("negate_weight") else 0.75
                new = np.full_like(w, value)
            else:
                fan_in = w.shape[1] * w.shape[2] * w.shape[3]
                new = rng.normal(0, np.sqrt(2 / fan_in), w.shape).astype(np.float32)
            weights[0].CopyFrom(numpy_helper.from_array(new, weights[0].name))
            for b in weights[1:]:
                b.CopyFrom(numpy_helper.from_array(np.zeros_like(numpy_helper.to_array(b)), b.name))
        elif node.op_type == "BatchNormalization":
            scale, bias, mean, var = (inits[x] for x in node.input[1:5])
            for t, v in ((scale, 1), (bias, 0), (mean, 0), (var, 1)):
                t.CopyFrom(numpy_helper.from_array(np.full_like(numpy_helper.to_array(t), v), t.name))
    onnx.save(trunk, os.path.join(args.out, "trunk-random.onnx"))

    # Probe images: SFace's own embedding (fc1) and the pooled trunk in one pass.
    full = onnx.load(args.sface)
    out = [o for o in full.graph.output if o.name == "fc1"]
    del full.graph.output[:]
    full.graph.output.extend(out)
    add_pool(full.graph, CUT, "trunk")
    onnx.save(full, os.path.join(args.out, "probe-sface.onnx"))
    print("wrote trunk.onnx, trunk-random.onnx, probe-sface.onnx", flush=True)


def session(path):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def run(sess, images, batch=32, log=None):
    """images: uint8 [N, 112, 112, 3] -> {output name: float16 array}."""
    names = [o.name for o in sess.get_outputs()]
    out = {n: [] for n in names}
    for start in range(0, len(images), batch):
        x = images[start:start + batch].transpose(0, 3, 1, 2).astype(np.float32)
        for n, v in zip(names, sess.run(names, {"data": x})):
            out[n].append(v.astype(np.float16))
        if log and (start // batch) % 20 == 0:
            print(f"{log}: {start + len(x)}/{len(images)}", flush=True)
    return {n: np.concatenate(v) for n, v in out.items()}


def resize(images, size):
    """VisageCore's `Image.resized`: bilinear, pixel centres aligned, no antialiasing."""
    import torch
    import torch.nn.functional as F
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float()
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=False)
    return x.round().clamp(0, 255).byte().permute(0, 2, 3, 1).numpy()


def jitter(image, rng):
    """Strong photometric augmentation of one uint8 crop: brightness, contrast, per-channel gain,
    gamma, sometimes grey. Geometry untouched (the trunk sees the same face, in other light)."""
    x = image.astype(np.float32) / 255
    if rng.random() < 0.2:
        x = np.repeat(x @ np.array([[0.299], [0.587], [0.114]], np.float32), 3, axis=2)
    x = x * rng.uniform(0.6, 1.4) * rng.uniform(0.85, 1.15, 3)
    mean = x.mean()
    x = (x - mean) * rng.uniform(0.6, 1.4) + mean
    x = np.clip(x, 0, 1) ** rng.uniform(0.7, 1.4)
    return (x * 255).round().astype(np.uint8)


def tracks(args):
    rng = np.random.default_rng(args.seed)
    clips, track_ids, frames, crops = [], [], [], []
    for root in args.tracks:
        for folder, _, files in sorted(os.walk(root)):
            found = sorted((int(m.group(1)), f) for f in files if (m := FRAME.match(f)))[::args.every]
            if len(found) < 4:
                continue
            for index, name in found:
                clips.append(os.path.basename(os.path.dirname(folder)))
                track_ids.append(folder)
                frames.append(index)
                crops.append(np.asarray(Image.open(os.path.join(folder, name)).convert("RGB")))
    crops = np.stack(crops)
    augmented = rng.random(len(crops)) < args.augment
    seen = np.stack([jitter(c, rng) if a else c for c, a in zip(crops, augmented)])
    print(f"{len(crops)} crops in {len(set(track_ids))} tracks; {augmented.sum()} jittered for the trunk", flush=True)
    features = run(session(os.path.join(args.trunk, "trunk.onnx")), seen, log="tracks")["trunk"]
    np.savez(args.out, clip=np.array(clips), track=np.array(track_ids), frame=np.array(frames),
             pixels=resize(crops, 64), trunk=features, augmented=augmented)
    print(f"wrote {args.out}", flush=True)


def class_folder(root, classes=None):
    classes = classes or sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    paths, labels = [], []
    for label, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, c))):
            if f.lower().endswith((".png", ".jpg", ".jpeg")):
                paths.append(os.path.join(root, c, f))
                labels.append(label)
    return classes, paths, np.array(labels)


def load_resized(paths):
    """Each image resized whole to 112x112, as `visage eval probe` does (ExpressionProbe.features)."""
    out = []
    for p in paths:
        image = np.asarray(Image.open(p).convert("RGB"))
        out.append(resize(image[None], 112)[0])
    return np.stack(out)


def similarity(src, dst):
    """Least-squares similarity transform (Umeyama) mapping src points onto dst: 2x3 matrix."""
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    cov = d.T @ s / len(src)
    u, sig, vt = np.linalg.svd(cov)
    sign = np.diag([1, np.sign(np.linalg.det(u @ vt))])
    r = u @ sign @ vt
    scale = np.trace(np.diag(sig) @ sign) / s.var(0).sum()
    m = np.zeros((2, 3))
    m[:, :2] = scale * r
    m[:, 2] = mu_d - scale * r @ mu_s
    return m


def pose_targets(points):
    """Yaw and pitch proxies from the five landmarks (eyes, nose, mouth corners), roll removed:
    yaw = horizontal offset of the nose from the eyes' midpoint, pitch = the nose's height between
    the eyes' and the mouth's midpoints, both in units of the eye-to-mouth distance."""
    eyes, nose, mouth = (points[0] + points[1]) / 2, points[2], (points[3] + points[4]) / 2
    axis = mouth - eyes
    length = np.linalg.norm(axis)
    down = axis / length
    right = np.array([down[1], -down[0]])
    rel = nose - eyes
    return np.array([rel @ right / length, rel @ down / length])


def probes(args):
    data = args.data
    sets = {}
    classes, paths, labels = class_folder(os.path.join(data, "ckplus48"))
    subjects = np.array([os.path.basename(p).split("_")[0] for p in paths])
    sets["ck"] = dict(images=load_resized(paths), labels=labels, groups=subjects)
    rng = np.random.default_rng(args.seed)
    fer_classes, train_paths, train_labels = class_folder(os.path.join(data, "fer2013", "train"))
    _, test_paths, test_labels = class_folder(os.path.join(data, "fer2013", "publictest"), fer_classes)
    tr = np.sort(rng.choice(len(train_paths), args.fer_train, replace=False))
    te = np.sort(rng.choice(len(test_paths), args.fer_test, replace=False))
    sets["fer_train"] = dict(images=load_resized([train_paths[i] for i in tr]), labels=train_labels[tr])
    sets["fer_test"] = dict(images=load_resized([test_paths[i] for i in te]), labels=test_labels[te])
    crops, targets, groups, profile = [], [], [], []
    for line in open(args.cfp_detections):
        record = json.loads(line)
        if not record.get("faces"):
            continue
        face = max(record["faces"], key=lambda f: f["score"])
        points = np.array(face["landmarks"])
        m = similarity(points, ARCFACE)
        inverse = np.linalg.inv(np.vstack([m, [0, 0, 1]]))[:2]
        image = Image.open(record["image"]).convert("RGB")
        crop = image.transform((112, 112), Image.AFFINE, inverse.reshape(-1), resample=Image.BILINEAR)
        crops.append(np.asarray(crop))
        targets.append(pose_targets(points))
        parts = record["image"].split("/")
        groups.append(parts[-3])
        profile.append(parts[-2] == "profile")
    sets["cfp"] = dict(images=np.stack(crops), labels=np.array(targets), groups=np.array(groups), profile=np.array(profile))
    print({k: len(v["images"]) for k, v in sets.items()}, flush=True)

    sface, rand = session(os.path.join(args.trunk, "probe-sface.onnx")), session(os.path.join(args.trunk, "trunk-random.onnx"))
    arrays = {}
    for name, s in sets.items():
        a = run(sface, s["images"], log=name)
        arrays[f"{name}_sface"], arrays[f"{name}_trunk"] = a["fc1"], a["trunk"]
        arrays[f"{name}_random_trunk"] = run(rand, s["images"], log=name + " random")["trunk"]
        for k, v in s.items():
            if k != "images":
                arrays[f"{name}_{k}"] = v
    arrays["cfp_images"] = sets["cfp"]["images"][:16]
    np.savez(args.out, **arrays)
    print(f"wrote {args.out}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("trunk")
    p.add_argument("--sface", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("tracks")
    p.add_argument("--tracks", nargs="+", required=True)
    p.add_argument("--every", type=int, default=1, help="keep every n-th crop of each track")
    p.add_argument("--augment", type=float, default=0.5, help="share of crops the trunk sees photometrically jittered")
    p.add_argument("--trunk", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("probes")
    p.add_argument("--trunk", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--cfp-detections", required=True, help="`visage detect --json` lines for CFP photos")
    p.add_argument("--fer-train", type=int, default=1000)
    p.add_argument("--fer-test", type=int, default=600)
    p.add_argument("--out", required=True)
    for p in sub.choices.values():
        p.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    {"trunk": build, "tracks": tracks, "probes": probes}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
