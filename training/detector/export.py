"""Writes a trained student's weights into a copy of YuNet's ONNX file.

The graph, its input and its 12 outputs stay exactly YuNet's (only Conv weights and biases
change), so Visage's YuNetDetector loads the result unchanged.

    python export.py --onnx ~/.cache/visage/models/yunet_2023mar.onnx --checkpoint OUT/student.pt --dst model.onnx
"""
import argparse, os

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from onnx2torch import convert


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", default=os.path.expanduser("~/.cache/visage/models/yunet_2023mar.onnx"))
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--dst", required=True)
    args = ap.parse_args()
    model = onnx.load(args.onnx)
    student = convert(onnx.load(args.onnx))
    student.load_state_dict(torch.load(args.checkpoint)["student"])
    student.eval()
    modules = dict(student.named_modules())
    inits = {i.name: i for i in model.graph.initializer}
    changed = 0
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue
        # onnx2torch names each module after its node (dots and slashes replaced).
        key = next(k for k in (node.name, node.name.replace(".", "_"), node.name.replace("/", "_").replace(".", "_")) if k in modules)
        conv = modules[key]
        for name, tensor in zip(node.input[1:], (conv.weight, conv.bias)):
            if tensor is None:
                continue
            old = inits[name]
            new = numpy_helper.from_array(tensor.detach().numpy().astype(np.float32).reshape(numpy_helper.to_array(old).shape), name)
            old.CopyFrom(new)
            changed += 1
    onnx.checker.check_model(model)
    onnx.save(model, args.dst)
    # The file must compute what the student computes.
    x = (np.random.default_rng(0).random((1, 3, 256, 320)) * 255).astype(np.float32)
    ref = student(torch.from_numpy(x))
    out = ort.InferenceSession(args.dst).run(None, {"input": x})
    err = max(float(np.abs(r.detach().numpy() - o).max()) for r, o in zip(ref, out))
    print(f"{changed} tensors written to {args.dst} ({os.path.getsize(args.dst):,} B); max |student - onnx| = {err:.2e}")
    assert err < 1e-3


if __name__ == "__main__":
    main()
