#!/usr/bin/env bash
# The shipped SRResNet 4x fine-tuned for real photos: each training crop is blurred (sigma up to 3 HR
# pixels), shrunk, given Gaussian noise (up to 10 8-bit levels) and JPEG-compressed (quality 40-95)
# before the generator sees it; on this project's own loop on CPU, in stretches, each resuming from
# resume/ (the first from models/srresnet-x4.srgan.zip).
#   models/recipes/srresnet-x4-real/train.sh [WORK_DIR]   (default: data/recipes/srresnet-x4-real)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
exec "$root/models/recipes/train-in-stretches.sh" "$here" "${1:-$root/data/recipes/srresnet-x4-real}" \
  "$root/models/srresnet-x4.srgan.zip"
