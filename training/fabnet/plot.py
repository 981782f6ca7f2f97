"""Training curve of a FAb-Net run: training L1 and held-out L1 against the unwarped-mean
baseline (left), and, when probe reports of checkpoints are given, the CK+ probe of each
checkpoint against the untrained top and the random-init encoder (right).

    python plot.py RUN/metrics.json docs/fabnet-training.png [probes-STEP.json ...]   # needs matplotlib
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(metrics_path, out, *probe_paths):
    metrics = json.load(open(metrics_path))
    history = metrics["history"]
    steps = [h["step"] for h in history]
    probes = sorted((json.load(open(p)) for p in probe_paths), key=lambda r: r["step"])
    fig, axes = plt.subplots(1, 2 if probes else 1, figsize=(13 if probes else 8, 4.5), dpi=100, squeeze=False)
    ax = axes[0][0]
    train = [(h["step"], h["train_l1"]) for h in history if "train_l1" in h]
    ax.plot(*zip(*train), label="training L1 (jittered pixels; mean over 100 steps)", color="#1f77b4")
    ax.plot(steps, [h["val_l1"] for h in history], label="held-out L1 (12 clips of 3 people not in training)", color="#d62728")
    ax.plot(steps, [h["val_l1_unwarped_mean"] for h in history], "--", label="held-out, unwarped mean of the sources", color="#7f7f7f")
    ax.set_xlabel("optimiser step (16 targets x 3 sources)")
    ax.set_ylabel("L1 (pixels in [-1, 1])")
    ax.grid(alpha=0.3)
    twin = ax.twinx()
    twin.plot(steps, [h["max_distance"] for h in history], ":", color="#2ca02c", label="curriculum: largest frame distance")
    twin.set_ylabel("frames")
    lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(lines, [l.get_label() for l in lines], loc="lower left", fontsize=8)
    ax.set_title(f"Reconstruction: {metrics['train_crops']} training crops of {metrics['train_tracks']} tracks", fontsize=10)
    if probes:
        ax = axes[0][1]
        # Step 0: the top at its initialisation, which is the "untrained" control by definition.
        s = [0] + [p["step"] for p in probes]
        ck = [probes[0]["untrained"]["ck"]["accuracy"]] + [p["fabnet"]["ck"]["accuracy"] for p in probes]
        ax.plot(s, ck, "o-", color="#d62728", label="FAb-Net (trained top)")
        for name, color, label in (("untrained", "#1f77b4", "trunk + untrained top (step 0)"),
                                   ("random", "#7f7f7f", "random-init encoder, same shape"),
                                   ("sface", "#2ca02c", "SFace identity embedding")):
            ax.axhline(probes[-1][name]["ck"]["accuracy"], ls="--", color=color, label=label)
        ax.set_xlabel("optimiser step")
        ax.set_ylabel("CK+ accuracy, 10 subject folds (%)")
        ax.set_title("Linear expression probe of each checkpoint", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
