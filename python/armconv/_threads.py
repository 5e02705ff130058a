"""How many threads armconv uses.

armconv runs its multi-threaded calls on one pool of worker threads shared by
the whole process (persistent, idle threads sleep); the calling thread is one
of the threads. The count for a call made from some Python thread is:

1. inside ``with armconv.threads(n):`` in that thread, ``n`` (other threads
   are not affected);
2. otherwise the process-wide value: the last :func:`set_num_threads` (or
   ``threadpoolctl.threadpool_limits``), else the environment variable
   ``ARMCONV_NUM_THREADS`` read at import (a bad value is ignored with a
   ``RuntimeWarning``), else ``cpu_info()["cpus"]``, the number of CPUs this
   process may run on.

Results are bit-identical for every thread count.
"""
from __future__ import annotations

import numbers
import sys
import threading
import warnings
from typing import Any, List, Literal, Optional

from . import _armconv as _core

MAX_THREADS = _core.MAX_THREADS


def _thread_count(n: object, func: str) -> int:
    """n as an int from 1 to MAX_THREADS, or TypeError / ValueError naming `func`'s n."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        hint = "; pass a whole number, e.g. int(n)" if isinstance(n, (numbers.Real, str)) else ""
        raise TypeError(f"{func}: n must be an int, got {type(n).__name__} {n!r}{hint}")
    n = int(n)
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(
            f"{func}: n must be from 1 to {MAX_THREADS}, got {n} "
            f"(this process may run on {_core.cpu_info()['cpus']} CPUs)")
    return n


def set_num_threads(n: int) -> None:
    """Sets the number of threads armconv uses, for the whole process.

    ``n``: an int from 1 to ``MAX_THREADS`` (1024); more threads than CPUs is
    allowed but rarely faster. Inside ``with armconv.threads(m):`` the
    thread's ``m`` still wins. Raises TypeError for a non-integer (bool, float,
    str) and ValueError for a value out of range.
    """
    _core.set_num_threads(_thread_count(n, "set_num_threads"))


def get_num_threads() -> int:
    """The number of threads a call from this thread runs on at most."""
    return _core.get_num_threads()


class threads:
    """Context manager: ``with armconv.threads(n):`` runs armconv calls made by
    this thread on at most ``n`` threads, and restores the previous count on
    exit. Other threads keep theirs. Nests; one object may be entered by
    several threads at once. ``n`` is checked when the object is made, like
    :func:`set_num_threads`.
    """

    def __init__(self, n: int) -> None:
        self.n = _thread_count(n, "threads")
        self._local = threading.local()  # per thread: the counts to restore

    def __enter__(self) -> threads:
        saved: List[int] = self._local.__dict__.setdefault("saved", [])
        saved.append(_core._set_thread_override(self.n))
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _core._set_thread_override(self._local.saved.pop())
        return False

    def __repr__(self) -> str:
        return f"armconv.threads({self.n})"


def _warn_about_env() -> None:
    message = _core._read_thread_env()
    if message:
        warnings.warn(message, RuntimeWarning, stacklevel=2)


def _register_with_threadpoolctl() -> None:
    """If threadpoolctl (>= 3.2) is installed, make armconv one of the pools it
    lists and limits: ``threadpool_info()`` shows ``user_api`` "armconv", and
    ``threadpool_limits(n)`` sets the process-wide count (values above
    MAX_THREADS are clamped)."""
    try:
        import threadpoolctl  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return
    LibController = getattr(threadpoolctl, "LibController", None)
    register = getattr(threadpoolctl, "register", None)
    if LibController is None or register is None:
        return

    class ArmconvController(LibController):  # type: ignore[misc, valid-type]
        user_api = "armconv"
        internal_api = "armconv"
        filename_prefixes = ("_armconv",)  # the extension module, armconv/_armconv.*.so
        check_symbols = ("armconv_get_num_threads", "armconv_set_num_threads")

        def get_num_threads(self) -> Any:
            return self.dynlib.armconv_get_num_threads()

        def set_num_threads(self, num_threads: int) -> None:
            self.dynlib.armconv_set_num_threads(int(num_threads))

        def get_version(self) -> Optional[str]:
            return getattr(sys.modules.get(__package__), "__version__", None)

    register(ArmconvController)


_warn_about_env()
_register_with_threadpoolctl()
