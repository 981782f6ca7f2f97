"""Validation figures of the union cascade: YuNet + rescue as shipped, plus a student's masked proposals.

Inputs are `visage detect --json` outputs at Visage's defaults from ONE binary, in DIR:
  base-{frames,masked,groups}.jsonl   models folder without yunet-masked.onnx (YuNet + rescue)
  NAME-{frames,masked,groups}.jsonl   the same folder plus the student as yunet-masked.onnx,
                                      proposal floor 0.55 (the lowest candidate)
  ref-groups.jsonl                    the baseline on the bare mosaics (group_mosaics.py's reference)
The student only adds faces, so the added ones are the boxes not in the baseline's output (the
check that every baseline box is still there is printed). A floor F above 0.55 is simulated by
keeping the added boxes scoring >= F: exact, because additions are greedy best first, except
where the student's second look would run at F and not at 0.55 (then the figure is a lower bound).

    python union_validate.py DIR GROUPS_DIR run3 run4 ... [--floors 0.55 0.6 0.65 0.7]

Frames: the reference face is the baseline's best box; an added box with IoU < 0.3 with it, or
any added box on a frame without one, is a false positive. Masked photos: photos with a face.
Mosaics (GROUPS_DIR/cells.json): reference faces are the baseline's boxes >= 0.7 on the bare
mosaic in masked cells; found when a kept box has IoU >= 0.3; an added box with IoU < 0.3 with
every reference box is "off" (mostly unlabelled background faces, see RESULTS.md).
"""
import argparse, json, os

from validate import iou


def load(path):
    rows = (json.loads(line) for line in open(path))
    return {os.path.basename(r["image"]) if "groups" in path else r["image"]: r.get("faces", []) for r in rows}


def key(face):
    return (tuple(face["box"]), face["score"])


def added(base, union):
    """The union's boxes not in the baseline, per picture, and pictures that lost a baseline box."""
    out, lost = {}, []
    for k, faces in union.items():
        b = {key(x) for x in base.get(k, [])}
        u = {key(x) for x in faces}
        if not b <= u:
            lost.append(k)
        out[k] = [x for x in faces if key(x) not in b]
    return out, lost


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir"); ap.add_argument("groups"); ap.add_argument("names", nargs="+")
    ap.add_argument("--floors", type=float, nargs="+", default=[0.55, 0.60, 0.65, 0.70])
    args = ap.parse_args()
    D = lambda n: os.path.join(args.dir, n)
    base = {s: load(D(f"base-{s}.jsonl")) for s in ("frames", "masked", "groups")}
    cells = json.load(open(os.path.join(args.groups, "cells.json")))
    ref = load(D("ref-groups.jsonl"))

    def masked_cell(name, box):
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        return any(x <= cx < x + w and y <= cy < y + h and m for x, y, w, h, m in cells[name])

    refm = {k: [x["box"] for x in v if x["score"] >= 0.7 and masked_cell(k, x["box"])] for k, v in ref.items()}
    n_m = sum(map(len, refm.values()))

    def mosaic_found(boxes_by):
        return sum(any(iou(x["box"], r) >= 0.3 for x in boxes_by.get(k, [])) for k, v in refm.items() for r in v)

    bm = sum(bool(v) for v in base["masked"].values())
    print(f"baseline (YuNet + rescue): masked photos {bm}/{len(base['masked'])}, mosaic masked faces "
          f"{mosaic_found(base['groups'])}/{n_m}, frames {len(base['frames'])}")
    print("name  floor | frames: added, added FP | masked photos | mosaic masked faces | mosaic added, off | total masked | lost baseline boxes")
    for name in args.names:
        union = {s: load(D(f"{name}-{s}.jsonl")) for s in ("frames", "masked", "groups")}
        adds, lost = {}, 0
        for s in union:
            adds[s], l = added(base[s], union[s]); lost += len(l)
        for f in args.floors:
            keep = {s: {k: [x for x in v if x["score"] >= f] for k, v in adds[s].items()} for s in adds}
            fa = sum(map(len, keep["frames"].values()))
            fp = 0
            for k, v in keep["frames"].items():
                b = base["frames"].get(k, [])
                if not b:
                    fp += len(v); continue
                face = max(b, key=lambda x: x["score"])["box"]
                fp += sum(iou(x["box"], face) < 0.3 for x in v)
            mp = sum(bool(base["masked"].get(k)) or bool(keep["masked"].get(k)) for k in union["masked"])
            kept_groups = {k: base["groups"].get(k, []) + keep["groups"].get(k, []) for k in union["groups"]}
            mf = mosaic_found(kept_groups)
            ga = sum(map(len, keep["groups"].values()))
            off = sum(all(iou(x["box"], y["box"]) < 0.3 for y in ref[k]) for k, v in keep["groups"].items() for x in v)
            print(f"{name:6s} {f:.2f} | {fa:4d} {fp:4d} | {mp}/{len(union['masked'])} | {mf}/{n_m} | {ga:4d} {off:4d} | {mp + mf:5d} | {lost}")


if __name__ == "__main__":
    main()
