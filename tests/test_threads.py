"""Threads: the API (set_num_threads, get_num_threads, threads(), ARMCONV_NUM_THREADS,
cpu_info()["cpus"], threadpoolctl) and the shared pool, driven through the
private test hook _armconv._test_parallel_for (every unit once, on its worker).

The kernel families on the pool: tests/test_threads_layers.py. The pool's own
tests (C++, tests/cpp/test_threads.cpp) cover it in more depth."""
import multiprocessing
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import armconv
from armconv import _armconv
from conftest import UNDER_QEMU, run_callers

TEAMS = (1, 2, 3, 4, 7)
UNITS = (0, 1, 2, 3, 4, 5, 7, 8, 13, 64, 100, 1000)
MASK = (1 << 64) - 1


@pytest.fixture(autouse=True)
def restore_thread_count():
    before = _armconv._process_num_threads()
    yield
    armconv.set_num_threads(before)
    assert _armconv._set_thread_override(0) == 0, "a test left a thread override behind"


def lcg_values(units, work):
    """What unit u of the hook computes: `work` LCG steps from u, in Python."""
    x = list(range(units))
    for _ in range(work):
        x = [(v * 6364136223846793005 + 1442695040888963407) & MASK for v in x]
    return np.array(x, dtype=np.uint64)


def static_worker(units, team):
    """The worker the static split gives each unit: contiguous ranges, the first
    units % team of them one unit longer."""
    q, r = divmod(units, team)
    sizes = [q + (w < r) for w in range(team)]
    return np.repeat(np.arange(team), sizes)


def run(units, threads, work=0):
    count, worker, values = _armconv._test_parallel_for(units, threads, work)
    return np.asarray(count), np.asarray(worker), np.asarray(values)


def test_exported():
    for name in ("set_num_threads", "get_num_threads", "threads"):
        assert name in armconv.__all__ and callable(getattr(armconv, name))


def test_default_is_the_cpus_this_process_may_use():
    cpus = armconv.cpu_info()["cpus"]
    assert isinstance(cpus, int) and cpus == len(os.sched_getaffinity(0))
    if "ARMCONV_NUM_THREADS" not in os.environ:
        assert _armconv._process_num_threads() == min(cpus, _armconv.MAX_THREADS)


@pytest.mark.parametrize("team", TEAMS)
def test_every_unit_once_on_its_static_worker(team):
    for units in UNITS:
        count, worker, values = run(units, team, work=3)
        assert (count == 1).all(), (units, team)
        used = max(1, min(team, units))
        np.testing.assert_array_equal(worker, static_worker(units, used))
        np.testing.assert_array_equal(values, lcg_values(units, 3))


def test_thread_count_changes_between_calls():
    for n in (1, 2, 3, 4, 7, 2, 1, 5):
        armconv.set_num_threads(n)
        assert armconv.get_num_threads() == n
        count, worker, _ = run(100, armconv.get_num_threads())
        assert (count == 1).all() and worker.max() == n - 1
    armconv.set_num_threads(np.int64(3))  # numpy integers are integers
    assert armconv.get_num_threads() == 3
    armconv.set_num_threads(_armconv.MAX_THREADS)  # the limit itself is valid
    assert armconv.get_num_threads() == _armconv.MAX_THREADS


BAD_TYPES = [True, False, 2.0, 2.5, "4", None, [4], np.float32(2), np.bool_(True), 1j]
BAD_VALUES = [0, -1, -(2 ** 40), 1025, 10 ** 20]


@pytest.mark.parametrize("make", [armconv.set_num_threads, armconv.threads],
                         ids=["set_num_threads", "threads"])
def test_bad_arguments(make):
    armconv.set_num_threads(2)
    name = make.__name__
    for bad in BAD_TYPES:
        with pytest.raises(TypeError, match=rf"{name}: n must be an int, got"):
            make(bad)
    for bad in BAD_VALUES:
        with pytest.raises(ValueError, match=rf"{name}: n must be from 1 to 1024, got {bad}"):
            make(bad)
    assert armconv.get_num_threads() == 2  # unchanged


def test_threads_context_is_per_thread_and_nests():
    armconv.set_num_threads(3)
    seen_by_other = []
    with armconv.threads(2) as t:
        assert t.n == 2 and armconv.get_num_threads() == 2
        assert run(50, armconv.get_num_threads())[1].max() == 1
        with armconv.threads(7):
            assert armconv.get_num_threads() == 7
            other = threading.Thread(target=lambda: seen_by_other.append(armconv.get_num_threads()))
            other.start()
            other.join()
            armconv.set_num_threads(4)  # process-wide: this thread's override still wins
            assert armconv.get_num_threads() == 7
        assert armconv.get_num_threads() == 2
    assert seen_by_other == [3]
    assert armconv.get_num_threads() == 4
    with pytest.raises(KeyError):
        with armconv.threads(5):
            raise KeyError("restored on exceptions too")
    assert armconv.get_num_threads() == 4


def test_one_threads_object_in_several_threads():
    limit = armconv.threads(2)
    armconv.set_num_threads(3)
    inside, left = threading.Barrier(3), threading.Barrier(3)
    seen = []

    def body(own):
        with armconv.threads(own):
            with limit:
                inside.wait(timeout=60)  # all three threads are inside `limit` now
                seen.append(armconv.get_num_threads())
                left.wait(timeout=60)
            seen.append((own, armconv.get_num_threads()))

    workers = [threading.Thread(target=body, args=(k,)) for k in (5, 6, 7)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert sorted(seen[:3]) == [2, 2, 2]
    assert sorted(seen[3:]) == [(5, 5), (6, 6), (7, 7)]  # each restored its own
    assert armconv.get_num_threads() == 3


def test_two_python_threads_at_once():
    units, work = (600, 20) if UNDER_QEMU else (3000, 200)
    want = lcg_values(units, work)

    def caller(team):
        for _ in range(6):
            count, worker, values = run(units, team, work)
            assert (count == 1).all()
            np.testing.assert_array_equal(worker, static_worker(units, team))
            np.testing.assert_array_equal(values, want)

    run_callers([(caller, (t,)) for t in (4, 3)], timeout=120)


def _child_work(team):
    count, worker, values = run(200, team, work=5)
    return bool((count == 1).all()) and int(worker.max()) == team - 1 and \
        bool((values == lcg_values(200, 5)).all())


def test_fork_child_runs_multithreaded_work():
    """A multiprocessing fork-start child of a parent that ran multi-threaded
    work runs multi-threaded work (libgomp and pthreadpool children hang here)."""
    assert _child_work(4)  # the parent's pool is up
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        result = pool.map_async(_child_work, [4, 3, 2, 7])
        assert result.get(timeout=120) == [True] * 4
    proc = ctx.Process(target=lambda: sys.exit(0 if _child_work(4) else 1))
    proc.start()
    proc.join(timeout=120)
    if proc.is_alive():
        proc.kill()
        pytest.fail("the forked child hung")
    assert proc.exitcode == 0
    assert _child_work(4)  # and the parent's pool still works


@pytest.mark.skipif(UNDER_QEMU, reason="an ARM Python cannot start an ARM subprocess under "
                    "qemu-user; tests/cpp/test_threads.cpp checks ARMCONV_NUM_THREADS there")
@pytest.mark.parametrize("value, threads, warns", [
    ("3", 3, False), (" 2 ", 2, False), ("1", 1, False), ("1024", 1024, False),
    ("", None, False), ("0", None, True), ("-2", None, True), ("abc", None, True),
    ("2.5", None, True), ("1025", None, True), ("4 threads", None, True)])
def test_environment_variable(value, threads, warns):
    code = ("import warnings, json\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    import armconv\n"
            "print(json.dumps([armconv.get_num_threads(), armconv.cpu_info()['cpus'],\n"
            "                  [(x.category.__name__, str(x.message)) for x in w]]))\n")
    env = dict(os.environ, ARMCONV_NUM_THREADS=value)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    import json
    got, cpus, warnings_seen = json.loads(out.stdout)
    assert got == (threads if threads else cpus)
    ours = [m for m in warnings_seen if "ARMCONV_NUM_THREADS" in m[1]]
    if warns:
        assert len(ours) == 1 and ours[0][0] == "RuntimeWarning", warnings_seen
        assert f"ARMCONV_NUM_THREADS='{value}' is ignored" in ours[0][1]
        assert "from 1 to 1024" in ours[0][1] and f"using {cpus} threads" in ours[0][1]
    else:
        assert not ours, warnings_seen
    assert "armconv: warning" not in out.stderr  # reported once, as a Python warning


def test_threadpoolctl():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not hasattr(threadpoolctl, "register"):
        pytest.skip("threadpoolctl older than 3.2 has no third-party controllers")
    armconv.set_num_threads(3)
    ours = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "armconv"]
    assert len(ours) == 1, threadpoolctl.threadpool_info()
    info = ours[0]
    assert info["internal_api"] == "armconv" and info["num_threads"] == 3
    assert os.path.basename(info["filepath"]).startswith("_armconv")
    assert info["version"] == armconv.__version__
    with threadpoolctl.threadpool_limits(limits=1):
        assert armconv.get_num_threads() == 1
        assert run(100, armconv.get_num_threads())[1].max() == 0
    assert armconv.get_num_threads() == 3
    with threadpoolctl.threadpool_limits(limits=2, user_api="armconv"):
        assert armconv.get_num_threads() == 2
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        assert armconv.get_num_threads() == 3  # not ours
    assert armconv.get_num_threads() == 3
