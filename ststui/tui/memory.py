"""Settling the heap once the first sync is complete.

Place in the flow: `StsTuiApp.drain_changes` calls `settle()` once, when the watch is
live, every kind has listed and every view has been rebuilt. By then tens of thousands
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


def _malloc_trim() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True


def settle() -> None:
    """Collect, freeze the survivors, give free memory back (see the module docstring)."""
    gc.collect()
    gc.freeze()
    _malloc_trim()
