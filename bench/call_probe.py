"""What one layer call costs through the Python API, without the kernel's work:
a 4->4 1x1 layer on a 1x1 map, called 10 times between the counter's region
marks (bench/guest_marks.py), one thread. Run under the counter:

    python3 bench/qcount.py --python --region --pythonpath build-test/aarch64-py/stage \\
        -- bench/call_probe.py MODE

MODE: empty (the loop alone: subtract it), call (layer(x)), out (layer(x, out=y)),
impl (layer._impl.run(x)), qconv (a QConv2d's layer(x) on int8 input).
Instructions per call = (count(MODE) - count(empty)) / 10.
"""
import os
import sys

os.environ["ARMCONV_NUM_THREADS"] = "1"
import numpy as np  # noqa: E402

import guest_marks  # noqa: E402
import armconv  # noqa: E402

CALLS = 10


def main(mode):
    rng = np.random.default_rng(0)
    x = rng.random((1, 4, 1, 1), dtype=np.float32)
    w = rng.random((4, 4, 1, 1), dtype=np.float32)
    layer = armconv.Conv2d(w, rng.random(4, dtype=np.float32))
    y = layer(x)
    q = armconv.QConv2d(w, None, 0.05, 0.1)
    xq = armconv.quantize(x, 0.05)
    box = []

    # Each mode stores its result the same way; "empty" stores x: the
    # difference to it is the call alone.
    def empty():
        box[:] = [x]

    def call():
        box[:] = [layer(x)]

    def out():
        box[:] = [layer(x, out=y)]

    def impl():
        box[:] = [layer._impl.run(x)]

    def qconv():
        box[:] = [q(xq)]

    runs = {"empty": empty, "call": call, "out": out, "impl": impl, "qconv": qconv}
    run = runs[mode]
    run()  # warm-up: plans, first-call allocations
    guest_marks.region_on()
    for _ in range(CALLS):
        run()
    guest_marks.region_off()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "call")
