#!/usr/bin/env bash
# SRGAN-MSE fine-tuned from the shipped SRResNet 4x on this project's own loop, on CPU, in stretches
# (each resuming from resume/): the seed's D/G loop (D first, then G on pixel MSE + 1e-3 adversarial),
# so that the GAN model and the default are one lineage and blend (./srgan blend, an upscale's
# blendModelId), as ESRGAN trades PSNR for texture.
#   models/recipes/srgan-x4-cpu/train.sh [WORK_DIR]   (default: data/recipes/srgan-x4-cpu)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
exec "$root/models/recipes/train-in-stretches.sh" "$here" "${1:-$root/data/recipes/srgan-x4-cpu}" \
  "$root/models/srresnet-x4.srgan.zip"
