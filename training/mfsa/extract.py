"""Run the frozen SFace on the pipeline's aligned CFP crops and keep what the attention head needs.

For every image that has a crop in either folder (bare and masked, made by `visage dataset crops`;
YuNet loses some faces under a mask even with --fallback-score), this stores:
  features   N x C x 7 x 7 float16  SFace's last feature map (`bn1`, just before the flatten
             and the linear `pre_fc1` that makes the 128-d embedding)
  embeddings N x 128 float32         SFace's own output `fc1` (the plain-SFace baseline)
  mask_maps  N x 7 x 7 float32       fraction of each 16x16 cell that the rendered mask changed,
             from the pixel difference between the bare and the masked crop (0 for bare crops);
             the supervision of the masked-region branch
  *_present  N bool                  whether that copy has a crop (zeros stand in where not)
for the bare copy and the masked copy separately, plus SFace's `pre_fc1` weights and the `fc1`
batch-norm constants, from which the head's embedding layer starts.

  python training/mfsa/extract.py --bare /tmp/cfp-crops-clean --masked /tmp/cfp-crops-masked \
      --sface $VISAGE_HOME/models/sface_2021dec.onnx --out /tmp/mfsa-features.npz

--bare-from takes the bare copy's features from an earlier output (the masks rendered again,
the bare crops unchanged), which halves the run.
"""
import argparse
import os
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from PIL import Image

FEATURE_MAP = "bn1"


def crop_names(root):
    names = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".png"):
                names.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(names)


def session_with_feature_map(path, threads, feature_map=FEATURE_MAP):
    """SFace with `feature_map` as a second output (distill.py asks for conv_12_relu)."""
    model = onnx.load(path)
    shapes = onnx.shape_inference.infer_shapes(model)
    info = [v for v in shapes.graph.value_info if v.name == feature_map]
    model.graph.output.append(info[0] if info else onnx.helper.make_tensor_value_info(feature_map, onnx.TensorProto.FLOAT, None))
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return model, ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def embedding_constants(model):
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    nodes = {n.output[0]: n for n in model.graph.node}
    gemm, norm = nodes["pre_fc1"], nodes["fc1"]
    weight = inits.get(gemm.input[1])
    if weight is None:  # the weight is computed by a DequantizeLinear chain: evaluate it
        weight = ort_constant(model, gemm.input[1])
    bias = inits[gemm.input[2]] if len(gemm.input) > 2 else np.zeros(weight.shape[0], np.float32)
    transposed = any(a.name == "transB" and a.i == 1 for a in gemm.attribute)
    weight = weight if transposed else weight.T
    gamma, beta, mean, var = (inits[n] for n in norm.input[1:5])
    eps = next((a.f for a in norm.attribute if a.name == "epsilon"), 1e-5)
    return dict(fc_weight=weight.astype(np.float32), fc_bias=bias.astype(np.float32),
                bn_gamma=gamma, bn_beta=beta, bn_mean=mean, bn_var=var, bn_eps=np.float32(eps))


def ort_constant(model, name):
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    sess = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run([name], {"data": np.zeros((1, 3, 112, 112), np.float32)})[0]


def run(sess, folder, all_names, batch):
    present = np.array([os.path.exists(os.path.join(folder, n)) for n in all_names])
    names = [n for n, ok in zip(all_names, present) if ok]
    feats, embs = [], []
    for i in range(0, len(names), batch):
        x = np.stack([np.asarray(Image.open(os.path.join(folder, n)).convert("RGB"), np.float32) for n in names[i:i + batch]])
        emb, fmap = sess.run(["fc1", FEATURE_MAP], {"data": x.transpose(0, 3, 1, 2)})
        feats.append(fmap.astype(np.float16))
        embs.append(emb)
        if i // batch % 20 == 0:
            print(f"  {folder}: {i + len(x)}/{len(names)}", flush=True)
    features = np.zeros((len(all_names),) + feats[0].shape[1:], np.float16)
    embeddings = np.zeros((len(all_names), embs[0].shape[1]), np.float32)
    features[present], embeddings[present] = np.concatenate(feats), np.concatenate(embs)
    return features, embeddings, present


def reuse(path, names):
    earlier = np.load(path)
    row = {n: i for i, n in enumerate(earlier["names"])}
    take = np.array([row.get(n, -1) for n in names])
    present = (take >= 0) & earlier["bare_present"][np.maximum(take, 0)]
    features = np.zeros((len(names),) + earlier["bare_features"].shape[1:], np.float16)
    embeddings = np.zeros((len(names), earlier["bare_embeddings"].shape[1]), np.float32)
    features[present] = earlier["bare_features"][take[present]]
    embeddings[present] = earlier["bare_embeddings"][take[present]]
    return features, embeddings, present


def mask_maps(bare, masked, names, both):
    maps = np.zeros((len(names), 7, 7), np.float32)
    for k, n in enumerate(names):
        if not both[k]:
            continue
        a = np.asarray(Image.open(os.path.join(bare, n)).convert("RGB"), np.int16)
        b = np.asarray(Image.open(os.path.join(masked, n)).convert("RGB"), np.int16)
        changed = (np.abs(a - b).max(axis=2) > 48).astype(np.float32)
        maps[k] = changed.reshape(7, 16, 7, 16).mean(axis=(1, 3))
    return maps


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bare", required=True)
    p.add_argument("--masked", required=True)
    p.add_argument("--sface", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--bare-from", help="an earlier output over the same bare crops: reuse its bare features "
                   "(when only the masks were rendered again) instead of running SFace on the bare crops")
    a = p.parse_args()

    names = sorted(set(crop_names(a.bare)) | set(crop_names(a.masked)))
    model, sess = session_with_feature_map(a.sface, a.threads)
    started = time.time()
    bare_f, bare_e, bare_ok = reuse(a.bare_from, names) if a.bare_from else run(sess, a.bare, names, a.batch)
    masked_f, masked_e, masked_ok = run(sess, a.masked, names, a.batch)
    maps = mask_maps(a.bare, a.masked, names, bare_ok & masked_ok)
    print(f"{len(names)} images: {bare_ok.sum()} bare and {masked_ok.sum()} masked crops; SFace on them in "
          f"{time.time() - started:.0f} s; feature map {bare_f.shape[1:]}")
    np.savez(a.out, names=np.array(names), bare_features=bare_f, bare_embeddings=bare_e, bare_present=bare_ok,
             masked_features=masked_f, masked_embeddings=masked_e, masked_present=masked_ok, mask_maps=maps,
             **embedding_constants(model))


if __name__ == "__main__":
    main()
