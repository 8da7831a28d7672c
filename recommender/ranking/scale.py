"""Score scales: standard scores and the relative scale every profile part is put on
(0 = a typical paper, 1 = as close as the 5 closest papers of the reference sample)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.ranking.kernels import relative_rows as _relative_rows

TOP = 5  # 1.0 = as close as this many closest papers of the reference sample, on average
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
        """Relevance: 0 for a typical paper (or `center`), 1 for one as close as the sample's
        `TOP` closest papers on average, so every part (each topic, the likes) tops out near 1
        however rare its words are, and parts compete on one scale."""
        sample = np.asarray(sample, dtype=np.float64).ravel()
        if not sample.size:
            return cls(0.0, 1.0)
        middle = float(np.median(sample)) if center is None else center
        k = min(TOP, sample.size)
        top = float(np.partition(sample, sample.size - k)[sample.size - k :].mean())
        if top - middle <= EPS:
            top = float(sample.max())
        return cls(middle, top - middle if top - middle > EPS else 1.0)

    @property
    def usable(self) -> bool:
        return self.std > 0


def relative_rows(sample: np.ndarray, center: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`Scale.relative` of every row at once (NaN entries are left out): (middle, spread),
    row by row in a compiled loop (ranking/kernels.py): two partial sorts of each row."""
    return _relative_rows(np.asarray(sample, dtype=np.float64), center, TOP, EPS)
