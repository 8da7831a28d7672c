"""The scoring context: everything profiles are scored against (the index, the
community's models, the reference sample and the likes weights)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from recommender.ranking.block import PaperBlock
from recommender.ranking.community import CoLikes, CommunityModel
from recommender.ranking.index import PaperIndex
from recommender.ranking.semantic import SemanticContext
from recommender.ranking.weights import WEIGHTS


@dataclass
class ScoringContext:
    """Everything profiles are scored against: the index and the community's models."""

    index: PaperIndex
    community: CommunityModel | None = None
    colikes: CoLikes | None = None
    reference_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    semantic: SemanticContext | None = None  # the optional semantic extra (recommender/semantic.py)
    _reference: PaperBlock | None = field(default=None, repr=False)

    def block(self, rows: np.ndarray) -> PaperBlock:
        return PaperBlock.of(self, rows)

    def reference(self) -> PaperBlock | None:
        """The reference sample as a block, computed once per context."""
        if not self.reference_rows.size:
            return None
        if self._reference is None:
            self._reference = self.block(self.reference_rows)
        return self._reference
