"""Twelve measurements of each aligned 112 x 112 face crop that SFace's feature map may not keep:
how sharp the face is and what colour its skin is. Blurry, Pale_Skin and Rosy_Cheeks are CelebA
attributes the map's heads do not beat the majority answer on (training/bn1-heads/README.md), and
SFace is trained to ignore blur and colour cast, since neither tells people apart. Rows in
file-name order, for celeba_swift_cv.py --extra (the same layout as make_celeba_extra.py).

Regions on the ArcFace crop (eyes at y = 51.6, nose tip (56, 71.7), mouth at y = 92.3):
interior x 24-88, y 32-96; cheeks x 28-44 and 68-84, y 66-82; forehead x 44-68, y 24-36.
Columns: sharpness = log variance of the 4-neighbour Laplacian of luma over the interior, log
luma variance there, their difference (sharpness against contrast), log mean squared first
difference minus log luma variance, mean interior luma / 255, cheeks' and forehead's r and g
chromaticity (R / (R + G + B), G / (R + G + B)), cheek r minus forehead r, mean skin luma / 255,
cheeks' saturation ((max - min) / max). Luma = 0.299 R + 0.587 G + 0.114 B.

  python training/bn1-heads/image_stats.py --images celeba.list --out celeba-stats.npz
"""
import argparse
import os

import numpy as np
from PIL import Image

COLUMNS = ["log_laplacian_var", "log_luma_var", "sharpness", "gradient_energy", "luma",
           "cheek_r", "cheek_g", "forehead_r", "forehead_g", "cheek_minus_forehead_r", "skin_luma",
           "cheek_saturation"]


def measurements(rgb):
    """The twelve columns of one H x W x 3 crop (float, 0-255)."""
    luma = rgb @ np.array([0.299, 0.587, 0.114])
    inner = luma[32:96, 24:88]
    laplacian = (inner[:-2, 1:-1] + inner[2:, 1:-1] + inner[1:-1, :-2] + inner[1:-1, 2:] - 4 * inner[1:-1, 1:-1])
    log_lap = np.log(laplacian.var() + 1e-3)
    log_var = np.log(inner.var() + 1e-3)
    gradient = np.log(((inner[:, 1:] - inner[:, :-1]) ** 2).mean() + ((inner[1:] - inner[:-1]) ** 2).mean() + 1e-3)

    def chroma(patch):
        total = patch.sum(axis=2) + 1e-3
        return (patch[..., 0] / total).mean(), (patch[..., 1] / total).mean()

    cheeks = np.concatenate([rgb[66:82, 28:44].reshape(-1, 3), rgb[66:82, 68:84].reshape(-1, 3)])[None]
    forehead = rgb[24:36, 44:68]
    cheek_r, cheek_g = chroma(cheeks)
    fore_r, fore_g = chroma(forehead)
    skin = np.concatenate([cheeks.reshape(-1, 3), forehead.reshape(-1, 3)]) @ np.array([0.299, 0.587, 0.114])
    high, low = cheeks.max(axis=2), cheeks.min(axis=2)
    saturation = ((high - low) / (high + 1e-3)).mean()
    return [log_lap, log_var, log_lap - log_var, gradient - log_var, inner.mean() / 255,
            cheek_r, cheek_g, fore_r, fore_g, cheek_r - fore_r, skin.mean() / 255, saturation]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True, help="a list of 112 x 112 crops, one path a line")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    paths = sorted(line.strip() for line in open(a.images) if line.strip())
    rows = []
    for path in paths:
        rgb = np.asarray(Image.open(path).convert("RGB"), np.float64)
        if rgb.shape[:2] != (112, 112):
            raise SystemExit(f"{path}: {rgb.shape[1]}x{rgb.shape[0]}, not a 112 x 112 crop")
        rows.append(measurements(rgb))
    stems = [os.path.basename(q).split(".")[0] for q in paths]
    x = np.array(rows, np.float64)
    np.savez(a.out, stems=np.array(stems), x=x, columns=np.array(COLUMNS))
    print(f"{len(stems)} crops, {x.shape[1]} columns; means {np.round(x.mean(0), 3).tolist()}")


if __name__ == "__main__":
    main()
