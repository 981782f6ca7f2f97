"""Developer step (not run by scripts/setup): calibrate the int8 SFace's activation ranges.

Runs ONNX Runtime's static-quantisation calibration on aligned 112x112 face crops and writes
the per-tensor ranges to scripts/sface_int8_calibration.json, which is committed. Set-up then
quantises SFace from that file alone (`convert_models.py quantize-sface`), so a fresh machine
needs no photos to make the same int8 model.

The committed ranges were made from 200 crops of ../shared/data/masks/without_mask (MIT;
photos of people without masks, not CFP or LFW, which are the evaluation sets):

    mkdir -p /tmp/calib-src/without_mask   # 240 files chosen with random.seed(19); see docs/models/sface-int8.md
    visage dataset crops /tmp/calib-src /tmp/calib-crops
    python scripts/calibrate_sface_int8.py ~/.cache/visage/models/sface_2021dec.onnx /tmp/calib-crops/without_mask 200

Which nodes stay float and the quantiser's settings are in convert_models.py
(SFACE_INT8_FLOAT_NODES, quantize_sface); the sensitivity sweep that chose them is in
docs/models/sface-int8.md. Needs onnxruntime, onnx, numpy and pillow (pillow only here, for reading the crops).
"""
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convert_models  # noqa: E402

from onnxruntime.quantization import CalibrationDataReader  # noqa: E402


class Crops(CalibrationDataReader):
    """One aligned crop per batch, RGB 0-255 planar, as SFaceEmbedder feeds the graph. ORT reads
    it in strides of 50 crops (`set_range`), so COUNT must be a multiple of 50."""

    def __init__(self, paths):
        self.all = list(paths)
        self.set_range(0, len(self.all))

    def __len__(self):
        return len(self.all)

    def set_range(self, start_index, end_index):
        self.paths = iter(self.all[start_index:end_index])

    def get_next(self):
        path = next(self.paths, None)
        if path is None:
            return None
        rgb = np.asarray(Image.open(path).convert("RGB").resize((112, 112)), dtype=np.float32)
        return {"data": rgb.transpose(2, 0, 1)[None]}


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: calibrate_sface_int8.py FLOAT_SFACE CROPS_DIR COUNT")
    src, crops, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    if count % 50:
        sys.exit("COUNT must be a multiple of 50 (ORT calibrates in strides of 50 crops)")
    paths = sorted(p for p in crops.iterdir() if p.suffix.lower() in (".png", ".jpg"))[:count]
    if len(paths) < count:
        sys.exit(f"{crops} holds {len(paths)} crops, fewer than {count}")
    ranges = Path(__file__).resolve().parent / convert_models.SFACE_INT8_CALIBRATION
    ranges.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        convert_models.quantize_sface(src, str(ranges), str(Path(tmp) / "sface_int8.onnx"), reader=Crops(paths))
    print(f"calibrated on {len(paths)} crops from {crops}; ranges in {ranges}")


if __name__ == "__main__":
    main()
