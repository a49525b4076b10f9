#!/usr/bin/python3
"""Writes the WebP test files of this folder and, beside each still one, libwebp's own decode of it
as a PNG (the reference the Java decode is checked against). The pictures are drawn here (CC0, as
the rest of the project's generated test data); run with Debian's python3-pil and webp (cwebp and
dwebp, for the encoder settings PIL does not reach: the simple loop filter, sharpness, segments):
    /usr/bin/python3 domain/src/test/resources/webp/make-fixtures.py
"""
import math
import os
import random
import subprocess

from PIL import Image, ImageOps

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


def textured(w, h, seed):
    """picture() with grain, so the encoder uses its 4x4 modes and many coefficients."""
    im = picture(w, h)
    px = im.load()
    rnd = random.Random(seed)
    for y in range(h):
        for x in range(w):
            r, g, b = px[x, y]
            n = rnd.randint(-40, 40)
            px[x, y] = tuple(max(0, min(255, c + n)) for c in (r, g, b))
    return im


def cwebp(name, im, *options):
    source = os.path.join(here, name + "-source.png")
    im.save(source)
    path = os.path.join(here, name + ".webp")
    subprocess.run(["cwebp", "-quiet", *options, source, "-o", path], check=True)
    subprocess.run(["dwebp", "-quiet", path, "-o", os.path.join(here, name + ".png")], check=True)
    os.remove(source)


def still(name, im, **options):
    path = os.path.join(here, name + ".webp")
    im.save(path, "WEBP", **options)
    Image.open(path).save(os.path.join(here, name + ".png"))  # libwebp's decode


still("lossy", picture(64, 48), quality=80, method=4)
still("lossless-alpha", picture(40, 30, alpha=True), lossless=True)
still("lossy-alpha", picture(40, 30, alpha=True), quality=75)
rotated = picture(40, 24)
exif = Image.Exif()
exif[0x0112] = 6  # shown turned 90 degrees clockwise, as a phone held upright stores it
rotated.save(os.path.join(here, "rotated-exif6.webp"), "WEBP", quality=80, exif=exif.tobytes())
ImageOps.exif_transpose(Image.open(os.path.join(here, "rotated-exif6.webp"))).save(
    os.path.join(here, "rotated-exif6.png"))  # libwebp's decode, turned upright as PIL shows it
frames = [picture(32, 24), picture(32, 24).transpose(Image.FLIP_LEFT_RIGHT)]
frames[0].save(os.path.join(here, "animated.webp"), "WEBP", save_all=True, append_images=frames[1:],
               duration=200, loop=0, quality=80)
cwebp("simple-filter", textured(53, 41, 1), "-q", "40", "-nostrong", "-sharpness", "3", "-f", "80")
cwebp("one-segment", textured(37, 29, 2), "-q", "90", "-segments", "1", "-f", "0")
cwebp("low-quality", textured(70, 50, 3), "-q", "3", "-sns", "100", "-m", "6")

# a TIFF as libtiff writes it (through PIL): LZW, its directory after the image data
tiff = textured(45, 33, 4)
tiff.save(os.path.join(here, "libtiff-lzw.tif"), compression="tiff_lzw")
tiff.save(os.path.join(here, "libtiff-lzw.png"))
