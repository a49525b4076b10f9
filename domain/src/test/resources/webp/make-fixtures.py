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


# ---- lossless (VP8L) and alpha (ALPH) files, for Vp8lDecoderTest ----

def repetitive(w, h, seed):
    """A few colours in a pattern that repeats with a period other than the width, so that cwebp
    finds matches sideways and above in a narrow picture, with some noise."""
    rnd = random.Random(seed)
    motif = [(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(13)]
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            grey = rnd.randrange(256)
            px[x, y] = motif[((y * w + x) * 5 // 3 + y // 4) % 13] if rnd.randrange(9) else (grey, grey, grey)
    return im


def paletted(w, h, colours, seed, alpha=False):
    """A picture of exactly this many colours (some translucent with alpha), in blocks and noise."""
    rnd = random.Random(seed)
    palette = [(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256),
                rnd.choice([255, 255, rnd.randrange(256)]) if alpha else 255) for _ in range(colours)]
    im = Image.new("RGBA", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            i = (x // 3 * 7 + y // 2 * 3 + (rnd.randrange(4) == 0) * rnd.randrange(colours)) % colours
            px[x, y] = palette[i] if y or x >= colours else palette[x]  # every colour at least once
    return im if alpha else im.convert("RGB")


def grainy(w, h, seed, alpha=False, grain=12):
    """picture() with some grain, so that cwebp's transforms have work to do."""
    im = picture(w, h, alpha)
    px = im.load()
    rnd = random.Random(seed)
    for y in range(h):
        for x in range(w):
            n = rnd.randint(-grain, grain)
            px[x, y] = tuple(max(0, min(255, c + n)) for c in px[x, y][:3]) + tuple(px[x, y][3:])
    return im


def reference(name):
    """dwebp's decode of name.webp beside it, as name.png (RGBA when the file says it has alpha)."""
    subprocess.run(["dwebp", "-quiet", os.path.join(here, name + ".webp"), "-o", os.path.join(here, name + ".png")],
                   check=True)


for z in range(10):
    cwebp(f"lossless-z{z}", grainy(24, 16, z, alpha=True), "-lossless", "-z", str(z), "-exact")
cwebp("lossless-opaque", grainy(40, 30, 10, grain=30), "-lossless", "-z", "9")
for colours in (2, 4, 16, 200):
    cwebp(f"lossless-palette-{colours}", paletted(29, 13, colours, colours, alpha=colours != 200),
          "-lossless", "-z", "5", "-exact")
cwebp("lossless-1x1", Image.new("RGBA", (1, 1), (200, 100, 50, 128)), "-lossless", "-exact")
for w in range(1, 8):
    cwebp(f"lossless-narrow-{w}", repetitive(w, 48, w), "-lossless", "-z", "9")
cwebp("near-lossless-60", grainy(40, 30, 11, grain=30), "-lossless", "-near_lossless", "60")
cwebp("alpha-lossless", grainy(37, 29, 12, alpha=True, grain=3), "-q", "70", "-alpha_method", "1",
      "-alpha_filter", "best")
cwebp("alpha-raw", grainy(37, 29, 13, alpha=True, grain=3), "-q", "70", "-alpha_method", "0")


class BitWriter:
    """Bits least significant first, as VP8L reads them."""

    def __init__(self):
        self.value = 0
        self.count = 0

    def bits(self, value, n):
        assert 0 <= value < 1 << n
        self.value |= value << self.count
        self.count += n

    def data(self):
        return self.value.to_bytes((self.count + 7) // 8, "little")


def complete_lengths(symbols):
    """Code lengths of a complete prefix code over these symbols; a lone symbol gets 1 (it reads no bits)."""
    symbols = sorted(set(symbols))
    if len(symbols) == 1:
        return {symbols[0]: 1}
    longest = (len(symbols) - 1).bit_length()
    shorter = 2 ** longest - len(symbols)
    return {s: longest - 1 if i < shorter else longest for i, s in enumerate(symbols)}


def canonical(lengths):
    """Each symbol's code: assigned in order of length, then of symbol (RFC 9649 section 5.2.2)."""
    codes, code = {}, 0
    for length in range(1, 16):
        for s in sorted(s for s, n in lengths.items() if n == length):
            codes[s] = (code, length)
            code += 1
        code <<= 1
    return codes


CODE_LENGTH_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]


def prefix_code(out, symbols, alphabet):
    """Writes a prefix code for these symbols (simple where it can be) and returns what writes one of them."""
    lengths = complete_lengths(symbols)
    assert max(lengths) < alphabet
    used = sorted(lengths)
    if len(used) <= 2 and used[-1] < 256:
        out.bits(1, 1)
        out.bits(len(used) - 1, 1)
        out.bits(used[0] >= 2, 1)
        out.bits(used[0], 8 if used[0] >= 2 else 1)
        if len(used) == 2:
            out.bits(used[1], 8)
    else:
        out.bits(0, 1)
        all_lengths = [lengths.get(s, 0) for s in range(alphabet)]
        length_lengths = complete_lengths(all_lengths)
        coded = max(4, max(CODE_LENGTH_ORDER.index(v) for v in length_lengths) + 1)
        out.bits(coded - 4, 4)
        for v in CODE_LENGTH_ORDER[:coded]:
            out.bits(length_lengths.get(v, 0), 3)
        out.bits(0, 1)  # no max_symbol: every code length is written
        put_length = writer(canonical(length_lengths))
        for n in all_lengths:
            put_length(out, n)
    return writer(canonical(lengths))


def writer(codes):
    def put(out, symbol):
        if len(codes) > 1:  # a lone symbol takes no bits
            code, length = codes[symbol]
            for i in reversed(range(length)):
                out.bits(code >> i & 1, 1)
    return put


def prefixed(value):
    """A length's or distance code's prefix symbol, its extra bits and their value (RFC 9649 section 5.2.2)."""
    v = value - 1
    if v < 4:
        return v, 0, 0
    extra = v.bit_length() - 2
    return 2 * (extra + 1) + (v >> extra & 1), extra, v & ((1 << extra) - 1)


# the 2-D distance codes 1 to 120 as libwebp's kCodeToPlane packs them: yi << 4 | (8 - xi)
DISTANCE_MAP = [
    0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b,
    0x36, 0x3a, 0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45,
    0x4b, 0x34, 0x3c, 0x03, 0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d,
    0x68, 0x02, 0x67, 0x69, 0x12, 0x1e, 0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e,
    0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f, 0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b,
    0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e, 0x00, 0x74, 0x7c, 0x41, 0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d,
    0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70]


def distance(width, code):
    """A distance code's distance in pixels: 2-D for the first 120 (at least 1), then code - 120."""
    if code > 120:
        return code - 120
    yi, xi = DISTANCE_MAP[code - 1] >> 4, 8 - (DISTANCE_MAP[code - 1] & 0xf)
    return max(1, yi * width + xi)


def tokens(rnd, width, n, literal, next_code, cache_bits=0, copies=0.3, hits=0.2, lengths=(1, 2, 3, 5, 9, 30)):
    """Random literals, backward references (distance codes from next_code) and colour cache hits for
    n pixels, and the pixels they decode to (the cache followed as the decoder does, zeros at first)."""
    pixels, out = [], []
    cache = [0] * (1 << cache_bits) if cache_bits else None

    def insert(p):
        if cache:
            cache[(p * 0x1e35a7bd & 0xffffffff) >> (32 - cache_bits)] = p

    while len(pixels) < n:
        i, r = len(pixels), rnd.random()
        if r < copies and i > 0:
            code = next_code(i)
            length = min(n - i, rnd.choice(lengths))
            out.append(("copy", length, code))
            for _ in range(length):
                pixels.append(pixels[-distance(width, code)])
                insert(pixels[-1])
        elif cache and r < copies + hits:
            key = rnd.randrange(len(cache))
            out.append(("cache", key))
            pixels.append(cache[key])
            insert(pixels[-1])
        else:
            pixels.append(literal())
            out.append(("literal", pixels[-1]))
            insert(pixels[-1])
    return out


def entropy_coded(out, width, image, main, cache_bits=0, block_bits=0, groups=None):
    """Writes an entropy-coded image of these tokens: its colour cache, meta prefix codes (a main image
    only; groups is the entropy image, a group number per block, or None for one group), codes, tokens."""
    out.bits(cache_bits > 0, 1)
    if cache_bits:
        out.bits(cache_bits, 4)
    group_of = lambda i: 0
    if main:
        out.bits(groups is not None, 1)
    if main and groups is not None:
        out.bits(block_bits - 2, 3)
        per_row = (width + (1 << block_bits) - 1) >> block_bits
        entropy_coded(out, per_row, [("literal", g << 8 | 0xff000000) for g in groups], False)
        group_of = lambda i: groups[(i // width >> block_bits) * per_row + (i % width >> block_bits)]
    symbols = [[[] for _ in range(5)] for _ in range(max(groups) + 1 if groups else 1)]
    i = 0
    for t in image:
        s = symbols[group_of(i)]
        if t[0] == "literal":
            p = t[1]
            for c, v in enumerate((p >> 8 & 255, p >> 16 & 255, p & 255, p >> 24 & 255)):
                s[c].append(v)
            i += 1
        elif t[0] == "copy":
            s[0].append(256 + prefixed(t[1])[0])
            s[4].append(prefixed(t[2])[0])
            i += t[1]
        else:
            s[0].append(280 + t[1])
            i += 1
    alphabets = [280 + (1 << cache_bits if cache_bits else 0), 256, 256, 256, 40]
    codes = [[prefix_code(out, s[c] or [0], alphabets[c]) for c in range(5)] for s in symbols]
    i = 0
    for t in image:
        green, red, blue, alpha, dist = codes[group_of(i)]
        if t[0] == "literal":
            p = t[1]
            green(out, p >> 8 & 255)
            red(out, p >> 16 & 255)
            blue(out, p & 255)
            alpha(out, p >> 24 & 255)
            i += 1
        elif t[0] == "copy":
            symbol, extra, value = prefixed(t[1])
            green(out, 256 + symbol)
            out.bits(value, extra)
            symbol, extra, value = prefixed(t[2])
            dist(out, symbol)
            out.bits(value, extra)
            i += t[1]
        else:
            green(out, 280 + t[1])
            i += 1


PREDICTOR, COLOUR, SUBTRACT_GREEN, COLOUR_INDEXING = range(4)


def vp8l(width, height, transforms, write_image, alpha=True, header=True):
    """A VP8L bitstream (without its 5-byte header for an ALPH chunk): the transforms, each (type, bits,
    data) where data() gives its pixels (from the size of its sub-image of blocks for predictor and
    colour), then write_image(out, the width the transforms leave)."""
    out = BitWriter()
    if header:
        for value, n in ((0x2f, 8), (width - 1, 14), (height - 1, 14), (alpha, 1), (0, 3)):
            out.bits(value, n)
    coded = width
    for kind, bits, data in transforms:
        out.bits(1, 1)
        out.bits(kind, 2)
        if kind in (PREDICTOR, COLOUR):
            out.bits(bits - 2, 3)
            blocks_wide, blocks_high = (coded + (1 << bits) - 1) >> bits, (height + (1 << bits) - 1) >> bits
            entropy_coded(out, blocks_wide, [("literal", p) for p in data(blocks_wide, blocks_high)], False)
        elif kind == COLOUR_INDEXING:
            palette = data()
            out.bits(len(palette) - 1, 8)
            entropy_coded(out, len(palette), [("literal", p) for p in palette], False)
            coded = (coded + (1 << bits) - 1) >> bits
    out.bits(0, 1)
    write_image(out, coded)
    return out.data()


def chunk(fourcc, data):
    return fourcc + len(data).to_bytes(4, "little") + data + b"\0" * (len(data) % 2)


def riff(*chunks):
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def write(name, data):
    with open(os.path.join(here, name + ".webp"), "wb") as f:
        f.write(data)
    reference(name)


def crafted(name, order, seed, cache_bits, colours):
    """All four transforms in the given order: predictor blocks cycling through modes 0-15 (14 and 15
    read as 0, as libwebp does) with junk in the rest of their pixel, random colour transform
    multipliers, a palette of this many colours (indexes past it are transparent black), then
    random pixels with a colour cache and an entropy image of groups 0, 2 and 5 (1, 3 and 4 unused)."""
    rnd = random.Random(seed)
    width, height = 37, 23
    bundling = 0 if colours > 16 else 1 if colours > 4 else 2 if colours > 2 else 3
    data = {
        PREDICTOR: (2, lambda w, h: [rnd.randrange(1 << 32) & 0xffff00ff | (rnd.randrange(16) << 12 | k % 16) << 8
                                     for k in range(w * h)]),
        COLOUR: (3, lambda w, h: [rnd.randrange(1 << 32) for _ in range(w * h)]),
        SUBTRACT_GREEN: (0, None),
        COLOUR_INDEXING: (bundling, lambda: [rnd.randrange(1 << 32) for _ in range(colours)]),
    }

    def image(out, coded):
        groups = [rnd.choice([0, 2, 5]) for _ in range(((coded + 3) >> 2) * ((height + 3) >> 2))]
        pixels = tokens(rnd, coded, coded * height, lambda: rnd.randrange(1 << 32),
                        lambda i: rnd.choice([c for c in range(1, 130) if distance(coded, c) <= i]), cache_bits)
        entropy_coded(out, coded, pixels, True, cache_bits, 2, groups)

    write(name, riff(chunk(b"VP8L", vp8l(width, height, [(t, *data[t]) for t in order], image))))


crafted("crafted-transforms", [SUBTRACT_GREEN, PREDICTOR, COLOUR, COLOUR_INDEXING], 1, 4, 200)
crafted("crafted-palette-first", [COLOUR_INDEXING, COLOUR, PREDICTOR, SUBTRACT_GREEN], 2, 11, 11)


def sideways(width):
    """A picture this narrow coded with every 2-D distance code that stays inside it, in turn: for
    widths under 8 many reach more than a row sideways, and some to 0 or less (read as 1)."""
    rnd = random.Random(width)
    colours = [0xff000000 | rnd.randrange(1 << 24) for _ in range(12)]
    height = -(-600 // width)
    order = iter(range(10 ** 6))

    def next_code(i):
        while True:
            code = next(order) % 120 + 1
            if distance(width, code) <= i:
                return code

    def image(out, coded):
        entropy_coded(out, coded, tokens(rnd, coded, coded * height, lambda: rnd.choice(colours), next_code,
                                         copies=0.6, lengths=(1, 2, 3)), True)

    write(f"sideways-{width}", riff(chunk(b"VP8L", vp8l(width, height, [], image, alpha=False))))


for w in range(1, 8):
    sideways(w)


def chunks(data):
    at = 12
    while at + 8 <= len(data):
        n = int.from_bytes(data[at + 4:at + 8], "little")
        yield data[at:at + 4], data[at + 8:at + 8 + n]
        at += 8 + n + n % 2


def alpha_filtered(name, method, compression, preprocessing=0):
    """A lossy file whose ALPH chunk is written here: filtering method 1-3 (as the container
    specification defines them), raw or as a headerless VP8L stream with junk in red, blue and alpha."""
    w, h = 33, 21
    im = grainy(w, h, 20 + method, alpha=True, grain=3)
    rnd = random.Random(method)
    alpha = [[(x * 7 + y * 11 + rnd.randrange(5)) % 256 if (x // 6 + y // 5) % 3 else rnd.randrange(256)
              for x in range(w)] for y in range(h)]
    im.putalpha(Image.frombytes("L", (w, h), bytes(v for row in alpha for v in row)))
    source = os.path.join(here, name + "-source.png")
    im.save(source)
    lossy = os.path.join(here, name + ".webp")
    subprocess.run(["cwebp", "-quiet", "-q", "70", "-alpha_method", "0", source, "-o", lossy], check=True)
    os.remove(source)
    with open(lossy, "rb") as f:
        original = f.read()

    def predictor(x, y):
        left = alpha[y][x - 1] if x else alpha[y - 1][0] if y else 0
        if method == 1 or y == 0:
            return left if x or y else 0
        top = alpha[y - 1][x]
        if method == 2 or x == 0:
            return top
        return max(0, min(255, left + top - alpha[y - 1][x - 1]))

    residuals = [(alpha[y][x] - predictor(x, y)) % 256 for y in range(h) for x in range(w)]
    header = bytes([preprocessing << 4 | method << 2 | compression])
    if compression == 0:
        payload = bytes(residuals)
    else:
        payload = vp8l(w, h, [], lambda out, coded: entropy_coded(
            out, coded, [("literal", rnd.choice((0, 0x3c000011, 0xff120000)) | r << 8) for r in residuals], True),
            header=False)
    write(name, riff(*(chunk(t, header + payload if t == b"ALPH" else d) for t, d in chunks(original))))


alpha_filtered("alpha-raw-horizontal", 1, 0)
alpha_filtered("alpha-raw-vertical", 2, 0)
alpha_filtered("alpha-raw-gradient", 3, 0)
alpha_filtered("alpha-lossless-gradient", 3, 1, preprocessing=1)

# written once by the project's own encoder, dev.srgan.networks.image.WebpWriter (which the domain module
# cannot run), from grainy(40, 30, 30, alpha=True) and repetitive(5, 40, 6); only their references are made here
for name in ("webpwriter-alpha", "webpwriter-narrow"):
    reference(name)
