"""The compute half of `./srgan bench`, for a GPU machine where the Java build cannot run.

DJL 0.33's PyTorch JNI is built for libtorch 2.5.1, and the lent GPU machines hold PyTorch 2.11
(CUDA 13), no Java and no way to fetch libtorch 2.5.1 for CUDA (about 2 GB). So this script runs
the same network (the seed's generator and discriminator, networks/src/test/python holds the
same generator), the same measurements and the same FLOP counts (networks `Flops`, computed by the
Java code and passed in below) through PyTorch directly: float32 matmul ceiling, generator
inference 4x at 64/128/256/1024 px, a D+G step at batch 16 with 96x96 HR crops. Medians of timed
runs after warm-ups, with CUDA synchronisation. Rows in float32 (TF32 off, the definition of the
ceiling) and, as extra rows, with TF32 and bfloat16 autocast.

    python3 tools/gpu/bench_gpu.py OUT.json
"""
import json
import math
import statistics
import sys
import time

import torch
from torch import nn

# networks Flops (Java), 16 residual blocks, 4x
G_FLOP = {64: 1.8171297792e10, 128: 7.2685191168e10, 256: 2.90740764672e11, 1024: 4.651852234752e12}
STEP_FLOP = 4.12891250688e11  # Flops.ganStep(16, 96, 4, 16)


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.prelu = nn.PReLU(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        return x + self.bn2(self.conv2(self.prelu(self.bn1(self.conv1(x)))))


class Upsample(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.conv = nn.Conv2d(c, c * r * r, 3, padding=1)
        self.shuffle = nn.PixelShuffle(r)
        self.prelu = nn.PReLU(c)

    def forward(self, x):
        return self.prelu(self.shuffle(self.conv(x)))


class Generator(nn.Module):
    def __init__(self, scale=4, blocks=16):
        super().__init__()
        self.block_in = nn.Sequential(nn.Conv2d(3, 64, 9, padding=4), nn.PReLU(64))
        self.blocks = nn.Sequential(*[ResidualBlock(64) for _ in range(blocks)])
        self.block_out = nn.Sequential(nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64))
        up = [Upsample(64, 2) for _ in range(int(math.log2(scale)))]
        up.append(nn.Conv2d(64, 3, 9, padding=4))
        self.upsample = nn.Sequential(*up)

    def forward(self, x):
        x = self.block_in(x)
        return torch.tanh(self.upsample(self.block_out(self.blocks(x)) + x))


def discriminator():
    layers = [nn.Conv2d(3, 64, 3, padding=1), nn.LeakyReLU(0.2)]
    spec = [(64, 64, 2), (64, 128, 1), (128, 128, 2), (128, 256, 1), (256, 256, 2), (256, 512, 1), (512, 512, 2)]
    for cin, cout, stride in spec:
        layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Conv2d(512, 1024, 1), nn.LeakyReLU(0.2), nn.Conv2d(1024, 1, 1)]
    return nn.Sequential(*layers)


def median_ms(fn, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(out):
    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    report = {"engine": "PyTorch " + torch.__version__, "device": torch.cuda.get_device_name(0), "rows": []}

    def set_tf32(on):
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on

    set_tf32(False)
    n = 8192
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    ms = median_ms(lambda: a @ b, 10)
    ceiling = 2 * n ** 3 / 1e9 / (ms / 1000)
    report["ceilingGflops"] = ceiling
    report["ceilingNote"] = "%dx%d float32 matmul (TF32 off), median" % (n, n)
    set_tf32(True)
    report["tf32MatmulGflops"] = 2 * n ** 3 / 1e9 / (median_ms(lambda: a @ b, 10) / 1000)
    ab, bb = a.bfloat16(), b.bfloat16()
    report["bf16MatmulGflops"] = 2 * n ** 3 / 1e9 / (median_ms(lambda: ab @ bb, 10) / 1000)
    del a, b, ab, bb

    def row(name, ms, gflop, note):
        gflops = gflop / (ms / 1000)
        report["rows"].append({"name": name, "medianMs": ms, "gflop": gflop, "gflops": gflops, "ratio": gflops / ceiling,
                               "peakMemMb": torch.cuda.max_memory_allocated() / 2 ** 20, "note": note})
        print("%-52s %10.2f ms %9.1f GFLOP/s %6.1f%% of fp32 ceiling  %s" % (name, ms, gflops, 100 * gflops / ceiling, note), flush=True)

    g = Generator().to(dev).eval()
    for mode in ("fp32", "tf32", "bf16"):
        set_tf32(mode != "fp32")
        for s in (64, 128, 256, 1024):
            x = torch.rand(1, 3, s, s, device=dev)
            with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=mode == "bf16"):
                ms = median_ms(lambda: g(x), 20 if s < 1024 else 5)
            row("generator 4x %dx%d (%s)" % (s, s, mode), ms, G_FLOP[s] / 1e9, "whole image, eval, inference_mode")

    for mode in ("fp32", "tf32", "bf16"):
        set_tf32(mode != "fp32")
        gen, dis = Generator().to(dev).train(), discriminator().to(dev).train()
        opt_g = torch.optim.Adam(gen.parameters(), lr=1e-4, betas=(0.9, 0.999))
        opt_d = torch.optim.Adam(dis.parameters(), lr=1e-4, betas=(0.9, 0.999))
        bce = nn.BCEWithLogitsLoss()
        hr = torch.rand(16, 3, 96, 96, device=dev) * 2 - 1
        lr = torch.rand(16, 3, 24, 24, device=dev)

        def step():
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=mode == "bf16"):
                with torch.no_grad():
                    fake = gen(lr)
                d_real, d_fake = dis(hr).flatten(), dis(fake).flatten()
                d_loss = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=mode == "bf16"):
                sr = gen(lr)
                out = dis(sr).flatten()
                g_loss = nn.functional.mse_loss(sr.float(), hr) + 1e-3 * bce(out, torch.ones_like(out))
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()

        ms = median_ms(step, 20)
        row("training D+G step, batch 16, 96x96 HR (%s)" % mode, ms, STEP_FLOP / 1e9, "%.0f samples/s" % (16000 / ms))
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
    print("ceiling %.0f GFLOP/s fp32, %.0f TF32, %.0f bf16 on %s" % (ceiling, report["tf32MatmulGflops"], report["bf16MatmulGflops"], report["device"]))


if __name__ == "__main__":
    main(sys.argv[1])
