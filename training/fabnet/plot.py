"""Training curve of a FAb-Net run: training L1 and held-out L1 against the unwarped-mean
baseline, with the curriculum's largest frame distance on a second axis.

    python plot.py RUN/metrics.json docs/fabnet-training.png   # needs matplotlib
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(metrics_path, out):
    metrics = json.load(open(metrics_path))
    history = metrics["history"]
    steps = [h["step"] for h in history]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    train = [(h["step"], h["train_l1"]) for h in history if "train_l1" in h]
    ax.plot(*zip(*train), label="training L1 (mean of the last steps)", color="#1f77b4")
    ax.plot(steps, [h["val_l1"] for h in history], label="held-out L1 (unseen people)", color="#d62728")
    ax.plot(steps, [h["val_l1_unwarped_mean"] for h in history], "--", label="held-out, unwarped mean of the sources", color="#7f7f7f")
    ax.set_xlabel("optimiser step (batch 16 targets x 3 sources)")
    ax.set_ylabel("L1 (pixels in [-1, 1])")
    ax.grid(alpha=0.3)
    twin = ax.twinx()
    twin.plot(steps, [h["max_distance"] for h in history], ":", color="#2ca02c", label="curriculum: largest frame distance")
    twin.set_ylabel("frames")
    lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(lines, [l.get_label() for l in lines], loc="upper right", fontsize=8)
    held = ", ".join(metrics["val_clips"][:2]) + ", ..." if len(metrics["val_clips"]) > 2 else ", ".join(metrics["val_clips"])
    ax.set_title(f"FAb-Net on a frozen SFace trunk: {metrics['train_crops']} training crops, held out: {len(metrics['val_clips'])} clips", fontsize=10)
    fig.tight_layout()
    fig.savefig(out)
    print(f"wrote {out} ({held})")


if __name__ == "__main__":
    main(*sys.argv[1:3])
