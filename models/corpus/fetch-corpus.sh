#!/usr/bin/env bash
# Builds the corpus of natural photographs described in README.md beside this script, from Debian
# packages only (`apt-get download` + `dpkg-deb`; the wallpaper packages are never installed):
#   OUT_DIR/train       photos to train super-resolution models on
#   OUT_DIR/validation  photos to watch training with
#   OUT_DIR/pristine    sharp, undistorted photos reserved for fitting a NIQE model (no other use)
#   OUT_DIR/eval        the 7 evaluation photos of models/recipes/srresnet-x4/fetch-photos.sh, unchanged
# manifest.tsv beside this script lists every file: split, name, package, pinned version, path in the
# package, license, credit and the sha256 the file had when the manifest was made. The script downloads
# those versions (falling back, with a warning, to the current one), rebuilds every file, warns about
# hash mismatches and writes OUT_DIR/manifest.tsv with the versions and hashes of this build.
# Photos whose shorter side is >= 1000 px are downscaled (Lanczos, factor >= 2, longer side <= 1600)
# and saved as PNG; smaller JPEG/PNG sources are copied byte for byte; WebP and raw sources become PNG.
# The pristine split has a rule of its own: only such high-resolution sources, each downscaled (Lanczos)
# to 640 px on its longer side, the scale of the evaluation photos NIQE scores (see README.md).
# The resizer is Pillow from Debian (python3-pil) run by /usr/bin/python3; it is installed if missing.
# usage: fetch-corpus.sh OUT_DIR
set -euo pipefail
out="${1:?usage: fetch-corpus.sh OUT_DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/manifest.tsv"
py=/usr/bin/python3   # Debian's interpreter with Debian's Pillow, not another python3 on PATH
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The resizer: Debian's Pillow with WebP and LittleCMS support.
pil_ok() { [ -x "$py" ] && "$py" -c 'from PIL import Image, ImageCms, features; assert features.check("webp")' 2>/dev/null; }
if ! pil_ok; then
  echo "fetch-corpus: installing python3-pil (Debian) for $py" >&2
  apt-get install -y python3 python3-pil >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y python3 python3-pil >/dev/null; }
  pil_ok || { echo "fetch-corpus: $py cannot import Pillow with WebP support" >&2; exit 1; }
fi

# The packages, at the versions the manifest was made with.
mapfile -t specs < <(awk -F'\t' 'NR > 1 { print $3 "=" $4 }' "$manifest" | sort -u)
mkdir -p "$work/debs" "$work/x"
cd "$work/debs"
download() { apt-get download "$1" >/dev/null 2>&1; }
missing=()
for spec in "${specs[@]}"; do download "$spec" || missing+=("$spec"); done
if ((${#missing[@]})); then
  apt-get update -qq >/dev/null 2>&1 || true
  for spec in "${missing[@]}"; do
    download "$spec" && continue
    echo "fetch-corpus: WARNING: $spec cannot be downloaded; using the current ${spec%%=*} (files may differ from the manifest)" >&2
    download "${spec%%=*}" || { echo "fetch-corpus: cannot download ${spec%%=*}" >&2; exit 1; }
  done
fi

# Extract only the files the manifest names (a GCompris photo is a member of a Qt .rcc resource file).
: >"$work/versions.tsv"
for spec in "${specs[@]}"; do
  pkg="${spec%%=*}"
  deb="$(ls -1 "${pkg}"_*.deb | head -n 1)"
  printf '%s\t%s\n' "$pkg" "$(dpkg-deb -f "$deb" Version)" >>"$work/versions.tsv"
  mapfile -t paths < <(awk -F'\t' -v p="$pkg" 'NR > 1 && $3 == p { sub(/#.*/, "", $5); print "./" $5 }' "$manifest" | sort -u)
  mkdir -p "$work/x/$pkg"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x/$pkg" "${paths[@]}"
  rm -f "$deb"
done

"$py" - "$manifest" "$work/x" "$work/versions.tsv" "$out" <<'PYTHON'
import bz2, hashlib, io, os, struct, sys, zlib
from PIL import Image, ImageCms, ImageOps
RESAMPLE = getattr(Image, 'Resampling', Image)   # Pillow >= 9.1 names the filters Image.Resampling.*

manifest, root, versions_file, out = sys.argv[1:5]
SPLITS = ('train', 'validation', 'pristine', 'eval')
MAX_SIDE, DOWNSCALE_FROM = 1600, 1000
PRISTINE_SIDE = 640   # the pristine split's longer side: the evaluation photos' scale (README.md)
versions = dict(line.rstrip('\n').split('\t') for line in open(versions_file))
lines = open(manifest, encoding='utf-8').read().splitlines()
header = lines[0].split('\t')
rows = [dict(zip(header, line.split('\t'))) for line in lines[1:] if line.strip()]
warnings = []

def rcc_member(path, member):
    """A file inside a Qt resource (.rcc) file, format versions 1-3, zlib or uncompressed."""
    b = open(path, 'rb').read()
    assert b[:4] == b'qres', path
    version, tree, data, names = struct.unpack('>IIII', b[4:20])
    node = 22 if version >= 2 else 14
    def name(off):
        n = struct.unpack('>H', b[names + off:names + off + 2])[0]
        return b[names + off + 6:names + off + 6 + 2 * n].decode('utf-16-be')
    def find(i, parts):
        p = tree + i * node
        flags = struct.unpack('>H', b[p + 4:p + 6])[0]
        if not parts:
            if flags & 2:
                return None
            off = struct.unpack('>I', b[p + 10:p + 14])[0]
            n = struct.unpack('>I', b[data + off:data + off + 4])[0]
            raw = b[data + off + 4:data + off + 4 + n]
            if flags & 4:
                raise ValueError('zstd-compressed rcc entry: ' + member)
            return zlib.decompress(raw[4:]) if flags & 1 else raw
        if not flags & 2:
            return None
        count, first = struct.unpack('>II', b[p + 6:p + 14])
        for c in range(first, first + count):
            if name(struct.unpack('>I', b[tree + c * node:tree + c * node + 4])[0]) == parts[0]:
                return find(c, parts[1:])
        return None
    content = find(0, [x for x in member.split('/') if x])
    if content is None:
        raise FileNotFoundError(path + '#' + member)
    return content

def source(row):
    path, _, member = row['path'].partition('#')
    full = os.path.join(root, row['package'], path)
    if member:
        return rcc_member(full, member)
    return open(full, 'rb').read()

def decode(row, raw):
    if row['path'].endswith('scipy/misc/face.dat'):   # scipy.misc.face(): bz2 of 768x1024x3 uint8
        return Image.frombytes('RGB', (1024, 768), bz2.decompress(raw))
    im = Image.open(io.BytesIO(raw))
    im.load()
    return im

def to_png(im, split):
    im = ImageOps.exif_transpose(im)
    icc = im.info.get('icc_profile')
    if icc:   # pixels are taken as sRGB; the one non-sRGB profile in the corpus (Display P3) is converted
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if 'srgb' not in ImageCms.getProfileDescription(profile).lower():
            im = ImageCms.profileToProfile(im.convert('RGB'), profile, ImageCms.createProfile('sRGB'),
                                           renderingIntent=0, outputMode='RGB')   # 0: perceptual
    im = im.convert('RGB')
    w, h = im.size
    if split == 'pristine':   # high-resolution sources only, shrunk to PRISTINE_SIDE (>= 2x) on the longer side
        s = PRISTINE_SIDE / max(w, h)
        if min(w, h) < DOWNSCALE_FROM or s > 0.5:
            sys.exit(f'fetch-corpus: a pristine photo needs a source of at least {DOWNSCALE_FROM} px on its shorter'
                     f' and {2 * PRISTINE_SIDE} px on its longer side, got {w}x{h}')
        im = im.resize((round(w * s), round(h * s)), RESAMPLE.LANCZOS)
    elif min(w, h) >= DOWNSCALE_FROM:
        s = min(0.5, MAX_SIDE / max(w, h))
        im = im.resize((round(w * s), round(h * s)), RESAMPLE.LANCZOS)
    clean = Image.new('RGB', im.size)   # no metadata: no ICC, EXIF, dpi or time chunks
    clean.paste(im)
    buf = io.BytesIO()
    clean.save(buf, format='PNG', compress_level=9)
    return buf.getvalue(), clean.size

def write(path, content):
    if os.path.exists(path) and open(path, 'rb').read() == content:
        return   # unchanged files are left alone (another job may be reading them)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(content)
    os.replace(tmp, path)

for split in SPLITS:
    os.makedirs(os.path.join(out, split), exist_ok=True)
wanted = {s: set() for s in SPLITS}
built = []
for row in rows:
    split, name = row['split'], row['file']
    assert split in SPLITS, row
    raw = source(row)
    src_ext = os.path.splitext(row['path'].partition('#')[2] or row['path'])[1].lower()
    out_ext = os.path.splitext(name)[1].lower()
    if out_ext == src_ext:   # copied byte for byte: the evaluation photos and small JPEG/PNG sources
        if split == 'pristine':
            sys.exit(f'fetch-corpus: pristine/{name} would be copied unscaled; pristine photos are PNG')
        content = raw
        im = decode(row, raw)
        size = im.size
        if split != 'eval' and min(size) >= DOWNSCALE_FROM:
            warnings.append(f'{name}: {size[0]}x{size[1]} source copied although its shorter side is >= {DOWNSCALE_FROM}')
    else:
        content, size = to_png(decode(row, raw), split)
    write(os.path.join(out, split, name), content)
    wanted[split].add(name)
    digest = hashlib.sha256(content).hexdigest()
    if row.get('sha256', '-') not in ('-', '', digest):
        warnings.append(f'{split}/{name}: sha256 {digest[:12]}... differs from the manifest ({row["sha256"][:12]}...)')
    actual = dict(row, version=versions.get(row['package'], row['version']), sha256=digest)
    if actual['version'] != row['version']:
        warnings.append(f'{split}/{name}: built from {row["package"]} {actual["version"]}, manifest has {row["version"]}')
    built.append((actual, size))

# Remove images an earlier run left that the manifest no longer lists (dot files such as .ready stay).
for split in SPLITS:
    d = os.path.join(out, split)
    for f in sorted(os.listdir(d)):
        if not f.startswith('.') and f not in wanted[split] and f.lower().endswith(('.png', '.jpg', '.jpeg', '.tmp')):
            os.remove(os.path.join(d, f))
            print(f'fetch-corpus: removed {split}/{f} (not in the manifest)')

# No photo may be a near-duplicate of one in another split: a difference hash of the whole image (and of
# its mirror image) catches copies, resized or recompressed versions and small crops.
def dhashes(path):
    g = Image.open(path).convert('L').resize((17, 16), RESAMPLE.BOX)
    def bits(px):
        return sum(1 << i for i, (a, b) in enumerate((px[r * 17 + c], px[r * 17 + c + 1])
                                                     for r in range(16) for c in range(16)) if b > a)
    return bits(list(g.getdata())), bits(list(g.transpose(Image.FLIP_LEFT_RIGHT).getdata()))
hashes = [(a['split'], a['file'], dhashes(os.path.join(out, a['split'], a['file']))) for a, _ in built]
close = []
for i in range(len(hashes)):
    for j in range(i + 1, len(hashes)):
        if hashes[i][0] != hashes[j][0]:
            d = min(bin(hashes[i][2][0] ^ h).count('1') for h in hashes[j][2])
            if d <= 40:   # of 256 bits; unrelated photos differ in 60 or more
                close.append(f'{hashes[i][0]}/{hashes[i][1]} ~ {hashes[j][0]}/{hashes[j][1]} ({d} of 256 bits differ)')

with open(os.path.join(out, 'manifest.tsv'), 'w', encoding='utf-8') as f:
    f.write('\t'.join(header + ['width', 'height']) + '\n')
    for actual, (w, h) in built:
        f.write('\t'.join([actual[k] for k in header] + [str(w), str(h)]) + '\n')

for w in warnings:
    print('fetch-corpus: WARNING: ' + w, file=sys.stderr)
if close:
    for c in close:
        print('fetch-corpus: near-duplicate across splits: ' + c, file=sys.stderr)
    sys.exit('fetch-corpus: near-duplicates across splits; fix the manifest')
total = sum(os.path.getsize(os.path.join(out, a['split'], a['file'])) for a, _ in built)
counts = ', '.join(f'{len(wanted[s])} {s}' for s in SPLITS)
print(f'fetch-corpus: {out}: {counts} ({total / 2**20:.0f} MiB); '
      f'{"all hashes match the manifest" if not warnings else str(len(warnings)) + " warnings"}')
PYTHON
