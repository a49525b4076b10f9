#!/usr/bin/python3
"""Writes the WebP test files of this folder and, beside each still one, libwebp's own decode of it
as a PNG (the reference the Java decode is checked against). The pictures are drawn here (CC0, as
the rest of the project's generated test data); run with Debian's python3-pil:
    /usr/bin/python3 domain/src/test/resources/webp/make-fixtures.py
"""
import math
import os

from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))


def picture(w, h, alpha=False):
    """Smooth gradients, a hard-edged disc and fine stripes: what a codec treats differently."""
    im = Image.new("RGBA" if alpha else "RGB", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            r = int(255 * x / (w - 1))
            g = int(255 * y / (h - 1))
            b = int(128 + 100 * math.sin(x / 3.0) * math.cos(y / 5.0))
            if (x - w * 0.6) ** 2 + (y - h * 0.5) ** 2 < (h * 0.3) ** 2:
                r, g, b = 250, 240, 30
            if x < w // 5 and (y // 2) % 2 == 0:
                r, g, b = 20, 20, 20
            if alpha:
                a = max(0, min(255, int(255 * (1 - abs(x - w / 2) / (w / 2)) * 1.5)))
                px[x, y] = (r, g, b, a)
            else:
                px[x, y] = (r, g, b)
    return im


def still(name, im, **options):
    path = os.path.join(here, name + ".webp")
    im.save(path, "WEBP", **options)
    Image.open(path).save(os.path.join(here, name + ".png"))  # libwebp's decode


still("lossy", picture(64, 48), quality=80, method=4)
still("lossless-alpha", picture(40, 30, alpha=True), lossless=True)
still("lossy-alpha", picture(40, 30, alpha=True), quality=75)
frames = [picture(32, 24), picture(32, 24).transpose(Image.FLIP_LEFT_RIGHT)]
frames[0].save(os.path.join(here, "animated.webp"), "WEBP", save_all=True, append_images=frames[1:],
               duration=200, loop=0, quality=80)
