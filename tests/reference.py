"""Independent float64 references for the tests (numpy only).

The convolution reference pads explicitly and sums one kernel tap at a time,
so it shares no code or indexing scheme with the library's im2col packing.

Tolerance: a float32 dot product of length K, summed in any order (with or
without fused multiply-add), differs from the exact value by at most
gamma_K * sum_i |x_i w_i| with gamma_K ~ K * 2^-24 (Higham, Accuracy and
Stability of Numerical Algorithms, 3.1). The tests use
    |y - ref| <= (K + 2) * 2^-23 * (|x| conv |w| + |b|)
elementwise: the worst-case bound with a factor 2 of slack (the inputs are
float32 already, the bias add and activation add two more roundings). A
wrong, missing or duplicated term is orders of magnitude above it.
"""
import numpy as np

EPS32 = 2.0 ** -23


def out_size(h, k, s, d, p0, p1):
    return (h + p0 + p1 - d * (k - 1) - 1) // s + 1


def pads4(padding, k=3):
    """(top, bottom, left, right) of a Conv2d padding argument ("same": the
    stride-1 padding of an odd k x k kernel)."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        return ((k - 1) // 2,) * 4
    if isinstance(padding, int):
        return (padding,) * 4
    if len(padding) == 2:
        return (padding[0], padding[0], padding[1], padding[1])
    return tuple(padding)


def conv2d_ref(x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1,
               act=None, blas=False):
    """float64 conv2d, NCHW; pads = (top, bottom, left, right); act = None or (lo, hi).

    blas: each tap's channel sum as a matrix product (numpy's BLAS; about 2x
    faster under QEMU on the Winograd tests' many-channel layers) when x and
    w are finite and a group has more than one input channel; the same sums, in an order that may differ in the last bit
    of float64 (a reference BLAS may also skip zero weights, which only
    matters for inf or NaN: those take the einsum)."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    sh, sw = stride
    dh, dw = dilation
    pt, pb, pl, pr = pads
    ho = out_size(h, kh, sh, dh, pt, pb)
    wo = out_size(wd, kw, sw, dw, pl, pr)
    mg = cout // groups
    # (BLAS for channel sums; a depthwise layer, one channel per group,
    # takes the einsums below, which run all groups at once)
    if blas and cg > 1 and np.isfinite(x).all() and np.isfinite(w).all():
        xp = np.zeros((n, h + pt + pb, wd + pl + pr, c))  # NHWC: channels contiguous
        xp[:, pt:pt + h, pl:pl + wd] = x.transpose(0, 2, 3, 1)
        yt = np.zeros((n, ho, wo, cout))
        for g in range(groups):
            xs = xp[..., g * cg:(g + 1) * cg]
            ws = w[g * mg:(g + 1) * mg]
            for ky in range(kh):
                for kx in range(kw):
                    patch = xs[:, ky * dh: ky * dh + sh * (ho - 1) + 1: sh,
                               kx * dw: kx * dw + sw * (wo - 1) + 1: sw]
                    yt[..., g * mg:(g + 1) * mg] += patch @ ws[:, :, ky, kx].T
        y = np.ascontiguousarray(yt.transpose(0, 3, 1, 2))
    else:
        # Every group at once (one einsum per tap, not groups x taps: a
        # depthwise layer of 70 channels was 70 times the numpy calls).
        xp = np.zeros((n, groups, cg, h + pt + pb, wd + pl + pr))
        xp[..., pt:pt + h, pl:pl + wd] = x.reshape(n, groups, cg, h, wd)
        ws = w.reshape(groups, mg, cg, kh, kw)
        y = np.zeros((n, groups, mg, ho, wo))
        for ky in range(kh):
            for kx in range(kw):
                patch = xp[..., ky * dh: ky * dh + sh * (ho - 1) + 1: sh,
                           kx * dw: kx * dw + sw * (wo - 1) + 1: sw]
                y += np.einsum("ngchw,gmc->ngmhw", patch, ws[..., ky, kx])
        y = y.reshape(n, cout, ho, wo)
    if b is not None:
        y += np.asarray(b, np.float64)[None, :, None, None]
    if act is not None:
        lo, hi = act
        y = np.where(np.isnan(y), y, np.clip(y, lo, hi))
    return y


def wino_tiles_magnitude(win, w, BT, G, AT):
    """|A^T| [sum_c |G||g_c||G^T| (.) |B^T||d_c||B|] |A| of every tile (float64):
    win (n, c, ty, tx, N, N) the tiles' input patches, w (o, c, 3, 3); BT (N x N),
    G (N x 3), AT (m x N) a Winograd tile's matrices (stride 1 or 2). Returns
    (n, o, ty m, tx m), tile (y, x) at rows y m.., columns x m... As matrix
    products (numpy's BLAS): the same sums as one einsum per step, 4-7x
    faster under QEMU, where the einsums were most of the Winograd tests' time."""
    BT, G, AT = np.abs(BT), np.abs(G), np.abs(AT)
    n, c, ty, tx, N, _ = win.shape
    m = AT.shape[0]
    v = BT @ np.abs(win) @ BT.T                                  # (n, c, ty, tx, N, N)
    u = G @ np.abs(w) @ G.T                                      # (o, c, N, N)
    # Per transform position (i, j): (n ty tx, c) @ (c, o), summing the channels.
    vv = v.transpose(4, 5, 0, 2, 3, 1).reshape(N * N, n * ty * tx, c)
    uu = u.transpose(2, 3, 1, 0).reshape(N * N, c, -1)
    prod = (vv @ uu).reshape(N, N, n, ty, tx, -1).transpose(2, 5, 3, 4, 0, 1)  # (n, o, ty, tx, N, N)
    y = AT @ prod @ AT.T                                         # (n, o, ty, tx, m, m)
    return y.transpose(0, 1, 2, 4, 3, 5).reshape(n, -1, ty * m, tx * m)


def conv2d_bound(x, w, b=None, **kw):
    """Elementwise error bound for a float32 result of conv2d_ref(x, w, b, ...)."""
    kw = dict(kw)
    kw.pop("act", None)
    mag = conv2d_ref(np.abs(x), np.abs(w), None if b is None else np.abs(b), **kw)
    k = w.shape[1] * w.shape[2] * w.shape[3]
    return (k + 2) * EPS32 * mag + np.finfo(np.float32).tiny


def assert_close(y, ref, bound, what=""):
    assert y.shape == ref.shape, f"{what}: shape {y.shape} != {ref.shape}"
    assert y.dtype == np.float32, f"{what}: dtype {y.dtype}"
    err = np.abs(y.astype(np.float64) - ref)
    bad = ~(err <= bound)
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        raise AssertionError(
            f"{what}: {bad.sum()} of {y.size} outside the bound; first at {i}: got {y[i]}, "
            f"want {ref[i]} (err {err[i]:.3g} > bound {bound[i]:.3g})")


ACTS = {None: None, "relu": (0.0, np.inf), "relu6": (0.0, 6.0)}


def act_range(activation):
    if activation is None or isinstance(activation, str):
        return ACTS[activation]
    return tuple(activation)


# ---- half precision (Conv2d(precision="fp16")) ----------------------------------

EPS16 = 2.0 ** -11


def _padded(x, pads):
    n, c, h, w = x.shape
    pt, pb, pl, pr = pads
    xp = np.zeros((n, c, h + pt + pb, w + pl + pr), x.dtype)
    xp[:, :, pt:pt + h, pl:pl + w] = x
    return xp


def conv2d_fp16_emulated(x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1),
                         groups=1, act=None, bias_last=False):
    """The arithmetic of the fp16 GEMM kernels, emulated in numpy (float64 for
    each exact a*b + c, rounded once to float16, which is what FMLA .8h does):
    x, w and b rounded to float16; each output starts from its bias and takes
    one fused multiply-add per term in im2col order (channel, kernel row,
    kernel column); then the clamp, with bounds rounded to float16. Returns
    float16 values (as float64) for every output, bit for bit what the
    kernels give (NaN aside).

    bias_last: the depthwise kernels' order instead (core/dwconv.h): the
    output starts from zero (the first product, rounded), takes the taps'
    fused multiply-adds, then the bias in one rounded addition."""
    xh = np.asarray(x, np.float32).astype(np.float16).astype(np.float64)
    wh = np.asarray(w, np.float32).astype(np.float16).astype(np.float64)
    n, c, h, wd = xh.shape
    cout, cg, kh, kw = wh.shape
    sh, sw = stride
    dh, dw = dilation
    pt, pb, pl, pr = pads
    ho = out_size(h, kh, sh, dh, pt, pb)
    wo = out_size(wd, kw, sw, dw, pl, pr)
    xp = _padded(xh, pads)
    bias = np.zeros(cout) if b is None else np.asarray(b, np.float32).astype(np.float16).astype(np.float64)
    acc = np.broadcast_to((0 * bias if bias_last else bias)[None, :, None, None],
                          (n, cout, ho, wo)).astype(np.float16)
    mg = cout // groups
    # Every group at once: the same operations on every output (its terms in
    # order, each rounded), the groups side by side.
    xs = xp.reshape(n, groups, cg, *xp.shape[2:])
    ws = wh.reshape(groups, mg, cg, kh, kw)
    acc = acc.reshape(n, groups, mg, ho, wo)
    with np.errstate(invalid="ignore", over="ignore"):
        for ci in range(cg):
            for ky in range(kh):
                for kx in range(kw):
                    patch = xs[:, :, ci, ky * dh: ky * dh + sh * (ho - 1) + 1: sh,
                               kx * dw: kx * dw + sw * (wo - 1) + 1: sw]
                    t = patch[:, :, None] * ws[None, :, :, ci, ky, kx, None, None]
                    acc = (acc.astype(np.float64) + t).astype(np.float16)
        acc = acc.reshape(n, cout, ho, wo)
        if bias_last:
            acc = (acc.astype(np.float64) + bias[None, :, None, None]).astype(np.float16)
        y = acc.astype(np.float64)
        if act is not None:
            lo, hi = (float(np.float16(v)) for v in act)
            y = np.where(np.isnan(y), y, np.clip(y, lo, hi))
    return y


def conv2d_fp16_bound(x, w, b=None, **kw):
    """Elementwise bound of |fp16 result - conv2d_ref(x, w, b)| (float64 of the
    float32 inputs): rounding x and w to float16 (2 * 2^-11 of each product),
    K sequential float16 additions and the bias ((K + 1) * 2^-11 of the sum of
    magnitudes, Higham 3.1), the final store, with a factor 2 of slack; plus
    float16's subnormal spacing."""
    kw = dict(kw)
    kw.pop("act", None)
    mag = conv2d_ref(np.abs(x), np.abs(w), None if b is None else np.abs(b), **kw)
    k = w.shape[1] * w.shape[2] * w.shape[3]
    return 2 * (k + 4) * EPS16 * mag + 2.0 ** -24
