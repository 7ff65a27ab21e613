"""Pausing Python's cyclic garbage collector around bulk work that makes many containers but no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """The cyclic collector paused for the block; re-enabled afterwards if it was enabled.

    Reading a workbook (one list per calamine row) and building upsert parameters (one list of
    100,000 values per column) create many fresh containers; each counts towards the collector's
    thresholds and sets off collections that walk them all again to find nothing. Reference
    counting frees them as usual. Nested or concurrent pauses never leave the collector off: only
    the outermost block that found it enabled turns it back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
