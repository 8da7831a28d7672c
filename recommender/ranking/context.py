"""The scoring context: everything profiles are scored against (the index, the
community's models, the reference sample and the likes weights)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from recommender.ranking.block import PaperBlock
from recommender.ranking.community import CoLikes, CommunityModel
from recommender.ranking.index import PaperIndex
from recommender.ranking.semantic import SemanticContext
from recommender.ranking.weights import WEIGHTS


class Versioned(Protocol):
    """Anything built against one version of a context (ranking/profile.py `ProfileVectors`)."""

    version: str


class StaleProfileError(RuntimeError):
    """A programming error: stored member vectors met a newer index or community model."""


@dataclass
class ScoringContext:
    """Everything profiles are scored against: the index and the community's models."""

    index: PaperIndex
    community: CommunityModel | None = None
    colikes: CoLikes | None = None
    reference_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    semantic: SemanticContext | None = None  # the optional semantic extra (recommender/semantic.py)
    # Names the exact index rows, vocabulary and community state; "" for ad-hoc contexts (benchmarks).
    version: str = ""
    _reference: PaperBlock | None = field(default=None, repr=False)

    def block(self, rows: np.ndarray) -> PaperBlock:
        return PaperBlock.of(self, rows)

    def check(self, vecs: Sequence[Versioned]) -> None:
        """Refuse profile vectors built against another version of this context."""
        for vec in vecs:
            if vec.version != self.version:
                raise StaleProfileError(
                    f"profile vectors of version {vec.version!r} scored against {self.version!r}: rebuild them first"
                )

    def reference(self) -> PaperBlock | None:
        """The reference sample as a block, computed once per context, and shared by the
        contexts of the same index and models (each with its own kept cosines): a request
        makes a new context, and the block of 2,000 papers costs milliseconds to build."""
        if not self.reference_rows.size:
            return None
        if self._reference is None:
            models = (self.community, self.colikes, self.semantic)
            kept = self.index.shared.get("reference")
            if (kept is not None and all(a is b for a, b in zip(kept[0], models))  # type: ignore[index]
                    and np.array_equal(kept[1], self.reference_rows)):  # type: ignore[index]
                self._reference = kept[2].fresh()  # type: ignore[index]
            else:
                block = self.block(self.reference_rows)
                self.index.shared["reference"] = (models, self.reference_rows.copy(), block)
                self._reference = block.fresh()
        return self._reference
