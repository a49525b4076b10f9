#!/usr/bin/python3
"""Writes scripted-generator.pt: the folded SRGAN generator (FoldedGenerator's computation) as a
TorchScript module that computes in bfloat16 and holds no weights.

DJL's PyTorch JNI cannot make or cast to bfloat16 tensors (toType(BFLOAT16) aborts the JVM), so
the casts live inside this module. Java hands it FoldedGenerator's float32 weights once, through
load_weights(weights, blocks, True); the module keeps bfloat16 channels-last copies of them. Its
features(x) and upsample(f) take and return float32 tensors, so Java never sees a bfloat16 one.

The file is committed (see the resource's .txt note for the torch that wrote it), so builds need
no Python. Regenerate with Debian's python3-torch (apt-get install python3-torch):

    /usr/bin/python3 networks/src/main/python/make_scripted_generator.py \
        networks/src/main/resources/dev/srgan/networks/inference/scripted-generator.pt

Weight list order (float32, as FoldedGenerator folds them; PReLU slopes minus one, shape
(1, C, 1, 1), an upsampling block's repeated 4 times to act before its pixel shuffle):
    head weight, head bias, head slopes-1,
    per residual block: conv1 weight, conv1 bias, slopes-1, conv2 weight, conv2 bias,
    trunk weight, trunk bias,
    per upsampling block: conv weight, conv bias, slopes-1,
    output weight, output bias   (the 9x9 output conv rewritten on the sub-pixel grid, 4*3 outputs)
"""
import sys
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor


class ScriptedGenerator(torch.nn.Module):
    weights: List[Tensor]
    blocks: int
    upsamples: int
    dtype: torch.dtype

    def __init__(self):
        super().__init__()
        self.weights = []
        self.blocks = 0
        self.upsamples = 0
        self.dtype = torch.bfloat16

    @torch.jit.export
    def load_weights(self, weights: List[Tensor], blocks: int, bfloat16: bool) -> int:
        """Keeps channels-last copies in bfloat16 (or float32, to compare the same code path in
        both precisions); returns the number of upsampling blocks."""
        upsamples = (len(weights) - 7 - 5 * blocks) // 3
        if blocks < 1 or upsamples < 1 or len(weights) != 7 + 5 * blocks + 3 * upsamples:
            raise RuntimeError("weights do not fit " + str(blocks) + " residual blocks")
        self.dtype = torch.bfloat16 if bfloat16 else torch.float32
        slopes = [2] + [3 + 5 * b + 2 for b in range(blocks)] + [5 + 5 * blocks + 3 * u + 2 for u in range(upsamples)]
        kept: List[Tensor] = []
        for i, w in enumerate(weights):
            if i in slopes:
                # FoldedGenerator's slopes minus one, (1, C, 1, 1), back to PReLU's (C,) slopes
                w = w.flatten() + 1
            w = w.to(self.dtype)
            if w.dim() == 4:
                w = w.contiguous(memory_format=torch.channels_last)
            kept.append(w)
        self.weights = kept
        self.blocks = blocks
        self.upsamples = upsamples
        return upsamples

    def _conv(self, x: Tensor, i: int) -> Tensor:
        w = self.weights[i]
        return F.conv2d(x, w, self.weights[i + 1], 1, w.size(2) // 2)

    @staticmethod
    def _prelu(x: Tensor, slopes: Tensor) -> Tensor:
        # one pass over x (FoldedGenerator's three-step in-place form makes four in bfloat16)
        return F.prelu(x, slopes)

    @torch.jit.export
    def features(self, x: Tensor) -> Tensor:
        """(N, 3, H, W) float32 in [0, 1] to (N, 64, H, W) float32 features."""
        x = x.to(self.dtype).contiguous(memory_format=torch.channels_last)
        x0 = self._prelu(self._conv(x, 0), self.weights[2])
        y = x0
        i = 3
        for _ in range(self.blocks):
            t = self._prelu(self._conv(y, i), self.weights[i + 2])
            y = self._conv(t, i + 3).add_(y)
            i += 5
        y = self._conv(y, i).add_(x0)
        return y.float()

    @torch.jit.export
    def upsample(self, features: Tensor) -> Tensor:
        """(N, 64, h, w) float32 features to the (N, 3, h*s, w*s) float32 tanh output, contiguous."""
        x = features.to(self.dtype).contiguous(memory_format=torch.channels_last)
        i = 5 + 5 * self.blocks
        for u in range(self.upsamples):
            x = self._prelu(self._conv(x, i), self.weights[i + 2])
            if u < self.upsamples - 1:
                x = F.pixel_shuffle(x, 2).contiguous(memory_format=torch.channels_last)
            i += 3
        y = self._conv(x, i).float().tanh_()
        return F.pixel_shuffle(y, 2).contiguous()

    @torch.jit.export
    def repeat_conv(self, x: Tensor, w: Tensor, b: Tensor, bfloat16: bool, times: int) -> Tensor:
        """For the bench's per-layer profile: casts (or not) once, then runs the same channels-last
        convolution `times` times; timing two counts isolates one convolution from the casts."""
        if bfloat16:
            x, w, b = x.to(torch.bfloat16), w.to(torch.bfloat16), b.to(torch.bfloat16)
        x = x.contiguous(memory_format=torch.channels_last)
        w = w.contiguous(memory_format=torch.channels_last)
        y = x
        for _ in range(times):
            y = F.conv2d(x, w, b, 1, w.size(2) // 2)
        return y.float()

    def forward(self, x: Tensor) -> Tensor:
        return self.upsample(self.features(x))


def main(out: str) -> None:
    module = torch.jit.script(ScriptedGenerator())
    module.save(out)
    with open(out[:-3] + ".txt", "w") as note:
        note.write("scripted-generator.pt: written by networks/src/main/python/make_scripted_generator.py"
                   " with torch " + torch.__version__ + " (Debian python3-torch); no weights.\n")


if __name__ == "__main__":
    main(sys.argv[1])
