"""FAb-Net at small scale on a frozen SFace trunk: a facial-attribute embedding learned from face
tracks, without labels.

After Wiles, Koepke & Zisserman, "Self-supervised learning of a facial attribute embedding from
video" (BMVC 2018). The encoder maps a face crop to a 256-d embedding; a decoder, given the
embeddings of a source frame and of a target frame of the same track, predicts a sampling grid
that warps the source onto the target (grid_sample) plus a confidence map. Several sources are
warped and blended by the softmax of their confidences (multi-frame source weighting); the loss
is the L1 distance to the target. Only the embeddings reach the decoder, so they must hold what
changes between frames of one person: pose and expression. The curriculum goes from easy to
hard by the distance in frames between sources and target.

Encoder = SFace's trunk up to `conv_6_relu`, average-pooled to 256x7x7 (frozen; SFace was trained
for identity only, so no attribute label is used anywhere) + a small trainable top. The trunk's
output is cached per crop by `features.py tracks` (half of the crops jittered photometrically
before the trunk sees them); here only the top and the decoder train, on 2 CPU threads or one.
The decoder warps the crops' own pixels at 64x64; a photometric jitter shared by the sources and
the target of a sample keeps it from leaning on colour.

Checkpoints (`OUT/checkpoint.pt`, every --checkpoint-every steps and at the end) hold the top,
the decoder, the optimiser, the step count, the random state and the history: `--resume` goes on
from there. The curriculum is counted in steps, so a resumed run follows the same schedule.

Export (`OUT/fabnet-encoder.onnx`): trunk + top in one graph, input `image` [N, 3, 112, 112]
float32, RGB, raw 0-255 (the 112x112 ArcFace-aligned crop, exactly what SFace takes; the graph
normalises), output `embedding` [N, 256] float32 (not normalised). `--export-controls` also
writes the same graph with the top untrained (`untrained/`) and with trunk and top both
randomly initialised (`random/`), for the probes.
"""
import argparse
import json
import os
import random
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F


class Top(nn.Module):
    """256x7x7 trunk features -> 256-d embedding."""

    def __init__(self, dim=256):
        super().__init__()
        self.drop = nn.Dropout2d(0.1)  # feature-level augmentation; off in eval and in the export
        self.body = nn.Sequential(
            nn.Conv2d(256, 128, 3, padding=1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        )
        self.project = nn.Linear(64 * 7 * 7, dim)

    def forward(self, x):
        return self.project(self.body(self.drop(x)).flatten(1))


class Decoder(nn.Module):
    """(source embedding, target embedding) -> sampling grid offsets (2) and confidence (1) at 64x64."""

    def __init__(self, dim=256):
        super().__init__()
        self.start = nn.ConvTranspose2d(2 * dim, 128, 4)  # 1 -> 4
        channels = [128, 64, 32, 16, 16]
        layers = []
        for a, b in zip(channels, channels[1:]):  # 4 -> 8 -> 16 -> 32 -> 64
            layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]
        self.up = nn.Sequential(*layers)
        self.out = nn.Conv2d(16, 3, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)  # starts as the identity warp with equal confidences

    def forward(self, source, target):
        x = self.up(F.relu(self.start(torch.cat([source, target], 1)[:, :, None, None])))
        y = self.out(x)
        return torch.tanh(y[:, :2]), y[:, 2:3]


def predict(top, decoder, features, pixels, k):
    """features [B*(k+1), 256, 7, 7] (k sources then the target per sample), pixels likewise
    [B*(k+1), 3, 64, 64] -> (prediction [B, 3, 64, 64], target)."""
    b = len(features) // (k + 1)
    e = top(features).reshape(b, k + 1, -1)
    px = pixels.reshape(b, k + 1, *pixels.shape[1:])
    sources, target = px[:, :k], px[:, k]
    e_sources = e[:, :k].reshape(b * k, -1)
    e_target = e[:, k:].expand(-1, k, -1).reshape(b * k, -1)
    offsets, confidence = decoder(e_sources, e_target)
    h, w = pixels.shape[2:]
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
    grid = torch.stack([xs, ys], -1)[None] + offsets.permute(0, 2, 3, 1)
    warped = F.grid_sample(sources.reshape(b * k, 3, h, w), grid, padding_mode="border", align_corners=True)
    weights = torch.softmax(confidence.reshape(b, k, 1, h, w), 1)
    return (weights * warped.reshape(b, k, 3, h, w)).sum(1), target


class Data:
    def __init__(self, path, val_clips):
        z = np.load(path)
        self.trunk = z["trunk"]
        self.pixels = z["pixels"]
        clip, track, frame = z["clip"], z["track"], z["frame"]
        self.tracks = {"train": [], "val": []}
        for name in sorted(set(track)):
            idx = np.where(track == name)[0]
            idx = idx[np.argsort(frame[idx])]
            part = "val" if clip[idx[0]] in val_clips or any(clip[idx[0]].startswith(v.rstrip("*")) for v in val_clips if v.endswith("*")) else "train"
            self.tracks[part].append((idx, frame[idx]))
        self.val_clips = sorted({clip[t[0][0]] for t in self.tracks["val"]})

    def sample(self, part, batch, k, max_distance, rng, augment):
        """Indices [batch*(k+1)]: k sources within max_distance frames of a target, then the target."""
        tracks = self.tracks[part]
        weights = [len(t[0]) for t in tracks]
        chosen = []
        for _ in range(batch):
            idx, frames = tracks[rng.choices(range(len(tracks)), weights)[0]]
            t = rng.randrange(len(idx))
            near = [i for i in range(len(idx)) if i != t and abs(frames[i] - frames[t]) <= max_distance]
            if not near:
                near = [t - 1 if t > 0 else t + 1]
            chosen += [idx[rng.choice(near)] for _ in range(k)] + [idx[t]]
        chosen = np.array(chosen)
        features = torch.from_numpy(self.trunk[chosen].astype(np.float32))
        pixels = torch.from_numpy(self.pixels[chosen]).permute(0, 3, 1, 2).float().div(255)
        if augment:  # one jitter per sample, shared by its sources and target
            g = torch.Generator().manual_seed(rng.randrange(1 << 30))
            n = batch
            gain = (0.6 + 0.8 * torch.rand(n, 1, 1, 1, generator=g)) * (0.85 + 0.3 * torch.rand(n, 3, 1, 1, generator=g))
            contrast = 0.6 + 0.8 * torch.rand(n, 1, 1, 1, generator=g)
            px = pixels.reshape(n, k + 1, 3, *pixels.shape[2:])
            px = px * gain[:, None]
            mean = px.mean(dim=(1, 2, 3, 4), keepdim=True)
            px = ((px - mean) * contrast[:, None] + mean).clamp(0, 1)
            pixels = px.reshape(pixels.shape)
        return features, pixels.sub(0.5).div(0.5)


def export(top, trunk_path, path):
    """trunk.onnx (image -> pooled features `trunk`) followed by the top, as one graph."""
    top.eval()
    top_path = path + ".top.onnx"
    kwargs = {"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}
    torch.onnx.export(top, torch.zeros(1, 256, 7, 7), top_path, input_names=["features"], output_names=["embedding"],
                      dynamic_axes={"features": {0: "n"}, "embedding": {0: "n"}}, opset_version=13, **kwargs)
    trunk, head = onnx.load(trunk_path), onnx.load(top_path)
    os.remove(top_path)
    for opset in trunk.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = max(opset.version, 13)
    head.ir_version = trunk.ir_version = min(trunk.ir_version, head.ir_version)
    del head.opset_import[:]
    head.opset_import.extend(trunk.opset_import)
    merged = onnx.compose.merge_models(trunk, head, io_map=[("trunk", "features")])
    for node in merged.graph.node:
        node.input[:] = ["image" if x == "data" else x for x in node.input]
    merged.graph.input[0].name = "image"
    merged.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "n"
    onnx.checker.check_model(merged)
    onnx.save(merged, path)


# Adam's rate for a fresh run; a resumed run keeps the rate saved with its optimiser unless --lr is given.
DEFAULT_LR = 1e-3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", required=True, help="features.py tracks output (.npz)")
    parser.add_argument("--trunk", required=True, help="folder holding trunk.onnx and trunk-random.onnx (features.py trunk)")
    parser.add_argument("--val", nargs="*", default=[], help="clip names held out for the validation loss ('prefix*' allowed)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=None,
                        help=f"Adam's learning rate: {DEFAULT_LR} when not given; with --resume, replaces the saved one (a cool-down)")
    parser.add_argument("--minutes", type=float, default=20, help="wall-clock budget of this invocation")
    parser.add_argument("--steps", type=int, default=100000, help="stop at this many steps in all")
    parser.add_argument("--distance-start", type=int, default=6, help="curriculum: largest frame distance at the start")
    parser.add_argument("--distance-end", type=int, default=90, help="…reached at --ramp-steps")
    parser.add_argument("--ramp-steps", type=int, default=800)
    parser.add_argument("--validate-every", type=int, default=100)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--export-controls", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    data = Data(args.cache, args.val)
    count = lambda part: sum(len(t[0]) for t in data.tracks[part])
    print(f"{len(data.tracks['train'])} training tracks ({count('train')} crops), {len(data.tracks['val'])} validation "
          f"tracks ({count('val')} crops: {', '.join(data.val_clips)})", flush=True)
    val_rng = random.Random(12345)
    val_batches = [data.sample("val", 32, args.sources, args.distance_end, val_rng, False) for _ in range(8)]

    top, decoder = Top(), Decoder()
    untrained_top = Top()
    untrained_top.load_state_dict(top.state_dict())
    params = list(top.parameters()) + list(decoder.parameters())
    optimiser = torch.optim.Adam(params, lr=args.lr if args.lr is not None else DEFAULT_LR)
    step, history = 0, []
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    if args.resume and os.path.exists(checkpoint):
        state = torch.load(checkpoint, weights_only=False)
        top.load_state_dict(state["top"]); decoder.load_state_dict(state["decoder"])
        untrained_top.load_state_dict(state["untrained_top"])
        optimiser.load_state_dict(state["optimiser"])
        step, history = state["step"], state["history"]
        if args.lr is not None:  # the saved optimiser state carries its own rate; an explicit one wins
            for group in optimiser.param_groups:
                group["lr"] = args.lr
        rng.setstate(state["rng"]); torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step}", flush=True)

    def validate():
        top.eval(); decoder.eval()
        with torch.no_grad():
            model = np.mean([F.l1_loss(*predict(top, decoder, f, p, args.sources)).item() for f, p in val_batches])
            # Baseline: the mean of the unwarped sources, what the untrained decoder predicts.
            def mean_l1(p):
                px = p.reshape(-1, args.sources + 1, *p.shape[1:])
                return F.l1_loss(px[:, :args.sources].mean(1), px[:, args.sources]).item()
            mean = np.mean([mean_l1(p) for _, p in val_batches])
        top.train(); decoder.train()
        return float(model), float(mean)

    def save():
        torch.save({"top": top.state_dict(), "decoder": decoder.state_dict(), "untrained_top": untrained_top.state_dict(),
                    "optimiser": optimiser.state_dict(), "step": step, "history": history, "rng": rng.getstate(),
                    "torch_rng": torch.get_rng_state(), "args": vars(args)}, checkpoint + ".tmp")
        os.replace(checkpoint + ".tmp", checkpoint)

    if step == 0:
        model, mean = validate()
        history.append({"step": 0, "seconds": 0, "max_distance": args.distance_start, "val_l1": round(model, 5), "val_l1_unwarped_mean": round(mean, 5)})
        print(json.dumps(history[-1]), flush=True)
    started = time.time()
    offset = history[-1]["seconds"] if history else 0
    recent = []
    while time.time() - started < args.minutes * 60 and step < args.steps:
        progress = min(1.0, step / args.ramp_steps)
        distance = int(round(args.distance_start + progress * (args.distance_end - args.distance_start)))
        features, pixels = data.sample("train", args.batch, args.sources, distance, rng, True)
        loss = F.l1_loss(*predict(top, decoder, features, pixels, args.sources))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        recent.append(loss.item())
        if step % args.validate_every == 0:
            model, mean = validate()
            history.append({"step": step, "seconds": round(offset + time.time() - started), "max_distance": distance,
                            "lr": optimiser.param_groups[0]["lr"],
                            "train_l1": round(float(np.mean(recent)), 5), "val_l1": round(model, 5), "val_l1_unwarped_mean": round(mean, 5)})
            recent = []
            print(json.dumps(history[-1]), flush=True)
        if step % args.checkpoint_every == 0:
            save()
    save()

    final_model, final_mean = validate()
    export(top, os.path.join(args.trunk, "trunk.onnx"), os.path.join(args.out, "fabnet-encoder.onnx"))
    if args.export_controls:
        for name, trunk in (("untrained", "trunk.onnx"), ("random", "trunk-random.onnx")):
            os.makedirs(os.path.join(args.out, name), exist_ok=True)
            export(untrained_top, os.path.join(args.trunk, trunk), os.path.join(args.out, name, "fabnet-encoder.onnx"))
    metrics = {"args": vars(args), "steps": step, "train_tracks": len(data.tracks["train"]), "train_crops": count("train"),
               "val_tracks": len(data.tracks["val"]), "val_crops": count("val"), "val_clips": data.val_clips,
               "final": {"val_l1": round(final_model, 5), "val_l1_unwarped_mean": round(final_mean, 5)},
               "history": history, "torch": torch.__version__}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    print(json.dumps({"steps": step, **metrics["final"]}), flush=True)


if __name__ == "__main__":
    main()
