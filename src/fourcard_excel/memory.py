"""Give memory the run has freed back to the operating system, between stages.

Freeing a frame does not shrink the process: the C allocator keeps the pages for reuse. On Linux,
glibc's ``malloc`` keeps most blocks over 128 KB on its heap once a large block has been freed
(its mmap threshold then rises), so the raw tables of a whole county, freed after validation,
stayed counted in the process's memory until it ended (about 500 MB at a million members, measured
with ``benchmarks/bench_process.py --scale 5``). ``malloc_trim(0)`` returns them; Arrow's own pool
(pandas' text columns, Parquet) is released as well.

On other systems only Arrow's pool is released (Windows' heap decommits large freed blocks by
itself; not measured here). Python's small-object arenas are returned when empty on every system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's ``malloc_trim``, or None (not Linux, or a C library without it, e.g. musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed() -> bool:
    """Return freed memory to the system (Arrow's pool everywhere, glibc's heap on Linux).
    True when the C heap was trimmed. Takes milliseconds; call it after a stage frees a lot."""
    if "pyarrow" in sys.modules:  # only when already loaded: never imported for this
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
