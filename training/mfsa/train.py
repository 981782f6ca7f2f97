"""MFSA-style attention head on the frozen SFace feature map, and its evaluation on CFP-FF.

After Multi-Focal Spatial Attention (MFSA) for masked face recognition: SFace's last feature
map F (1024 x 7 x 7, `bn1`) goes through a small 1x1-conv network that gives three spatial
attention maps per image, one each for the masked region, the visible face and the background.
A softmax across the three at every cell makes them complementary by construction (they sum to
1); a complementary loss (the mean pairwise product of the three maps) pushes every cell towards
one branch alone. Only the visible-face map weights F before SFace's own linear embedding layer
(`pre_fc1` and the `fc1` batch norm, copied from SFace), so that at initialisation, with all
three maps at 1/3, the head is exactly SFace. Losses:
  - ArcFace (additive angular margin) over the training identities, on the L2-normalised
    128-d embedding;
  - masked-region supervision: binary cross-entropy between the masked-region map and the
    fraction of each cell that the rendered mask covers (0 on bare crops), from extract.py;
  - the complementary loss above.
Synthetic masks are mixed in at --mask-ratio: each sample is the masked rendering of its image
with that probability, else the bare crop.

Data: CFP's folds are identity-disjoint (fold k holds identities 50k-49 .. 50k), so training
on identities 001-400 and evaluating on CFP-FF folds 9 and 10 (identities 401-500) keeps the
test people unseen. --val-identities carves a validation range out of the training identities
for choosing settings; the final run trains on all of 001-400 with the chosen settings.

Evaluation, for plain SFace and the head, in three conditions (neither image masked; the
second image of each pair masked; both masked):
  - accuracy on the official CFP-FF pairs of folds 9 and 10, each fold's threshold chosen on
    the other fold;
  - TAR at FAR 1e-2 and 1e-3 over all pairs of the frontal photos of identities 401-500
    (4,500 genuine, about 495,000 impostor pairs), since 350 impostor pairs per fold cannot
    resolve a FAR of 1e-3.

  python training/mfsa/train.py --features /tmp/mfsa-features.npz --cfp ../shared/data/cfp --out runs/mfsa
"""
import argparse
import json
import os
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

BRANCHES = ["masked_region", "visible_face", "background"]


class AttentionHead(nn.Module):
    def __init__(self, c, constants, hidden=128, train_embedding=False):
        super().__init__()
        self.branches = nn.Sequential(
            nn.Conv2d(c, hidden, 1), nn.BatchNorm2d(hidden), nn.ReLU(inplace=True), nn.Conv2d(hidden, len(BRANCHES), 1))
        nn.init.zeros_(self.branches[-1].weight)  # uniform maps at the start: the head starts as SFace
        nn.init.zeros_(self.branches[-1].bias)
        weight = torch.from_numpy(constants["fc_weight"])
        self.fc = nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            self.fc.weight.copy_(weight)
            self.fc.bias.copy_(torch.from_numpy(constants["fc_bias"]))
        self.fc.requires_grad_(train_embedding)
        scale = constants["bn_gamma"] / np.sqrt(constants["bn_var"] + constants["bn_eps"])
        self.register_buffer("bn_scale", torch.from_numpy(scale.astype(np.float32)))
        self.register_buffer("bn_shift", torch.from_numpy((constants["bn_beta"] - constants["bn_mean"] * scale).astype(np.float32)))

    def attention(self, features):
        return torch.softmax(self.branches(features), dim=1)  # N x 3 x 7 x 7, summing to 1 per cell

    def embed(self, features, visible):
        """SFace's embedding layer on the feature map weighted by `visible` (N x 1 x 7 x 7, 1 = SFace)."""
        return self.fc((features * visible).flatten(1)) * self.bn_scale + self.bn_shift

    def forward(self, features):
        maps = self.attention(features)
        return self.embed(features, len(BRANCHES) * maps[:, 1:2]), maps


def arcface_logits(embeddings, class_weights, labels, scale, margin):
    cos = F.linear(F.normalize(embeddings), F.normalize(class_weights)).clamp(-1 + 1e-6, 1 - 1e-6)
    target = torch.cos(torch.acos(cos.gather(1, labels[:, None])) + margin)
    return scale * cos.scatter(1, labels[:, None], target)


def identity_of(name):
    return int(name.split("/")[0])


def same_name(name):
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def cfp_people(cfp):
    with open(os.path.join(cfp, "Data", "list_name.txt")) as f:
        return frozenset(same_name(line) for line in f if line.strip())


class TrainingRows:
    """The training images, gathered from CFP (the training identities) and any extra sets.

    An extra set (--extra-features, e.g. LFW) is a features file from extract.py over crops laid
    out as <person>/...; every person in it with at least two bare crops joins as an identity of
    its own, unless CFP has a person of that name (CFP's list_name.txt; LFW shares 131 of CFP's
    celebrities, 53 of them among identities 301-500): those are left out so that the validation
    and test identities stay unseen. Extra sets are never evaluated here: they only add
    identities to the ArcFace loss."""

    def __init__(self, cfp, identities, extras=(), excluded_people=frozenset(), extra_per_person=None):
        self.sets, sources, locals_, people = [], [], [], []
        names = cfp["names"]
        rows = [i for i, n in enumerate(names) if identities[0] <= identity_of(n) <= identities[1] and cfp["bare_present"][i]]
        self._add(cfp, rows, [f"cfp:{identity_of(names[i])}" for i in rows], sources, locals_, people)
        for k, extra in enumerate(extras):
            names = extra["names"]
            person = [n.split("/")[0] for n in names]
            counts = {}
            for i, p in enumerate(person):
                counts[p] = counts.get(p, 0) + int(extra["bare_present"][i])
            rows, taken = [], {}
            for i, p in enumerate(person):  # names are sorted: a person's first crops are taken
                if extra["bare_present"][i] and counts[p] >= 2 and same_name(p) not in excluded_people \
                        and taken.get(p, 0) < (extra_per_person or len(person)):
                    rows.append(i)
                    taken[p] = taken.get(p, 0) + 1
            self._add(extra, rows, [f"extra{k}:{person[i]}" for i in rows], sources, locals_, people)
        self.source, self.local = np.array(sources), np.array(locals_)
        keys = sorted(set(people))
        label_of = {p: k for k, p in enumerate(keys)}
        self.labels = torch.tensor([label_of[p] for p in people])
        self.people = len(keys)

    def _add(self, data, rows, people, sources, locals_, all_people):
        sources += [len(self.sets)] * len(rows)
        locals_ += rows
        all_people += people
        self.sets.append(data)

    def __len__(self):
        return len(self.local)

    def gather(self, key, idx):
        first = self.sets[0][key]
        out = np.zeros((len(idx),) + first.shape[1:], first.dtype)
        for s, data in enumerate(self.sets):
            pick = self.source[idx] == s
            if pick.any():
                out[pick] = data[key][self.local[idx[pick]]]
        return out


def train(data, identities, args, log, extras=()):
    pool = TrainingRows(data, identities, extras, cfp_people(args.cfp), args.extra_per_person)
    labels = pool.labels
    log(f"training on {len(pool)} images of {pool.people} identities ({len(pool.sets) - 1} extra sets)")
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    head = AttentionHead(data["bare_features"].shape[1], data, train_embedding=args.train_embedding)
    with torch.no_grad():  # class centres start at each person's mean bare SFace embedding
        bare = F.normalize(torch.from_numpy(pool.gather("bare_embeddings", np.arange(len(pool)))))
        centres = torch.zeros(pool.people, bare.shape[1]).index_add_(0, labels, bare)
    class_weights = nn.Parameter(F.normalize(centres))
    # the embedding layer's group is inert unless --train-embedding (its parameters get no gradient)
    optimiser = torch.optim.AdamW([{"params": list(head.branches.parameters()), "lr": args.lr},
                                   {"params": [head.fc.weight, head.fc.bias], "lr": args.lr * args.embedding_lr_factor},
                                   {"params": [class_weights], "lr": args.lr}], weight_decay=1e-4)
    steps = args.epochs * int(np.ceil(len(pool) / args.batch))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=[args.lr, args.lr * args.embedding_lr_factor, args.lr], total_steps=steps)
    started, step = time.time(), 0
    for epoch in range(args.epochs):
        order = rng.permutation(len(pool))
        totals = np.zeros(4)
        for start in range(0, len(order), args.batch):
            pick = order[start:start + args.batch]
            # a masked rendering whose face YuNet lost has no crop: that sample stays bare
            masked = (rng.random(len(pick)) < args.mask_ratio) & pool.gather("masked_present", pick)
            feats = np.where(masked[:, None, None, None], pool.gather("masked_features", pick), pool.gather("bare_features", pick))
            target = torch.from_numpy(np.where(masked[:, None, None], pool.gather("mask_maps", pick), 0).astype(np.float32))
            emb, maps = head(torch.from_numpy(feats.astype(np.float32)))
            identity = F.cross_entropy(arcface_logits(emb, class_weights, labels[pick], args.scale, args.margin), labels[pick])
            region = F.binary_cross_entropy(maps[:, 0].clamp(1e-6, 1 - 1e-6), target)
            overlap = (maps[:, 0] * maps[:, 1] + maps[:, 0] * maps[:, 2] + maps[:, 1] * maps[:, 2]).mean()
            loss = identity + args.region_weight * region + args.complement_weight * overlap
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            totals += [loss.item() * len(pick), identity.item() * len(pick), region.item() * len(pick), overlap.item() * len(pick)]
        totals /= len(pool)
        log(f"epoch {epoch + 1}/{args.epochs}: loss {totals[0]:.3f} (arcface {totals[1]:.3f}, region {totals[2]:.3f}, overlap {totals[3]:.3f}), {time.time() - started:.0f} s")
    head.eval()
    return head


# ---------------------------------------------------------------- evaluation

def cfp_pairs(cfp, folds):
    frontal = {}
    with open(os.path.join(cfp, "Protocol", "Pair_list_F.txt")) as f:
        for line in f:
            k, path = line.split()
            frontal[int(k)] = path.split("Images/")[1] + ".png"
    pairs = []
    for fold in folds:
        for kind, same in (("same", 1), ("diff", 0)):
            with open(os.path.join(cfp, "Protocol", "Split", "FF", f"{fold:02d}", f"{kind}.txt")) as f:
                for line in f:
                    a, b = line.strip().split(",")
                    pairs.append((fold, frontal[int(a)], frontal[int(b)], same))
    return pairs


def best_threshold(scores, same):
    candidates = np.unique(scores)
    accuracy = [((scores >= t) == same).mean() for t in candidates]
    return candidates[int(np.argmax(accuracy))]


def fold_accuracy(scores, same, folds):
    if len(np.unique(folds)) == 1:  # a single CFP fold: ten interleaved parts of it instead
        folds = np.arange(len(scores)) % 10
    results = []
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        t = best_threshold(scores[train], same[train])
        results.append(((scores[test] >= t) == same[test]).mean())
    return float(np.mean(results)), float(np.std(results))


def tar_at_far(genuine, impostor, far):
    threshold = np.sort(impostor)[::-1][int(far * len(impostor))]
    return float((genuine > threshold).mean())


class Scorer:
    """Embeddings of every evaluation image, bare and masked, for one method."""

    def __init__(self, bare, masked):
        pad = lambda e: torch.cat([F.normalize(e), torch.zeros(1, e.shape[1])])  # the last row: no crop
        self.bare, self.masked = pad(bare), pad(masked)

    def pick(self, rows, masked):
        return torch.where(torch.from_numpy(masked)[:, None], self.masked[rows], self.bare[rows])


def condition_masks(n, condition):
    first = np.full(n, condition == "both")
    second = np.full(n, condition in ("one", "both"))
    return first, second


def evaluate(data, head, cfp, folds, log):
    names = list(data["names"])
    index = {n: i for i, n in enumerate(names)}
    scorers = {"sface": Scorer(torch.from_numpy(data["bare_embeddings"]), torch.from_numpy(data["masked_embeddings"]))}
    if head is not None:
        with torch.no_grad():
            embed = lambda key: torch.cat([head(torch.from_numpy(data[key][i:i + 256].astype(np.float32)))[0] for i in range(0, len(names), 256)])
            scorers["attention_head"] = Scorer(embed("bare_features"), embed("masked_features"))
    # As `visage eval verification` does, a pair with an image whose face was not found scores -1.
    pairs = cfp_pairs(cfp, folds)
    dummy = len(names)  # stands in for an image with no crop in either copy
    a = np.array([index.get(p[1], dummy) for p in pairs])
    b = np.array([index.get(p[2], dummy) for p in pairs])
    present = {False: np.append(data["bare_present"], False), True: np.append(data["masked_present"], False)}
    same = np.array([p[3] for p in pairs], bool)
    fold_of = np.array([p[0] for p in pairs])
    people = range(50 * min(folds) - 49, 50 * max(folds) + 1)
    # all-pairs TAR: the frontal photos with both a bare and a masked crop
    frontal = np.array([i for i, n in enumerate(names) if "/frontal/" in n and identity_of(n) in people
                        and data["bare_present"][i] and data["masked_present"][i]])
    ia, ib = np.triu_indices(len(frontal), 1)
    genuine_pairs = np.array([identity_of(names[frontal[i]]) == identity_of(names[frontal[j]]) for i, j in zip(ia, ib)])
    report = {"pairs": len(pairs), "all_pairs_photos": len(frontal),
              "all_pairs": {"genuine": int(genuine_pairs.sum()), "impostor": int((~genuine_pairs).sum())}, "methods": {}}
    for method, scorer in scorers.items():
        report["methods"][method] = {}
        for condition in ("none", "one", "both"):
            m1, m2 = condition_masks(len(pairs), condition)
            scores = (scorer.pick(a, m1) * scorer.pick(b, m2)).sum(1).numpy()
            found = np.array([present[bool(x)][i] and present[bool(y)][j] for i, j, x, y in zip(a, b, m1, m2)])
            scores[~found] = -1
            accuracy, std = fold_accuracy(scores, same, fold_of)
            f1, f2 = condition_masks(len(frontal), condition)
            ea, eb = scorer.pick(frontal, f1), scorer.pick(frontal, f2)
            all_scores = (ea @ eb.T).numpy()[ia, ib]
            row = {"accuracy": accuracy, "accuracy_std": std, "pairs_scored_minus_1": int((~found).sum()),
                   "tar_far_1e-2": tar_at_far(all_scores[genuine_pairs], all_scores[~genuine_pairs], 1e-2),
                   "tar_far_1e-3": tar_at_far(all_scores[genuine_pairs], all_scores[~genuine_pairs], 1e-3)}
            report["methods"][method][condition] = row
            log(f"{method:15s} {condition:5s} accuracy {100 * accuracy:.2f}±{100 * std:.2f}% ({(~found).sum()} pairs at -1)  "
                f"TAR@1e-2 {100 * row['tar_far_1e-2']:.2f}%  TAR@1e-3 {100 * row['tar_far_1e-3']:.2f}%")
    if head is not None:
        with torch.no_grad():
            maps = {}
            for key, sel in (("bare", "bare_features"), ("masked", "masked_features")):
                m = torch.cat([head.attention(torch.from_numpy(data[sel][frontal[i:i + 256]].astype(np.float32))) for i in range(0, len(frontal), 256)])
                maps[key] = {branch: m[:, k].mean(0).numpy().round(3).tolist() for k, branch in enumerate(BRANCHES)}
        report["mean_attention_maps"] = maps
    return report


def attention_figure(report, path, cell=24):
    """The mean attention maps over the evaluation photos, bare (top) and masked (bottom), one
    column per branch; white is 1. A picture of averages, drawn on no one's face."""
    from PIL import Image, ImageDraw
    maps = report["mean_attention_maps"]
    label, pad = 18, 8
    side = 7 * cell
    figure = Image.new("RGB", (3 * (side + pad) + pad + 60, 2 * (side + pad + label) + pad), "white")
    draw = ImageDraw.Draw(figure)
    for r, copy in enumerate(("bare", "masked")):
        y0 = pad + r * (side + pad + label)
        draw.text((3 * (side + pad) + pad, y0 + label + side // 2), copy, fill="black")
        for c, branch in enumerate(BRANCHES):
            x0 = pad + c * (side + pad)
            draw.text((x0, y0), branch.replace("_", " "), fill="black")
            values = np.clip(np.array(maps[copy][branch]), 0, 1)
            tile = Image.fromarray((values * 255).astype(np.uint8)).resize((side, side), Image.NEAREST)
            figure.paste(Image.merge("RGB", (tile, tile.point(lambda v: v * 0.8), tile.point(lambda v: v * 0.3))), (x0, y0 + label))
    figure.save(path)


def export(head, path):
    class Exported(nn.Module):
        """feature map -> (L2-normalised 128-d embedding, 3 x 7 x 7 attention maps)"""

        def __init__(self, head):
            super().__init__()
            self.head = head

        def forward(self, features):
            emb, maps = self.head(features)
            return F.normalize(emb), maps

    torch.onnx.export(Exported(head), torch.zeros(1, 1024, 7, 7), path, input_names=["features"],
                      output_names=["embedding", "attention"], dynamic_axes={"features": {0: "N"}, "embedding": {0: "N"}, "attention": {0: "N"}},
                      opset_version=17, dynamo=False)
    store_large_weights_as_half(path)


def store_large_weights_as_half(path, at_least=1 << 20):
    """Stores weights of a million values or more as float16, each followed by a Cast back to float32.

    The embedding layer (1024*7*7 -> 128) is 6.4M of the head's weights: float32 makes the file 26 MB,
    float16 13 MB. ONNX Runtime folds the Casts when it loads the session, so inference still runs in
    float32; the rounding moves embeddings by about 1e-3 of their length."""
    model = onnx.load(path)
    graph = model.graph
    casts = []
    for init in graph.initializer:
        values = numpy_helper.to_array(init)
        if values.dtype != np.float32 or values.size < at_least:
            continue
        name = init.name
        init.CopyFrom(numpy_helper.from_array(values.astype(np.float16), name + "_half"))
        casts.append(onnx.helper.make_node("Cast", [name + "_half"], [name], to=onnx.TensorProto.FLOAT))
    for cast in reversed(casts):
        graph.node.insert(0, cast)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--cfp", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--train-identities", default="1-400")
    p.add_argument("--extra-features", action="append", default=[],
                   help="features (extract.py) of another set of <person>/ crops, e.g. LFW: more training identities")
    p.add_argument("--extra-per-person", type=int, help="at most this many images of a person of an extra set "
                   "(LFW has 530 of one man): a shorter epoch, less weight on a few people")
    p.add_argument("--eval-folds", default="9,10")
    p.add_argument("--mask-ratio", type=float, default=0.7)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--scale", type=float, default=30.0)
    p.add_argument("--margin", type=float, default=0.3)
    p.add_argument("--region-weight", type=float, default=1.0)
    p.add_argument("--complement-weight", type=float, default=1.0)
    p.add_argument("--train-embedding", action="store_true", help="also fine-tune SFace's embedding layer")
    p.add_argument("--embedding-lr-factor", type=float, default=0.01, help="its learning rate relative to --lr")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    lines = []

    def log(line):
        print(line, flush=True)
        lines.append(line)

    data = dict(np.load(args.features))
    first, last = (int(x) for x in args.train_identities.split("-"))
    folds = [int(f) for f in args.eval_folds.split(",")]
    held = set(range(50 * min(folds) - 49, 50 * max(folds) + 1))
    assert not held & set(range(first, last + 1)), "evaluation identities must not be trained on"
    extras = [dict(np.load(path)) for path in args.extra_features]
    head = train(data, (first, last), args, log, extras)
    report = evaluate(data, head, args.cfp, folds, log)
    report["arguments"] = vars(args)
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(args.out, "log.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    attention_figure(report, os.path.join(args.out, "attention.png"))
    torch.save(head.state_dict(), os.path.join(args.out, "head.pt"))
    export(head, os.path.join(args.out, "attention-head.onnx"))


if __name__ == "__main__":
    main()
