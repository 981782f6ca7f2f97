#!/usr/bin/env python3
"""Average the probabilities of several exported expression models; choose on validation.

    # every model's flip-averaged probabilities on the validation split (cached in --cache)
    python training/expression/ensemble.py --data DIR --cache DIR --models a.onnx,b.onnx,... choose
    # the chosen combination, scored once on PublicTest
    python training/expression/ensemble.py --data DIR --cache DIR --models a.onnx,b.onnx publictest
    # one ONNX file computing the average (same input/output contract as each member)
    python training/expression/ensemble.py --models a.onnx,b.onnx fuse --out merged.onnx

`choose` prints each model alone and every combination of two or more with equal weights, on
the validation split train.py holds out of FER2013 *train* (10%, stratified, seed 12345); the
best is the one to ship. PublicTest plays no part in the choice: `publictest` reports the named
combination once. Runs on CPU with onnxruntime (two threads).
"""
import argparse
import itertools
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def probabilities(model, x, cache, split):
    path = os.path.join(cache, f"{split}-{os.path.basename(model)}.npy")
    if cache and os.path.exists(path):
        return np.load(path)
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    s = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    p = np.concatenate([s.run(None, {"input": x[i : i + 64, None].astype(np.float32)})[0] for i in range(0, len(x), 64)])
    if cache:
        os.makedirs(cache, exist_ok=True)
        np.save(path, p)
    return p


def fuse(models, out):
    """One graph: each member's nodes, names prefixed, on the shared input; output the mean."""
    import onnx
    from onnx import helper, TensorProto

    graphs = [onnx.load(m) for m in models]
    nodes, inits, outs = [], [], []
    for k, m in enumerate(graphs):
        pre = f"m{k}_"
        rename = lambda n: n if n == "input" or n == "" else pre + n
        for t in m.graph.initializer:
            t.name = rename(t.name)
            inits.append(t)
        for n in m.graph.node:
            n.input[:] = [rename(i) for i in n.input]
            n.output[:] = [rename(o) for o in n.output]
            n.name = rename(n.name) if n.name else ""
            nodes.append(n)
        outs.append(rename(m.graph.output[0].name))
    inits.append(helper.make_tensor("ensemble_weight", TensorProto.FLOAT, [], [1.0 / len(models)]))
    nodes.append(helper.make_node("Sum", outs, ["ensemble_sum"]))
    nodes.append(helper.make_node("Mul", ["ensemble_sum", "ensemble_weight"], ["probs"]))
    g = helper.make_graph(nodes, "expression_ensemble", [graphs[0].graph.input[0]], [graphs[0].graph.output[0]], inits)
    opset = max(o.version for m in graphs for o in m.opset_import if o.domain in ("", "ai.onnx"))
    merged = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="visage-ensemble")
    merged.ir_version = min(m.ir_version for m in graphs)
    onnx.checker.check_model(merged)
    onnx.save(merged, out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["choose", "publictest", "fuse"])
    p.add_argument("--models", required=True, help="comma-separated .onnx files")
    p.add_argument("--data", help="FER2013 folder or pack.py output")
    p.add_argument("--cache", default="", help="folder for the probabilities of each model")
    p.add_argument("--out", help="fuse: the merged .onnx; choose/publictest: a JSON report")
    a = p.parse_args()
    models = a.models.split(",")
    if a.what == "fuse":
        fuse(models, a.out)
        print(a.out, os.path.getsize(a.out), "bytes")
        return

    import train as fer

    if a.what == "choose":
        x, y = fer.load_split(a.data, "train")
        _, va = fer.stratified_split(y, 0.1)
        x, y, split = x[va], y[va], "validation"
    else:
        x, y = fer.load_split(a.data, "publictest")
        split = "publictest"
    probs = {m: probabilities(m, x, a.cache, split) for m in models}
    rows = []
    for r in range(1, len(models) + 1):
        if a.what == "publictest" and r < len(models):
            continue
        for combo in itertools.combinations(models, r):
            acc = float((sum(probs[m] for m in combo).argmax(1) == y).mean())
            rows.append({"models": [os.path.basename(m) for m in combo], "accuracy": round(acc, 4)})
    rows.sort(key=lambda r: -r["accuracy"])
    for r in rows:
        print(f"{r['accuracy']:.4f}  {' + '.join(r['models'])}")
    if a.what == "publictest":
        rows[0]["report"] = fer.report(sum(probs[m] for m in models) / len(models), y)
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"split": split, "n": int(len(y)), "results": rows}, f, indent=1)


if __name__ == "__main__":
    main()
