#!/usr/bin/env bash
# The CPU recipes that train in stretches of a session each: the run resumes from the checkpoint
# committed in RECIPE/resume/ (with its losses.csv and validation.csv), or starts from INIT_MODEL
# (a generator the run grows from or fine-tunes) when there is none, on the corpus's 150 training
# photos, validated on its 7 validation photos.
#   models/recipes/train-in-stretches.sh RECIPE_DIR WORK_DIR INIT_MODEL
# Photos: models/corpus/fetch-corpus.sh. Threads: SRGAN_TRAIN_THREADS (default: all cores); runs
# niced, so other work on the machine wins.
set -euo pipefail
recipe="$(cd "$1" && pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$2/run"
work="$(cd "$2" && pwd)"
init="$3"
corpus="$root/data/corpus"
[ -d "$corpus/train" ] || "$root/models/corpus/fetch-corpus.sh" "$corpus"
if [ ! -f "$work/run/checkpoint.srgan.zip" ] && [ -f "$recipe/resume/checkpoint.srgan.zip" ]; then
  cp "$recipe/resume/checkpoint.srgan.zip" "$work/run/checkpoint.srgan.zip"
  cp "$recipe/losses.csv" "$recipe/validation.csv" "$work/run/"
fi
threads="${SRGAN_TRAIN_THREADS:-$(nproc)}"
export SRGAN_TRAIN_JAVA_OPTS="-Dai.djl.pytorch.num_threads=$threads"
if [ -f "$work/run/checkpoint.srgan.zip" ]; then
  start=(--resume "$work/run/checkpoint.srgan.zip")
else
  start=(--init-generator "$init")
fi
nice -n 15 "$root/srgan" train --config "$recipe/config.json" --images "$corpus/train" --validation "$corpus/validation" \
  --out "$work/run" "${start[@]}"
