"""Work on a few threads, with BLAS on one thread in the process; small pages for a while."""

from __future__ import annotations

import subprocess
import sys

from recommender.ranking.threads import parallel


def test_parallel_keeps_the_order_of_its_items() -> None:
    assert parallel(lambda a: a * a, range(10), 2) == [a * a for a in range(10)]
    assert parallel(lambda a: a + 1, [3], 2) == [4]
    assert parallel(lambda a: a, [], 2) == []


def test_the_first_parallel_work_puts_blas_on_one_thread_for_every_thread_and_small_pages_stay_inside() -> None:
    code = """
import threading
import numpy, scipy.linalg
from threadpoolctl import threadpool_info
from recommender.ranking.threads import parallel

def blas():
    return sorted({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})

before = blas()
inside = parallel(lambda _a: blas(), range(4), 2)
seen = []
other = threading.Thread(target=lambda: seen.append(blas()))
other.start()
other.join()
print(before, inside[0], seen[0], blas())
from recommender.ranking.threads import small_pages
with small_pages(), small_pages():
    inner = numpy._core.multiarray._set_madvise_hugepage(False)  # (and back)
    numpy._core.multiarray._set_madvise_hugepage(inner)
print("huge pages", inner, numpy._core.multiarray._set_madvise_hugepage(True))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"OPENBLAS_NUM_THREADS": "2", "PATH": ""}).stdout
    before, inside, other, after = (part.strip(" [\n") for part in out.split("]")[:4])
    assert before == "2" and inside == other == after == "1"
    assert out.strip().endswith("huge pages False True")  # small pages inside, as before after
