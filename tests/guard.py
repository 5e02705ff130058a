"""numpy arrays whose data ends exactly at an inaccessible page.

A kernel that reads one element past the end of such an input dies with
SIGSEGV (the test run fails loudly) instead of reading stale memory.
"""
import ctypes
import ctypes.util
import mmap

import numpy as np

_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_PAGE = mmap.PAGESIZE
_keep = []  # the mappings must outlive the arrays; a test process is short-lived


def guarded(a):
    """Copy of `a` (C order) placed so that its last byte is followed by a PROT_NONE page."""
    a = np.ascontiguousarray(a)
    nbytes = a.nbytes
    pages = (nbytes + _PAGE - 1) // _PAGE + 1
    m = mmap.mmap(-1, pages * _PAGE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    buf = (ctypes.c_char * (pages * _PAGE)).from_buffer(m)
    addr = ctypes.addressof(buf)
    if _libc.mprotect(addr + (pages - 1) * _PAGE, _PAGE, 0) != 0:
        raise OSError(ctypes.get_errno(), "mprotect failed")
    start = (pages - 1) * _PAGE - nbytes
    out = np.frombuffer(m, dtype=a.dtype, count=a.size, offset=start).reshape(a.shape)
    out[...] = a
    _keep.append((m, buf))
    return out
