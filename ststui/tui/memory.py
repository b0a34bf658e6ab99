"""The process's heap: fewer malloc arenas from the start, settled after the first sync.

Place in the flow: `commands.tui.run_tui` calls `limit_arenas()` before any thread
starts: glibc gives every thread that allocates its own arena (up to eight per core),
and the watch threads each parse LIST pages in theirs, so freed pages stay spread over
many heaps; two arenas hold the same objects in less resident memory (measured: 2-3 MB
at 10,000 pods). `StsTuiApp.drain_changes` calls `freeze()` once the watch is live,
and `settle()` when every kind has listed and every view has been rebuilt (again after a
later catch-up: a relist, another namespace). By then tens of thousands
of objects are alive for good (the store, the views) and the LIST pages they came from
are garbage:
- `gc.collect()` then `gc.freeze()`: the survivors move to the collector's permanent
  generation, so it never rescans them (pauses that delayed keys) and their pages are
  not touched again;
- glibc's `malloc_trim(0)`: free memory at the top of the C heap and in its free lists
  goes back to the system (the JSON pages were parsed in it). Elsewhere (musl, macOS)
  this is skipped.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os


def _malloc_trim() -> bool:
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True


M_ARENA_MAX = -8     # mallopt parameter (glibc malloc.h)
ARENAS = 2


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """glibc: at most `arenas` malloc arenas (MALLOC_ARENA_MAX set by the user wins)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt(M_ARENA_MAX, arenas) == 1


def freeze() -> None:
    """Freeze what is alive now, without a collection first (a full one walks every
    object: 0.6 s at 50,000 pods): used once the watch is live, before the views catch up,
    so the catch-up's collections skip the store. Cyclic garbage alive at that moment
    stays frozen, once; the pages and slim objects are freed by reference counting."""
    gc.freeze()


def thaw() -> None:
    """Give everything frozen back to the collector (when the app drops a whole session:
    its watch manager and loops form a reference cycle that, frozen, would keep the old
    store alive for good). The next `settle()` collects what is garbage now."""
    gc.unfreeze()


def settle() -> None:
    """Collect, freeze the survivors, give free memory back (see the module docstring)."""
    gc.collect()
    gc.freeze()
    _malloc_trim()
