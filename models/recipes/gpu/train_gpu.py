#!/usr/bin/env python3
"""Trains one of the shipped generators on a GPU with PyTorch, for a fixed wall-clock budget.

The cluster trains with DJL (`./srgan train`, TrainingRun), but our CPU machines have 2 cores;
a lent GPU machine holds PyTorch and no Java. This script is the same recipe in PyTorch:

- the seed's networks, laid out as in networks/src/test/python/make_torchscript_fixtures.py, so
  the state_dict maps one to one onto the DJL Generator (the path SeedEquivalenceTest checks);
- the same degradation as the Java trainer (TrainingData): a random HR crop, flipped, shrunk by
  MATLAB-style anti-aliased bicubic (Keys a = -0.5, mirrored edges: Bicubic.java, built here as
  the same per-pixel weights in a matrix) and rounded to 8 bits; LR in [0, 1], HR in [-1, 1];
- PSNR phase ("srresnet"): L1 on [0, 1] (a documented deviation from the seed's MSE: it
  converges faster to a higher PSNR, as in EDSR), Adam(0.9, 0.999), learning rate warmed up
  linearly then cosine-decayed over the time budget;
- GAN phase ("srgan-mse"): the seed's D/G loop as TrainingRun runs it: D first on BCE(D(HR), 1)
  + BCE(D(G(LR)) detached, 0), then G on pixel MSE (on [0, 1]) + 1e-3 * BCE(D(G(LR)), 1).
  Without VGG19 weights the content loss is pixel MSE: the paper's SRGAN-MSE;
- an EMA copy of G (decay 0.999, over every parameter and BatchNorm statistic, as TrainingRun)
  is what is validated and written out.

Mixed precision: the convolutions run in bfloat16 autocast; the weights, the optimizer, the
degradation (TF32 off) and validation stay float32.

Output: OUT.bin, the EMA generator's state_dict as named tensors (the NTv1 file the Java
importer `./srgan import-weights` reads); OUT.csv, one row per 100 steps (losses, learning rate)
and per validation (PSNR(Y) of the EMA generator on the validation photos, border = scale).

    python3 train_gpu.py --scale 4 --seconds 420 --train DIR --validation DIR --out x4
    python3 train_gpu.py --scale 4 --mode srgan-mse --init x4-handoff.bin ... --out x4-srgan-mse
"""
import argparse
import copy
import csv
import math
import os
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn


# ---------------------------------------------------------------- the seed's networks
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.prelu = nn.PReLU(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return x + self.bn2(self.conv2(self.prelu(self.bn1(self.conv1(x)))))


class UpsampleBLock(nn.Module):
    def __init__(self, in_channels, up_scale):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, in_channels * up_scale ** 2, kernel_size=3, padding=1)
        self.pixel_shuffle = nn.PixelShuffle(up_scale)
        self.prelu = nn.PReLU(in_channels)

    def forward(self, x):
        return self.prelu(self.pixel_shuffle(self.conv(x)))


class Generator(nn.Module):
    def __init__(self, scale_factor, num_residual=16):
        super().__init__()
        self.block_in = nn.Sequential(nn.Conv2d(3, 64, kernel_size=9, padding=4), nn.PReLU(64))
        self.blocks = nn.Sequential(*[ResidualBlock(64) for _ in range(num_residual)])
        self.block_out = nn.Sequential(nn.Conv2d(64, 64, kernel_size=3, padding=1), nn.BatchNorm2d(64))
        upsample = [UpsampleBLock(64, 2) for _ in range(int(round(math.log2(scale_factor))))]
        upsample.append(nn.Conv2d(64, 3, kernel_size=9, padding=4))
        self.upsample = nn.Sequential(*upsample)

    def forward(self, x):
        x = self.block_in(x)
        return torch.tanh(self.upsample(self.block_out(self.blocks(x)) + x))


class Discriminator(nn.Module):
    """The seed's discriminator; returns logits (N) as the Java Discriminator does."""

    def __init__(self):
        super().__init__()
        layers = [nn.Conv2d(3, 64, 3, padding=1), nn.LeakyReLU(0.2)]
        cin = 64
        for cout, stride in ((64, 2), (128, 1), (128, 2), (256, 1), (256, 2), (512, 1), (512, 2)):
            layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]
            cin = cout
        layers += [nn.AdaptiveAvgPool2d(1), nn.Conv2d(512, 1024, 1), nn.LeakyReLU(0.2), nn.Conv2d(1024, 1, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x).reshape(x.shape[0])


# ---------------------------------------------------------------- named tensors (NTv1)
def write_named(path, state):
    tmp = str(path) + ".tmp"
    with open(tmp, "wb") as f:
        entries = [(k, v) for k, v in state.items() if v.is_floating_point()]
        f.write(b"NTv1")
        f.write(struct.pack(">i", len(entries)))
        for name, t in entries:
            t = t.detach().to("cpu", torch.float32).contiguous()
            raw = name.encode("utf-8")
            f.write(struct.pack(">H", len(raw)))
            f.write(raw)
            f.write(struct.pack(">i", t.dim()))
            for d in t.shape:
                f.write(struct.pack(">q", d))
            f.write(t.numpy().astype(">f4").tobytes())
    os.replace(tmp, path)


def read_named(path):
    out = {}
    with open(path, "rb") as f:
        if f.read(4) != b"NTv1":
            raise ValueError("%s is not a named-tensor file" % path)
        (count,) = struct.unpack(">i", f.read(4))
        for _ in range(count):
            (n,) = struct.unpack(">H", f.read(2))
            name = f.read(n).decode("utf-8")
            (ndim,) = struct.unpack(">i", f.read(4))
            shape = struct.unpack(">" + "q" * ndim, f.read(8 * ndim))
            size = int(np.prod(shape)) if ndim else 1
            data = np.frombuffer(f.read(4 * size), dtype=">f4").astype(np.float32)
            out[name] = torch.from_numpy(data.reshape(shape))
    return out


# ---------------------------------------------------------------- Bicubic.java as matrices
def cubic(x):
    ax = np.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    return np.where(ax <= 1, 1.5 * ax3 - 2.5 * ax2 + 1, np.where(ax <= 2, -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2, 0.0))


def mirror(i, n):
    period = 2 * n
    m = i % period
    return m if m < n else period - 1 - m


def resize_matrix(n_in, n_out):
    """(n_out, n_in): row i holds Bicubic.contributions' weights of output i (float32, as Java)."""
    scale = n_out / n_in
    kernel_scale = min(scale, 1.0)
    support = 2 / kernel_scale
    m = np.zeros((n_out, n_in), dtype=np.float32)
    for i in range(n_out):
        center = (i + 0.5) / scale - 0.5
        left = math.floor(center - support)
        right = math.ceil(center + support)
        taps = np.arange(left, right + 1)
        w = kernel_scale * cubic((center - taps) * kernel_scale)
        w = (w / w.sum()).astype(np.float32)
        for k, wk in zip(taps, w):
            m[i, mirror(int(k), n_in)] += wk
    return m


def quantize(x):
    """RgbImage.quantized: Math.round(v * 255) clamped to [0, 255], over 255."""
    return torch.clamp(torch.floor(x * 255.0 + 0.5), 0, 255) / 255.0


class Shrink:
    """Bicubic.downscale for (N, 3, H, W) batches in [0, 1]; height first, as MATLAB and Java."""

    def __init__(self, device):
        self.device = device
        self.cache = {}

    def matrix(self, n_in, n_out):
        key = (n_in, n_out)
        if key not in self.cache:
            self.cache[key] = torch.from_numpy(resize_matrix(n_in, n_out)).to(self.device)
        return self.cache[key]

    def __call__(self, hr, factor):
        h, w = hr.shape[-2], hr.shape[-1]
        mh = self.matrix(h, h // factor)
        mw = self.matrix(w, w // factor)
        return quantize(torch.matmul(torch.matmul(mh, hr), mw.t()))


# ---------------------------------------------------------------- data
def load_rgb(path):
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


class Crops:
    """All training photos in one flat uint8 tensor on the device; random crops with flips and
    transposes (the 8 symmetries of the square) gathered in one indexing kernel."""

    def __init__(self, images, device):
        self.device = device
        self.h = torch.tensor([im.shape[0] for im in images], dtype=torch.int64)
        self.w = torch.tensor([im.shape[1] for im in images], dtype=torch.int64)
        sizes = (self.h * self.w * 3).tolist()
        self.base = torch.tensor([0] + list(np.cumsum(sizes)[:-1]), dtype=torch.int64)
        self.flat = torch.from_numpy(np.concatenate([im.reshape(-1) for im in images])).to(device)

    def sample(self, gen, batch, size):
        n = len(self.h)
        idx = torch.randint(0, n, (batch,), generator=gen)
        h, w, base = self.h[idx], self.w[idx], self.base[idx]
        y0 = (torch.rand(batch, generator=gen, dtype=torch.float64) * (h - size + 1).double()).long()
        x0 = (torch.rand(batch, generator=gen, dtype=torch.float64) * (w - size + 1).double()).long()
        flips = torch.randint(0, 2, (batch, 3), generator=gen).bool()
        d = self.device
        r = torch.arange(size, device=d)
        yy = r.view(1, size, 1).expand(batch, size, size)
        xx = r.view(1, 1, size).expand(batch, size, size)
        fy, fx, tr = (flips[:, k].to(d).view(batch, 1, 1) for k in range(3))
        yy, xx = torch.where(tr, xx, yy), torch.where(tr, yy, xx)
        yy = torch.where(fy, size - 1 - yy, yy)
        xx = torch.where(fx, size - 1 - xx, xx)
        pix = base.to(d).view(batch, 1, 1) + ((y0.to(d).view(batch, 1, 1) + yy) * w.to(d).view(batch, 1, 1)
                                              + x0.to(d).view(batch, 1, 1) + xx) * 3
        pix = pix.unsqueeze(-1) + torch.arange(3, device=d)
        crops = self.flat[pix]  # (B, S, S, 3) uint8
        return crops.permute(0, 3, 1, 2).float().div_(255.0).contiguous()


# ---------------------------------------------------------------- validation
def psnr_y(a, b, border):
    """Metrics.psnrY on 8-bit RGB tensors (3, H, W) in [0, 1] (already quantized)."""
    def luma(x):
        x = x * 255.0
        return 16 + (65.481 * x[0] + 128.553 * x[1] + 24.966 * x[2]) / 255.0
    ya = luma(a.double())[border:-border, border:-border]
    yb = luma(b.double())[border:-border, border:-border]
    mse = ((ya - yb) ** 2).mean().item()
    return 10 * math.log10(255.0 ** 2 / mse)


def validate(model, photos, shrink, scale, device):
    model.eval()
    total = 0.0
    tf32 = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    with torch.no_grad():
        for hr in photos:
            lr = shrink(hr.unsqueeze(0), scale)
            y = model(lr.contiguous(memory_format=torch.channels_last))
            sr = quantize((y.float() + 1) / 2)[0]
            total += psnr_y(sr, hr, scale)
    torch.backends.cudnn.allow_tf32 = tf32
    return total / len(photos)


# ---------------------------------------------------------------- training
class Ema:
    def __init__(self, model, decay):
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        self.pairs = [(e, m) for e, m in zip(self.model.state_dict().values(), model.state_dict().values())
                      if e.is_floating_point()]

    @torch.no_grad()
    def update(self):
        ema = [e for e, _ in self.pairs]
        cur = [m for _, m in self.pairs]
        torch._foreach_mul_(ema, self.decay)
        torch._foreach_add_(ema, cur, alpha=1 - self.decay)


def bce(logits, label):
    return F.binary_cross_entropy_with_logits(logits.float(), torch.full_like(logits.float(), label))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=int, required=True)
    p.add_argument("--blocks", type=int, default=16)
    p.add_argument("--mode", choices=("srresnet", "srgan-mse"), default="srresnet")
    p.add_argument("--seconds", type=float, required=True, help="training budget, wall clock")
    p.add_argument("--deadline", type=float, default=0, help="epoch time by which to stop, whatever the budget")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr-patch", type=int, default=32, help="LR crop side; HR crops are scale times larger")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--lr-min", type=float, default=1e-6)
    p.add_argument("--warmup", type=int, default=500, help="steps of linear learning-rate warm-up")
    p.add_argument("--adversarial-weight", type=float, default=1e-3)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--train", required=True)
    p.add_argument("--validation", required=True)
    p.add_argument("--init", help="NTv1 generator weights to start from (srgan-mse)")
    p.add_argument("--wait-init", type=float, default=0, help="seconds to wait for --init to appear")
    p.add_argument("--handoff", help="write the EMA generator here once, at --handoff-at of the budget")
    p.add_argument("--handoff-at", type=float, default=0.45)
    p.add_argument("--validate-every", type=float, default=30, help="seconds")
    p.add_argument("--save-every", type=float, default=60, help="seconds")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--amp", choices=("bf16", "none"), default="bf16")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--out", required=True, help="output prefix: OUT.bin, OUT.csv")
    a = p.parse_args()

    t_start = time.time()
    device = torch.device(a.device)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    torch.backends.cuda.matmul.allow_tf32 = False  # the degradation must round as Java does
    torch.backends.cudnn.benchmark = True
    tag = "x%d-%s" % (a.scale, a.mode)

    files = sorted(f for f in Path(a.train).iterdir() if f.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"))
    hr_side = a.lr_patch * a.scale
    images = [im for im in (load_rgb(f) for f in files) if min(im.shape[:2]) >= hr_side]
    crops = Crops(images, device)
    photos = []
    for f in sorted(Path(a.validation).iterdir()):
        im = load_rgb(f)
        h, w = im.shape[0] - im.shape[0] % a.scale, im.shape[1] - im.shape[1] % a.scale
        photos.append(torch.from_numpy(np.array(im[:h, :w])).permute(2, 0, 1).float().div(255).to(device))
    shrink = Shrink(device)
    print("%s: %d training photos (%.1f MP), %d validation photos, loaded in %.1f s on %s (%s)" % (
        tag, len(images), crops.flat.numel() / 3e6, len(photos), time.time() - t_start, device,
        torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"), flush=True)

    g = Generator(a.scale, a.blocks).to(device)
    if a.init:
        waited = 0.0
        while not os.path.exists(a.init) and waited < a.wait_init:
            time.sleep(2)
            waited += 2
        state = read_named(a.init)
        own = g.state_dict()
        floats = [k for k, v in own.items() if v.is_floating_point()]
        if not all(k in state for k in floats):
            # written by the Java side (DJL parameter names): the order is the state_dict's
            if len(state) != len(floats):
                raise SystemExit("%s has %d tensors, the generator %d" % (a.init, len(state), len(floats)))
            state = dict(zip(floats, state.values()))
        for k in floats:
            if tuple(state[k].shape) != tuple(own[k].shape):
                raise SystemExit("%s: %s is %s, expected %s" % (a.init, k, tuple(state[k].shape), tuple(own[k].shape)))
        g.load_state_dict({k: (state[k] if k in state else v) for k, v in own.items()})
        print("%s: starts from %s (waited %.0f s)" % (tag, a.init, waited), flush=True)
    g = g.to(memory_format=torch.channels_last)
    ema = Ema(g, a.ema)
    opt_g = torch.optim.Adam(g.parameters(), lr=a.lr, betas=(0.9, 0.999))
    d = opt_d = None
    if a.mode == "srgan-mse":
        d = Discriminator().to(device).to(memory_format=torch.channels_last)
        opt_d = torch.optim.Adam(d.parameters(), lr=a.lr, betas=(0.9, 0.999))
    amp = (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if a.amp == "bf16" else (
        lambda: torch.autocast(device.type, enabled=False))

    out_csv = open(a.out + ".csv", "w", newline="")
    log = csv.writer(out_csv)
    log.writerow(["step", "seconds", "phase", "lr", "loss", "content", "adversarial", "d_loss", "d_real", "d_fake",
                  "validation_psnr_y"])
    psnr0 = validate(ema.model, photos, shrink, a.scale, device)
    log.writerow([0, 0, a.mode, "", "", "", "", "", "", "", "%.4f" % psnr0])
    t0 = time.time()
    budget = min(a.seconds, a.deadline - t0) if a.deadline else a.seconds
    print("%s: validation PSNR(Y) at the start %.3f dB; budget %.0f s" % (tag, psnr0, budget), flush=True)
    step = 0
    last_val = last_save = time.time()
    handed_off = a.handoff is None
    while budget > 0:
        frac = (time.time() - t0) / budget
        if frac >= 1:
            break
        step += 1
        if a.mode == "srresnet":
            lr = a.lr_min + (a.lr - a.lr_min) * 0.5 * (1 + math.cos(math.pi * frac))
            lr *= min(1.0, step / a.warmup)
        else:
            lr = a.lr if frac < 0.8 else a.lr / 10  # the paper's 1e-4 then 1e-5
        for opt in (opt_g, opt_d):
            if opt is not None:
                for group in opt.param_groups:
                    group["lr"] = lr
        hr01 = crops.sample(gen, a.batch, hr_side)
        lr_img = shrink(hr01, a.scale).contiguous(memory_format=torch.channels_last)
        hr = (hr01 * 2 - 1).contiguous(memory_format=torch.channels_last)
        g.train()
        with amp():
            fake = g(lr_img)
        if a.mode == "srresnet":
            loss = (fake.float() - hr).abs().mean() / 2
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
            opt_g.step()
            parts = (loss.detach(), loss.detach(), None, None, None, None)
        else:
            d.train()
            with amp():
                real_logits = d(hr)
                fake_logits = d(fake.detach())
            d_loss = bce(real_logits, 1.0) + bce(fake_logits, 0.0)
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            for q in d.parameters():
                q.requires_grad_(False)
            with amp():
                adv_logits = d(fake)
            content = ((fake.float() - hr) ** 2).mean() / 4
            adversarial = bce(adv_logits, 1.0)
            loss = content + a.adversarial_weight * adversarial
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
            opt_g.step()
            for q in d.parameters():
                q.requires_grad_(True)
            parts = (loss.detach(), content.detach(), adversarial.detach(), d_loss.detach(),
                     torch.sigmoid(real_logits.float()).mean().detach(), torch.sigmoid(fake_logits.float()).mean().detach())
        ema.update()
        if step % 100 == 0:
            vals = [float(x) if x is not None else float("nan") for x in parts]
            log.writerow([step, "%.1f" % (time.time() - t0), a.mode, "%.3g" % lr]
                         + [("%.6g" % v if not math.isnan(v) else "") for v in vals] + [""])
            out_csv.flush()
        now = time.time()
        if not handed_off and frac >= a.handoff_at:
            write_named(a.handoff, ema.model.state_dict())
            handed_off = True
            print("%s: handed off the EMA generator at step %d (%.0f s)" % (tag, step, now - t0), flush=True)
        if now - last_val >= a.validate_every:
            v = validate(ema.model, photos, shrink, a.scale, device)
            log.writerow([step, "%.1f" % (now - t0), a.mode, "", "", "", "", "", "", "", "%.4f" % v])
            out_csv.flush()
            print("%s: step %d, %.0f s, %.1f steps/s, lr %.3g, loss %.5f, validation PSNR(Y) %.3f dB" % (
                tag, step, now - t0, step / (now - t0), lr, float(parts[0]), v), flush=True)
            last_val = time.time()
        if now - last_save >= a.save_every:
            write_named(a.out + ".bin", ema.model.state_dict())
            last_save = time.time()
    v = validate(ema.model, photos, shrink, a.scale, device)
    log.writerow([step, "%.1f" % (time.time() - t0), a.mode, "", "", "", "", "", "", "", "%.4f" % v])
    out_csv.close()
    write_named(a.out + ".bin", ema.model.state_dict())
    print("%s: done, %d steps of batch %d (HR %d px) in %.0f s; validation PSNR(Y) %.3f dB (start %.3f)" % (
        tag, step, a.batch, hr_side, time.time() - t0, v, psnr0), flush=True)


if __name__ == "__main__":
    main()
