import os
import sys
import threading
import zlib

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

# Set by scripts/test.sh: "host", "cortex-a72", "cortex-a76", "cortex-a15".
EXPECT_CPU = os.environ.get("ARMCONV_EXPECT_CPU", "")
# Under QEMU the kernels run 5-20x slower: sweeps use their smaller form.
UNDER_QEMU = EXPECT_CPU.startswith("cortex")


@pytest.fixture
def rng(request):
    """A generator seeded from the test's id: every failure is reproducible."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def run_callers(calls, timeout):
    """Runs each (function, args) of `calls` on a Python thread of its own, all at
    once, and waits up to `timeout` seconds for each: fails if one hangs, and
    re-raises in the main thread what any of them raised (all of them listed)."""
    errors = []

    def run(fn, args):
        try:
            fn(*args)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a caller hung"
    assert not errors, errors
