"""Earlier SFace feature maps (texture: wrinkles, skin) pooled like extract.py's bn1 rows/cols, for
the age/gender probes of stack_age_gender.py (--extra). The graph gets the named intermediate
tensors as extra outputs; each map C x H x W is kept as its row means (C x H) and column means
(C x W), for the crops and their mirrors.

  python training/bn1-heads/extract_layers.py --images utk.list --out layers-utk.npz \
      --layers conv_12_relu,conv_6_relu --sface $VISAGE_HOME/models/sface_2021dec.onnx
"""
import argparse
import time

import numpy as np
import onnx
import onnxruntime as ort

from extract import picture


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--sface", required=True)
    p.add_argument("--layers", default="conv_12_relu,conv_6_relu")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    layers = a.layers.split(",")
    model = onnx.load(a.sface)
    for name in layers:
        model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    options = ort.SessionOptions()
    options.intra_op_num_threads = a.threads
    options.inter_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    paths = [line.strip() for line in open(a.images) if line.strip()]
    out = {f"{pre}{l}_{k}": [] for pre in ["", "flip_"] for l in layers for k in ["rows", "cols"]}
    started = time.time()
    for i in range(0, len(paths), 32):
        x = np.stack([picture(path, 112) for path in paths[i:i + 32]]).transpose(0, 3, 1, 2)
        for pre, batch in [("", x), ("flip_", x[:, :, :, ::-1].copy())]:
            maps = sess.run(layers, {"data": batch})
            for l, m in zip(layers, maps):
                out[f"{pre}{l}_rows"].append(m.mean(axis=3).astype(np.float16))
                out[f"{pre}{l}_cols"].append(m.mean(axis=2).astype(np.float16))
        if (i // 32) % 10 == 0:
            print(f"{i + len(x)}/{len(paths)} in {time.time() - started:.0f} s", flush=True)
    np.savez(a.out, paths=np.array(paths), **{k: np.concatenate(v) for k, v in out.items()})
    print(f"{len(paths)} images in {time.time() - started:.0f} s -> {a.out}")


if __name__ == "__main__":
    main()
