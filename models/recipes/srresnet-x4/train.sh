#!/usr/bin/env bash
# Reproduces models/srresnet-x4.srgan.zip: fetches the photos from Debian packages, trains the
# generator with the project's own training loop (the code a TRAINING job runs) on CPU, exports
# it, and evaluates it on the evaluation photos it never saw.
#   models/recipes/srresnet-x4/train.sh [WORK_DIR]     (default: data/recipes/srresnet-x4)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="${1:-$root/data/recipes/srresnet-x4}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
[ -d "$work/photos/eval" ] || "$here/fetch-photos.sh" "$work/photos"
"$root/srgan" train --config "$here/config.json" --images "$work/photos/train" \
  --validation "$work/photos/validation" --out "$work/run"
"$root/srgan" eval --model "$work/run/model.srgan.zip" --images "$work/photos/eval" --scale 4 --json "$work/run/eval.json"
python3 "$here/ship.py" "$work/run"
