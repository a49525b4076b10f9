"""Writes the TorchScript test fixtures of the networks module.

DJL cannot write TorchScript, and the build machine has no Python torch, so these files were
made once with PyTorch and are kept under src/test/resources/torchscript/:

  tiny-features.pt             a miniature VGG-shaped feature extractor (conv-relu-conv-relu-pool-conv-relu), traced
  tiny-features-reference.bin  named tensors "input" and "output" (the module applied to input)
  seed-generator-x2.pt         the seed article's Generator(scale_factor=2, num_residual=2), eval mode, traced
  seed-generator-x2-reference.bin
                               named tensors "input", "output" and every float entry of the state_dict

Named-tensor file (big-endian, read by NamedTensors in the tests): magic b"NTv1", int32 count, then per
tensor: uint16 name length, UTF-8 name, int32 ndim, int64 dims, float32 data.

Run: python3 make_torchscript_fixtures.py OUTPUT_DIR
"""
import math
import struct
import sys

import torch
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super(ResidualBlock, self).__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.prelu = nn.PReLU(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        short_cut = x
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.prelu(x)
        x = self.conv2(x)
        x = self.bn2(x)
        return x + short_cut


class UpsampleBLock(nn.Module):
    def __init__(self, in_channels, up_scale):
        super(UpsampleBLock, self).__init__()
        self.conv = nn.Conv2d(in_channels, in_channels * up_scale ** 2, kernel_size=3, padding=1)
        self.pixel_shuffle = nn.PixelShuffle(up_scale)
        self.prelu = nn.PReLU(in_channels)

    def forward(self, x):
        x = self.conv(x)
        x = self.pixel_shuffle(x)
        x = self.prelu(x)
        return x


class Generator(nn.Module):
    def __init__(self, scale_factor, num_residual=16):
        upsample_block_num = int(math.log(scale_factor, 2))
        super(Generator, self).__init__()
        self.block_in = nn.Sequential(nn.Conv2d(3, 64, kernel_size=9, padding=4), nn.PReLU(64))
        self.blocks = nn.Sequential(*[ResidualBlock(64) for _ in range(num_residual)])
        self.block_out = nn.Sequential(nn.Conv2d(64, 64, kernel_size=3, padding=1), nn.BatchNorm2d(64))
        upsample = [UpsampleBLock(64, 2) for _ in range(upsample_block_num)]
        upsample.append(nn.Conv2d(64, 3, kernel_size=9, padding=4))
        self.upsample = nn.Sequential(*upsample)

    def forward(self, x):
        x = self.block_in(x)
        short_cut = x
        x = self.blocks(x)
        x = self.block_out(x)
        upsample = self.upsample(x + short_cut)
        return torch.tanh(upsample)


def pattern(shape):
    n = 1
    for d in shape:
        n *= d
    k = (torch.arange(n, dtype=torch.int64) * 7919) % 1000
    return (k.to(torch.float32) / 1000.0).reshape(shape)


def write_named(path, tensors):
    with open(path, "wb") as f:
        f.write(b"NTv1")
        f.write(struct.pack(">i", len(tensors)))
        for name, t in tensors:
            t = t.detach().to("cpu", torch.float32).contiguous()
            raw = name.encode("utf-8")
            f.write(struct.pack(">H", len(raw)))
            f.write(raw)
            f.write(struct.pack(">i", t.dim()))
            for d in t.shape:
                f.write(struct.pack(">q", d))
            f.write(t.numpy().astype(">f4").tobytes())


def main(out):
    torch.manual_seed(20240601)
    print("torch", torch.__version__)

    features = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(inplace=False),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(inplace=False),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(inplace=False)).eval()
    traced = torch.jit.trace(features, torch.rand(1, 3, 32, 32))
    traced.save(out + "/tiny-features.pt")
    x = pattern((2, 3, 24, 24))
    with torch.no_grad():
        y = traced(x)
    write_named(out + "/tiny-features-reference.bin", [("input", x), ("output", y)])
    print("features", tuple(y.shape), float(y.abs().mean()))

    g = Generator(2, 2)
    with torch.no_grad():
        for m in g.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
            if isinstance(m, nn.PReLU):
                m.weight.uniform_(0.05, 0.45)
    g = g.eval()
    traced_g = torch.jit.trace(g, torch.rand(1, 3, 16, 16))
    traced_g.save(out + "/seed-generator-x2.pt")
    xi = pattern((1, 3, 20, 20))
    with torch.no_grad():
        yo = traced_g(xi)
        yd = g(xi)
    print("generator traced-vs-eager max diff", float((yo - yd).abs().max()))
    tensors = [("input", xi), ("output", yo)]
    for name, t in g.state_dict().items():
        if t.is_floating_point():
            tensors.append((name, t))
    write_named(out + "/seed-generator-x2-reference.bin", tensors)
    print("generator", tuple(yo.shape), "params", sum(p.numel() for p in g.parameters()))
    full = Generator(4, 16)
    print("full generator trainable params", sum(p.numel() for p in full.parameters() if p.requires_grad))


if __name__ == "__main__":
    main(sys.argv[1])
