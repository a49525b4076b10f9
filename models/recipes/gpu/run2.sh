#!/usr/bin/env bash
# Run 2 of the shipped models (see README.md): 2x continued from run 1's 2x, 4x continued from the
# CPU-trained 16-block model, both in float32 (TF32 convolutions), learning rate 1e-4 with warm-up
# and cosine, to a common deadline.
#
#   run2.sh PACK_DIR INIT_DIR OUT_DIR SECONDS
#
# INIT_DIR holds x2.bin (run 1's 2x) and x4.bin (`./srgan import-weights --export-from
# models/recipes/srresnet-x4-16b's model --out x4.bin`). On 2026-11-30: SECONDS = 150.
set -u
pack=$1
init=$2
out=$3
secs=$4
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONUNBUFFERED=1
deadline=$(python3 -c "import time; print(time.time() + $secs)")
c=(--train "$pack/train" --validation "$pack/validation" --seconds "$secs" --deadline "$deadline" --amp none
   --lr 1e-4 --warmup 100 --validate-every 30 --save-every 40)
python3 "$here/train_gpu.py" --scale 4 --batch 32 --lr-patch 32 --init "$init/x4.bin" --out "$out/x4" "${c[@]}" &
python3 "$here/train_gpu.py" --scale 2 --batch 32 --lr-patch 48 --init "$init/x2.bin" --out "$out/x2" "${c[@]}" &
failed=0
for job in $(jobs -p); do
    wait "$job" || failed=$((failed + 1))
done
exit "$failed"
