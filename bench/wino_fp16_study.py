#!/usr/bin/env python3
"""Which fp16 Winograd is accurate enough? A float64 numpy emulation of the
options (no armconv needed): the table in the README and in
src/neon/aarch64/wino_gemm_16x8_fp16.cpp.

    python3 bench/wino_fp16_study.py [--cin 16,64,512] [--seeds 3] [--tiles 2,4,4b,4c,6]
    python3 bench/wino_fp16_study.py --scan 6     # point sets of F(6,3) (minutes)

Setting (the README's accuracy test): 24x24 map, padding 1, Cout 16,
x ~ N(0, 1), w ~ N(0, 1/(9 Cin)); error = max |y - ref| / max |ref| over the
output (worst of the seeds), ref the float64 convolution.

Each option is F(m, 3) with the input x and the transformed weights
U = G g G^T (computed in double from the fp32 weights) rounded to fp16, and:
  tx   where the transforms run: "f32" (exact here; V rounded to fp16 when
       stored for the GEMM) or "f16" (every add / fused multiply-add of the
       row and column passes rounded to fp16, as .8h vector code does; here
       the matrices are applied as they are, a kernel factors them); "f16k"
       (F(4,3) on {0, +-2/3, +-3/2} only: the input transform as the fp16
       kernel runs it, wino::F43h::input_1d's 14 operations in fp16 with its
       constants rounded to fp16; the output transform by `out`);
  acc  the per-position GEMM's accumulator: "f16" (fmla .8h: each fused
       multiply-add rounded to fp16), "f16/R" (fp16 within runs of R input
       channels, the run sums added in fp32: wino_gemm_f16_fn), "f32"
       (exact products summed in fp32, as fmlal would; Cortex-A76 has no
       FMLAL, FEAT_FHM);
  out  the output transform: "f32" on the accumulator's value, or "f16"
       (M rounded to fp16, every operation rounded).
"""
import argparse

import numpy as np

F16 = np.float16

BT = {
    2: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
    4: [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
    6: [[1, 0, -21 / 4, 0, 21 / 4, 0, -1, 0], [0, 1, 1, -17 / 4, -17 / 4, 1, 1, 0],
        [0, -1, 1, 17 / 4, -17 / 4, -1, 1, 0], [0, .5, .25, -2.5, -1.25, 2, 1, 0],
        [0, -.5, .25, 2.5, -1.25, -2, 1, 0], [0, 2, 4, -2.5, -5, .5, 1, 0],
        [0, -2, 4, 2.5, -5, -.5, 1, 0], [0, -1, 0, 21 / 4, 0, -21 / 4, 0, 1]],
}
G = {
    2: [[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]],
    4: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
    6: [[1, 0, 0], [-2 / 9, -2 / 9, -2 / 9], [-2 / 9, 2 / 9, -2 / 9],
        [1 / 90, 1 / 45, 2 / 45], [1 / 90, -1 / 45, 2 / 45], [32 / 45, 16 / 45, 8 / 45],
        [32 / 45, -16 / 45, 8 / 45], [0, 0, 1]],
}
AT = {
    2: [[1, 1, 1, 0], [0, 1, -1, -1]],
    4: [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
    6: [[1, 1, 1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, .5, -.5, 0], [0, 1, 1, 4, 4, .25, .25, 0],
        [0, 1, -1, 8, -8, .125, -.125, 0], [0, 1, 1, 16, 16, 1 / 16, 1 / 16, 0],
        [0, 1, -1, 32, -32, 1 / 32, -1 / 32, 1]],
}


def toom_cook(m, points):
    """A^T, G, B^T of F(m, 3) for the finite interpolation points `points`
    (m + 1 of them) and infinity: A^T[i][j] = p_j^i, G[j] = (1, p_j, p_j^2) /
    prod_{l != j} (p_j - p_l), and B^T the solution of
    sum_j A^T[i][j] G[j][k] B^T[j][l] = [l == i + k] (exact)."""
    n = m + 2
    at, g = np.zeros((m, n)), np.zeros((n, 3))
    for j, a in enumerate(points):
        at[:, j] = [a ** i for i in range(m)]
        g[j] = [a ** k / np.prod([a - b for b in points if b != a]) for k in range(3)]
    at[m - 1, n - 1], g[n - 1] = 1, [0, 0, 1]
    rows, rhs = [], []
    for i in range(m):
        for k in range(3):
            for l in range(n):
                r = np.zeros((n, n))
                r[:, l] = at[i] * g[:, k]
                rows.append(r.ravel())
                rhs.append(float(l == i + k))
    bt = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0].reshape(n, n)
    assert np.allclose(np.array(rows) @ bt.ravel(), rhs)
    return at, g, bt


# F(4,3) on the points {0, 1, -1, 2, -1/2, inf} ("4b"): U and V stored in
# fp16 lose a third as much as on {0, +-1, +-2, inf} (a scan of point sets).
AT["4b"], G["4b"], BT["4b"] = toom_cook(4, [0, 1, -1, 2, -0.5])
# F(4,3) on {0, +-2/3, +-3/2, inf} ("4c", what the fp16 F(4,3) runs): a third
# less again, and symmetric (its transforms factor as {0, +-1, +-2}'s do).
AT["4c"], G["4c"], BT["4c"] = toom_cook(4, [0, 2 / 3, -2 / 3, 1.5, -1.5])


def r16(a):
    return np.asarray(a, np.float64).astype(F16).astype(np.float64)


def apply(mat, d, axis, f16):
    """mat (r x n) applied along `axis` of d; in fp16, a chain of fused
    multiply-adds over the row's nonzero terms, each rounded."""
    mat = np.asarray(mat, np.float64)
    d = np.moveaxis(d, axis, 0)
    out = []
    for row in mat:
        if not f16:
            out.append(np.tensordot(row, d, axes=(0, 0)))
            continue
        acc = np.zeros(d.shape[1:])
        for c in np.nonzero(row)[0]:
            acc = r16(acc + row[c] * d[c])
        out.append(acc)
    return np.moveaxis(np.stack(out), 0, axis)


def c16(c):
    return float(np.float16(c))


def f43h_input_1d(d):
    """t = B^T d of F(4,3) on {0, +-2/3, +-3/2}, factored as the fp16 kernel
    does (core/winograd_kernels.h, wino::F43h::input_1d): each operation
    rounded to fp16 (fused multiply-adds once), constants rounded to fp16."""
    K, A2, A, B, D = c16(97 / 36), c16(4 / 9), c16(2 / 3), c16(1.5), c16(65 / 36)
    t = [None] * 6
    t[0] = r16(r16(d[0] + d[4]) - K * d[2])
    t[5] = r16(r16(d[5] + d[1]) - K * d[3])
    e = r16(d[4] - A2 * d[2])
    o = r16(r16(B * d[3]) - A * d[1])
    t[3], t[4] = r16(e + o), r16(e - o)
    e2 = r16(e - D * d[2])
    o2 = r16(r16(A * d[3]) - B * d[1])
    t[1], t[2] = r16(e2 + o2), r16(e2 - o2)
    return t


def apply_f43h(d, axis):
    d = np.moveaxis(d, axis, 0)
    return np.moveaxis(np.stack(f43h_input_1d([d[i] for i in range(6)])), 0, axis)


def conv_ref(x, w):
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    c, h, wd = x.shape
    y = np.zeros((w.shape[0], h, wd))
    for ky in range(3):
        for kx in range(3):
            y += np.einsum("chw,oc->ohw", xp[:, ky:ky + h, kx:kx + wd], w[:, :, ky, kx])
    return y


def wino(x, w, f, tx, acc, out):
    m = int(str(f)[0])
    n = m + 2
    cin, h, wd = x.shape
    cout = w.shape[0]
    th, tw = -(-h // m), -(-wd // m)
    xp = np.zeros((cin, th * m + 2, tw * m + 2))
    xp[:, 1:h + 1, 1:wd + 1] = x
    # patches d: (cin, th, tw, n, n)
    d = np.stack([np.stack([xp[:, i * m:i * m + n, j * m:j * m + n] for j in range(tw)], 1)
                  for i in range(th)], 1)
    f16t = tx == "f16"
    if tx == "f16k":
        assert f == "4c", "f16k: the fp16 kernel's factoring of F(4,3) on {0, +-2/3, +-3/2}"
        v = apply_f43h(apply_f43h(d, 3), 4)  # row pass, then column pass
    else:
        v = apply(BT[f], apply(BT[f], d, 3, f16t), 4, f16t)  # B^T d B
    v = r16(v).reshape(cin, th * tw, n * n)                # stored fp16
    u = np.einsum("iu,ocuv,jv->ocij", np.asarray(G[f]), w, np.asarray(G[f]))
    u = r16(u).reshape(cout, cin, n * n)
    if acc == "f32":
        mm = np.einsum("ocp,ctp->otp", u, v)
    else:
        chunk = int(acc[4:]) if acc.startswith("f16/") else cin
        mm = np.zeros((cout, th * tw, n * n))
        for k0 in range(0, cin, chunk):
            part = np.zeros_like(mm)
            for k in range(k0, min(cin, k0 + chunk)):
                part = r16(part + u[:, k, None, :] * v[None, k])
            mm += part
    mm = mm.reshape(cout, th, tw, n, n)
    f16o = out == "f16"
    if f16o:
        mm = r16(mm)
    y = apply(AT[f], apply(AT[f], mm, 3, f16o), 4, f16o)   # (cout, th, tw, m, m)
    y = y.transpose(0, 1, 3, 2, 4).reshape(cout, th * m, tw * m)
    return y[:, :h, :wd]


OPTIONS = [  # (tx, acc, out)
    ("f32", "f32", "f32"),
    ("f32", "f16", "f32"),
    ("f32", "f16/32", "f32"),
    ("f16", "f16", "f16"),
    ("f16", "f16/32", "f16"),
    ("f16", "f16", "f32"),
    ("f32", "f16/16", "f32"),
    ("f16", "f16/16", "f16"),
    ("f16", "f16/16", "f32"),
]
# What the fp16 F(4,3) runs (4c only): its input transform in fp16 as the
# kernel factors it, runs of 32 (of 16 up to 48 channels), fp32 output.
OPTIONS_4C = [("f16k", "f16/32", "f32"), ("f16k", "f16/16", "f32")]


# The candidate interpolation points of --scan: 0 (always), and m of these.
SCAN_POOL = sorted(s * v for v in (1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 1, 4 / 3, 3 / 2, 2, 3, 4) for s in (1, -1))


def scan(m, best=10):
    """Every point set {0} + m of SCAN_POOL for F(m, 3), ranked by the error
    binary16 storage alone costs (x, U and V rounded to fp16, everything else
    exact: option f32 / f32 / f32) on a 12x12 map, Cin 16, seed 0; the best
    sets then get the README setting (24x24, 3 seeds) with and without fp16
    runs of 16 channels."""
    import itertools
    rng = np.random.default_rng(0)
    x = r16(rng.standard_normal((16, 12, 12)))
    w = (rng.standard_normal((16, 16, 3, 3)) / np.sqrt(9 * 16)).astype(np.float32).astype(np.float64)
    ref = conv_ref(x, w)
    key = f"{m}s"  # wino() reads the tile size from the key's first character
    ranked = []
    with np.errstate(all="ignore"):  # far points overflow binary16: those sets rank last
        for pts in itertools.combinations(SCAN_POOL, m):
            AT[key], G[key], BT[key] = toom_cook(m, [0.0, *pts])
            e = np.abs(wino(x, w, key, "f32", "f32", "f32") - ref).max() / np.abs(ref).max()
            if np.isfinite(e):
                ranked.append((e, pts))
    ranked.sort()
    print(f"F({m},3): {len(ranked)} point sets {{0}} + {m} of {{+-1/4 ... +-4}}; storage-only error (12x12, Cin 16)")
    for e, pts in ranked[:best]:
        AT[key], G[key], BT[key] = toom_cook(m, [0.0, *pts])
        cells = []
        for opt in (("f32", "f32", "f32"), ("f32", "f16/16", "f32")):
            for cin in (16, 64, 512):
                worst = 0.0
                for seed in range(3):
                    rng = np.random.default_rng(seed)
                    xs = rng.standard_normal((cin, 24, 24)).astype(np.float32).astype(np.float64)
                    ws = (rng.standard_normal((16, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
                    ws = ws.astype(np.float64)
                    worst = max(worst, np.abs(wino(r16(xs), ws, key, *opt) - conv_ref(xs, ws)).max()
                                / np.abs(conv_ref(xs, ws)).max())
                cells.append(f"{worst:.1e}")
        name = ", ".join(f"{p:+.3g}" for p in pts)
        print(f"{e:.2e}  {{0, {name}}}  f32/f32/f32 Cin 16/64/512: {' '.join(cells[:3])}"
              f"  f32/f16/16/f32: {' '.join(cells[3:])}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cin", default="16,64,512")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--tiles", default="2,4,4b,4c,6",
                    help="2, 4, 4b and 4c (F(4,3) on other points: AT above), 6")
    ap.add_argument("--scan", type=int, choices=(4, 6), help="rank the point sets of F(m,3) instead (scan())")
    args = ap.parse_args()
    if args.scan:
        scan(args.scan)
        return
    cins = [int(c) for c in args.cin.split(",")]
    tiles = args.tiles.split(",")
    tiles = [t if t in ("4b", "4c") else int(t) for t in tiles]
    print("max |err| / max |ref|; tx / acc / out (see the docstring)")
    print("| F | tx / acc / out | " + " | ".join(f"Cin {c}" for c in cins) + " |")
    print("|---|---|" + "---:|" * len(cins))
    for m in tiles:
        for opt in OPTIONS + (OPTIONS_4C if m == "4c" else []):
            cells = []
            for cin in cins:
                worst = 0.0
                for seed in range(args.seeds):
                    rng = np.random.default_rng(seed)
                    x = rng.standard_normal((cin, 24, 24)).astype(np.float32).astype(np.float64)
                    w = (rng.standard_normal((16, cin, 3, 3)) / np.sqrt(9 * cin)).astype(np.float32)
                    w = w.astype(np.float64)
                    ref = conv_ref(x, w)
                    y = wino(r16(x), w, m, *opt)  # the input is converted to fp16 when staged
                    worst = max(worst, np.abs(y - ref).max() / np.abs(ref).max())
                cells.append(f"{worst:.1e}")
            name = {"4b": "F(4,3) {0,1,-1,2,-1/2}", "4c": "F(4,3) {0,+-2/3,+-3/2}"}.get(m, f"F({m},3)")
            print(f"| {name} | {' / '.join(opt)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
