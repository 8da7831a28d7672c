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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

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


def parallel(work: Callable[[S], T], items: Iterable[S], workers: int) -> list[T]:
    """`work` of each item, in order, on `workers` threads (BLAS on one thread)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [work(a) for a in items]
    one_blas_thread()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))
