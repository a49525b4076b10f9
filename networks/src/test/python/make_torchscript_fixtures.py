"""Writes the TorchScript test fixtures of the networks module.

DJL cannot write TorchScript, and the build machine has no Python torch, so these files were
made once with PyTorch and are kept under src/test/resources/torchscript/:

  tiny-features.pt             a miniature VGG-shaped feature extractor (conv-relu-conv-relu-pool-conv-relu), traced
  tiny-features-reference.bin  named tensors "input" and "output" (the module applied to input)
  seed-generator-x2.pt         the seed article's Generator(scale_factor=2, num_residual=2), eval mode, traced
  seed-generator-x2-reference.bin
                               named tensors "input", "output" and every float entry of the state_dict
  seed-discriminator-reference.bin
                               the seed's Discriminator in eval mode, its weights from a formula the
                               Java test repeats (set_formula_weights): "input" (2 images in [-1, 1])
                               "output" (its logits, before the seed's sigmoid) and "output-training"
                               (the same in training mode: BatchNorm on the batch's statistics)

Named-tensor file (big-endian, read by NamedTensors in the tests): magic b"NTv1", int32 count, then per
tensor: uint16 name length, UTF-8 name, int32 ndim, int64 dims, float32 data.

Run: python3 make_torchscript_fixtures.py OUTPUT_DIR [discriminator]   (the second form writes only
the discriminator's file; Debian's python3-torch 1.13 made it, run with /usr/bin/python3)
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


class Discriminator(nn.Module):
    """The seed article's discriminator, as printed there."""

    def __init__(self):
        super(Discriminator, self).__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=3, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(64, 64, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm2d(64),
            nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, kernel_size=3, padding=1),
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2),
            nn.Conv2d(128, 128, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2),
            nn.Conv2d(128, 256, kernel_size=3, padding=1),
            nn.BatchNorm2d(256),
            nn.LeakyReLU(0.2),
            nn.Conv2d(256, 256, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm2d(256),
            nn.LeakyReLU(0.2),
            nn.Conv2d(256, 512, kernel_size=3, padding=1),
            nn.BatchNorm2d(512),
            nn.LeakyReLU(0.2),
            nn.Conv2d(512, 512, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm2d(512),
            nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(512, 1024, kernel_size=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(1024, 1, kernel_size=1)
        )

    def logits(self, x):
        """What the Java Discriminator returns: the seed's forward without its final sigmoid."""
        return self.net(x).view(x.size(0))

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


def formula(k, n):
    """p in [0, 1) for the k-th float tensor of a state_dict, n elements; SeedEquivalenceTest has it too."""
    i = torch.arange(n, dtype=torch.int64)
    return ((i * 7919 + 31 * k) % 1000).to(torch.float32) / 1000.0


def set_formula_weights(model):
    """Every float entry of the state_dict from formula(), by role: conv weight (2p - 1) sqrt(6 / fan_in),
    conv bias 0.1 (2p - 1), BatchNorm weight 0.5 + p, bias and running mean 0.2 p - 0.1, running var 0.5 + p.
    The file then needs no weights (the discriminator has 5.2 million)."""
    k = 0
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.weight[0].numel()
                # uniform with the variance that keeps activations' scale through LeakyReLU (He)
                m.weight.copy_(((2 * formula(k, m.weight.numel()) - 1) * math.sqrt(6.0 / fan_in)).reshape(m.weight.shape))
                m.bias.copy_(0.1 * (2 * formula(k + 1, m.bias.numel()) - 1))
                k += 2
            elif isinstance(m, nn.BatchNorm2d):
                c = m.weight.numel()
                m.weight.copy_(0.5 + formula(k, c))
                m.bias.copy_(0.2 * formula(k + 1, c) - 0.1)
                m.running_mean.copy_(0.2 * formula(k + 2, c) - 0.1)
                m.running_var.copy_(0.5 + formula(k + 3, c))
                k += 4
    return k


def discriminator_fixture(out):
    d = Discriminator()
    count = set_formula_weights(d)
    assert count == sum(1 for t in d.state_dict().values() if t.is_floating_point())
    d = d.eval()
    # two unlike images: the pattern, and a smooth ramp
    ramp = torch.linspace(-1, 1, 32).reshape(1, 1, 32).expand(3, 32, 32) * torch.tensor([1.0, -0.5, 0.25]).reshape(3, 1, 1)
    x = torch.stack([pattern((3, 32, 32)) * 2 - 1, ramp])
    with torch.no_grad():
        y = d.logits(x)
        # training mode: BatchNorm normalizes with the batch's own statistics, as in a GAN step
        yt = d.train().logits(x)
    write_named(out + "/seed-discriminator-reference.bin", [("input", x), ("output", y), ("output-training", yt)])
    print("discriminator logits", [round(float(v), 5) for v in y], "in training mode", [round(float(v), 5) for v in yt])


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
    if len(sys.argv) > 2 and sys.argv[2] == "discriminator":
        discriminator_fixture(sys.argv[1])
    else:
        main(sys.argv[1])
