#!/usr/bin/env python3
"""Error of algo="strassen" next to the plain GEMM ("gemm") against a float64
reference, on MobileNetV2's 1x1 layer shapes that `auto` may run with
Strassen: the README's Strassen accuracy table.

    python3 bench/strassen_accuracy.py            # with armconv importable

Setting: batch 1, x = ReLU6 of N(0, 1) (a MobileNetV2 block's input is a
clamped activation), w ~ N(0, 2 / Cin), bias ~ N(0, 0.1), no clamp on the
output; errors relative to the RMS of the output, max / mean over the
outputs. Run it under an ARM Python (see scripts/test.sh) for the NEON
kernels, or with ARMCONV_DISABLE=neon for the generic ones.
"""
import numpy as np

import armconv

# (Cin, Cout, map): MobileNetV2's 1x1 layers with K, M >= 96 (bench/peer_layers.json).
SHAPES = [(96, 576, 14), (576, 96, 14), (384, 96, 14), (576, 160, 7), (160, 960, 7), (960, 160, 7),
          (960, 320, 7), (320, 1280, 7)]


def main():
    rng = np.random.default_rng(0)
    print("| layer | gemm max / mean | strassen max / mean | max ratio |")
    print("|---|---:|---:|---:|")
    for cin, cout, hw in SHAPES:
        x = np.clip(rng.standard_normal((1, cin, hw, hw)), 0, 6).astype(np.float32)
        w = (rng.standard_normal((cout, cin, 1, 1)) * np.sqrt(2 / cin)).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.1).astype(np.float32)
        ref = np.einsum("nchw,oc->nohw", x.astype(np.float64), w[:, :, 0, 0].astype(np.float64))
        ref += b.astype(np.float64)[None, :, None, None]
        rms = np.sqrt(np.mean(ref ** 2))
        errs = []
        for algo in ("gemm", "strassen"):
            e = np.abs(armconv.Conv2d(w, b, algo=algo)(x) - ref) / rms
            errs.append((e.max(), e.mean()))
        print(f"| {cin}->{cout} {hw}x{hw} | {errs[0][0]:.1e} / {errs[0][1]:.1e} | "
              f"{errs[1][0]:.1e} / {errs[1][1]:.1e} | {errs[1][0] / errs[0][0]:.1f} |")


if __name__ == "__main__":
    main()
