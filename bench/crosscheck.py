#!/usr/bin/env python3
"""Accuracy figures of the Python reference pipeline on real data, for cross-checking Visage.

(a) Face verification on pairs-deepface (299 labelled pairs over 64 photos): the largest face
    of each photo is embedded; cosine similarity per pair; accuracy at the best threshold
    (and that threshold) and at the fixed threshold 0.303 (FAR 1e-3 on CFP impostor pairs).
(b) Age and gender on the first N (default 200) UTKFace crops in sorted file-name order:
    chips cut from YuNet's landmarks (Visage's method) vs. the whole 200x200 crop resized
    straight to 64x64 / 32x32; plus how many crops had no face detected.

The data sets are not part of the project: they are found through $VISAGE_DATA (default
../shared/data relative to the repository root); a missing set is skipped with a message.

Usage: crosscheck.py [--data DIR] [--utk-limit 200] [--threads 2] [--json]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXED_THRESHOLD = 0.303


def largest(faces):
    return max(faces, key=lambda f: f.box[2] * f.box[3]) if faces else None


def best_threshold_accuracy(scores: np.ndarray, same: np.ndarray):
    """Highest accuracy over all thresholds 'same if score >= t'. Accuracy only changes at
    the scores themselves, so each gap between consecutive distinct scores is one candidate
    (t = its midpoint). Returns (accuracy, midpoint, (low, high)): every t in (low, high]
    of the best gaps gives that accuracy, so Visage's threshold can be checked against the
    interval rather than against whichever point a sweep happens to pick."""
    s = np.unique(scores)
    lows = np.concatenate([[-np.inf], s])
    highs = np.concatenate([s, [np.inf]])
    mids = np.concatenate([[s[0] - 1e-6], (s[:-1] + s[1:]) / 2, [s[-1] + 1e-6]])
    accs = np.array([((scores >= t) == same).mean() for t in mids])
    best = np.flatnonzero(accs == accs.max())
    return float(accs.max()), float(mids[best[0]]), (float(lows[best].min()), float(highs[best].max()))


def verification(pipe: ref.Pipeline, data: Path) -> dict | None:
    root = data / "pairs-deepface"
    csv_path = root / "pairs.csv"
    if not csv_path.is_file():
        print(f"crosscheck: {csv_path} not found, verification skipped", file=sys.stderr)
        return None
    with open(csv_path, newline="") as fh:
        pairs = [(r["file_x"], r["file_y"], r["Decision"].strip() == "Yes")
                 for r in csv.DictReader(fh)]
    emb, no_face = {}, []
    for name in sorted({p for x, y, _ in pairs for p in (x, y)}):
        _, faces = pipe.process(str(root / "images" / name))
        f = largest(faces)
        if f is None:
            no_face.append(name)
        else:
            emb[name] = f.embedding
    # A photo without a face cannot be matched: its pairs are scored -1 (always "different"),
    # so they count against the accuracy instead of silently disappearing.
    scores = np.array([float(emb[x] @ emb[y]) if x in emb and y in emb else -1.0
                       for x, y, _ in pairs])
    same = np.array([s for _, _, s in pairs])
    best_acc, best_t, best_range = best_threshold_accuracy(scores, same)
    fixed = scores >= FIXED_THRESHOLD
    return {"pairs": len(pairs), "same": int(same.sum()), "images": len(emb) + len(no_face),
            "no_face": no_face,
            "best_threshold_accuracy": best_acc, "best_threshold": best_t,
            "best_threshold_range": best_range,
            "accuracy_at_0.303": float((fixed == same).mean()),
            "false_accepts_at_0.303": int((fixed & ~same).sum()),
            "false_rejects_at_0.303": int((~fixed & same).sum()),
            "mean_cos_same": float(scores[same].mean()),
            "mean_cos_different": float(scores[~same].mean())}


def utk_labels(name: str):
    """AGE_GENDER_RACE_DATE.jpg.chip.jpg -> (age, 'male'|'female'); gender 0 = male."""
    parts = name.split("_")
    return int(parts[0]), ("male", "female")[int(parts[1])]


def age_gender_utk(pipe: ref.Pipeline, data: Path, limit: int) -> dict | None:
    root = data / "utkface"
    if not root.is_dir():
        print(f"crosscheck: {root} not found, UTKFace skipped", file=sys.stderr)
        return None
    names = sorted(n for n in os.listdir(root) if n.endswith(".jpg"))[:limit]
    rows = []  # (age, gender, detected?, {method: (age, gender)})
    for name in names:
        age, gender = utk_labels(name)
        img = cv2.imread(str(root / name), cv2.IMREAD_COLOR)
        preds = {}
        # Whole crop resized straight to the model inputs. INTER_LINEAR is what Visage's own
        # resize does; INTER_AREA (proper averaging when shrinking 200 -> 32) is shown too.
        for label, interp in (("resize_linear", cv2.INTER_LINEAR), ("resize_area", cv2.INTER_AREA)):
            a = ref.age_gender_blob(cv2.resize(img, (64, 64), interpolation=interp)[None])
            g = ref.age_gender_blob(cv2.resize(img, (32, 32), interpolation=interp)[None])
            ages, labels, _ = pipe.age_gender(a, g)
            preds[label] = (ages[0], labels[0])
        f = largest(pipe.detect(img))
        if f is not None:
            _, a, g = pipe.align(img, [f])
            ages, labels, _ = pipe.age_gender(a, g)
            preds["landmarks"] = (ages[0], labels[0])
        rows.append((age, gender, f is not None, preds))

    def score(method, subset):
        sel = [r for r in rows if subset(r) and method in r[3]]
        if not sel:
            return None
        return {"n": len(sel),
                "gender_accuracy": float(np.mean([r[3][method][1] == r[1] for r in sel])),
                "age_mae": float(np.mean([abs(r[3][method][0] - r[0]) for r in sel]))}

    detected = lambda r: r[2]  # noqa: E731
    everything = lambda r: True  # noqa: E731
    return {"photos": len(rows), "no_face": sum(not r[2] for r in rows),
            "landmark_chips (detected photos)": score("landmarks", detected),
            "resize_linear (all photos)": score("resize_linear", everything),
            "resize_linear (detected photos)": score("resize_linear", detected),
            "resize_area (all photos)": score("resize_area", everything),
            "resize_area (detected photos)": score("resize_area", detected)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.environ.get("VISAGE_DATA", str(REPO_ROOT.parent / "shared" / "data")),
                    help="data root (default $VISAGE_DATA or ../shared/data)")
    ap.add_argument("--utk-limit", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default=ref.default_models_dir())
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not data.is_dir():
        print(f"crosscheck: data directory {data} not found; nothing to check (set VISAGE_DATA)",
              file=sys.stderr)
        return 0

    pipe = ref.Pipeline(args.models, threads=args.threads)
    result = {"verification_pairs_deepface": verification(pipe, data),
              "age_gender_utkface": age_gender_utk(pipe, data, args.utk_limit)}
    if args.json:
        print(json.dumps(result))
        return 0

    v = result["verification_pairs_deepface"]
    if v:
        print(f"pairs-deepface verification: {v['pairs']} pairs ({v['same']} same), "
              f"{v['images']} photos, {len(v['no_face'])} without a face {v['no_face'] or ''}")
        print(f"  best-threshold accuracy {100 * v['best_threshold_accuracy']:.2f}% "
              f"at cosine {v['best_threshold']:.4f} "
              f"(any threshold in ({v['best_threshold_range'][0]:.4f}, {v['best_threshold_range'][1]:.4f}])")
        print(f"  accuracy at cosine {FIXED_THRESHOLD}: {100 * v['accuracy_at_0.303']:.2f}% "
              f"({v['false_accepts_at_0.303']} false accepts, {v['false_rejects_at_0.303']} false rejects)")
        print(f"  mean cosine: same {v['mean_cos_same']:.3f}, different {v['mean_cos_different']:.3f}")
    u = result["age_gender_utkface"]
    if u:
        print(f"UTKFace age/gender, first {u['photos']} crops (sorted names), "
              f"no face detected in {u['no_face']}:")
        for k, s in u.items():
            if isinstance(s, dict):
                print(f"  {k:<34} n={s['n']:<4} gender {100 * s['gender_accuracy']:.1f}%  "
                      f"age MAE {s['age_mae']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
