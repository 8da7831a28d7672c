"""Work on a few threads (NumPy, SciPy, BLAS and the compiled kernels release the GIL),
with BLAS on one thread meanwhile.

OpenBLAS runs its own threads (one per core) and they wait by spinning: called from two
threads of ours on two cores, four threads share two cores and each product waits for
the other's spinning threads (measured: a 100,000-member digest took 50 % more CPU).
So while our threads run, BLAS gets one; the last of overlapping callers restores it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")
S = TypeVar("S")

_lock = threading.Lock()
_users = 0
_limits: threadpool_limits | None = None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread inside this block (shared by overlapping callers of any thread)."""
    global _users, _limits
    with _lock:
        if _users == 0:
            _limits = threadpool_limits(limits=1, user_api="blas")
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _limits is not None:
                _limits.restore_original_limits()
                _limits = None


def parallel(work: Callable[[S], T], items: Iterable[S], workers: int) -> list[T]:
    """`work` of each item, in order, on `workers` threads (BLAS on one thread meanwhile)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [work(a) for a in items]
    with one_blas_thread(), ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))
