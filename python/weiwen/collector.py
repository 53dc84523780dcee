"""Python's cyclic garbage collector held back while an operation runs (`bulk_work()`).

CPython looks for reference cycles every 700 net allocations by default. A merge of 100,000 rows
allocates tens of millions of objects (texts, floats, rows, frames), none of them cyclic garbage,
so those thousands of collections only walk young objects and re-walk the middle generation:
~9 % of a 100k re-merge's CPU, measured (benchmarks/district.py --remerge-only). Collecting every
50,000 allocations instead costs at most that many objects' memory for cycles that wait. The
threshold is process-wide: operations that overlap (the page serves requests on threads) share
one raise, and the default comes back when the last one ends.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: net allocations between two young collections while an operation runs
YOUNG = 50_000

_lock = threading.Lock()
_running = 0
_saved: tuple[int, ...] = ()


@contextmanager
def bulk_work() -> Iterator[None]:
    """Collect cycles every YOUNG allocations (not 700) until the block ends."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(YOUNG, _saved[0]), *_saved[1:])
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
