#!/usr/bin/python3
"""Draws a recipe's training curve as a PNG from its CSVs (./srgan train writes them):
top, the validation PSNR gain over bicubic (dB) by step; bottom, the content loss (mean of each 50 steps).
Needs Debian's python3-pil (apt-get install python3-pil); run with /usr/bin/python3.
usage: plot_curve.py RECIPE_DIR   (reads validation.csv and losses.csv there, writes curve.png)"""
import csv
import sys
from pathlib import Path

from PIL import Image, ImageDraw

W, H, M = 900, 640, 70


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def panel(draw, box, xs, ys, title, color):
    x0, y0, x1, y1 = box
    draw.rectangle(box, outline="#888")
    draw.text((x0, y0 - 18), title, fill="#000")
    if not xs:
        return
    xmin, xmax = min(xs), max(xs) or 1
    ymin, ymax = min(ys), max(ys)
    if ymax == ymin:
        ymax = ymin + 1e-9
    def px(x, y):
        return (x0 + (x - xmin) / max(1e-9, xmax - xmin) * (x1 - x0),
                y1 - (y - ymin) / (ymax - ymin) * (y1 - y0))
    for i in range(5):
        v = ymin + (ymax - ymin) * i / 4
        _, yy = px(xmin, v)
        draw.line((x0, yy, x1, yy), fill="#eee")
        draw.text((4, yy - 6), f"{v:.4g}", fill="#444")
    draw.text((x0, y1 + 6), f"step {xmin:g}", fill="#444")
    draw.text((x1 - 80, y1 + 6), f"step {xmax:g}", fill="#444")
    draw.line([px(x, y) for x, y in zip(xs, ys)], fill=color, width=2)


def main():
    d = Path(sys.argv[1])
    val = read(d / "validation.csv")
    steps = [float(r["step"]) for r in val]
    gain = [float(r["psnr"]) - float(r["bicubic_psnr"]) for r in val]
    losses = read(d / "losses.csv")
    buckets = {}
    for r in losses:
        buckets.setdefault(int(r["step"]) // 50, []).append(float(r["content_loss"]))
    lx = [k * 50 + 25 for k in sorted(buckets)]
    ly = [sum(v) / len(v) for _, v in sorted(buckets.items())]
    img = Image.new("RGB", (W, H), "white")
    g = ImageDraw.Draw(img)
    panel(g, (M, 40, W - 20, H // 2 - 30), steps, gain, "validation: PSNR(Y) gain over bicubic, dB", "#1f77b4")
    panel(g, (M, H // 2 + 30, W - 20, H - 40), lx, ly, "training: content loss (mean of 50 steps)", "#d62728")
    img.save(d / "curve.png")
    print("wrote", d / "curve.png")


if __name__ == "__main__":
    main()
