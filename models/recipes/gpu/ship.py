#!/usr/bin/env python3
"""Puts the models of the GPU recipe into the repository: copies each RUN/NAME.srgan.zip to
models/FILE and writes models/shipped.json (what the api registers at first start) with the numbers
of RUN/NAME-eval.json (`./srgan eval --json` on the evaluation photos) and the facts of the
training in models/recipes/gpu/models.json.
A model whose files are absent here (made in another session) keeps its entry in shipped.json.
An entry's "moreEvals" (reports committed in the repository, such as a measurement on degraded
inputs) become its "moreEvaluations", which the api registers beside its evaluation.
usage: ship.py   (reads models/recipes/gpu/models.json; paths there are relative to the repository)"""
import hashlib
import json
import shutil
from pathlib import Path

here = Path(__file__).resolve().parent
root = here.parents[2]
models = root / "models"
shipped = {e["file"]: e for e in json.loads((models / "shipped.json").read_text())["models"]}
entries = []


def evaluation_of(report):
    """What shipped.json keeps of an `./srgan eval --json` report."""
    evaluation = {
        "images": report["images"],
        "psnr": report["psnr"], "ssim": report["ssim"],
        "bicubicPsnr": report["bicubicPsnr"], "bicubicSsim": report["bicubicSsim"],
        "msPerImage": report["msPerImage"],
    }
    for key in ("niqe", "bicubicNiqe", "hrNiqe", "degradation"):
        if report.get(key) is not None:
            evaluation[key] = report[key]
    return evaluation


for m in json.loads((here / "models.json").read_text())["models"]:
    more = [evaluation_of(json.loads((root / path).read_text())) for path in m.get("moreEvals", [])]
    if not (root / m["model"]).exists() and m["file"] in shipped:
        # made in another session (its run's files are gone): it ships as it did
        entry = dict(shipped[m["file"]])
        entry.pop("moreEvaluations", None)
        if more:
            entry["moreEvaluations"] = more
        entries.append(entry)
        print("kept    %-24s as shipped, %d more evaluations" % (m["file"], len(more)))
        continue
    report = json.loads((root / m["eval"]).read_text())
    shutil.copyfile(root / m["model"], models / m["file"])
    evaluation = evaluation_of(report)
    comparison = None
    if m.get("comparison"):
        (models / "comparison").mkdir(exist_ok=True)
        crop = "comparison/" + m["file"].replace(".srgan.zip", ".png")
        shutil.copyfile(root / m["comparison"]["png"], models / crop)
        comparison = {"file": crop, "photo": "matplotlib-grace_hopper.jpg", "psnr": m["comparison"]["psnr"]}
    entries.append({
        "file": m["file"],
        # the api knows a shipped model by file and hash without reading it at every start
        "sha256": hashlib.sha256((models / m["file"]).read_bytes()).hexdigest(),
        "name": m["name"],
        "scale": m["scale"],
        "residualBlocks": m["residualBlocks"],
        "default": m["default"],
        "description": m["description"],
        "trainedOn": m["trainedOn"],
        "evaluation": evaluation,
        **({"moreEvaluations": more} if more else {}),
        "comparison": comparison,
    })
    print("shipped %-24s %dx %+.2f dB PSNR(Y), NIQE %.2f (bicubic %.2f) on %d photos" % (
        m["file"], m["scale"], report["psnr"] - report["bicubicPsnr"], report.get("niqe") or float("nan"),
        report.get("bicubicNiqe") or float("nan"), len(report["images"])))
(models / "shipped.json").write_text(json.dumps({"models": entries}, indent=2) + "\n")
