#!/usr/bin/env bash
# Fetches the natural photos of this recipe from Debian packages (no other download):
# training and validation photos from OpenCV's sample data (opencv-doc) and scikit-image
# (python3-skimage); the evaluation photos, never used in training, from scikit-image,
# scikit-learn (python3-sklearn) and Matplotlib (python-matplotlib-data). Licenses: LICENSES.md.
# usage: fetch-photos.sh OUT_DIR   -> OUT_DIR/train, OUT_DIR/validation, OUT_DIR/eval
set -euo pipefail
out="${1:?usage: fetch-photos.sh OUT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"   # the work below happens in a temporary directory
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download opencv-doc python3-skimage python3-sklearn python-matplotlib-data >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null && apt-get download opencv-doc python3-skimage python3-sklearn python-matplotlib-data >/dev/null; }
for deb in *.deb; do dpkg -x "$deb" x; done
cv=x/usr/share/doc/opencv-doc/examples/data
sk=x/usr/lib/python3/dist-packages/skimage/data
mkdir -p "$out/train" "$out/validation" "$out/eval"
for f in aloeL.jpg aloeR.jpg leuvenA.jpg leuvenB.jpg baboon.jpg fruits.jpg building.jpg messi5.jpg squirrel_cls.jpg \
         aero1.jpg apple.jpg orange.jpg butterfly.jpg graf1.png graf3.png ela_original.jpg stuff.jpg smarties.png \
         HappyFish.jpg board.jpg chicky_512.png rubberwhale1.png pic2.png; do
  cp "$cv/$f" "$out/train/opencv-$f"
done
cp "$sk/motorcycle_left.png" "$out/train/skimage-motorcycle_left.png"
for f in home.jpg aero3.jpg; do cp "$cv/$f" "$out/validation/opencv-$f"; done
for f in astronaut.png coffee.png chelsea.png rocket.jpg; do cp "$sk/$f" "$out/eval/skimage-$f"; done
cp x/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg "$out/eval/sklearn-china.jpg"
cp x/usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg "$out/eval/sklearn-flower.jpg"
cp x/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg "$out/eval/matplotlib-grace_hopper.jpg"
echo "photos in $out: $(ls "$out/train" | wc -l) train, $(ls "$out/validation" | wc -l) validation, $(ls "$out/eval" | wc -l) eval"
