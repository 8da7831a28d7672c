"""Score scales: standard scores and the relative scale every profile part is put on
(0 = a typical paper, 1 = as close as the closest 0.5 % of papers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOP_QUANTILE = 0.995
MIN_TOP = 5  # in a small library "the closest 0.5 %" is at least this many papers
EPS = 1e-6


@dataclass
class Scale:
    mean: float = 0.0
    std: float = 1.0

    def apply(self, raw: np.ndarray) -> np.ndarray:
        return (raw - self.mean) / self.std

    @classmethod
    def of(cls, sample: np.ndarray) -> Scale:
        """Standard score: (raw - mean) / std over the reference sample."""
        sample = np.asarray(sample, dtype=np.float64).ravel()
        std = float(sample.std()) if sample.size else 0.0
        return cls(float(sample.mean()) if sample.size else 0.0, std if std > EPS else 0.0)

    @classmethod
    def relative(cls, sample: np.ndarray, center: float | None = None) -> Scale:
        """Relevance: 0 for a typical paper (or `center`), 1 for one as close as the closest 0.5 %
        (`top_quantile`)."""
        sample = np.asarray(sample, dtype=np.float64).ravel()
        if not sample.size:
            return cls(0.0, 1.0)
        middle = float(np.median(sample)) if center is None else center
        top = float(np.quantile(sample, top_quantile(sample.size)))
        if top - middle <= EPS:
            top = float(sample.max())
        return cls(middle, top - middle if top - middle > EPS else 1.0)

    @property
    def usable(self) -> bool:
        return self.std > 0


def top_quantile(n: int) -> float:
    """The quantile that sets 1.0: the top 0.5 % of a sample, but never fewer than `MIN_TOP` papers."""
    return min(TOP_QUANTILE, max(1.0 - MIN_TOP / max(n, 1), 0.5))
