#!/usr/bin/env python3
"""Error of the fp16 layers (Conv2d(precision="fp16")) and of the same layers
in fp32 against a float64 reference: the README's fp16 error table.

    python3 bench/fp16_accuracy.py [--markdown]      # with armconv importable

Setting: one image, x ~ N(0, 1), w ~ N(0, 1/(kh kw Cin/groups)), bias ~
N(0, 1) * 0.1, float32 input and output. Errors |y - ref| relative to the
RMS and to the max of |ref|; max and mean over the output. Run it under
qemu-aarch64 -cpu cortex-a76 with the ARM Python of scripts/test.sh for the
fp16 kernels (elsewhere an fp16 layer runs the fp32 kernels and the script
says so).
"""
import argparse

import numpy as np

import armconv

# name, Cin, Cout, k, stride, pad, groups, h (= w), algo
CASES = [
    ("conv1x1 64->64 28x28", 64, 64, 1, 1, 0, 1, 28, "gemm"),
    ("conv1x1 256->256 14x14", 256, 256, 1, 1, 0, 1, 14, "gemm"),
    ("conv3x3 s2 32->64 56x56", 32, 64, 3, 2, 1, 1, 56, "im2col"),
    ("conv3x3 s1 64->64 28x28", 64, 64, 3, 1, 1, 1, 28, "im2col"),
    ("conv3x3 s1 512->32 7x7", 512, 32, 3, 1, 1, 1, 7, "im2col"),
    ("depthwise3x3 s1 C64 56x56", 64, 64, 3, 1, 1, 64, 56, "depthwise3x3"),
    ("depthwise3x3 s2 C64 56x56", 64, 64, 3, 2, 1, 64, 56, "depthwise3x3"),
    # Winograd (fp16: F(4,3) on {0, +-2/3, +-3/2, inf} and F(2,3), runs of 32
    # channels; fp32: the fp32 kernels of the same name).
    ("conv3x3 s1 64->64 28x28", 64, 64, 3, 1, 1, 1, 28, "winograd43"),
    ("conv3x3 s1 32->32 56x56", 32, 32, 3, 1, 1, 1, 56, "winograd43"),
    ("conv3x3 s1 32->32 56x56", 32, 32, 3, 1, 1, 1, 56, "winograd23"),
    ("conv3x3 s1 16->16 28x28", 16, 16, 3, 1, 1, 1, 28, "winograd23"),
    ("conv3x3 s1 256->256 14x14", 256, 256, 3, 1, 1, 1, 14, "winograd43"),
    ("conv3x3 s1 512->32 7x7", 512, 32, 3, 1, 1, 1, 7, "winograd43"),
]


def conv_ref(x, w, b, stride, pad, groups):
    """float64 convolution (im2col per group)."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    w = w.astype(np.float64)
    n, c, h, wd = x.shape
    cout, cg, k, _ = w.shape
    ho, wo = (h - k) // stride + 1, (wd - k) // stride + 1
    mg = cout // groups
    y = np.empty((n, cout, ho, wo))
    for g in range(groups):
        xs = x[:, g * cg:(g + 1) * cg]
        cols = np.empty((n, cg, k, k, ho, wo))
        for ky in range(k):
            for kx in range(k):
                cols[:, :, ky, kx] = xs[:, :, ky:ky + stride * (ho - 1) + 1:stride,
                                        kx:kx + stride * (wo - 1) + 1:stride]
        y[:, g * mg:(g + 1) * mg] = np.einsum("ncklhw,ockl->nohw", cols, w[g * mg:(g + 1) * mg])
    return y + b.astype(np.float64)[None, :, None, None]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args()
    info = armconv.cpu_info()
    k = info["kernels"]
    print(f"fp16 kernels: {k.get('hgemm', 'none')}, {k.get('depthwise3x3_fp16', 'none')}, "
          f"{k.get('winograd43_fp16', 'none')}, {k.get('winograd23_fp16', 'none')}, "
          f"{k.get('winograd_gemm_fp16', 'none')}")
    print("| layer | algo | fp16 max/RMS | fp16 mean/RMS | fp16 max/max | "
          "fp32 max/RMS | fp32 mean/RMS | fp32 max/max |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for name, cin, cout, ks, s, p, g, hw, algo in CASES:
        x = rng.standard_normal((1, cin, hw, hw)).astype(np.float32)
        w = (rng.standard_normal((cout, cin // g, ks, ks)) / np.sqrt(ks * ks * cin // g)).astype(np.float32)
        b = (0.1 * rng.standard_normal(cout)).astype(np.float32)
        ref = conv_ref(x, w, b, s, p, g)
        rms, mx = np.sqrt(np.mean(ref ** 2)), np.abs(ref).max()
        row = [name]
        for precision in ("fp16", "fp32"):
            layer = armconv.Conv2d(w, b, stride=s, padding=p, groups=g, algo=algo,
                                   precision=precision)
            err = np.abs(layer(x) - ref)
            if precision == "fp16":
                row.append(f"{algo} ({layer.precision})")
            row += [f"{err.max() / rms:.1e}", f"{err.mean() / rms:.1e}", f"{err.max() / mx:.1e}"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
