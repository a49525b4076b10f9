#!/usr/bin/env python3
"""Puts a trained model into the repository: copies RUN/model.srgan.zip to models/srresnet-x4.srgan.zip
and writes models/shipped.json (what the api registers at first start) with the numbers of
RUN/eval.json, written by `./srgan eval --json` on the evaluation photos.
usage: ship.py RUN_DIR"""
import json
import shutil
import sys
from pathlib import Path

run = Path(sys.argv[1])
models = Path(__file__).resolve().parents[2]
report = json.loads((run / "eval.json").read_text())
config = json.loads((Path(__file__).parent / "config.json").read_text())
shutil.copyfile(run / "model.srgan.zip", models / "srresnet-x4.srgan.zip")
entry = {
    "file": "srresnet-x4.srgan.zip",
    "name": "SRResNet 4x (shipped)",
    "scale": config["scale"],
    "residualBlocks": config["residualBlocks"],
    "description": "The seed's generator with %d residual blocks, trained with pixel MSE (the PSNR-oriented "
                   "SRResNet phase) for %d steps on CPU by models/recipes/srresnet-x4."
                   % (config["residualBlocks"], config["pretrainSteps"] + config["ganSteps"]),
    "evaluation": {
        "images": report["images"],
        "psnr": report["psnr"], "ssim": report["ssim"],
        "bicubicPsnr": report["bicubicPsnr"], "bicubicSsim": report["bicubicSsim"],
        "msPerImage": report["msPerImage"],
    },
}
# NIQE means (lower is more natural), when ./srgan eval measured them (null if no photo was large enough)
for key in ("niqe", "bicubicNiqe", "hrNiqe"):
    if report.get(key) is not None:
        entry["evaluation"][key] = report[key]
(models / "shipped.json").write_text(json.dumps({"models": [entry]}, indent=2) + "\n")
print("shipped: %s (%+.2f dB PSNR over bicubic on %d photos)" % (entry["file"], report["psnr"] - report["bicubicPsnr"], len(report["images"])))
