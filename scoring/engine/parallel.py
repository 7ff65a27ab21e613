"""A second core for the engine: independent whole-column steps run side by side.

numpy and Arrow release the GIL inside their kernels, so two such steps (the survey aggregation
beside the inspection points; the numeric columns of a result beside its text columns) overlap
on a two-core machine. One worker thread is shared by every caller; a task never waits for
another task, so callers cannot deadlock, they only queue.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scoring-engine")


def beside(task: Callable[[], T]) -> Future[T]:
    """Start ``task`` on the engine's worker thread; ``.result()`` waits for it (and re-raises)."""
    return _WORKER.submit(task)
