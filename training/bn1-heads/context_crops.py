"""Wider "context" crops for the bn1 heads: the same five-landmark similarity as the 112 x 112
ArcFace crop, but zoomed out so that hair, hat, neck and collar show (what LNet+ANet's region
holds and the tight crop cuts off), resized to 112 x 112 for SFace.

The context template is the ArcFace template shrunk by --zoom about the crop's centre (56, 56)
and moved up by --lift pixels (so the window reaches further down, to the neck). The warp
matches `Image.warped` in Swift: least-squares similarity (Umeyama), output pixel (x, y) read
at the inverse image of (x, y), bilinear, black outside the picture.

Landmarks come from the pipeline itself: `visage analyze --json --attributes mask FOLDER`
(the largest face of each image, by box area).

  visage analyze --json --attributes mask ../shared/data/celeba-attributes/images > lm-celeba.jsonl
  python training/bn1-heads/context_crops.py --landmarks lm-celeba.jsonl --out ctx-celeba \
      --zoom 2 --lift 8 --list ctx-celeba.list
"""
import argparse
import json
import os

import numpy as np
from PIL import Image

ARCFACE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                    [41.5493, 92.3655], [70.7299, 92.2041]])


def context_template(zoom, lift):
    return (ARCFACE - 56.0) / zoom + 56.0 - np.array([0.0, lift])


def similarity(src, dst):
    """(2 x 3) least-squares similarity taking src points to dst points (as AffineTransform.similarity)."""
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    norm = (s ** 2).sum()
    sc = (s * d).sum() / norm
    ss = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum() / norm
    a = np.array([[sc, -ss], [ss, sc]])
    return np.concatenate([a, (md - a @ ms)[:, None]], axis=1)


def warp(image, m, size=112):
    """Bilinear warp, black outside (taps outside the picture contribute nothing)."""
    a, t = m[:, :2], m[:, 2]
    inv = np.linalg.inv(a)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64)
    pts = np.stack([xs.ravel(), ys.ravel()]) - t[:, None]
    sx, sy = inv @ pts
    sx, sy = sx.astype(np.float32), sy.astype(np.float32)
    h, w = image.shape[:2]
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    ax, ay = (sx - x0)[:, None], (sy - y0)[:, None]
    src = image.astype(np.float32)
    out = np.zeros((size * size, 3), np.float32)
    for dx, dy, wt in [(0, 0, (1 - ax) * (1 - ay)), (1, 0, ax * (1 - ay)), (0, 1, (1 - ax) * ay), (1, 1, ax * ay)]:
        xx, yy = x0 + dx, y0 + dy
        inside = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
        v = np.zeros((size * size, 3), np.float32)
        v[inside] = src[yy[inside], xx[inside]]
        out += wt * v
    return np.clip(out + 0.5, 0, 255).astype(np.uint8).reshape(size, size, 3)


def largest_faces(landmarks):
    """(image path, its largest face with landmarks, RGB pixels) for each line of a
    `visage analyze --json` output; images without such a face are skipped."""
    for line in open(landmarks):
        record = json.loads(line)
        faces = [f for f in record.get("faces", []) if f.get("landmarks")]
        if faces:
            face = max(faces, key=lambda f: f["box"][2] * f["box"][3])
            yield record["image"], face, np.asarray(Image.open(record["image"]).convert("RGB"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--landmarks", required=True, help="visage analyze --json output (one object a line)")
    p.add_argument("--out", required=True)
    p.add_argument("--list", required=True, help="text file to write the crops' paths to")
    p.add_argument("--zoom", type=float, default=2.0)
    p.add_argument("--lift", type=float, default=8.0)
    a = p.parse_args()
    template = context_template(a.zoom, a.lift)
    written = []
    for path, face, image in largest_faces(a.landmarks):
        crop = warp(image, similarity(np.array(face["landmarks"], np.float64), template))
        name = os.path.join(a.out, os.path.basename(os.path.dirname(path)), os.path.basename(path) + ".png")
        os.makedirs(os.path.dirname(name), exist_ok=True)
        Image.fromarray(crop).save(name)
        written.append(name)
    written.sort()
    open(a.list, "w").write("\n".join(written) + "\n")
    print(f"{len(written)} context crops -> {a.out}")


if __name__ == "__main__":
    main()
