"""The likes weights, defined once: the weights of the standardised parts of a member's
likes score, measured on CiteULike (docs/quality.md). Settings (`PAPERBOT_WEIGHT_*`)
override them; the semantic extra starts from its own measured set."""

from __future__ import annotations

LIKES_LABEL = "papers you liked"
# Weights of the standardised parts of the likes score (measured on CiteULike).
WEIGHTS = {"centroid": 1.0, "latent": 0.25, "colike": 1.0, "popularity": 1.0, "centroid_cold": 0.75, "latent_cold": 1.0}
# Papers nobody has liked yet (every new paper) have no co-likes: their text parts get weights of their own.
COLD_WEIGHTS = {"centroid": "centroid_cold", "latent": "latent_cold"}
# The likes parts with the semantic extra on (measured on CiteULike-a, docs/quality.md).
SEMANTIC_WEIGHTS = {
    "centroid": 0.2, "latent": 0.25, "colike": 1.0, "popularity": 1.0,
    "semantic_latent": 1.0, "semantic_subprofiles": 0.75,
}
# How much a paper close to the member's dismissed papers is pushed down.
DISMISS_WEIGHT = 0.5
# The community parts of the likes score (what colleagues' likes teach) grow with the
# evidence behind them instead of switching on at full weight with the first like:
# as the square root of the share of this many members with likes in the community. The
# latent and popularity need a large community (measured: a 100-member community's
# latent at full weight falls below the plain centroid, docs/quality.md); co-likes start
# from the member's own liked papers and carry signal in a small group already.
COMMUNITY_PARTS = {"latent": 1000, "popularity": 1000, "semantic_latent": 1000, "colike": 20}
# ... and at this many papers the member liked (the member's own history).
FULL_HISTORY = 3
# What a followed topic takes from the community's likes of its best-matching papers
# (ranking/topics.py): standard scores of each part per standard score of the topic's
# cosine, grown with the community's size like the likes' parts (`COMMUNITY_PARTS`).
# Chosen on the validation half of the CiteULike tags (docs/quality.md).
TOPIC_WEIGHTS = {"colike": 1.0, "latent": 1.0}
