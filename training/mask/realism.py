"""How well can a classifier tell rendered masks from real ones? (issue 18, item 2)

Two folders of the pipeline's own aligned 112 x 112 crops (`visage dataset crops ... --fallback-score 0.3`):
REAL, crops of photos of people wearing real masks (masks/with_mask), and RENDERED, crops of
unmasked photos that `visage dataset mask --ratio 1` masked. The classes are balanced (the larger
one subsampled, seed 20261203) and a classifier is cross-validated (5 folds, grouped so that an
image and its near-copies `NAME_copy_N` never sit on both sides) on several feature sets:

  bn1-avg     SFace's last feature map (bn1, 1024 x 7 x 7), averaged over the 49 cells: what
              Visage's heads see; logistic regression on standardised features.
  bn1-rows    the same map averaged over each row's 7 cells (7 x 1024): keeps where things are.
  lower-px    the crop's lower half (rows 56-111, where the mask is) at 28 x 14 RGB; logistic regression.
  lower-cnn   a small CNN (3 conv layers) on the lower half at 28 x 56 RGB, 10 epochs.
  upper-px    CONTROL: the upper half (eyes, no mask) at 28 x 14 RGB; logistic regression. What
              this one separates is a difference between the two photo sets, not the masks.
  bn1-upper   CONTROL: bn1-avg of the crops with their lower half blanked to mid-grey: the same
              question for SFace's features (who is in the photos, how they were taken).

Chance is 50% accuracy and 0.5 AUC. Out-of-fold accuracy (threshold 0.5) and ROC AUC are
reported, with, for the rendered crops, the share caught per mask style when the
`mask-manifest.tsv` of the masked copy is given.

`--match CONTROLS` (e.g. `upper-px,bn1-upper`) first removes what the two photo SETS differ in,
so that what is left measures the masks (propensity stratification, rule fixed before results):
  1. each listed control is fitted out-of-fold on the balanced sample (the folds above) and
     gives every crop a logit; a logistic regression on those logits (in-sample, one weight per
     control) is the propensity: how "rendered-set-like" the bare upper face looks;
  2. the crops are cut into `--match-bins` (10) quantile bins of the propensity, and in each
     bin the larger class is subsampled (seed 20261203) to the smaller one, so that on the kept
     crops the propensity says nothing about the class;
  3. new grouped folds are drawn on the kept crops and every feature set, the controls included
     (refitted, as the check that the set difference is gone), is cross-validated there.
Both the unmatched ("all") and the matched figures are written, with how many crops remain.
`--drop REGEX` leaves out crops whose file name matches (e.g. without_mask's crops of a few
named people, `^0_0_[a-z]`), before balancing.

  python training/mask/realism.py --real /tmp/crops-real --rendered /tmp/crops-rendered \
      --manifest /tmp/masked/mask-manifest.tsv --sface $VISAGE_HOME/models/sface_2021dec.onnx \
      --cache /tmp/realism-cache --out result.json
"""
import argparse
import hashlib
import json
import os
import re
import time

import numpy as np
from PIL import Image

SEED = 20261203


def crops_in(root):
    out = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".png"):
                out.append(os.path.join(dirpath, f))
    return sorted(out)


def group_of(path):
    """A photo and its augmented near-copies (`x_copy.jpg`, `x_copy_12.jpg`) form one group."""
    stem = os.path.basename(path).rsplit(".", 2)[0]
    return re.sub(r"_copy(_\d+)?$", "", stem)


def bn1_rows(sface, paths, cache_dir, threads=2, batch=32, blank_lower=False):
    """Row-pooled bn1 (N x 7 x 1024), cached per crop file (path, size, mtime). With `blank_lower`
    the crop's lower half (rows 56-111) is mid-grey first: only the bare upper face is seen."""
    from train_linear import sface_session  # this directory: the mask classifier's recipe
    os.makedirs(cache_dir, exist_ok=True)
    tag = ":upper" if blank_lower else ""
    keys = [hashlib.sha1(f"{os.path.abspath(p)}:{os.path.getsize(p)}:{os.path.getmtime(p)}{tag}".encode()).hexdigest() for p in paths]
    out = np.zeros((len(paths), 7, 1024), np.float32)
    todo = []
    for i, k in enumerate(keys):
        f = os.path.join(cache_dir, k + ".npy")
        if os.path.exists(f):
            out[i] = np.load(f)
        else:
            todo.append(i)
    if todo:
        sess = sface_session(sface, threads)
        for s in range(0, len(todo), batch):
            idx = todo[s:s + batch]
            x = np.stack([np.asarray(Image.open(paths[i]).convert("RGB"), np.float32) for i in idx])
            if blank_lower:
                x[:, 56:] = 128
            maps = sess.run(["bn1"], {"data": x.transpose(0, 3, 1, 2)})[0]
            rows = maps.mean(axis=3).transpose(0, 2, 1)  # N x 7 x 1024
            for j, i in enumerate(idx):
                out[i] = rows[j]
                np.save(os.path.join(cache_dir, keys[i] + ".npy"), rows[j])
    return out


def halves(paths):
    """Lower half at 28 x 56 (for the CNN) and both halves at 14 x 28 (for the linear model), 0-1."""
    lower_full, lower_small, upper_small = [], [], []
    for p in paths:
        picture = Image.open(p).convert("RGB")
        lo = picture.crop((0, 56, 112, 112))
        up = picture.crop((0, 0, 112, 56))
        lower_full.append(np.asarray(lo.resize((56, 28), Image.BOX), np.float32) / 255)
        lower_small.append(np.asarray(lo.resize((28, 14), Image.BILINEAR), np.float32).ravel() / 255)
        upper_small.append(np.asarray(up.resize((28, 14), Image.BILINEAR), np.float32).ravel() / 255)
    return np.stack(lower_full), np.stack(lower_small), np.stack(upper_small)


def folds_of(y, groups, k=5):
    from sklearn.model_selection import StratifiedGroupKFold
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y, groups))


def logistic_oof(x, y, folds, c):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    p = np.zeros(len(y))
    for train, test in folds:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
        model.fit(x[train], y[train])
        p[test] = model.predict_proba(x[test])[:, 1]
    return p


def cnn_oof(x, y, folds, epochs=10):
    import torch
    from torch import nn
    torch.set_num_threads(2)
    xt = torch.tensor(x.transpose(0, 3, 1, 2))
    yt = torch.tensor(y, dtype=torch.float32)
    p = np.zeros(len(y))
    for f, (train, test) in enumerate(folds):
        torch.manual_seed(SEED + f)
        net = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(64, 1))
        opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
        rng = np.random.default_rng(SEED + f)
        for _ in range(epochs):
            net.train()
            order = rng.permutation(train)
            for s in range(0, len(order), 64):
                b = order[s:s + 64]
                xb = xt[b]
                flip = torch.rand(len(b)) < 0.5  # mirror half the batch: masks are left-right symmetric
                xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
                loss = nn.functional.binary_cross_entropy_with_logits(net(xb).squeeze(1), yt[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        with torch.no_grad():
            p[test] = torch.sigmoid(net(xt[test]).squeeze(1)).numpy()
    return p


def scored(p, y, styles):
    from sklearn.metrics import roc_auc_score
    guess = (p >= 0.5).astype(int)
    result = {"accuracy": round(float((guess == y).mean()), 4), "auc": round(float(roc_auc_score(y, p)), 4),
              "real_called_real": round(float((guess[y == 0] == 0).mean()), 4),
              "rendered_called_rendered": round(float((guess[y == 1] == 1).mean()), 4)}
    if styles is not None:
        per = {}
        for s in sorted(set(styles[y == 1])):
            m = (y == 1) & (styles == s)
            per[s] = {"n": int(m.sum()), "caught": round(float(guess[m].mean()), 4)}
        result["rendered_caught_by_style"] = per
    return result


def figure(real, rendered, path, count=8):
    """Two rows of `count` crops each, real masks above and rendered ones below, labelled."""
    from PIL import ImageDraw
    rng = np.random.default_rng(SEED + 1)
    real = list({group_of(p): p for p in real}.values())  # one crop per photo, no near-copies
    rows = [("real (masks/with_mask)", rng.choice(real, count, replace=False)),
            ("rendered (MaskRenderer)", rng.choice(rendered, count, replace=False))]
    label, tile = 22, 112
    sheet = Image.new("RGB", (tile * count, (tile + label) * len(rows)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (name, paths) in enumerate(rows):
        top = r * (tile + label)
        draw.text((6, top + 5), name, fill="black")
        for i, p in enumerate(paths):
            sheet.paste(Image.open(p).convert("RGB"), (i * tile, top + label))
    sheet.save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", required=True, help="crops of photos with real masks")
    ap.add_argument("--rendered", required=True, help="crops of photos masked by the renderer")
    ap.add_argument("--manifest", help="mask-manifest.tsv of the masked copy (per-style figures)")
    ap.add_argument("--sface", default=os.path.expanduser(os.environ.get("VISAGE_HOME", "~/.cache/visage") + "/models/sface_2021dec.onnx"))
    ap.add_argument("--cache", default="/tmp/realism-cache", help="folder for cached bn1 rows")
    ap.add_argument("--features", default="bn1-avg,bn1-rows,lower-px,lower-cnn,upper-px,bn1-upper")
    ap.add_argument("--match", help="controls to match on before measuring, e.g. upper-px,bn1-upper (see above)")
    ap.add_argument("--match-bins", type=int, default=10)
    ap.add_argument("--drop", help="leave out crops whose file name matches this regular expression")
    ap.add_argument("--out", help="JSON file for the figures")
    ap.add_argument("--figure", help="also write a PNG of 8 real and 8 rendered crops (for docs)")
    args = ap.parse_args()
    start = time.time()

    real, rendered = crops_in(args.real), crops_in(args.rendered)
    if args.drop:
        real = [p for p in real if not re.search(args.drop, os.path.basename(p))]
        rendered = [p for p in rendered if not re.search(args.drop, os.path.basename(p))]
    n = min(len(real), len(rendered))
    rng = np.random.default_rng(SEED)
    real = sorted(rng.choice(real, n, replace=False)) if len(real) > n else real
    rendered = sorted(rng.choice(rendered, n, replace=False)) if len(rendered) > n else rendered
    paths = np.array(list(real) + list(rendered))
    y = np.array([0] * n + [1] * n)
    groups = np.array([f"real:{group_of(p)}" for p in real] + [f"rendered:{group_of(p)}" for p in rendered])
    styles = None
    if args.manifest:
        by_stem = {}
        for line in open(args.manifest):
            f = line.rstrip("\n").split("\t")
            if len(f) >= 3 and f[1] == "masked":
                by_stem[f[0]] = f[2].split(",")[0]
        root = os.path.abspath(args.rendered)
        # A crop is named after its photo with `.png` appended (`a/b.jpg` -> `a/b.jpg.png`).
        styles = np.array(["real"] * n + [by_stem.get(os.path.relpath(os.path.abspath(p), root)[:-4], "?") for p in rendered])
    if args.figure:
        figure(real, rendered, args.figure)
    wanted = args.features.split(",")
    controls = args.match.split(",") if args.match else []
    report = {"real": args.real, "rendered": args.rendered, "drop": args.drop, "per_class": n,
              "groups": len(set(groups)), "folds": 5, "features": {}}
    print(f"{n} real + {n} rendered crops, {len(set(groups))} groups")

    # Every feature set, computed once for all crops; a sample is a set of indices into them.
    features = {}
    needed = set(wanted) | set(controls)
    if needed & {"bn1-avg", "bn1-rows"}:
        rows = bn1_rows(args.sface, list(paths), args.cache)
        features["bn1-avg"] = (rows.mean(axis=1), 0.01)
        features["bn1-rows"] = (rows.reshape(len(y), -1), 0.001)
    if "bn1-upper" in needed:
        features["bn1-upper"] = (bn1_rows(args.sface, list(paths), args.cache, blank_lower=True).mean(axis=1), 0.01)
    if needed & {"lower-px", "lower-cnn", "upper-px"}:
        lower_full, lower_small, upper_small = halves(paths)
        features["lower-px"], features["upper-px"] = (lower_small, 0.01), (upper_small, 0.01)
        features["lower-cnn"] = (lower_full, None)

    def measure(index, names, into):
        folds = folds_of(y[index], groups[index])
        st = styles[index] if styles is not None else None
        scores = {}
        for name in names:
            x, c = features[name]
            p = cnn_oof(x[index], y[index], folds) if c is None else logistic_oof(x[index], y[index], folds, c)
            scores[name] = p
            into[name] = scored(p, y[index], st)
            print(name, into[name]["accuracy"], into[name]["auc"], flush=True)
        return scores

    everything = np.arange(len(y))
    order = [w for w in ("bn1-avg", "bn1-rows", "lower-px", "lower-cnn", "upper-px", "bn1-upper") if w in wanted]
    control_scores = measure(everything, [c for c in controls if c not in order], report["features"])
    control_scores.update(measure(everything, order, report["features"]))

    if controls:
        from sklearn.linear_model import LogisticRegression
        eps = 1e-6
        logits = np.stack([np.log((control_scores[c] + eps) / (1 - control_scores[c] + eps)) for c in controls], axis=1)
        propensity = LogisticRegression(max_iter=1000).fit(logits, y).predict_proba(logits)[:, 1]
        edges = np.quantile(propensity, np.linspace(0, 1, args.match_bins + 1)[1:-1])
        bins = np.searchsorted(edges, propensity, side="right")
        rng = np.random.default_rng(SEED)
        kept, per_bin = [], []
        for b in range(args.match_bins):
            a = np.flatnonzero((bins == b) & (y == 0))
            r = np.flatnonzero((bins == b) & (y == 1))
            k = min(len(a), len(r))
            kept += list(rng.choice(a, k, replace=False)) + list(rng.choice(r, k, replace=False))
            per_bin.append([int(len(a)), int(len(r)), int(k)])
        kept = np.array(sorted(kept))
        matched = {"controls": controls, "bins": args.match_bins, "per_class": int((y[kept] == 0).sum()),
                   "groups": len(set(groups[kept])), "real_rendered_kept_per_bin": per_bin, "features": {}}
        if styles is not None:
            matched["rendered_kept_by_style"] = {s: int((styles[kept] == s).sum()) for s in sorted(set(styles[y == 1]))}
        print(f"matched on {controls}: {matched['per_class']} real + {matched['per_class']} rendered crops kept")
        measure(kept, order + [c for c in controls if c not in order], matched["features"])
        report["matched"] = matched
    report["seconds"] = round(time.time() - start, 1)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
    print(json.dumps({k: (v["accuracy"], v["auc"]) for k, v in report["features"].items()}))
    if controls:
        print("matched", json.dumps({k: (v["accuracy"], v["auc"]) for k, v in report["matched"]["features"].items()}))


if __name__ == "__main__":
    main()
