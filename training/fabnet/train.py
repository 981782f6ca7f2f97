"""FAb-Net at small scale: a facial-attribute embedding learned from face tracks, without labels.

After Wiles, Koepke & Zisserman, "Self-supervised learning of a facial attribute embedding from
video" (BMVC 2018). An encoder maps a face crop to a 256-d embedding; a decoder, given the
embeddings of a source frame and of a target frame of the same track, predicts a sampling grid
that warps the source onto the target (grid_sample) plus a confidence map. Several sources are
warped and blended by the softmax of their confidences; the loss is the L1 distance to the
target. Because only the embeddings reach the decoder, they must hold what changes between
frames of one person: pose and expression. The curriculum goes from easy to hard by the
distance in frames between sources and target.

Input: folders written by `visage video tracks CLIP OUT` (OUT/track-N/frame-K.png, 112x112
ArcFace-aligned crops), found recursively under each --tracks folder. Held-out clips (--val,
folder names) give the validation loss and nothing else.

Export contract (fabnet-encoder.onnx): input `image` [N, 3, 64, 64] float32, RGB, the 112x112
ArcFace-aligned crop resized to 64x64 (plain bilinear, `resize` below), (p / 255 - 0.5) / 0.5; output `embedding`
[N, 256] float32 (not normalised).
"""
import argparse
import json
import os
import random
import re
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

FRAME = re.compile(r"frame-(\d+)\.(png|jpg)$")


def load_tracks(roots, size):
    """[(clip, track folder, frame indices, uint8 [T, size, size, 3])] for every track folder."""
    tracks = []
    for root in roots:
        for folder, _, files in sorted(os.walk(root)):
            frames = sorted((int(m.group(1)), f) for f in files if (m := FRAME.match(f)))
            if len(frames) < 4:
                continue
            full = np.stack([np.asarray(Image.open(os.path.join(folder, f)).convert("RGB")) for _, f in frames])
            images = resize(full, size)
            clip = os.path.basename(os.path.dirname(folder))
            tracks.append((clip, folder, np.array([i for i, _ in frames]), images))
    return tracks


def resize(images, size):
    """Plain bilinear with pixel centres aligned and no antialiasing: what VisageCore's
    `Image.resized(width:height:)` computes, so the Swift encoder sees the same pixels."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=False)
    return x.round().clamp(0, 255).byte().permute(0, 2, 3, 1).numpy()


class Encoder(nn.Module):
    def __init__(self, dim=256):
        super().__init__()
        channels = [3, 32, 64, 128, 256]
        layers = []
        for a, b in zip(channels, channels[1:]):  # 64 -> 32 -> 16 -> 8 -> 4
            layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, inplace=True)]
        self.features = nn.Sequential(*layers)
        self.project = nn.Conv2d(256, dim, 4)  # 4x4 -> 1x1

    def forward(self, x):
        return self.project(self.features(x)).flatten(1)


class Decoder(nn.Module):
    """(source embedding, target embedding) -> sampling grid offsets (2) and confidence (1) at 64x64."""

    def __init__(self, dim=256):
        super().__init__()
        self.start = nn.ConvTranspose2d(2 * dim, 256, 4)  # 1 -> 4
        channels = [256, 128, 64, 32, 32]
        layers = []
        for a, b in zip(channels, channels[1:]):  # 4 -> 8 -> 16 -> 32 -> 64
            layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]
        self.up = nn.Sequential(*layers)
        self.out = nn.Conv2d(32, 3, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)  # starts as the identity warp with equal confidences

    def forward(self, source, target):
        x = self.up(F.relu(self.start(torch.cat([source, target], 1)[:, :, None, None])))
        y = self.out(x)
        return torch.tanh(y[:, :2]), y[:, 2:3]


def predict(encoder, decoder, sources, target):
    """sources [B, K, 3, H, W], target [B, 3, H, W] -> (prediction, warped sources, weights)."""
    b, k, c, h, w = sources.shape
    embeddings = encoder(torch.cat([sources.reshape(b * k, c, h, w), target]))
    e_sources, e_target = embeddings[: b * k], embeddings[b * k:]
    offsets, confidence = decoder(e_sources, e_target.repeat_interleave(k, 0))
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
    identity = torch.stack([xs, ys], -1)[None]
    grid = identity + offsets.permute(0, 2, 3, 1)
    warped = F.grid_sample(sources.reshape(b * k, c, h, w), grid, padding_mode="border", align_corners=True)
    weights = torch.softmax(confidence.reshape(b, k, 1, h, w), 1)
    return (weights * warped.reshape(b, k, c, h, w)).sum(1), warped, weights


def to_tensor(images):
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255).sub(0.5).div(0.5)


def sample(tracks, weights, batch, sources, max_distance, rng):
    """Targets and `sources` frames of the same track within `max_distance` frame indices."""
    targets, source_sets = [], []
    for _ in range(batch):
        _, _, index, images = tracks[rng.choices(range(len(tracks)), weights)[0]]
        t = rng.randrange(len(index))
        near = [i for i in range(max(0, t - max_distance), min(len(index), t + max_distance + 1))
                if i != t and abs(index[i] - index[t]) <= max_distance]
        if not near:
            near = [t - 1 if t > 0 else t + 1]
        chosen = [rng.choice(near) for _ in range(sources)]
        flip = rng.random() < 0.5  # the same flip for the whole sample keeps the task consistent
        pick = (lambda a: a[:, :, ::-1].copy()) if flip else (lambda a: a)
        targets.append(pick(images[t]))
        source_sets.append(np.stack([pick(images[i]) for i in chosen]))
    return to_tensor(np.stack(targets)), to_tensor(np.concatenate(source_sets)).reshape(batch, sources, 3, *targets[0].shape[:2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", nargs="+", required=True, help="folders holding `visage video tracks` outputs")
    parser.add_argument("--val", nargs="*", default=[], help="clip folder names held out for the validation loss")
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--minutes", type=float, default=20, help="wall-clock budget for training")
    parser.add_argument("--distance-start", type=int, default=3, help="curriculum: largest frame distance at the start")
    parser.add_argument("--distance-end", type=int, default=75, help="…reached at 60%% of the budget")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    tracks = load_tracks(args.tracks, args.size)
    train = [t for t in tracks if t[0] not in args.val]
    val = [t for t in tracks if t[0] in args.val]
    print(f"{len(train)} training tracks ({sum(len(t[2]) for t in train)} frames), "
          f"{len(val)} validation tracks ({sum(len(t[2]) for t in val)} frames)", flush=True)
    weights = [len(t[2]) for t in train]
    val_rng = random.Random(12345)
    val_batches = [sample(val, [len(t[2]) for t in val], 32, args.sources, args.distance_end, val_rng) for _ in range(8)] if val else []

    encoder, decoder = Encoder(), Decoder()
    optimiser = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=args.lr)

    def validate():
        encoder.eval(); decoder.eval()
        with torch.no_grad():
            model = sum(F.l1_loss(predict(encoder, decoder, s, t)[0], t).item() for t, s in val_batches) / len(val_batches)
            # Baseline: the mean of the unwarped sources, what the untrained decoder predicts.
            mean = sum(F.l1_loss(s.mean(1), t).item() for t, s in val_batches) / len(val_batches)
        encoder.train(); decoder.train()
        return model, mean

    history = []
    started = time.time()
    budget = args.minutes * 60
    step = 0
    while (elapsed := time.time() - started) < budget:
        progress = min(1.0, elapsed / (0.6 * budget))
        distance = int(round(args.distance_start + progress * (args.distance_end - args.distance_start)))
        target, sources = sample(train, weights, args.batch, args.sources, distance, rng)
        prediction, _, _ = predict(encoder, decoder, sources, target)
        loss = F.l1_loss(prediction, target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        if step % 200 == 0:
            entry = {"step": step, "seconds": round(elapsed), "max_distance": distance, "train_l1": round(loss.item(), 4)}
            if val_batches:
                entry["val_l1"], entry["val_l1_unwarped_mean"] = (round(v, 4) for v in validate())
            history.append(entry)
            print(json.dumps(entry), flush=True)

    encoder.eval()
    torch.save({"encoder": encoder.state_dict(), "decoder": decoder.state_dict()}, os.path.join(args.out, "model.pt"))
    final = dict(zip(["val_l1", "val_l1_unwarped_mean"], (round(v, 4) for v in validate()))) if val_batches else {}
    dummy = torch.zeros(1, 3, args.size, args.size)
    export_kwargs = {"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}
    torch.onnx.export(encoder, dummy, os.path.join(args.out, "fabnet-encoder.onnx"), input_names=["image"],
                      output_names=["embedding"], dynamic_axes={"image": {0: "n"}, "embedding": {0: "n"}},
                      opset_version=17, **export_kwargs)
    # Visual check: target, prediction, the first warped source, for a few validation samples.
    if val_batches:
        with torch.no_grad():
            t, s = val_batches[0]
            p, warped, _ = predict(encoder, decoder, s[:6], t[:6])
            rows = torch.cat([t[:6], p, s[:6, 0], warped.reshape(6, -1, *t.shape[1:])[:, 0]], 3)
            grid = (rows.permute(0, 2, 3, 1).reshape(-1, rows.shape[3], 3).clamp(-1, 1) * 0.5 + 0.5) * 255
            Image.fromarray(grid.byte().numpy()).save(os.path.join(args.out, "reconstructions.png"))
    metrics = {"args": vars(args), "steps": step, "train_tracks": len(train), "train_frames": sum(len(t[2]) for t in train),
               "val_tracks": len(val), "val_frames": sum(len(t[2]) for t in val), "final": final, "history": history,
               "torch": torch.__version__}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    print(json.dumps({"steps": step, **final}), flush=True)


if __name__ == "__main__":
    main()
