"""Developer step (not run by scripts/setup): SFace's time per face, float against int8 files.

The files run in turn, round after round (so load from other jobs falls on all of them), each
on the same real aligned crops one at a time (batch of one), one ORT intra-op thread. The
figures in docs/models/sface-int8.md used the 40 held-out calibration crops (the 201st-240th,
see calibrate_sface_int8.py) and 10 rounds:

    python scripts/sface_int8_speed.py /tmp/calib-crops/without_mask 10 \
        ~/.cache/visage/models/sface_2021dec.onnx ~/.cache/visage/models/sface_2021dec_int8.onnx

The first file is the reference of the "against" column. Needs onnxruntime, numpy, pillow.
"""
import sys, time, collections
import numpy as np, onnxruntime as ort
from PIL import Image
from pathlib import Path

if len(sys.argv) < 4:
    sys.exit("usage: sface_int8_speed.py CROPS_DIR ROUNDS MODEL [MODEL...]")
rounds = int(sys.argv[2]); models = sys.argv[3:]
paths = sorted(Path(sys.argv[1]).glob("*.png"))[200:]  # past the 200 calibration crops
crops = [np.asarray(Image.open(p).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[None] for p in paths]


def sess(f):
    o = ort.SessionOptions(); o.intra_op_num_threads = 1; o.inter_op_num_threads = 1
    return ort.InferenceSession(f, o, providers=["CPUExecutionProvider"])


S = {m: sess(m) for m in models}
for s in S.values():
    for x in crops[:3]: s.run(["fc1"], {"data": x})
T = collections.defaultdict(list)
for r in range(rounds):
    for m, s in S.items():
        a = time.perf_counter()
        for x in crops: s.run(["fc1"], {"data": x})
        T[m].append((time.perf_counter() - a) / len(crops) * 1000)
ref = np.median(T[models[0]])
for m, v in T.items():
    med = np.median(v)
    print(f"{Path(m).name:36s} median {med:.2f} ms/face (round medians {min(v):.2f}-{max(v):.2f}), {ref / med:.2f}x vs {Path(models[0]).name}, {rounds} rounds x {len(crops)} crops")
