"""Run an iterator one step ahead on a worker thread (used by the upload gate).

The gate inflates a worksheet part (zlib releases the GIL) and scans the inflated pieces (numpy
mostly releases it too): with the inflating done ahead on a second thread, the two overlap on a
two-core machine. At most ``depth`` items wait in the queue, so memory stays bounded whatever the
part's size; an exception of the iterator is raised to the consumer at the point it occurred, and
a consumer that stops early (a refused sheet) stops the worker.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetched(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """The items of ``items`` in order, produced ahead by a worker thread."""
    ready: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put((item, None), timeout=0.05)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put((_DONE, exc))

    worker = threading.Thread(target=produce, name="gate-inflate", daemon=True)
    worker.start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # unblock a worker waiting to put, then let it see ``stop``
            try:
                ready.get_nowait()
            except queue.Empty:
                worker.join(0.01)
