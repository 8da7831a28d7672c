"""Work on a few threads (NumPy, SciPy, BLAS and the compiled kernels release the GIL),
with BLAS kept on one thread in the process.

OpenBLAS runs its own threads (one per core) and they wait by spinning: called from two
threads of ours on two cores, four threads share two cores and each product waits for
the other's spinning threads (measured: a 100,000-member digest took 50 % more CPU). The
big products are ours to spread (members, topics and papers by chunks), so the first
parallel work sets BLAS to one thread for the rest of the process, and the service does
at its start. It is not restored afterwards: OpenBLAS only takes a raised count from some
threads (measured: raised from a worker thread, the count stayed at 1), and a bot's
digests run on worker threads.

A digest's buffers are made on small pages (`small_pages`, around `population.select`):
NumPy asks for transparent huge pages for big arrays, and on the first touch of a new
550 MB buffer (the liked papers' cosines with the day's papers at 100,000 members) the
kernel compacts memory to find them. Measured, 100,000 members x 2,000 papers in a fresh
process (as the bot's daily digest meets fresh memory): 4.37 s with huge pages (2.1 s of it
in the kernel), 3.68 s on small pages; a second digest in the same process 3.18 / 3.51 s.
The refold keeps huge pages: it makes and drops a topics x library buffer per chunk, and
on small pages took 61 s instead of 33.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

T = TypeVar("T")
S = TypeVar("S")

_lock = threading.Lock()
_done = False


def one_blas_thread() -> None:
    """Put BLAS on one thread for the rest of the process (once; later calls do nothing)."""
    global _done
    with _lock:
        if not _done:
            threadpool_limits(limits=1, user_api="blas")
            _done = True


_pages_lock = threading.Lock()
_small = 0
_before = True


@contextmanager
def small_pages() -> Iterator[None]:
    """NumPy's arrays made inside on small pages (for other threads too, meanwhile; unless
    `NUMPY_MADVISE_HUGEPAGE` is set)."""
    global _small, _before
    core = getattr(np, "_core", None) or getattr(np, "core")  # NumPy 2 / 1.26
    huge = getattr(core.multiarray, "_set_madvise_hugepage", None)
    if huge is None or os.environ.get("NUMPY_MADVISE_HUGEPAGE") is not None:
        yield
        return
    with _pages_lock:
        if _small == 0:
            _before = huge(False)
        _small += 1
    try:
        yield
    finally:
        with _pages_lock:
            _small -= 1
            if _small == 0:
                huge(_before)


def parallel(work: Callable[[S], T], items: Iterable[S], workers: int) -> list[T]:
    """`work` of each item, in order, on `workers` threads (BLAS on one thread)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [work(a) for a in items]
    one_blas_thread()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))
