#!/usr/bin/python3
"""Times scripted-generator.pt in float32 and in bfloat16 on this machine's CPU, interleaved, with
random folded weights of the 4x, 16-block generator: the whole forward pass at a few sizes and each
convolution shape on its own (repeat_conv). For CPUs the Java bench cannot reach (e.g. an Intel Xeon
with AMX on a machine without Java). Prints one JSON object.

    /usr/bin/python3 bench_bf16_module.py scripted-generator.pt [threads ...]
"""
import json
import platform
import statistics
import sys
import time

import torch


def cpu():
    model, flags = "unknown", []
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = sorted(f for f in line.split(":", 1)[1].split()
                               if f.startswith(("avx512", "amx")) or f in ("avx2", "fma", "avx_vnni"))
    except OSError:
        pass
    return model, flags


def folded_weights(blocks=16, upsamples=2, seed=1):
    g = torch.Generator().manual_seed(seed)

    def conv(o, i, k):
        return [torch.randn(o, i, k, k, generator=g) * (2.0 / (i * k * k)) ** 0.5, torch.randn(o, generator=g) * 0.01]

    def slopes(c):
        return torch.full((1, c, 1, 1), 0.25 - 1.0)

    w = conv(64, 3, 9) + [slopes(64)]
    for _ in range(blocks):
        w += conv(64, 64, 3) + [slopes(64)] + conv(64, 64, 3)
    w += conv(64, 64, 3)
    for _ in range(upsamples):
        w += conv(256, 64, 3) + [slopes(256)]
    w += conv(12, 256, 5)
    return w


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(path, threads_list):
    model, flags = cpu()
    report = {"torch": torch.__version__, "cpu": model, "flags": flags, "python": platform.python_version(),
              "cores": torch.get_num_threads(), "runs": []}
    weights = folded_weights()
    mods = {}
    for name, bf16 in (("float32", False), ("bfloat16", True)):
        m = torch.jit.load(path)
        m.load_weights(weights, 16, bf16)
        mods[name] = m
    for threads in threads_list:
        torch.set_num_threads(threads)
        run = {"threads": threads, "generator": [], "layers": []}
        with torch.no_grad():
            for s in (64, 128, 256):
                x = torch.rand(1, 3, s, s)
                for m in mods.values():
                    m(x)
                    m(x)
                reps = 5 if s < 256 else 3
                ms = {n: [] for n in mods}
                for _ in range(reps):
                    for n, m in mods.items():
                        ms[n].append(median_ms(lambda: m(x), 1))
                row = {"size": s, "gflop": 72.685 * (s / 128) ** 2}
                row.update({n + "Ms": statistics.median(v) for n, v in ms.items()})
                row["speedup"] = row["float32Ms"] / row["bfloat16Ms"]
                run["generator"].append(row)
                print(json.dumps(row), file=sys.stderr)
            s = 128
            for cin, cout, k, side in ((3, 64, 9, s), (64, 64, 3, s), (64, 256, 3, s), (64, 256, 3, 2 * s), (256, 12, 5, 2 * s)):
                x = torch.rand(1, cin, side, side) * 2 - 1
                w = torch.randn(cout, cin, k, k) * 0.05
                b = torch.zeros(cout)
                m = mods["float32"]
                row = {"layer": f"conv {k}x{k} {cin}->{cout} at {side}x{side}",
                       "gflop": 2.0 * cin * cout * k * k * side * side / 1e9}
                for name, bf16 in (("float32", False), ("bfloat16", True)):
                    m.repeat_conv(x, w, b, bf16, 2)
                    one = median_ms(lambda: m.repeat_conv(x, w, b, bf16, 1), 3)
                    many = median_ms(lambda: m.repeat_conv(x, w, b, bf16, 6), 3)
                    row[name + "Ms"] = (many - one) / 5
                row["speedup"] = row["float32Ms"] / row["bfloat16Ms"]
                run["layers"].append(row)
                print(json.dumps(row), file=sys.stderr)
            n = 2048
            a, bm = torch.rand(n, n), torch.rand(n, n)
            for name, dt in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
                a2, b2 = a.to(dt), bm.to(dt)
                a2 @ b2
                run["matmulGflops_" + name] = 2 * n ** 3 / 1e9 / (median_ms(lambda: a2 @ b2, 5) / 1000)
        report["runs"].append(run)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], [int(t) for t in sys.argv[2:]] or [torch.get_num_threads()])
