"""How well `Sharpness.blurredBelow` finds blurred faces: CelebA's `Blurry` labels (docs/ask.md).

The threshold (Laplacian variance of the 112x112 aligned crop below 100) was set on CFP's
frontal photos; CelebA's 291 labelled photos played no part, so this is a held-out check.
Input: `visage describe --json` of the photos (one line per photo; the largest face's
`sharpness` is read). Prints how many `Blurry` photos are called blurred, how many others are,
and the ROC AUC of the measure (the chance that a Blurry photo measures lower than another).

  visage describe --json ../shared/data/celeba-attributes/images > celeba-describe.jsonl
  python3 training/sharpness/celeba_check.py celeba-describe.jsonl \
      --labels ../shared/data/celeba-attributes/list_attr_celeba.txt
"""
import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("describe", help="visage describe --json output")
    parser.add_argument("--labels", required=True, help="CelebA's list_attr_celeba.txt")
    parser.add_argument("--threshold", type=float, default=100)
    args = parser.parse_args()
    lines = open(args.labels).read().split("\n")
    column = lines[1].split().index("Blurry")
    blurry = {l.split()[0]: l.split()[1 + column] == "1" for l in lines[2:] if l.strip()}
    sharpness, no_face = {}, 0
    for line in open(args.describe):
        record = json.loads(line)
        faces = record.get("faces") or []
        if not faces:
            no_face += 1
            continue
        largest = max(faces, key=lambda f: f["box"][2] * f["box"][3])
        sharpness[os.path.basename(record["image"])] = (largest["sharpness"], largest["box"][2])
    positives = [v for name, v in sharpness.items() if blurry[name]]
    negatives = [v for name, v in sharpness.items() if not blurry[name]]
    caught = sum(s < args.threshold for s, _ in positives)
    false_alarms = [w for s, w in negatives if s < args.threshold]
    auc = sum((a < b) + 0.5 * (a == b) for a, _ in positives for b, _ in negatives) / (len(positives) * len(negatives))
    print(f"photos with a face {len(sharpness)} (no face {no_face}); Blurry {len(positives)}, others {len(negatives)}")
    print(f"below {args.threshold:g}: Blurry {caught}/{len(positives)}, others {len(false_alarms)}/{len(negatives)}; "
          f"precision {caught / max(1, caught + len(false_alarms)):.1%}; AUC {auc:.3f}")
    if false_alarms:
        print(f"face widths of the others called blurred: median {sorted(false_alarms)[len(false_alarms) // 2]:.0f} px")


if __name__ == "__main__":
    main()
