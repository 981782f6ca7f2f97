"""Issue 18 item 3, without training: compare a masked face with a bare one "like with like".

Candidates (each applies only to pairs with a masked face; bare pairs keep SFace):
  A  current path: the attention head's embeddings of both faces (what `visage verify` ships)
  B  render a mask on the bare face too (`visage dataset mask`, the realistic renderer) and compare
     masked with masked through the head (and SFace)
  C  hide the lower face of BOTH aligned crops from row 62 down (flat grey, or each crop's own mean
     colour above the cut) before SFace and the head
  D  upper-face features: SFace's own embedding layer on `bn1` with rows >= 4 (or 5) of 7 zeroed,
     raw `bn1` rows 0-3 cosine, or a PCA + LDA projection of rows 0-3 fitted on CFP identities
  E  the mean of the head's and SFace's cosines
  F  flip-averaged embeddings (crop and its mirror image)
  G  real-mask domain centring: subtract the mean embedding of `masks/with_mask` crops from masked
     faces and of `masks/without_mask` from bare ones (G2), or shift masked faces by the difference (G1)

Selection rule (fixed before measuring): CFP-FF folds 7-8 (identities 301-400), second image masked
with the realistic renderer; 2-fold accuracy, TAR at FAR 1e-3 and the decision at the FAR-1e-3
threshold over all bare-vs-masked pairs of those identities' frontal photos. masked-people is scored
for every candidate but chooses nothing. A candidate ships only if it beats A on both.

Inputs are aligned crops made by the release build (`visage dataset crops`, `dataset mask`).
MP-UNMASKED-ONLY holds symbolic links <person>/unmasked/*.jpg to masked-people's bare photos;
CFP-301-400-FRONTAL links <id>/frontal/*.jpg of CFP identities 301-400 (401-500 for --folds 9,10),
so the seeded mask looks are those of `dataset mask` over all of CFP:
  visage dataset crops ../shared/data/masked-people MP
  visage dataset mask MP-UNMASKED-ONLY R --ratio 1 --seed 1 && visage dataset crops R MPR --fallback-score 0.3
  visage dataset mask CFP-301-400-FRONTAL CM --ratio 1 --seed 1 && visage dataset crops CM CMC --fallback-score 0.3
  visage dataset crops CFP-301-400-FRONTAL CBC
  visage dataset crops ../shared/data/masks MASKS --fallback-score 0.3
  python training/mfsa/symmetric.py --mp MP --mp-rendered MPR --cfp-bare CBC --cfp-masked CMC \
      --masks MASKS --cfp ../shared/data/cfp --work /tmp/sym [--lda-features FEATURES.npz]
--lda-features is an `extract.py` output over all CFP (the projection is fitted on identities 1-300).
"""
import argparse
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract  # noqa: E402

MODELS = os.path.join(os.environ.get("VISAGE_HOME", os.path.expanduser("~/.cache/visage")), "models")


def norm(x):
    x = np.asarray(x, np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def threshold_at_far(impostors, far):
    """The lowest threshold that accepts at most floor(far * n) impostors."""
    s = np.sort(impostors)[::-1]
    k = int(np.floor(far * len(s)))
    return s[k] + 1e-6 if k < len(s) else s[-1]


# ---------------------------------------------------------------- features

class Embedder:
    def __init__(self):
        self.model, self.sface = extract.session_with_feature_map(os.path.join(MODELS, "sface_2021dec.onnx"), 1)
        self.constants = extract.embedding_constants(self.model)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        self.head = ort.InferenceSession(os.path.join(MODELS, "mfsa-attention-head.onnx"), options,
                                         providers=["CPUExecutionProvider"])

    def folder(self, crops, cache, occlude=0, fill="grey", flip=False):
        """bn1, SFace's embedding and the head's embedding of every crop under `crops` (cached)."""
        if os.path.exists(cache):
            return dict(np.load(cache))
        names = extract.crop_names(crops)
        maps, sface, head = [], [], []
        for i in range(0, len(names), 32):
            x = np.stack([np.asarray(Image.open(os.path.join(crops, n)).convert("RGB"), np.float32) for n in names[i:i + 32]])
            if occlude:
                x[:, occlude:] = 128 if fill == "grey" else x[:, :occlude].mean(axis=(1, 2), keepdims=True)
            if flip:
                x = x[:, :, ::-1].copy()
            e, f = self.sface.run(["fc1", "bn1"], {"data": x.transpose(0, 3, 1, 2)})
            h, _ = self.head.run(None, {"features": f})
            maps.append(f.astype(np.float16)); sface.append(e); head.append(h)
        data = dict(names=np.array(names), bn1=np.concatenate(maps), sface=np.concatenate(sface), head=np.concatenate(head))
        np.savez(cache, **data)
        return data

    def sface_rows(self, bn1, rows):
        """SFace's own embedding layer (pre_fc1 + fc1 batch norm) on bn1 with rows >= `rows` zeroed."""
        c = self.constants
        f = bn1.astype(np.float32).copy()
        f[:, :, rows:, :] = 0
        z = f.reshape(len(f), -1) @ c["fc_weight"].T + c["fc_bias"]
        return (z - c["bn_mean"]) / np.sqrt(c["bn_var"] + c["bn_eps"]) * c["bn_gamma"] + c["bn_beta"]


# ---------------------------------------------------------------- protocols

class CFP:
    """CFP-FF folds, first image bare, second masked; plus all pairs of the folds' identities."""

    def __init__(self, root, folds):
        self.pairs = []
        paths = {int(l.split()[0]): l.split()[1].replace("../Data/Images/", "") + ".png"
                 for l in open(f"{root}/Protocol/Pair_list_F.txt")}
        for f in folds:
            fold = []
            for kind, same in (("same", 1), ("diff", 0)):
                for line in open(f"{root}/Protocol/Split/FF/{f:02d}/{kind}.txt"):
                    a, b = map(int, line.strip().split(","))
                    fold.append((paths[a], paths[b], same))
            self.pairs.append(fold)

    def score(self, bare, masked, embed_bare, embed_masked):
        ib = {str(n): k for k, n in enumerate(bare["names"])}
        im = {str(n): k for k, n in enumerate(masked["names"])}
        X, Y = embed_bare(bare), embed_masked(masked)
        folds = []
        for fold in self.pairs:
            # A pair whose face was lost scores -1, as `visage eval verification` counts it.
            s = np.array([X[ib[a]] @ Y[im[b]] if a in ib and b in im else -1.0 for a, b, _ in fold])
            folds.append((s, np.array([y for _, _, y in fold])))
        accuracy = []
        for k, (s, y) in enumerate(folds):
            s_other = np.concatenate([f[0] for j, f in enumerate(folds) if j != k])
            y_other = np.concatenate([f[1] for j, f in enumerate(folds) if j != k])
            best = max(np.unique(s_other), key=lambda t: ((s_other >= t) == y_other).mean())
            accuracy.append(((s >= best) == y).mean())
        names_b = sorted(ib)
        names_m = [n for n in names_b if n in im]
        S = X[[ib[n] for n in names_b]] @ Y[[im[n] for n in names_m]].T
        who_b = np.array([n.split("/")[0] for n in names_b])
        who_m = np.array([n.split("/")[0] for n in names_m])
        same = who_b[:, None] == who_m[None, :]
        other_photo = np.array(names_b)[:, None] != np.array(names_m)[None, :]
        genuine, impostor = S[same & other_photo], S[~same]
        t3, t2 = threshold_at_far(impostor, 1e-3), threshold_at_far(impostor, 1e-2)
        return (f"{100 * np.mean(accuracy):5.2f} ± {100 * np.std(accuracy):.2f}% | {100 * (genuine >= t3).mean():5.2f}% | "
                f"{100 * (genuine >= t2).mean():5.2f}% | {100 * 0.5 * ((genuine >= t3).mean() + (impostor < t3).mean()):5.2f}% ({t3:.3f})")


def masked_people(a, b, embed_a, embed_b, condition_a="masked", condition_b="unmasked"):
    """Every pair of a `condition_a` photo (from a) and a `condition_b` photo (from b): genuine when the
    same person, impostor otherwise. Best balanced accuracy, TAR at FAR 1e-3 / 1e-2 and the decision
    at the FAR-1e-3 threshold of these impostors (calibrated in place, as the shipped thresholds are)."""
    X, Y = embed_a(a), embed_b(b)
    A = [(str(n), k) for k, n in enumerate(a["names"]) if str(n).split("/")[1] == condition_a]
    B = [(str(n), k) for k, n in enumerate(b["names"]) if str(n).split("/")[1] == condition_b]
    genuine, impostor = [], []
    for na, ka in A:
        for nb, kb in B:
            if na != nb:
                (genuine if na.split("/")[0] == nb.split("/")[0] else impostor).append(X[ka] @ Y[kb])
    g, i = np.array(genuine), np.array(impostor)
    t3, t2 = threshold_at_far(i, 1e-3), threshold_at_far(i, 1e-2)
    ts = np.unique(np.concatenate([g, i]))
    gs, is_ = np.sort(g), np.sort(i)
    balanced = 0.5 * ((1 - np.searchsorted(gs, ts, "left") / len(g)) + np.searchsorted(is_, ts, "left") / len(i))
    return (f"{100 * balanced.max():5.2f}% | {100 * (g >= t3).mean():5.2f}% | {100 * (g >= t2).mean():5.2f}% | "
            f"{100 * 0.5 * ((g >= t3).mean() + (i < t3).mean()):5.2f}% ({t3:.3f}) | {len(g)} + {len(i)}")


def fit_lda(features_path, rows, identities, components=384):
    """PCA (384) + shrunk LDA of L2-normalised bn1 rows 0..rows-1, bare and masked photos of CFP `identities`."""
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    d = np.load(features_path, mmap_mode="r")
    ids = np.array([int(str(n).split("/")[0]) for n in d["names"]])
    chosen = np.where((ids >= identities[0]) & (ids <= identities[1]))[0]
    X, y = [], []
    for key, present in (("bare_features", "bare_present"), ("masked_features", "masked_present")):
        ok = chosen[d[present][chosen]]
        X.append(np.asarray(d[key][ok][:, :, :rows, :], np.float32).reshape(len(ok), -1))
        y.append(ids[ok])
    X, y = norm(np.concatenate(X)).astype(np.float32), np.concatenate(y)
    pca = PCA(n_components=components, svd_solver="randomized", random_state=0).fit(X)
    lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage=0.1).fit(pca.transform(X), y)
    W = pca.components_.T @ lda.scalings_[:, :len(np.unique(y)) - 1]
    mean = pca.mean_

    def project(d):
        x = norm(d["bn1"][:, :, :rows].astype(np.float32).reshape(len(d["bn1"]), -1))
        return norm((x - mean) @ W)
    return project


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("mp", "mp-rendered", "cfp-bare", "cfp-masked", "masks", "cfp", "work"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--folds", default="7,8")
    p.add_argument("--lda-features")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    E = Embedder()
    cache = lambda name: os.path.join(a.work, name + ".npz")
    mp = E.folder(a.mp, cache("mp"))
    mp_rendered = E.folder(a.mp_rendered, cache("mp-rendered"))
    cb, cm = E.folder(a.cfp_bare, cache("cfp-bare")), E.folder(a.cfp_masked, cache("cfp-masked"))
    occluded = {fill: (E.folder(a.mp, cache(f"mp-{fill}62"), 62, fill), E.folder(a.cfp_bare, cache(f"cfp-bare-{fill}62"), 62, fill),
                       E.folder(a.cfp_masked, cache(f"cfp-masked-{fill}62"), 62, fill)) for fill in ("grey", "mean")}
    flipped = (E.folder(a.mp, cache("mp-flip"), flip=True), E.folder(a.cfp_bare, cache("cfp-bare-flip"), flip=True),
               E.folder(a.cfp_masked, cache("cfp-masked-flip"), flip=True))
    masks = E.folder(a.masks, cache("masks"))
    cfp = CFP(a.cfp, [int(f) for f in a.folds.split(",")])

    key = lambda k: (lambda d: norm(d[k]))
    with_mask = np.array([str(n).startswith("with_mask/") for n in masks["names"]])
    centre = {k: (norm(masks[k])[with_mask].mean(0), norm(masks[k])[~with_mask].mean(0)) for k in ("head", "sface")}
    both = lambda d: np.concatenate([norm(d["head"]), norm(d["sface"])], 1) / np.sqrt(2)

    def flip_avg(d, d_flip):
        return dict(d, head=norm(d["head"]) + norm(d_flip["head"]), sface=norm(d["sface"]) + norm(d_flip["sface"]))

    # (label, masked-people masked side, unmasked side, CFP bare side, CFP masked side, embed bare, embed masked)
    rows = []
    for k in ("head", "sface"):
        rows.append((f"A {'current path: head' if k == 'head' else 'plain SFace'}", mp, mp, cb, cm, key(k), key(k)))
    for k in ("head", "sface"):
        # B: the bare side wears a rendered mask (CFP: its own masked copy; masked-people: the rendered copy).
        rows.append((f"B mask drawn on the bare face, {k}", mp, mp_rendered, cm, cm, key(k), key(k)))
    for fill, (m, b, mm) in occluded.items():
        for k in ("head", "sface"):
            rows.append((f"C both lower faces hidden from row 62 ({fill}), {k}", m, m, b, mm, key(k), key(k)))
    for r in (4, 5):
        f = lambda d, r=r: norm(E.sface_rows(d["bn1"], r))
        rows.append((f"D SFace's layer on bn1 rows 0-{r - 1}", mp, mp, cb, cm, f, f))
    raw = lambda d: norm(d["bn1"][:, :, :4].astype(np.float32).reshape(len(d["bn1"]), -1))
    rows.append(("D raw bn1 rows 0-3, cosine", mp, mp, cb, cm, raw, raw))
    if a.lda_features:
        project = fit_lda(a.lda_features, 4, (1, 300))
        rows.append(("D PCA+LDA of bn1 rows 0-3 (CFP 1-300)", mp, mp, cb, cm, project, project))
    rows.append(("E mean of head and SFace cosines", mp, mp, cb, cm, both, both))
    fm, fb, fmm = flip_avg(mp, flipped[0]), flip_avg(cb, flipped[1]), flip_avg(cm, flipped[2])
    for k in ("head", "sface"):
        rows.append((f"F flip-averaged, {k}", fm, fm, fb, fmm, key(k), key(k)))
    for k in ("head", "sface"):
        mw, mo = centre[k]
        rows.append((f"G1 masked side shifted by with-without mean, {k}", mp, mp, cb, cm, key(k), lambda d, k=k, mw=mw, mo=mo: norm(norm(d[k]) - mw + mo)))
        rows.append((f"G2 each side centred on its masks/ mean, {k}", mp, mp, cb, cm,
                     lambda d, k=k, mo=mo: norm(norm(d[k]) - mo), lambda d, k=k, mw=mw: norm(norm(d[k]) - mw)))

    print(f"| candidate | CFP-FF folds {a.folds} one side masked: 2-fold accuracy | TAR@1e-3 | TAR@1e-2 | decision at FAR 1e-3 (threshold) "
          f"| masked-people masked vs unmasked: best | TAR@1e-3 | TAR@1e-2 | decision at FAR 1e-3 (threshold) | pairs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, mp_masked, mp_bare, c_bare, c_masked, embed_bare, embed_masked in rows:
        print(f"| {label} | {cfp.score(c_bare, c_masked, embed_bare, embed_masked)} | "
              f"{masked_people(mp_masked, mp_bare, embed_masked, embed_bare)} |", flush=True)
    print("\nReferences on masked-people (plain SFace; head):")
    for ca, cb_ in (("unmasked", "unmasked"), ("masked", "masked")):
        for k in ("sface", "head"):
            print(f"| {ca} vs {cb_}, {k} | {masked_people(mp, mp, key(k), key(k), ca, cb_)} |")
        print(f"| {ca} vs {cb_}, SFace's layer on rows 0-3 | "
              f"{masked_people(mp, mp, *(2 * [lambda d: norm(E.sface_rows(d['bn1'], 4))]), ca, cb_)} |")


if __name__ == "__main__":
    main()
