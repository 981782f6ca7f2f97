#!/usr/bin/env python3
"""Pack the FER2013 folders into two compressed uint8 arrays.

    python training/expression/pack.py --data ../shared/data/fer2013 --out DIR

writes DIR/train.npz and DIR/publictest.npz, each with `x` (N×48×48 uint8,
grey) and `y` (N int64, index into CLASSES). With `--xz`, it writes
DIR/<split>_x.npy.xz (LZMA, about 20% smaller, for size-limited transfers) and
DIR/<split>_y.npy instead. Files are read class by class in
CLASSES order, names sorted, so the arrays (and the validation split that
train.py draws from them) are the same on every machine. The arrays are a
transient copy of FER2013 (research use only): never commit them.
"""
import argparse
import io
import lzma
import os

import numpy as np
from PIL import Image

CLASSES = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]


def load_split(root):
    xs, ys = [], []
    for label, name in enumerate(CLASSES):
        folder = os.path.join(root, name)
        for f in sorted(os.listdir(folder)):
            with Image.open(os.path.join(folder, f)) as im:
                a = np.asarray(im.convert("L").resize((48, 48), Image.BILINEAR), dtype=np.uint8)
            xs.append(a)
            ys.append(label)
    return np.stack(xs), np.asarray(ys, dtype=np.int64)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="fer2013 folder holding train/ and publictest/")
    p.add_argument("--out", required=True)
    p.add_argument("--xz", action="store_true", help="LZMA-compressed .npy instead of .npz")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for split in ("train", "publictest"):
        x, y = load_split(os.path.join(a.data, split))
        if a.xz:
            buf = io.BytesIO()
            np.save(buf, x)
            with lzma.open(os.path.join(a.out, split + "_x.npy.xz"), "wb", preset=6) as f:
                f.write(buf.getvalue())
            np.save(os.path.join(a.out, split + "_y.npy"), y)
        else:
            np.savez_compressed(os.path.join(a.out, split + ".npz"), x=x, y=y)
        print(split, x.shape, np.bincount(y, minlength=len(CLASSES)).tolist())


if __name__ == "__main__":
    main()
