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

The same first call asks NumPy not to request transparent huge pages for its big arrays
(`NUMPY_MADVISE_HUGEPAGE=0`, at run time): a digest's big buffers (the liked papers'
cosines, 550 MB at 100,000 members) are new allocations each day, and on a first touch
the kernel compacts memory to find huge pages. Measured, 100,000 members x 2,000 papers
in a fresh process: 4.37 s (2.1 s of it in the kernel) with huge pages, 3.58 s without;
a second digest in the same process 3.18 s with, 3.66 s without.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

T = TypeVar("T")
S = TypeVar("S")

_lock = threading.Lock()
_done = False


def one_blas_thread() -> None:
    """Put BLAS on one thread and NumPy's big arrays on small pages for the rest of the
    process (once; later calls do nothing)."""
    global _done
    with _lock:
        if not _done:
            threadpool_limits(limits=1, user_api="blas")
            core = getattr(np, "_core", None) or getattr(np, "core")  # NumPy 2 / 1.26
            huge = getattr(core.multiarray, "_set_madvise_hugepage", None)
            if huge is not None and os.environ.get("NUMPY_MADVISE_HUGEPAGE") is None:
                huge(False)
            _done = True


def parallel(work: Callable[[S], T], items: Iterable[S], workers: int) -> list[T]:
    """`work` of each item, in order, on `workers` threads (BLAS on one thread)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [work(a) for a in items]
    one_blas_thread()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))
