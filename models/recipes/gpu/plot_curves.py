#!/usr/bin/python3
"""Draws the GPU recipe's curves as PNGs from the CSVs train_gpu.py wrote (curves/*.csv): per
model, top, the validation PSNR(Y) gain over bicubic (dB) by step, the bicubic baseline measured
here on the same photos with the same Bicubic; bottom, the training loss (mean of each 500 steps).
Runs continued from another run are drawn after it. Needs python3-pil, python3-numpy and
python3-torch (Debian); run with /usr/bin/python3.
usage: plot_curves.py VALIDATION_DIR   (e.g. data/corpus/validation)"""
import csv
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import train_gpu  # noqa: E402
from plot_curve import H, M, W, panel  # noqa: E402

HERE = Path(__file__).resolve().parent / "curves"
MODELS = {
    "srresnet-x2": (2, ["run1-x2.csv", "run2-x2.csv"]),
    "srresnet-x8": (8, ["run1-x8.csv"]),
    "srgan-mse-x4": (4, ["run1-x4-srgan-mse.csv"]),
    "srresnet-x4-gpu": (4, ["run1-x4.csv"]),
    "srresnet-x4": (4, ["run2-x4.csv"]),
}


def bicubic_psnr(photos, scale):
    total = 0.0
    for hr in photos:
        shrink = train_gpu.Shrink("cpu")
        lr = shrink(hr.unsqueeze(0), scale)[0]
        h, w = hr.shape[-2:]
        up = torch.matmul(torch.matmul(shrink.matrix(h // scale, h), lr), shrink.matrix(w // scale, w).t())
        total += train_gpu.psnr_y(train_gpu.quantize(up), hr, scale)
    return total / len(photos)


def main():
    validation = Path(sys.argv[1])
    for name, (scale, files) in MODELS.items():
        photos = []
        for f in sorted(validation.iterdir()):
            im = train_gpu.load_rgb(f)
            h, w = im.shape[0] - im.shape[0] % scale, im.shape[1] - im.shape[1] % scale
            photos.append(torch.from_numpy(np.array(im[:h, :w])).permute(2, 0, 1).float().div(255))
        base = bicubic_psnr(photos, scale)
        vx, vy, buckets, offset = [], [], {}, 0
        for f in files:
            last = 0
            with open(HERE / f) as fh:
                for r in csv.DictReader(fh):
                    step = int(r["step"]) + offset
                    last = step
                    if r["validation_psnr_y"]:
                        vx.append(step)
                        vy.append(float(r["validation_psnr_y"]) - base)
                    elif r["loss"]:
                        buckets.setdefault(step // 500, []).append(float(r["loss"]))
            offset = last
        lx = [k * 500 + 250 for k in sorted(buckets)]
        ly = [sum(v) / len(v) for _, v in sorted(buckets.items())]
        img = Image.new("RGB", (W, H), "white")
        g = ImageDraw.Draw(img)
        panel(g, (M, 40, W - 20, H // 2 - 30), vx, vy,
              "%s: validation PSNR(Y) gain over bicubic (%.2f dB), dB" % (name, base), "#1f77b4")
        panel(g, (M, H // 2 + 30, W - 20, H - 40), lx, ly, "training loss (mean of 500 steps)", "#d62728")
        img.save(HERE / (name + ".png"))
        print("wrote %s (last validation gain %+.2f dB)" % (HERE / (name + ".png"), vy[-1]))


if __name__ == "__main__":
    main()
