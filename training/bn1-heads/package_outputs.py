"""The package's age-v1 / gender-v1 outputs (and penultimate features) for every photo, as the
pipeline computes them, for stacking with the bn1 heads (`stack_age_gender.py`).

The chips are cut as Swift's `AgeEstimator.chip` / `GenderClassifier.chip` cut them: the five
landmarks of the largest face (`visage analyze --json`) warped by the least-squares similarity
onto `FaceAlignment.dlibChipTemplate(size:)` (64 px for age, 32 px for gender), bilinear, black
outside (the same warp as context_crops.py, which matches `Image.warped`). Encoding: RGB,
(p - [122.782, 117.001, 104.298]) / 256. The mirrored chips are run too (test-time flip).

  visage analyze --json --attributes mask ../shared/data/utkface > lm-utk.jsonl
  python training/bn1-heads/package_outputs.py --landmarks lm-utk.jsonl \
      --models $VISAGE_HOME/models --out package-utk.npz
"""
import argparse
import os

import numpy as np
import onnx
import onnxruntime as ort

from context_crops import ARCFACE, largest_faces, similarity, warp

MEAN = np.array([122.782, 117.001, 104.298], np.float32)


def dlib_chip_template(size):
    """FaceAlignment.dlibChipTemplate(size:)."""
    arc_eye_mid, dlib_eye_mid = np.array([55.9132, 51.59885]), np.array([0.490075, 0.221315])
    units, padding = 0.0149126, 0.2
    u = (ARCFACE - arc_eye_mid) * units + dlib_eye_mid
    return (padding + u) / (1 + 2 * padding) * size


def session(path, extra):
    """The model with `extra` intermediate tensors added as outputs (penultimate features)."""
    model = onnx.load(path)
    for name in extra:
        model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--landmarks", required=True)
    p.add_argument("--models", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    age = session(os.path.join(a.models, "age-v1.onnx"), ["logits", "layer_1_flatten"])
    gender = session(os.path.join(a.models, "gender-v1.onnx"), ["logits", "layer_1_flatten"])
    names, chips = [], {64: [], 32: []}
    for path, face, image in largest_faces(a.landmarks):
        for size in chips:
            m = similarity(np.array(face["landmarks"], np.float64), dlib_chip_template(size))
            chips[size].append(warp(image, m, size))
        names.append(os.path.basename(path))
    out = {"names": np.array(names)}
    for prefix, flip in [("", False), ("flip_", True)]:
        for key, sess, size in [("age", age, 64), ("gender", gender, 32)]:
            x = np.stack(chips[size]).astype(np.float32)
            if flip:
                x = x[:, :, ::-1]
            x = ((x - MEAN) / 256).transpose(0, 3, 1, 2).copy()
            probs, logits, feats = [], [], []
            for i in range(0, len(x), 64):
                pr, lo, fe = sess.run(["probabilities", "logits", "layer_1_flatten"], {"images": x[i:i + 64]})
                probs.append(pr); logits.append(lo); feats.append(fe)
            out[f"{prefix}{key}_probs"] = np.concatenate(probs)
            out[f"{prefix}{key}_logits"] = np.concatenate(logits)
            out[f"{prefix}{key}_features"] = np.concatenate(feats).astype(np.float16)
    np.savez(a.out, **out)
    print(f"{len(names)} faces -> {a.out}")


if __name__ == "__main__":
    main()
