#!/usr/bin/env python3
"""Write a small transfer copy of an exported expression model, for use as a distillation teacher.

    python training/expression/teacher_npz.py runs/b/model.onnx teachers/b.npz [--int8]

The copy holds the weights and biases of the 8 folded convolutions and the final linear
layer (what train.py's FoldedNet reads): float16 (w0…w8, about 4.7 MB) or, with --int8,
symmetric int8 per output channel (q0…q8 and scales s0…s8, about 2.4 MB), biases float32.
Needs numpy and onnx. Prints the largest absolute weight error.
"""
import argparse

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--int8", action="store_true")
    a = p.parse_args()
    m = onnx.load(a.model)
    inits = {i.name: numpy_helper.to_array(i).astype(np.float32) for i in m.graph.initializer}
    nodes = [n for n in m.graph.node if n.op_type in ("Conv", "Gemm")]
    assert [n.op_type for n in nodes] == ["Conv"] * 8 + ["Gemm"], "not an ExpressionNet export"
    out, err = {}, 0.0
    for i, n in enumerate(nodes):
        w, b = inits[n.input[1]], inits[n.input[2]]
        out[f"b{i}"] = b
        if a.int8:
            s = np.abs(w.reshape(len(w), -1)).max(1) / 127.0
            s[s == 0] = 1.0
            q = np.clip(np.round(w / s.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
            out[f"q{i}"], out[f"s{i}"] = q, s.astype(np.float32)
            err = max(err, float(np.abs(q * s.reshape((-1,) + (1,) * (w.ndim - 1)) - w).max()))
        else:
            out[f"w{i}"] = w.astype(np.float16)
            err = max(err, float(np.abs(out[f"w{i}"].astype(np.float32) - w).max()))
    np.savez_compressed(a.out, **out)
    print(a.out, "max |Δw|", err)


if __name__ == "__main__":
    main()
