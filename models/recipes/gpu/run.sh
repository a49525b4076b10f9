#!/usr/bin/env bash
# Trains the shipped generators at once on one GPU, each in its own process, until a common
# deadline: SRResNet 2x, 4x and 8x (16 residual blocks each), and SRGAN-MSE 4x, fine-tuned from
# the 4x run's EMA generator once that run is 45% through its budget.
#
#   run.sh PACK_DIR OUT_DIR SECONDS [extra train_gpu.py arguments for every run]
#
# PACK_DIR is made by pack_corpus.py. OUT_DIR receives x2.bin, x4.bin, x8.bin, x4-srgan-mse.bin
# (NTv1 generator weights for `./srgan import-weights`) and a CSV curve for each.
set -u
pack=$1
out=$2
secs=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
python3 -c "import torch, platform; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'python', platform.python_version())"
deadline=$(python3 -c "import time; print(time.time() + $secs)")
handoff=$(mktemp -u /tmp/x4-handoff.XXXXXX.bin)
common=(--train "$pack/train" --validation "$pack/validation" --seconds "$secs" --deadline "$deadline")
python3 "$here/train_gpu.py" --scale 4 --batch 32 --lr-patch 32 --handoff "$handoff" --out "$out/x4" "${common[@]}" "$@" &
python3 "$here/train_gpu.py" --scale 2 --batch 32 --lr-patch 48 --out "$out/x2" "${common[@]}" "$@" &
python3 "$here/train_gpu.py" --scale 8 --batch 32 --lr-patch 24 --out "$out/x8" "${common[@]}" "$@" &
python3 "$here/train_gpu.py" --scale 4 --mode srgan-mse --batch 16 --lr-patch 32 --lr 1e-4 \
    --init "$handoff" --wait-init "$secs" --out "$out/x4-srgan-mse" "${common[@]}" "$@" &
failed=0
for job in $(jobs -p); do
    wait "$job" || failed=$((failed + 1))
done
echo "runs failed: $failed"
exit "$failed"
