"""Every kernel family on the thread pool: the same bits at 1, 2, 3, 4 and 7 threads.

For each family (fp32 GEMM 1x1, im2col, Winograd F(6,3), F(4,3), F(2,3), depthwise 3x3;
int8 GEMM 1x1 and im2col (smull or sdot or armv7, whichever this CPU
dispatches), int8 depthwise 3x3 and KxK; the public gemm and gemm_s8) and
shapes chosen so that every split axis is cut (M-panels of 7x7 and 14x14
maps with many channels, N-blocks of large maps, tile blocks and channel
chunks of Winograd, planes and row blocks of depthwise, batch > 1):

- the one-thread result matches the float64 reference (fp32 within the
  error bound of tests/reference.py or tests/test_winograd.py; int8 bit for
  bit against the int64 reference);
- at 2, 3, 4 and 7 threads the call really runs on several threads (the
  private hook `_plan` reports the team the call uses) and returns exactly
  the bytes of the one-thread call (no reduction is split across threads).

Also: a multiprocessing child forked after multi-threaded layers ran runs
layers on several threads, and two Python threads running multi-threaded
layers at once (one of them shared) both get the one-thread bits.
"""
import multiprocessing
import sys

import numpy as np
import pytest

import armconv
from conftest import UNDER_QEMU, run_callers
from reference import assert_close, conv2d_bound, conv2d_ref
from test_int8 import _int_reference, ref_multipliers, ref_requant
from test_winograd import wino_bound
from test_winograd_s2 import wino_bound as wino_s2_bound

THREADS = (2, 3, 4, 7)

# (id, n, cin, cout, h, w, k, stride, padding, groups, activation, algo)
F32_CASES = [
    ("gemm 1x1 96->160 7x7 n2 (M-panels)", 2, 96, 160, 7, 7, 1, 1, 0, 1, "relu", "gemm"),
    ("gemm 1x1 16->24 56x56 (N-blocks)", 1, 16, 24, 56, 56, 1, 1, 0, 1, None, "gemm"),
    ("gemm 1x1 s2 32->44 29x29", 1, 32, 44, 29, 29, 1, 2, 0, 1, "relu6", "gemm"),
    ("gemm 1x1 g2 24->40 20x20 n2", 2, 24, 40, 20, 20, 1, 1, 0, 2, None, "gemm"),
    ("im2col 3x3 64->72 14x14", 1, 64, 72, 14, 14, 3, 1, 1, 1, "relu", "im2col"),
    ("im2col 3x3 s2 g2 12->20 33x33 n2", 2, 12, 20, 33, 33, 3, 2, 1, 2, None, "im2col"),
    ("im2col 5x5 8->13 23x19", 1, 8, 13, 23, 19, 5, 1, 2, 1, (-0.5, 0.5), "im2col"),
    ("im2col 3x3 s2 96->128 14x14 (M-panels)", 1, 96, 128, 14, 14, 3, 2, 1, 1, None, "im2col"),
    ("winograd63 64->64 14x14", 1, 64, 64, 14, 14, 3, 1, 1, 1, "relu", "winograd63"),
    ("winograd63 16->40 40x40 n2", 2, 16, 40, 40, 40, 3, 1, 1, 1, None, "winograd63"),
    ("winograd63 8->136 26x38", 1, 8, 136, 26, 38, 3, 1, 1, 1, None, "winograd63"),
    ("winograd43 256->256 7x7", 1, 256, 256, 7, 7, 3, 1, 1, 1, "relu", "winograd43"),
    ("winograd43 g2 32->48 30x30 n2", 2, 32, 48, 30, 30, 3, 1, 1, 2, None, "winograd43"),
    ("winograd23 24->40 21x19", 1, 24, 40, 21, 19, 3, 1, 0, 1, (-0.5, 0.5), "winograd23"),
    ("winograd43s2 64->72 56x56", 1, 64, 72, 56, 56, 3, 2, 1, 1, "relu", "winograd43s2"),
    ("winograd43s2 128->96 14x14 (stages)", 1, 128, 96, 14, 14, 3, 2, 1, 1, None, "winograd43s2"),
    ("winograd23s2 g2 24->40 33x29 n2", 2, 24, 40, 33, 29, 3, 2, 1, 2, (-0.5, 0.5), "winograd23s2"),
    ("winograd43s2+23s2 64->48 27x27", 1, 64, 48, 27, 27, 3, 2, 1, 1, "relu6", "winograd43s2+23s2"),
    ("depthwise3x3 C96 14x14", 1, 96, 96, 14, 14, 3, 1, 1, 96, "relu6", "depthwise3x3"),
    ("depthwise3x3 s2 C3 111x81 n2 (row blocks)", 2, 3, 3, 111, 81, 3, 2, 1, 3, None, "depthwise3x3"),
    ("im2col 3x3 s2 3->32 97x75 n2 (stem)", 2, 3, 32, 97, 75, 3, 2, 1, 1, "relu6", "im2col"),
    # 5x5 padding 2, stride 1, output width a multiple of 4: the NEON kernels
    # pack from a zero-padded copy, on small maps in a stage of its own
    ("im2col 5x5 16->32 28x28 (padded copy)", 1, 16, 32, 28, 28, 5, 1, 2, 1, "relu", "im2col"),
]

INT8_CASES = [
    ("gemm 1x1 96->128 7x7 n2 (M-panels)", 2, 96, 128, 7, 7, 1, 1, 0, 1, None, "gemm"),
    ("gemm 1x1 16->40 40x40 (N-blocks)", 1, 16, 40, 40, 40, 1, 1, 0, 1, "relu6", "gemm"),
    ("im2col 3x3 32->48 14x14", 1, 32, 48, 14, 14, 3, 1, 1, 1, None, "im2col"),
    # int8 Winograd F(2,3): tile blocks and output chunks on 28x28 (one stage), a plan
    # in stages on 7x7
    ("winograd23 3x3 g2 32->48 28x28 n2", 2, 32, 48, 28, 28, 3, 1, 1, 2, "relu6", "winograd23"),
    ("winograd23 3x3 64->72 7x7 (stages)", 1, 64, 72, 7, 7, 3, 1, 1, 1, None, "winograd23"),
    ("im2col 3x3 s2 g2 6->18 41x41 n2", 2, 6, 18, 41, 41, 3, 2, 1, 2, (-0.7, 0.9), "im2col"),
    ("depthwise3x3 C64 14x14", 1, 64, 64, 14, 14, 3, 1, 1, 64, None, "depthwise3x3"),
    ("depthwise3x3 s2 C4 140x99 (row blocks)", 1, 4, 4, 140, 99, 3, 2, 0, 4, "relu6", "depthwise3x3"),
    ("depthwise 5x5 C24 28x28 n2", 2, 24, 24, 28, 28, 5, 1, 2, 24, None, "depthwise"),
    # 14x14: packing in stages (panel groups or row slices by kernel); 56x56:
    # one stage, whole N-blocks per thread where the split allows
    ("gemm 1x1 384->96 14x14 (stages)", 1, 384, 96, 14, 14, 1, 1, 0, 1, None, "gemm"),
    ("gemm 1x1 64->64 56x56 (whole N-blocks)", 1, 64, 64, 56, 56, 1, 1, 0, 1, None, "gemm"),
]


@pytest.fixture(autouse=True)
def restore_thread_count():
    before = armconv._armconv._process_num_threads()
    yield
    armconv.set_num_threads(before)


def _act(activation):
    if activation is None:
        return None
    if activation == "relu":
        return (0.0, np.inf)
    if activation == "relu6":
        return (0.0, 6.0)
    return tuple(activation)


def plan(layer, x):
    """What a call over x runs at this thread's thread count (algo, units, team, ...)."""
    n, _, h, w = x.shape
    return layer._impl._plan(n, h, w)


def runs_on(layer, x, threads):
    """layer(x) at `threads` threads, after checking that the call uses a team of
    more than one thread (at most `threads`)."""
    with armconv.threads(threads):
        info = plan(layer, x)
        assert 1 < info["team"] <= threads, (threads, info)
        return layer(x)


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def f32_layer(rng, case):
    _, n, cin, cout, h, w, k, s, p, g, act, algo = case
    x = rng.standard_normal((n, cin, h, w)).astype(np.float32)
    wt = (rng.standard_normal((cout, cin // g, k, k)) / np.sqrt(cin // g * k * k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    layer = armconv.Conv2d(wt, b, stride=s, padding=p, groups=g, activation=act, algo=algo)
    return layer, x, wt, b


@pytest.mark.parametrize("case", F32_CASES, ids=[c[0] for c in F32_CASES])
def test_fp32_family_bits_across_threads(rng, case):
    _, n, cin, cout, h, w, k, s, p, g, act, algo = case
    layer, x, wt, b = f32_layer(rng, case)
    with armconv.threads(1):
        one = plan(layer, x)
        assert (one["algo"], one["team"], one["stages"]) == (algo, 1, 1), one
        y1 = layer(x)
    pads = (p, p, p, p)
    ref = conv2d_ref(x, wt, b, stride=(s, s), pads=pads, groups=g, act=_act(act), blas=True)
    if algo.startswith("winograd"):
        m = ("mix" if "+" in algo else int(algo[8])) if algo.endswith("s2") else int(algo[8])
        wb = wino_s2_bound if algo.endswith("s2") else wino_bound
        bound = np.concatenate([wb(x[:, i * (cin // g):(i + 1) * (cin // g)],
                                           wt[i * (cout // g):(i + 1) * (cout // g)],
                                           b[i * (cout // g):(i + 1) * (cout // g)], pads, m)
                                for i in range(g)], axis=1)
    else:
        bound = conv2d_bound(x, wt, b, stride=(s, s), pads=pads, groups=g, blas=True)
    assert_close(y1, ref, bound, case[0])
    for t in THREADS:
        yt = runs_on(layer, x, t)
        assert same_bits(yt, y1), f"{case[0]}: {t} threads differ from one thread"


# (id, n, cin, cout, h, w, groups, activation, algo): precision="fp16" (the
# fp16 Winograd where the CPU has fp16 arithmetic, else the fp32 kernels).
FP16_WINO_CASES = [
    ("winograd43 64->48 13x13 (stages)", 1, 64, 48, 13, 13, 1, "relu", "winograd43"),
    ("winograd43 g2 32->48 36x36 n2", 2, 32, 48, 36, 36, 2, None, "winograd43"),
    ("winograd23 20->36 9x11 n2 (stages)", 2, 20, 36, 9, 11, 1, None, "winograd23"),
]


@pytest.mark.parametrize("half_io", [False, True], ids=["float32 image", "float16 image"])
@pytest.mark.parametrize("case", FP16_WINO_CASES, ids=[c[0] for c in FP16_WINO_CASES])
def test_fp16_winograd_bits_across_threads(rng, case, half_io):
    """The fp16 Winograd (its accuracy: tests/test_fp16.py): the same bits at any thread count."""
    _, n, cin, cout, h, w, g, act, algo = case
    x = rng.standard_normal((n, cin, h, w)).astype(np.float16 if half_io else np.float32)
    wt = (rng.standard_normal((cout, cin // g, 3, 3)) / np.sqrt(cin // g * 9)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    layer = armconv.Conv2d(wt, b, padding=1, groups=g, activation=act, algo=algo, precision="fp16")
    with armconv.threads(1):
        one = plan(layer, x)
        assert (one["algo"], one["team"], one["stages"]) == (algo, 1, 1), one
        y1 = layer(x)
    assert y1.dtype == x.dtype and np.isfinite(y1).all()
    for t in THREADS:
        yt = runs_on(layer, x, t)
        assert same_bits(yt, y1), f"{case[0]}: {t} threads differ from one thread"


def test_winograd_small_map_runs_in_three_stages(rng):
    """A Winograd layer on a map of few tile blocks runs at 4 threads in three
    stages (input transform, per-position GEMMs, output transform) with V and M
    shared, and each thread's scratch holds only a staging box."""
    layer, x, _, _ = f32_layer(rng, F32_CASES[8])  # winograd63 64->64 14x14
    with armconv.threads(1):
        one = plan(layer, x)
    with armconv.threads(4):
        four = plan(layer, x)
    assert four["team"] == 4 and four["stages"] == 3, four
    # V and M of the call: F(6,3) has 64 positions, the 14x14 map 3x3 tiles, 64 channels each side
    assert four["shared_bytes"] >= 2 * 64 * 9 * 64 * 4, four
    assert four["scratch_bytes"] < one["scratch_bytes"], (one, four)


def test_padded_copy_is_a_stage(rng):
    """A 5x5 padded layer on a small map at 4 threads: where the kernels pack from
    a zero-padded copy of the image (NEON fp32), the plan copies it once, in a
    stage of its own (three stages: copy, pack B, micro-kernels), into the buffer
    its threads share; the generic kernels pack from the image (two stages)."""
    case = next(c for c in F32_CASES if "padded copy" in c[0])
    layer, x, _, _ = f32_layer(rng, case)
    with armconv.threads(4):
        four = plan(layer, x)
    neon = "generic" not in armconv.cpu_info()["kernels"]["sgemm"]
    assert four["team"] == 4 and four["stages"] == (3 if neon else 2), four
    if neon:  # the copy: 16 channels of 32 x 32 floats, after packed B
        assert four["shared_bytes"] >= 16 * 32 * 32 * 4 + 400 * 784 * 4, four


def q_layer(rng, case, out_scale):
    _, n, cin, cout, h, w, k, s, p, g, act, algo = case
    wt = (rng.standard_normal((cout, cin // g, k, k)) * 0.3).astype(np.float32)
    b = (rng.standard_normal(cout) * 0.5).astype(np.float32)
    xq = rng.integers(-128, 128, size=(n, cin, h, w), dtype=np.int8)
    layer = armconv.QConv2d(wt, b, np.float32(0.02), out_scale, stride=s, padding=p, groups=g,
                            activation=act, algo=algo)
    assert layer.algo == algo
    return layer, xq


@pytest.mark.parametrize("out_scale", [np.float32(0.031), None], ids=["int8 out", "float out"])
@pytest.mark.parametrize("case", INT8_CASES, ids=[c[0] for c in INT8_CASES])
def test_int8_family_bits_across_threads(rng, case, out_scale):
    _, n, cin, cout, h, w, k, s, p, g, act, algo = case
    layer, xq = q_layer(rng, case, out_scale)
    with armconv.threads(1):
        assert plan(layer, xq)["team"] == 1
        y1 = layer(xq)
    # Bit for bit against the int64 reference (tests/test_int8.py's rules).
    acc = _int_reference(layer, xq, (s, s), (p, p, p, p), (1, 1), g)
    if out_scale is not None:
        unit = np.float64(np.float32(0.02)) * layer.weight_scale.astype(np.float64)
        m, e = ref_multipliers(unit / np.float64(out_scale))
        np.testing.assert_array_equal(layer.requant_multiplier, m)
        want = ref_requant(acc, m[None, :, None, None], e, layer.qmin, layer.qmax)
    else:
        want = acc.astype(np.float32) * layer.dequant_scale[None, :, None, None]
        lo_hi = _act(act)
        if lo_hi is not None:
            want = np.clip(want, np.float32(lo_hi[0]), np.float32(lo_hi[1]))
    np.testing.assert_array_equal(y1, want)
    for t in THREADS:
        yt = runs_on(layer, xq, t)
        assert same_bits(yt, y1), f"{case[0]}: {t} threads differ from one thread"


@pytest.mark.parametrize("m, n, k", [(200, 24, 70), (24, 700, 70), (96, 196, 64)])
def test_gemm_apis_bits_across_threads(rng, m, n, k):
    """The public gemm (sgemm) and gemm_s8: packing A and the GEMM on the pool."""
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    aq = rng.integers(-127, 128, size=(m, k), dtype=np.int8)
    bq = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
    with armconv.threads(1):
        c1, q1 = armconv.gemm(a, b), armconv.gemm_s8(aq, bq)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    bound = (k + 2) * 2.0 ** -23 * (np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64))
    assert (np.abs(c1 - ref) <= bound).all()
    np.testing.assert_array_equal(q1, aq.astype(np.int64) @ bq.astype(np.int64))
    for t in THREADS:
        with armconv.threads(t):
            assert same_bits(armconv.gemm(a, b), c1), t
            assert same_bits(armconv.gemm_s8(aq, bq), q1), t


def test_thread_count_changes_between_calls(rng):
    """One layer, the thread count changed between calls, batch and map size too."""
    layer, x, _, _ = f32_layer(rng, F32_CASES[0])
    with armconv.threads(1):
        want = {hw: layer(x[:, :, :hw, :hw]) for hw in (7, 5)}
    for t in (4, 1, 7, 2, 3, 1, 4):
        armconv.set_num_threads(t)
        for hw in (7, 5):
            assert same_bits(layer(x[:, :, :hw, :hw]), want[hw]), (t, hw)


def _workspace_of(info):
    """What a call with this plan takes: each thread's scratch and the shared buffer."""
    return info["team"] * info["scratch_bytes"] + -(-info["shared_bytes"] // 64) * 64


@pytest.mark.parametrize("kind", ["fp32", "int8"])
def test_workspace_bytes_at_the_thread_count(kind):
    """workspace_bytes(h, w) is what a call at this thread's thread count takes:
    one thread's scratch at 1 thread; on a 7x7 map with many channels (a plan
    in two stages at 4 threads) every thread's scratch plus the shared packed
    B; a layer too small for threads takes what it takes on one."""
    wt = np.ones((160, 960, 1, 1), np.float32)
    # (fp32: the GEMM's staged plan; `auto` runs Strassen on this 7x7 layer on aarch64)
    big = armconv.Conv2d(wt, algo="gemm") if kind == "fp32" else armconv.QConv2d(wt, input_scale=0.1, output_scale=0.1)
    small_wt = np.ones((4, 4, 1, 1), np.float32)
    small = armconv.Conv2d(small_wt) if kind == "fp32" else armconv.QConv2d(small_wt, input_scale=0.1,
                                                                              output_scale=0.1)
    with armconv.threads(1):
        one = big._impl._plan(1, 7, 7)
        assert one["team"] == 1 and one["shared_bytes"] == 0
        assert big.workspace_bytes(7, 7) == one["scratch_bytes"]
        small_one = small.workspace_bytes(4, 4)
    with armconv.threads(4):
        four = big._impl._plan(1, 7, 7)
        assert four["team"] == 4 and four["stages"] == 2 and four["shared_bytes"] > 0, four
        # the packed B: 960 rows x 49 columns at least (int8: 1 byte, fp32: 4)
        assert four["shared_bytes"] >= 960 * 49 * (4 if kind == "fp32" else 1)
        ws = big.workspace_bytes(7, 7)
        assert ws == _workspace_of(four) and ws >= four["shared_bytes"], (ws, four)
        assert small._impl._plan(1, 4, 4)["team"] == 1
        assert small.workspace_bytes(4, 4) == small_one


# ---------------------------------------------------------------- fork, two callers

def _layers(rng):
    """A few multi-threaded layers (fp32 and int8) and their inputs."""
    f1, x1, _, _ = f32_layer(rng, F32_CASES[0])   # gemm, M-panels
    f2, x2, _, _ = f32_layer(rng, F32_CASES[8])   # winograd
    f3, x3, _, _ = f32_layer(rng, F32_CASES[11])  # depthwise
    q1, xq1 = q_layer(rng, INT8_CASES[2], np.float32(0.031))  # int8 im2col
    return [(f1, x1), (f2, x2), (f3, x3), (q1, xq1)]


def _run_all(pairs, threads):
    with armconv.threads(threads):
        teams = [plan(layer, x)["team"] for layer, x in pairs]
        return teams, [layer(x).tobytes() for layer, x in pairs]


_FORK_STATE = {}


def _fork_child(threads):
    """In a forked child: the parent's layers at `threads` threads."""
    return _run_all(_FORK_STATE["pairs"], threads)


def test_fork_child_runs_layers(rng):
    """A multiprocessing child (fork start method) forked after the parent ran
    multi-threaded layers runs layers on several threads and gets the parent's
    bits; the parent's pool still works after the fork. (qemu-user 7.2 crashes
    a forked child that creates a thread while the parent had other live
    threads; armconv's pool joins its workers before a fork, so nothing here
    needs to be skipped under QEMU.)"""
    pairs = _layers(rng)
    teams, want = _run_all(pairs, 4)
    assert min(teams) > 1, teams
    _FORK_STATE["pairs"] = pairs
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(2) as pool:
            got = pool.map_async(_fork_child, [4, 3, 2])
            for child_teams, child_bytes in got.get(timeout=300):
                assert min(child_teams) > 1, child_teams
                assert child_bytes == want
        proc = ctx.Process(target=lambda: sys.exit(0 if _fork_child(4)[1] == want else 1))
        proc.start()
        proc.join(timeout=300)
        if proc.is_alive():
            proc.kill()
            pytest.fail("the forked child hung")
        assert proc.exitcode == 0
    finally:
        _FORK_STATE.clear()
    assert _run_all(pairs, 4)[1] == want  # the parent after the fork


def test_two_python_threads_run_multithreaded_layers(rng):
    """Two Python threads run multi-threaded layers at once (4 and 3 threads; the
    layer objects shared between them): both get the one-thread bits."""
    pairs = _layers(rng)
    _, want = _run_all(pairs, 1)
    rounds = 2 if UNDER_QEMU else 6

    def caller(threads, order):
        with armconv.threads(threads):
            for _ in range(rounds):
                for i in order:
                    layer, x = pairs[i]
                    assert plan(layer, x)["team"] > 1
                    assert layer(x).tobytes() == want[i], (threads, i)

    run_callers([(caller, (4, [0, 1, 2, 3])), (caller, (3, [3, 2, 1, 0]))], timeout=600)


def test_layers_keep_plans_per_size(rng):
    """A layer keeps the plans of the sizes it has run (core/plan.h, PlanMemo: at
    most 16) and is called from several Python threads at once over more sizes
    than that, in different orders and at different thread counts: every call
    returns the bits a fresh layer (nothing kept) gives for its size, first call or not."""
    w = rng.standard_normal((8, 6, 3, 3)).astype(np.float32)
    wq = rng.standard_normal((8, 6, 1, 1)).astype(np.float32)
    sizes = [(n, h, h + d) for n in (1, 2) for h in (3, 5, 8, 11, 14) for d in (0, 1)]  # 20 sizes
    sizes = sizes[:18 if UNDER_QEMU else 20]
    makers = [lambda: armconv.Conv2d(w, padding=1),  # auto 3x3: picks by map size
              lambda: armconv.Conv2d(wq, activation="relu"),  # GEMM 1x1
              lambda: armconv.QConv2d(wq, None, 0.05, 0.1)]
    xs = [rng.standard_normal((n, 6, h, ww)).astype(np.float32) for n, h, ww in sizes]
    cases = []
    for make in makers:
        q = isinstance(make(), armconv.QConv2d)
        ins = [armconv.quantize(x, 0.05) if q else x for x in xs]
        want = [make()(x).tobytes() for x in ins]  # a fresh layer per size
        cases.append((make(), ins, want))

    def caller(threads, order):
        with armconv.threads(threads):
            for _ in range(2):
                for layer, ins, want in cases:
                    for i in order:
                        assert layer(ins[i]).tobytes() == want[i], (threads, sizes[i])

    idx = list(range(len(sizes)))
    run_callers([(caller, (1, idx)), (caller, (3, idx[::-1])), (caller, (2, idx[1::2] + idx[::2]))],
                timeout=600)
