"""Where a face counts as blurred: the threshold of `Sharpness.blurredBelow` (docs/ask.md).

The measure is the variance of the Laplacian of the face's aligned crop at the resolution the
face had in the photo (`Sharpness.ofAlignedFace`). Its threshold is set on CFP, which is in
focus by construction, and checked once on CelebA's `Blurry` labels, which played no part.

Rule (fixed before any figure of the new measure was seen, the rule of the first threshold
applied to every size a face comes in):
  1. 200 CFP frontal photos (identities 001, 006, ... 496; photos 01 and 02), each also shrunk
     to 1/2 and 1/3 of its size (PIL's box filter): faces about 95, 48 and 32 px wide;
  2. `visage describe --json` on all 600; the largest face's `sharpness`;
  3. threshold = half the 1st percentile of those 600 values, rounded down to a multiple of 5.
Sanity check on the same photos blurred after shrinking (Gaussian, sigma 1.5 px): the share called
blurred per size (synthetic blur, so only a check that the measure falls with blur).

  python training/sharpness/calibrate.py --cfp ../shared/data/cfp --visage .build/release/visage \
      --work /tmp/sharpness --out training/sharpness/results/cfp.json
"""
import argparse
import json
import os
import subprocess

from PIL import Image, ImageFilter

SCALES = [1, 2, 3]
BLUR_SIGMA = 1.5


def photos(cfp):
    for identity in range(1, 501, 5):
        for photo in ("01", "02"):
            yield f"{cfp}/Data/Images/{identity:03d}/frontal/{photo}.jpg"


def make_variants(cfp, work):
    names = []
    for path in photos(cfp):
        image = Image.open(path).convert("RGB")
        stem = path.split("/Images/")[1].replace("/", "-").removesuffix(".jpg")
        for k in SCALES:
            small = image if k == 1 else image.resize((image.width // k, image.height // k), Image.BOX)
            for blurred in (False, True):
                folder = f"{work}/{'blurred' if blurred else 'sharp'}"
                os.makedirs(folder, exist_ok=True)
                out = small.filter(ImageFilter.GaussianBlur(BLUR_SIGMA)) if blurred else small
                name = f"{folder}/{stem}-x{k}.png"
                out.save(name)
                names.append(name)
    return names


def sharpness(visage, folder):
    lines = subprocess.run([visage, "describe", "--json", folder], capture_output=True, text=True).stdout.splitlines()
    values = {}
    for line in lines:
        record = json.loads(line)
        faces = record.get("faces") or []
        if faces:
            largest = max(faces, key=lambda f: f["box"][2] * f["box"][3])
            values[os.path.basename(record["image"])] = largest["sharpness"]
    return values


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cfp", required=True)
    parser.add_argument("--visage", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--threshold", type=float, help="also report the blurred share at this threshold (e.g. the old one)")
    args = parser.parse_args()
    make_variants(args.cfp, args.work)
    sharp, blurred = sharpness(args.visage, f"{args.work}/sharp"), sharpness(args.visage, f"{args.work}/blurred")
    values = list(sharp.values())
    threshold = int(percentile(values, 0.01) / 2 // 5 * 5)
    report = {"faces_found": {"sharp": len(sharp), "blurred": len(blurred)}, "threshold": threshold, "per_scale": {}}
    for k in SCALES:
        s = [v for n, v in sharp.items() if n.endswith(f"-x{k}.png")]
        b = [v for n, v in blurred.items() if n.endswith(f"-x{k}.png")]
        row = {"sharp": len(s), "sharp_p1": round(percentile(s, 0.01), 1), "sharp_median": round(percentile(s, 0.5), 1),
               "blurred_median": round(percentile(b, 0.5), 1),
               "sharp_called_blurred": sum(v < threshold for v in s), "blurred_called_blurred": sum(v < threshold for v in b),
               "blurred": len(b)}
        if args.threshold:
            row["at_given_threshold"] = {"sharp_called_blurred": sum(v < args.threshold for v in s),
                                         "blurred_called_blurred": sum(v < args.threshold for v in b)}
        report["per_scale"][f"1/{k}"] = row
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
