"""What Visage's other models say about each CelebA photo's largest face, as extra inputs for
celeba_swift_cv.py (--extra): p(male), log(1 + age), the seven expression probabilities,
p(mask), and pose and scale from the five landmarks (roll; yaw and pitch proxies: the nose's
offset from the eyes' midpoint over the eye distance, and its height between eyes and mouth;
eye distance over image width) and the detector's score. Rows in file-name order.

  visage analyze --json --attributes age,gender,expression,mask ../shared/data/celeba-attributes/images > an-celeba.jsonl
  python training/bn1-heads/make_celeba_extra.py --analysis an-celeba.jsonl --out celeba-extra.npz
"""
import argparse
import json
import math
import os

import numpy as np

EXPRESSIONS = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
COLUMNS = ["p_male", "log_age"] + EXPRESSIONS + ["p_mask", "roll", "yaw", "pitch", "scale", "score"]


def row(d):
    face = max(d["faces"], key=lambda f: f["box"][2] * f["box"][3])
    g = face["gender"]
    p_male = g["score"] if g["label"] == "male" else 1 - g["score"]
    m = face["mask"]
    p_mask = 1 - m["score"] if m["label"] == "without_mask" else m["score"]
    (lx, ly), (rx, ry), (nx, ny), (ax, ay), (bx, by) = face["landmarks"]
    ex, ey, my = (lx + rx) / 2, (ly + ry) / 2, (ay + by) / 2
    dist = math.hypot(rx - lx, ry - ly)
    roll = math.atan2(ry - ly, rx - lx)
    # the nose's offset along the eye line, in eye distances (0 when frontal)
    yaw = ((nx - ex) * math.cos(roll) + (ny - ey) * math.sin(roll)) / dist
    pitch = (ny - ey) / max(my - ey, 1e-6)
    return [p_male, math.log1p(face["age"])] + [face["expression"]["scores"][e] for e in EXPRESSIONS] + \
        [p_mask, roll, yaw, pitch, dist / d["width"], face["score"]]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--analysis", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    records = [json.loads(line) for line in open(a.analysis) if line.strip()]
    records.sort(key=lambda d: os.path.basename(d["image"]))
    stems = [os.path.basename(d["image"]).split(".")[0] for d in records]
    x = np.array([row(d) for d in records], np.float64)
    np.savez(a.out, stems=np.array(stems), x=x, columns=np.array(COLUMNS))
    print(f"{len(stems)} photos, {x.shape[1]} columns; means {np.round(x.mean(0), 3).tolist()}")


if __name__ == "__main__":
    main()
