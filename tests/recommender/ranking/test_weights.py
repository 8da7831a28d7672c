"""The likes weights, defined once: the settings' defaults, the cold and semantic sets."""

from __future__ import annotations

from recommender.config import Settings
from recommender.evaluation.run import Fitted
from recommender.ranking.context import ScoringContext
from recommender.ranking.weights import (
    COLD_WEIGHTS,
    DISMISS_WEIGHT,
    SEMANTIC_WEIGHTS,
    WEIGHTS,
)


def test_the_settings_defaults_are_these_weights() -> None:
    settings = Settings(_env_file=None)
    assert settings.weights == WEIGHTS
    for part, weight in WEIGHTS.items():
        assert Settings.model_fields[f"weight_{part}"].default == weight


def test_the_semantic_extra_starts_from_its_own_set_and_settings_still_win() -> None:
    assert Settings(_env_file=None, semantic=True).weights == SEMANTIC_WEIGHTS
    assert Settings(_env_file=None, semantic=True, weight_colike=0.5).weights == {**SEMANTIC_WEIGHTS, "colike": 0.5}
    assert Settings(_env_file=None, weight_latent=2.0).weights == {**WEIGHTS, "latent": 2.0}


def test_every_cold_part_has_a_weight_and_names_a_text_part() -> None:
    # Papers nobody has liked have no co-likes: only text parts get a cold weight of their own.
    assert set(COLD_WEIGHTS) <= set(WEIGHTS) and set(COLD_WEIGHTS.values()) <= set(WEIGHTS)
    assert "colike" not in COLD_WEIGHTS and "popularity" not in COLD_WEIGHTS
    assert all(w >= 0 for w in [*WEIGHTS.values(), *SEMANTIC_WEIGHTS.values()]) and 0 < DISMISS_WEIGHT <= 1


def test_a_context_gets_its_own_copy_of_the_defaults(fitted: Fitted) -> None:
    first, second = ScoringContext(fitted.index), ScoringContext(fitted.index)
    first.weights["centroid"] = 9.0
    assert second.weights == WEIGHTS and WEIGHTS["centroid"] != 9.0
