#!/usr/bin/env bash
# The shipped SRResNet 4x fine-tuned for real photos: each training crop is blurred (sigma up to 3 HR
# pixels), shrunk, given Gaussian noise (up to 10 8-bit levels) and JPEG-compressed (quality 40-95)
# before the generator sees it, on this project's own loop on CPU, in stretches: each run resumes
# from the checkpoint committed in resume/ (or starts from models/srresnet-x4.srgan.zip when there
# is none).
#   models/recipes/srresnet-x4-real/train.sh [WORK_DIR]   (default: data/recipes/srresnet-x4-real)
# Photos: models/corpus/fetch-corpus.sh (150 training, 7 validation photos from Debian packages).
# Threads: SRGAN_TRAIN_THREADS (default: all cores); runs niced, so other work on the machine wins.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="${1:-$root/data/recipes/srresnet-x4-real}"
mkdir -p "$work/run"
work="$(cd "$work" && pwd)"
corpus="$root/data/corpus"
[ -d "$corpus/train" ] || "$root/models/corpus/fetch-corpus.sh" "$corpus"
if [ ! -f "$work/run/checkpoint.srgan.zip" ] && [ -f "$here/resume/checkpoint.srgan.zip" ]; then
  cp "$here/resume/checkpoint.srgan.zip" "$work/run/checkpoint.srgan.zip"
  cp "$here/losses.csv" "$here/validation.csv" "$work/run/"
fi
threads="${SRGAN_TRAIN_THREADS:-$(nproc)}"
export SRGAN_TRAIN_JAVA_OPTS="-Dai.djl.pytorch.num_threads=$threads"
if [ -f "$work/run/checkpoint.srgan.zip" ]; then
  nice -n 15 "$root/srgan" train --config "$here/config.json" --images "$corpus/train" --validation "$corpus/validation" \
    --out "$work/run" --resume "$work/run/checkpoint.srgan.zip"
else
  nice -n 15 "$root/srgan" train --config "$here/config.json" --images "$corpus/train" --validation "$corpus/validation" \
    --out "$work/run" --init-generator "$root/models/srresnet-x4.srgan.zip"
fi
