"""The likes part of a profile: the centroid, latent and co-like scores of liked papers."""

from __future__ import annotations

import numpy as np

from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.scores import score
from tests.support.ranking import context, ids


def test_papers_nobody_has_liked_have_text_weights_of_their_own(fitted: Fitted) -> None:
    ctx = context(fitted)
    assert fitted.colikes is not None
    warm = np.flatnonzero(fitted.colikes.popularity > 0)
    cold = np.flatnonzero(fitted.colikes.popularity == 0)
    assert warm.size >= 20 and cold.size >= 20
    liked = ids([0, 1, 2, 3])

    def scores(weights: dict[str, float]) -> np.ndarray:
        ctx.weights = weights
        vec = build_vectors(ctx, ProfileInputs(liked=liked))
        return score(ctx, vec, ctx.block(np.arange(len(fitted.index))))[0]

    split = scores({"centroid": 1.0, "latent": 0.0, "centroid_cold": 1.0, "latent_cold": 2.0})
    centroid_only = scores({"centroid": 1.0})
    one_weight = scores({"centroid": 1.0, "latent": 2.0})
    # Papers with likes rank as the centroid alone ranks them, the others as with the latent part.
    assert np.corrcoef(split[warm], centroid_only[warm])[0, 1] > 0.9999
    assert np.corrcoef(split[cold], one_weight[cold])[0, 1] > 0.9999
    assert np.corrcoef(split[warm], one_weight[warm])[0, 1] < 0.999
    # Where no paper has likes (a community without any), the cold weights hold for all.
    ctx.colikes = None
    ctx.weights = {"centroid": 1.0, "latent": 0.0, "centroid_cold": 1.0, "latent_cold": 2.0}
    block = ctx.block(np.arange(len(fitted.index)))
    alone = score(ctx, build_vectors(ctx, ProfileInputs(liked=liked)), block)[0]
    ctx.weights = {"centroid": 1.0, "latent": 2.0}
    assert np.corrcoef(alone, score(ctx, build_vectors(ctx, ProfileInputs(liked=liked)), block)[0])[0, 1] > 0.9999
