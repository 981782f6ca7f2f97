"""How far Visage's face boxes sit from mask-boxes' labels, and whether one fixed correction
would turn a near miss into a hit (issue 18: with_mask recall at IoU 0.5).

Reads the output of `visage detect --json <mask-boxes>/images > faces.jsonl` and the VOC
labels; for every labelled face it takes the detected box of highest IoU. Prints, per label,
the median offset of the detected box from the label (centre shift as a fraction of the
label's size, log ratio of width and height) over faces matched with IoU > 0.3, then the
number of faces at IoU >= 0.5 before and after shifting every detected box by the
with_mask medians. Analysis only: nothing here changes Visage.

    python training/detector/box_bias.py faces.jsonl ../shared/data/mask-boxes
"""
import json
import math
import statistics
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def iou(a, b):
    """IoU of two [x, y, width, height] boxes."""
    w = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def labelled_faces(annotations: Path, stem: str):
    for obj in ET.parse(annotations / f"{stem}.xml").findall("object"):
        box = obj.find("bndbox")
        x1, y1, x2, y2 = (float(box.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax"))
        yield obj.find("name").text, [x1, y1, x2 - x1, y2 - y1]


def shifted(box, centre_dy, log_dh):
    """The box made exp(log_dh) times taller and moved down by centre_dy of its new height."""
    height = box[3] * math.exp(log_dh)
    centre_y = box[1] + box[3] / 2 + centre_dy * height
    return [box[0], centre_y - height / 2, box[2], height]


def main(faces_jsonl: str, mask_boxes: str):
    annotations = Path(mask_boxes) / "annotations"
    rows = []  # (label, stem, detected box or None, labelled box)
    for line in open(faces_jsonl):
        record = json.loads(line)
        stem = Path(record["image"]).stem
        for label, truth in labelled_faces(annotations, stem):
            best = max(record["faces"], key=lambda f: iou(f["box"], truth), default=None)
            rows.append((label, stem, best["box"] if best else None, truth))

    medians = {}
    for label in ("with_mask", "without_mask"):
        matched = [(b, t) for l, _, b, t in rows if l == label and b and iou(b, t) > 0.3]
        dx = statistics.median((b[0] + b[2] / 2 - t[0] - t[2] / 2) / t[2] for b, t in matched)
        dy = statistics.median((b[1] + b[3] / 2 - t[1] - t[3] / 2) / t[3] for b, t in matched)
        dw = statistics.median(math.log(b[2] / t[2]) for b, t in matched)
        dh = statistics.median(math.log(b[3] / t[3]) for b, t in matched)
        medians[label] = (dy, dh)
        print(f"{label}: {len(matched)} matched; median centre shift x {dx:+.3f} y {dy:+.3f} "
              f"(of the label's size), log width ratio {dw:+.3f}, log height ratio {dh:+.3f}")

    # Detected minus label: undo the with_mask bias (move down by -dy, grow by -dh).
    dy, dh = medians["with_mask"]
    for label in ("with_mask", "without_mask"):
        mine = [(s, b, t) for l, s, b, t in rows if l == label]
        before = [(s, iou(b, t)) if b else (s, 0.0) for s, b, t in mine]
        after = [(s, iou(shifted(b, -dy, -dh), t)) if b else (s, 0.0) for s, b, t in mine]
        print(f"{label}: IoU >= 0.5 for {sum(v >= 0.5 for _, v in before)} of {len(mine)} "
              f"as detected, {sum(v >= 0.5 for _, v in after)} after the with_mask correction")
        for (stem, old), (_, new) in zip(before, after):
            if old < 0.6:
                print(f"  {stem}: IoU {old:.3f} -> {new:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
