#!/usr/bin/env python3
"""Pack the FER2013 folders into two compressed uint8 arrays.

    python training/expression/pack.py --data ../shared/data/fer2013 --out DIR

writes DIR/train.npz and DIR/publictest.npz, each with `x` (N×48×48 uint8,
grey) and `y` (N int64, index into CLASSES). With `--xz`, it writes
DIR/<split>_x.npy.xz (LZMA, about 20% smaller, for size-limited transfers) and
DIR/<split>_y.npy instead. With `--jpeg`, it keeps the JPEG files themselves, transcoded
without loss by `jpegtran -optimize -progressive -copy none` (the same DCT coefficients, so
the same pixels; 28% smaller than --xz: 37 MB for train, to fit the 64 MiB transfer to a GPU
machine), end to end in DIR/<split>_jpeg.bin.xz, with their offsets in
DIR/<split>_jpeg_offsets.npy and labels in DIR/<split>_y.npy. Files are read class by class in
CLASSES order, names sorted, so the arrays (and the validation split that
train.py draws from them) are the same on every machine. The arrays are a
transient copy of FER2013 (research use only): never commit them.
"""
import argparse
import io
import lzma
import os
import subprocess

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


def pack_jpeg(root, out, split):
    """The split's JPEGs, losslessly transcoded, end to end in one file (names sorted per class)."""
    offsets, ys = [0], []
    with lzma.open(os.path.join(out, split + "_jpeg.bin.xz"), "wb", preset=9 | lzma.PRESET_EXTREME) as blob:
        for label, name in enumerate(CLASSES):
            folder = os.path.join(root, name)
            for f in sorted(os.listdir(folder)):
                data = subprocess.run(
                    ["jpegtran", "-optimize", "-progressive", "-copy", "none", os.path.join(folder, f)],
                    check=True, capture_output=True,
                ).stdout
                blob.write(data)
                offsets.append(offsets[-1] + len(data))
                ys.append(label)
    np.save(os.path.join(out, split + "_jpeg_offsets.npy"), np.asarray(offsets, dtype=np.int64))
    np.save(os.path.join(out, split + "_y.npy"), np.asarray(ys, dtype=np.int64))
    return len(ys)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="fer2013 folder holding train/ and publictest/")
    p.add_argument("--out", required=True)
    p.add_argument("--xz", action="store_true", help="LZMA-compressed .npy instead of .npz")
    p.add_argument("--jpeg", action="store_true", help="the JPEG files, transcoded without loss (needs jpegtran)")
    p.add_argument("--splits", default="train,publictest")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for split in a.splits.split(","):
        if a.jpeg:
            print(split, pack_jpeg(os.path.join(a.data, split), a.out, split), "JPEGs")
            continue
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
