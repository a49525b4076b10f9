#!/usr/bin/env bash
# The seed's generator exactly (16 residual blocks) at 4x, PSNR-oriented (the SRResNet phase),
# trained on this project's own loop on CPU, in stretches: each run resumes from the checkpoint
# committed in resume/ (or starts, grown from the shipped 8-block model, when there is none).
#   models/recipes/srresnet-x4-16b/train.sh [WORK_DIR]   (default: data/recipes/srresnet-x4-16b)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="${1:-$root/data/recipes/srresnet-x4-16b}"
mkdir -p "$work"
# grown from the 8-block model this recipe replaces (git show 8702d70:models/srresnet-x4.srgan.zip)
[ -f "$work/srresnet-x4-8b.srgan.zip" ] \
  || git -C "$root" show 8702d70:models/srresnet-x4.srgan.zip > "$work/srresnet-x4-8b.srgan.zip"
exec "$root/models/recipes/train-in-stretches.sh" "$here" "$work" "$work/srresnet-x4-8b.srgan.zip"
