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


def conv2d_ref(x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1,
               act=None):
    """float64 conv2d, NCHW; pads = (top, bottom, left, right); act = None or (lo, hi)."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    sh, sw = stride
    dh, dw = dilation
    pt, pb, pl, pr = pads
    ho = out_size(h, kh, sh, dh, pt, pb)
    wo = out_size(wd, kw, sw, dw, pl, pr)
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    y = np.zeros((n, cout, ho, wo))
    mg = cout // groups
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        ws = w[g * mg:(g + 1) * mg]
        for ky in range(kh):
            for kx in range(kw):
                patch = xs[:, :, ky * dh: ky * dh + sh * (ho - 1) + 1: sh,
                           kx * dw: kx * dw + sw * (wo - 1) + 1: sw]
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, ws[:, :, ky, kx])
    if b is not None:
        y += np.asarray(b, np.float64)[None, :, None, None]
    if act is not None:
        lo, hi = act
        y = np.where(np.isnan(y), y, np.clip(y, lo, hi))
    return y


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
