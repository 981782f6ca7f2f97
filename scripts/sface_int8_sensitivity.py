"""Developer step (not run by scripts/setup): which SFace blocks int8 hurts most.

Quantises one block at a time (its convolution, or the PRelu rewrite's four nodes after it)
with the committed ranges and the set-up's settings, everything else float, and prints the
mean cosine between that model's embedding and float's on profile and frontal CFP crops. This
is how convert_models.SFACE_INT8_FLOAT_NODES was chosen (docs/models/sface-int8.md):

    visage dataset crops ../shared/data/cfp/Data/Images /tmp/cfp-crops --fallback-score 0.3
    python scripts/sface_int8_sensitivity.py ~/.cache/visage/models/sface_2021dec.onnx /tmp/cfp-crops

The sample: every 10th profile crop (200) and every 50th frontal crop (100), sorted by path.
Needs onnxruntime, onnx, numpy and pillow.
"""
import logging
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image
from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convert_models  # noqa: E402


def blocks(graph):
    """Node names by (block, part): conv_7_dw's convolution, or its PRelu's nodes."""
    found = {}
    for node in graph.node:
        out = node.output[0]
        match = re.match(r"^(.*?)_(conv2d|batchnorm|relu)", out)
        part = "prelu" if "_relu" in out else "conv"
        found.setdefault((match.group(1) if match else out, part), []).append(node.name)
    return found


def embed(model, crops):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    out = np.concatenate([session.run(["fc1"], {"data": crops[i:i + 50]})[0] for i in range(0, len(crops), 50)])
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: sface_int8_sensitivity.py FLOAT_SFACE CFP_CROPS_DIR")
    src, crops_dir = sys.argv[1], Path(sys.argv[2])
    logging.getLogger().setLevel(logging.ERROR)
    paths = sorted(crops_dir.rglob("*.png"))
    profile = [p for p in paths if "/profile/" in str(p)][::10]
    frontal = [p for p in paths if "/frontal/" in str(p)][::50]
    crops = np.stack([np.asarray(Image.open(p).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)
                      for p in profile + frontal])
    is_profile = np.arange(len(crops)) < len(profile)
    ranges = Path(__file__).resolve().parent / convert_models.SFACE_INT8_CALIBRATION
    base = embed(src, crops)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = str(Path(tmp) / "prepared.onnx")
        graph = convert_models.prepare_sface_for_quantization(src, prepared)
        print("block          part   cosine to float: profile (min)   frontal")
        for (block, part), names in blocks(graph.graph).items():
            cache = Path(tmp) / "ranges.json"
            shutil.copy(ranges, cache)  # quantize_static reads the cache; a copy keeps it untouched
            dst = str(Path(tmp) / "one.onnx")
            quantize_static(prepared, dst, quant_format=QuantFormat.QDQ, per_channel=True, reduce_range=False,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, nodes_to_quantize=names,
                            calibrate_method=CalibrationMethod.Percentile,
                            extra_options={"CalibPercentile": 99.99}, calibration_cache_path=str(cache))
            cosine = (embed(dst, crops) * base).sum(1)
            print(f"{block:14s} {part:6s} {cosine[is_profile].mean():.4f} ({cosine[is_profile].min():.3f})"
                  f"                {cosine[~is_profile].mean():.4f}", flush=True)


if __name__ == "__main__":
    main()
