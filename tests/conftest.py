import os
import sys
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
