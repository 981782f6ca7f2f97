"""Validation figures of candidate detectors at each masked-face-rescue floor.

Inputs are `visage detect --json` outputs at Visage's defaults (detector threshold 0.7, rescue
floor 0.3), one set of three files per candidate NAME in DIR:
  NAME-frames.jsonl   video frames (video_frames.py), one person a clip
  NAME-masked.jsonl   validation photos with a rendered mask (`visage dataset mask --ratio 1`)
  NAME-bare.jsonl     the same photos bare
The reference face of each frame is the best box of the first candidate (YuNet 2023mar); a box
with IoU < 0.3 with it is a false positive, "rescued" when it scores below 0.7 (the boxes the
floor decides). A floor f is simulated by keeping boxes scoring >= f: exact for a frame or photo
that keeps a face of 0.7 or more, a lower bound on masked recall otherwise (Visage would take its
second look at a picture left without a face).

    python validate.py DIR yunet run3 ... [--exclude-prefix dreamtalk- pcavs-]
"""
import argparse, json, os

FLOORS = [0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70]


def load(path):
    rows = (json.loads(line) for line in open(path))
    return {r["image"]: r.get("faces", []) for r in rows}


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    return inter / (aw * ah + bw * bh - inter)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("names", nargs="+")
    ap.add_argument("--exclude-prefix", nargs="*", default=[], help="clips used in training")
    args = ap.parse_args()
    keep = lambda k: not os.path.basename(k).startswith(tuple(args.exclude_prefix)) if args.exclude_prefix else True
    ref = {k: v for k, v in load(os.path.join(args.dir, f"{args.names[0]}-frames.jsonl")).items() if keep(k)}
    clips = {os.path.basename(k).split("__")[0] for k in ref}
    print(f"{len(ref)} frames of {len(clips)} clips; without a reference face: {sum(not v for v in ref.values())}")
    print("detector floor | rescued FP, sure FP, face missed (frames) | masked found | bare found")
    for name in args.names:
        frames = load(os.path.join(args.dir, f"{name}-frames.jsonl"))
        masked = load(os.path.join(args.dir, f"{name}-masked.jsonl"))
        bare = load(os.path.join(args.dir, f"{name}-bare.jsonl"))
        for f in FLOORS:
            rescued = sure = missed = 0
            for k, faces in ref.items():
                if not faces:
                    continue
                face = max(faces, key=lambda x: x["score"])["box"]
                kept = [x for x in frames[k] if x["score"] >= f]
                for x in kept:
                    if iou(x["box"], face) < 0.3:
                        rescued += x["score"] < 0.7
                        sure += x["score"] >= 0.7
                missed += not any(iou(x["box"], face) >= 0.3 for x in kept)
            fm = sum(any(x["score"] >= f for x in v) for v in masked.values())
            fb = sum(any(x["score"] >= f for x in v) for v in bare.values())
            print(f"{name:6s} {f:.2f} | {rescued:4d} {sure:4d} {missed:3d} | {fm}/{len(masked)} {100 * fm / len(masked):6.2f}%"
                  f" | {fb}/{len(bare)} {100 * fb / len(bare):6.2f}%")


if __name__ == "__main__":
    main()
