"""Region marks for a Python program counted by bench/qcount.py --python.

    import guest_marks
    layer(x)                          # warm-up, not counted
    with guest_marks.region():        # counted: the calls and a few hundred
        for _ in range(k):            # instructions of ctypes around the marks
            layer(x)                  # (measure an empty region to subtract them)

The marks are instructions in libarmconv_marks.so (bench/counter/marks.c),
which qcount.py cross-builds and names in ARMCONV_MARKS_LIB. Outside the
counter they are NOPs; without ARMCONV_MARKS_LIB every function here does
nothing, so a script runs unchanged on a real board.
"""
import contextlib
import ctypes
import os

_path = os.environ.get("ARMCONV_MARKS_LIB")
_lib = ctypes.CDLL(_path) if _path else None


def _call(name):
    if _lib is not None:
        getattr(_lib, name)()


def region_on():
    _call("armconv_region_on")


def region_off():
    _call("armconv_region_off")


def pause():
    """Stop counting the calling thread (e.g. while it waits)."""
    _call("armconv_pause")


def resume():
    _call("armconv_resume")


@contextlib.contextmanager
def region():
    region_on()
    try:
        yield
    finally:
        region_off()
