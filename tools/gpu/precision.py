"""Generator inference on a GPU in float32, TF32, float16 and bfloat16: speed against the GPU's own
measured matrix-product ceiling in the same run, and what each precision does to PSNR(Y) on the
evaluation photos (issue 18, "where a GPU is at hand, measure float16/bfloat16 inference there").

    python3 precision.py --weights DIR --eval DIR --out precision.json

DIR holds x2.bin, x4.bin, x8.bin (NTv1 generator weights, `./srgan import-weights --export-from
models/srresnet-xN.srgan.zip --out xN.bin`). Degradation, rounding and PSNR(Y) are train_gpu.py's,
which reproduce the Java evaluator's (Bicubic.downscale, RgbImage.quantized, Metrics.psnrY with a
border of the scale), so the float32 column can be checked against models/shipped.json.
"""

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "recipes" / "gpu"))
from train_gpu import Generator, Shrink, load_rgb, psnr_y, quantize, read_named  # noqa: E402

PRECISIONS = {
    # name: (dtype of weights and activations, cuDNN TF32 allowed)
    "float32": (torch.float32, False),
    "tf32": (torch.float32, True),
    "float16": (torch.float16, False),
    "bfloat16": (torch.bfloat16, False),
}


def set_tf32(on):
    torch.backends.cudnn.allow_tf32 = on
    torch.backends.cuda.matmul.allow_tf32 = on


def timed(fn, reps):
    """Median seconds of reps calls, after warm-up; each call synchronised."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ceiling(dtype, tf32, n=8192):
    """The best dense matrix product of this precision on this GPU (FLOP/s), measured now."""
    set_tf32(tf32)
    a = torch.randn(n, n, device="cuda", dtype=dtype)
    b = torch.randn(n, n, device="cuda", dtype=dtype)
    secs = timed(lambda: torch.matmul(a, b), 10)
    return 2.0 * n ** 3 / secs


def generator_flops(model, h, w):
    """Multiply-adds x 2 of every convolution for one LR image of h x w."""
    total = 0
    hooks = []

    def hook(mod, inp, out):
        nonlocal total
        k = mod.kernel_size[0] * mod.kernel_size[1]
        total += 2 * mod.in_channels * mod.out_channels * k * out.shape[-2] * out.shape[-1]

    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(hook))
    with torch.no_grad():
        model(torch.zeros(1, 3, h, w, device="cuda"))
    for hk in hooks:
        hk.remove()
    return total


def load(scale, weights):
    g = Generator(scale, 16)
    state = read_named(weights / ("x%d.bin" % scale))
    # DJL's names, in the order of the seed's state_dict (TorchWeights.write): match by order
    own = {k: v for k, v in g.state_dict().items() if v.is_floating_point()}
    if len(own) != len(state):
        raise SystemExit("x%d.bin has %d tensors, the generator %d" % (scale, len(state), len(own)))
    loaded = {}
    for (k, v), (name, t) in zip(own.items(), state.items()):
        if tuple(v.shape) != tuple(t.shape):
            raise SystemExit("%s is %s, the generator's %s is %s" % (name, tuple(t.shape), k, tuple(v.shape)))
        loaded[k] = t
    g.load_state_dict(loaded, strict=False)
    return g.cuda().eval()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weights", type=Path, required=True)
    p.add_argument("--eval", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--reps", type=int, default=20)
    a = p.parse_args()
    torch.backends.cudnn.benchmark = True
    info = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda}
    print(info, flush=True)
    ceilings = {name: ceiling(dt, tf) for name, (dt, tf) in PRECISIONS.items()}
    for name, c in ceilings.items():
        print("ceiling %-8s %8.1f TFLOP/s" % (name, c / 1e12), flush=True)

    photos = sorted(p for p in a.eval.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    shrink = Shrink("cuda")
    rows, quality = [], []
    for scale in (2, 4, 8):
        base = load(scale, a.weights)
        # quality: every photo in every precision, against the float32 output too
        ref = {}
        for name, (dtype, tf32) in PRECISIONS.items():
            set_tf32(tf32)
            model = Generator(scale, 16).cuda().eval()
            model.load_state_dict(base.state_dict())
            model = model.to(dtype=dtype, memory_format=torch.channels_last)
            psnrs, worst, differ, total = [], 0, 0, 0
            with torch.no_grad():
                for path in photos:
                    img = torch.from_numpy(load_rgb(path)).permute(2, 0, 1).float().div(255.0).cuda()
                    h, w = img.shape[1] - img.shape[1] % scale, img.shape[2] - img.shape[2] % scale
                    hr = img[:, :h, :w]
                    set_tf32(False)
                    lr = shrink(hr.unsqueeze(0), scale)
                    set_tf32(tf32)
                    y = model(lr.to(dtype).contiguous(memory_format=torch.channels_last))
                    sr = quantize((y.float() + 1) / 2)[0]
                    psnrs.append(psnr_y(sr, hr, scale))
                    levels = torch.round(sr * 255)
                    if name == "float32":
                        ref[path.name] = levels
                    else:
                        d = (levels - ref[path.name]).abs()
                        worst = max(worst, int(d.max().item()))
                        differ += int((d > 0).sum().item())
                    total += levels.numel()
            q = {"scale": scale, "precision": name, "psnr": statistics.mean(psnrs),
                 "perImage": {ph.name: v for ph, v in zip(photos, psnrs)},
                 "maxLevelsFromFloat32": worst, "fractionDiffering": differ / total}
            quality.append(q)
            print("x%d %-8s PSNR(Y) %.4f dB, max |diff| %d levels, %.4f%% of values differ" % (
                scale, name, q["psnr"], worst, 100.0 * differ / total), flush=True)

            # speed: LR sizes as the CPU bench's rows (128, 256) and a large one, batch 1 and 8
            for side, batch in ((128, 1), (256, 1), (512, 1), (128, 8)):
                if scale == 8 and side == 512:
                    continue
                x = torch.rand(batch, 3, side, side, device="cuda").to(dtype).contiguous(
                    memory_format=torch.channels_last)
                with torch.no_grad():
                    secs = timed(lambda: model(x), a.reps)
                flops = generator_flops(base, side, side) * batch
                r = {"scale": scale, "precision": name, "side": side, "batch": batch,
                     "millis": secs * 1e3, "tflops": flops / secs / 1e12,
                     "ratioToOwnCeiling": flops / secs / ceilings[name],
                     "ratioToFloat32Ceiling": flops / secs / ceilings["float32"],
                     "megapixelsOutPerSecond": batch * (side * scale) ** 2 / secs / 1e6}
                rows.append(r)
                print("x%d %-8s %3d px x%d: %8.2f ms  %6.1f TFLOP/s  %.2f of its ceiling  %.1f MP/s" % (
                    scale, name, side, batch, r["millis"], r["tflops"], r["ratioToOwnCeiling"],
                    r["megapixelsOutPerSecond"]), flush=True)
            del model
            torch.cuda.empty_cache()
    a.out.write_text(json.dumps({"machine": info, "ceilingsTflops": {k: v / 1e12 for k, v in ceilings.items()},
                                 "speed": rows, "quality": quality}, indent=1))


if __name__ == "__main__":
    main()
