"""SFace `bn1` feature maps (1024 x 7 x 7) of a list of images, pooled and cached once.

Every head of this recipe reads these maps, so they are computed here once per data set and
saved as a float16 .npz, then each training script only pools and fits.

  python training/bn1-heads/extract.py --images LIST --out FEATURES.npz --keep rows,cols \
      [--resize 112] [--flip] --sface $VISAGE_HOME/models/sface_2021dec.onnx

LIST is a text file of image paths (one a line). The images are the pipeline's own 112 x 112
ArcFace-aligned crops (`visage dataset crops`), except for FER2013, whose 48 x 48 grey crops are
resized to 112 x 112 RGB exactly as `visage eval expression` does for these heads (bilinear,
centre-aligned: what `Image.resized` computes), with no detection.

--keep: rows = the mean over the columns of each row (1024 x 7), cols = the mean over the rows
of each column (1024 x 7), full = the whole map (1024 x 49, for small data sets only).
--flip also writes the maps of the mirrored crops (`flip_<kind>`), for training augmentation;
--mirror writes only those, under the plain names (a second file, for large data sets).
"""
import argparse
import time

import numpy as np
import onnxruntime as ort
from PIL import Image


def session(path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    if "bn1" not in [o.name for o in sess.get_outputs()]:
        raise SystemExit(f"{path} has no `bn1` output: run scripts/setup to convert it again")
    return sess


def picture(path, size):
    image = Image.open(path).convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.BILINEAR)
    return np.asarray(image, np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--sface", required=True)
    p.add_argument("--keep", default="rows,cols")
    p.add_argument("--resize", type=int, default=112)
    p.add_argument("--flip", action="store_true")
    p.add_argument("--mirror", action="store_true", help="extract the mirrored images only (a separate file of flipped maps)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    paths = [line.strip() for line in open(a.images) if line.strip()]
    kinds = a.keep.split(",")
    sess = session(a.sface, a.threads)
    out = {k: [] for k in kinds + (["flip_" + k for k in kinds] if a.flip else [])}
    started = time.time()
    for i in range(0, len(paths), a.batch):
        x = np.stack([picture(path, a.resize) for path in paths[i:i + a.batch]]).transpose(0, 3, 1, 2)
        if a.mirror:
            x = x[:, :, :, ::-1].copy()
        variants = [("", x)] + ([("flip_", x[:, :, :, ::-1].copy())] if a.flip else [])
        for prefix, batch in variants:
            maps = sess.run(["bn1"], {"data": batch})[0]
            for k in kinds:
                pooled = {"rows": lambda m: m.mean(axis=3), "cols": lambda m: m.mean(axis=2),
                          "full": lambda m: m.reshape(len(m), 1024, 49)}[k](maps)
                out[prefix + k].append(pooled.astype(np.float16))
        if (i // a.batch) % 20 == 0:
            print(f"{i + len(x)}/{len(paths)} in {time.time() - started:.0f} s", flush=True)
    np.savez(a.out, paths=np.array(paths), **{k: np.concatenate(v) for k, v in out.items()})
    print(f"{len(paths)} images in {time.time() - started:.0f} s -> {a.out}")


if __name__ == "__main__":
    main()
