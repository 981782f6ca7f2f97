"""Bare faces of the group mosaics a detector loses: YuNet's boxes >= 0.7 on the bare mosaic,
in a bare cell, with no box of the detector (>= 0.3, i.e. kept at floor 0.3) at IoU >= 0.3.

    python mosaic_misses.py GROUPS VALDET NAME [NAME ...]   # same folders as group_mosaics.py score
"""
import json, os, sys

from group_mosaics import load
from validate import iou


def main():
    groups, valdet, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    cells = json.load(open(os.path.join(groups, "cells.json")))
    ref = load(os.path.join(valdet, "ref-groups.jsonl"))
    def masked_cell(name, box):
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        return any(x <= cx < x + w and y <= cy < y + h and m for x, y, w, h, m in cells[name])
    for name in names:
        det = load(os.path.join(valdet, f"{name}-groups.jsonl"))
        missed = []
        for k, v in sorted(ref.items()):
            for y in v:
                if y["score"] < 0.7 or masked_cell(k, y["box"]):
                    continue
                if not any(iou(x["box"], y["box"]) >= 0.3 and x["score"] >= 0.3 for x in det[k]):
                    missed.append(f"{k} box {[round(c) for c in y['box']]} YuNet {y['score']:.2f}")
        print(f"{name}: {len(missed)} bare faces lost")
        for m in missed:
            print("  " + m)


if __name__ == "__main__":
    main()
