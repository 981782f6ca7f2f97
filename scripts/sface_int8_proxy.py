"""Developer step (not run by scripts/setup): a quick CFP-FF / CFP-FP proxy for SFace files.

The CLI's `visage eval verification` is the measurement of record; this scores many candidate
int8 files fast on crops made once (docs/models/sface-int8.md, "Proxy table"):

    visage dataset crops ../shared/data/cfp/Data/Images /tmp/cfp-crops --fallback-score 0.3
    python scripts/sface_int8_proxy.py ../shared/data/cfp /tmp/cfp-crops /tmp/proxy FLOAT_SFACE CANDIDATE...

CFP's 10 folds, each scored at the threshold best on the other nine; a missing crop embeds as
zeros (its pairs score 0). Also prints the mean cosine of each file's embeddings to float's on
frontal and profile crops. Crops and embeddings are cached in the work folder (third argument).
Needs onnxruntime, numpy, pillow.
"""
import os, sys, time
from pathlib import Path
import numpy as np
import onnxruntime as ort
from PIL import Image

if len(sys.argv) < 6:
    sys.exit("usage: sface_int8_proxy.py CFP_DIR CROPS_DIR WORK_DIR FLOAT_SFACE CANDIDATE...")
CFP = Path(sys.argv[1]) / "Protocol"
CROPS = Path(sys.argv[2])
WORK = Path(sys.argv[3]); EMB = WORK / "emb"; EMB.mkdir(parents=True, exist_ok=True)


def lists():
    def read(name):
        return [l.split()[1].replace("../Data/Images/", "") for l in (CFP / name).read_text().split("\n") if l.strip()]
    return read("Pair_list_F.txt"), read("Pair_list_P.txt")


def images():
    f, p = lists()
    return f + p, len(f)


def load_crops():
    cache = WORK / "crops.npy"
    if cache.exists():
        return np.load(cache)
    paths, _ = images()
    arr = np.zeros((len(paths), 3, 112, 112), np.uint8)
    for i, rel in enumerate(paths):
        png = CROPS / (rel + ".png")
        if png.exists():
            arr[i] = np.asarray(Image.open(png).convert("RGB")).transpose(2, 0, 1)
    np.save(cache, arr)
    return arr


def embed(model, crops, threads=1, batch=25):
    name = Path(model).stem
    out = EMB / f"{name}.npy"
    if out.exists() and os.path.getmtime(out) > os.path.getmtime(model):
        return np.load(out)
    so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
    s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    res = []
    t = time.time()
    for i in range(0, len(crops), batch):
        res.append(s.run(["fc1"], {"data": crops[i:i + batch].astype(np.float32)})[0])
    e = np.concatenate(res)
    e /= np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
    e[crops.reshape(len(crops), -1).max(axis=1) == 0] = 0
    np.save(out, e)
    print(f"  {name}: embedded {len(e)} in {time.time() - t:.1f}s", file=sys.stderr)
    return e


def pairs(kind, nf):
    folds = []
    for k in range(1, 11):
        d = CFP / "Split" / kind / f"{k:02d}"
        fold = []
        for lab, fn in ((1, "same.txt"), (0, "diff.txt")):
            for l in (d / fn).read_text().split():
                i, j = (int(x) - 1 for x in l.split(","))
                j = j + nf if kind == "FP" else j
                fold.append((i, j, lab))
        folds.append(np.array(fold))
    return folds


def tenfold(e, folds):
    scores = [((e[f[:, 0]] * e[f[:, 1]]).sum(1), f[:, 2]) for f in folds]
    accs = []
    for k in range(10):
        s = np.concatenate([scores[m][0] for m in range(10) if m != k]); y = np.concatenate([scores[m][1] for m in range(10) if m != k])
        order = np.sort(s)
        ths = (order[:-1] + order[1:]) / 2
        best = max(ths[::3], key=lambda t: ((s > t) == y).mean())
        accs.append(((scores[k][0] > best) == scores[k][1]).mean())
    return 100 * np.mean(accs)


def main():
    crops = load_crops()
    _, nf = images()
    ff, fp = pairs("FF", nf), pairs("FP", nf)
    base = embed(sys.argv[4], crops)
    prof = np.arange(len(crops)) >= nf
    for m in sys.argv[5:]:
        e = embed(m, crops)
        cos = (e * base).sum(1)
        ok = base.any(1)
        print(f"{Path(m).stem:40s} FF {tenfold(e, ff):.2f}  FP {tenfold(e, fp):.2f}  cos front {cos[ok & ~prof].mean():.4f} prof {cos[ok & prof].mean():.4f} min {cos[ok].min():.3f}", flush=True)


if __name__ == "__main__":
    main()
