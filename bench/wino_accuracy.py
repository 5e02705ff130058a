#!/usr/bin/env python3
"""Error of winograd23, winograd43, winograd63 (and im2col) against a float64
reference, as a function of Cin: the README's accuracy tables; then the
stride-2 ones, winograd23s2 and winograd43s2 (and im2col at stride 2).

    python3 bench/wino_accuracy.py            # with armconv importable

Setting: 24x24 output map (stride 2: 48x48 input), Cout 16, padding 1,
x ~ N(0, 1), w ~ N(0, 1/(9 Cin)); errors relative to the RMS of the output. Run it under an ARM Python (see
scripts/test.sh) for the NEON kernels, or with ARMCONV_DISABLE=neon for the
generic ones.
"""
import numpy as np

import armconv


def conv_ref(x, w, pad, stride=1):
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    ho, wo = (h - 3) // stride + 1, (wd - 3) // stride + 1
    cols = np.empty((n, c, 3, 3, ho, wo))
    for ky in range(3):
        for kx in range(3):
            cols[:, :, ky, kx] = x[:, :, ky:ky + stride * (ho - 1) + 1:stride, kx:kx + stride * (wo - 1) + 1:stride]
    return np.einsum("ncklhw,ockl->nohw", cols, w.astype(np.float64))


ALGOS = ("winograd23", "winograd43", "winograd63", "im2col")
ALGOS_S2 = ("winograd23s2", "winograd43s2", "im2col")


def table(rng, algos, stride):
    print("| Cin | " + " | ".join(f"{a} max / mean" for a in algos) + " |")
    print("|---:|" + "---:|" * len(algos))
    for cin in [4, 16, 64, 128, 256, 512]:
        x = rng.standard_normal((1, cin, 24 * stride, 24 * stride)).astype(np.float32)
        w = (rng.standard_normal((16, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
        ref = conv_ref(x, w, 1, stride)
        rms = np.sqrt(np.mean(ref ** 2))
        cells = []
        for a in algos:
            e = np.abs(armconv.conv2d(x, w, stride=stride, padding=1, algo=a) - ref) / rms
            cells.append(f"{e.max():.1e} / {e.mean():.1e}")
        print(f"| {cin} | " + " | ".join(cells) + " |")


def main():
    rng = np.random.default_rng(0)
    k = armconv.cpu_info()["kernels"]
    print(f"kernels: {k['winograd23']}, {k['winograd43']}, {k['winograd']}, {k['winograd_gemm']}")
    table(rng, ALGOS, 1)
    print(f"\nstride 2, kernels: {k['winograd23s2']}, {k['winograd43s2']}")
    table(rng, ALGOS_S2, 2)


if __name__ == "__main__":
    main()
