"""Offline evaluation on public benchmarks (``paperbot eval``) and the digest-scale
benchmark (``paperbot bench``). May import `ranking`; the product never imports it."""

from recommender.evaluation.datasets import (
    Benchmark,
    clean_title,
    load_citeulike_a_cold,
    load_citeulike_t,
)
from recommender.evaluation.metrics import evaluate, recall_at, top_m

__all__ = [
    "Benchmark",
    "clean_title",
    "evaluate",
    "load_citeulike_a_cold",
    "load_citeulike_t",
    "recall_at",
    "top_m",
]
