"""Profile vectors to bytes and back: every field of a ProfileVectors survives, without pickle."""

from __future__ import annotations

import dataclasses
import io
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, ProfileVectors, build_vectors
from recommender.ranking.scale import Scale
from recommender.stores.codec import dumps, loads
from tests.support.ranking import context, ids

FLOATS = st.floats(-1e6, 1e6, allow_nan=False, width=32)
scales = st.builds(Scale, FLOATS, st.floats(0.0, 1e6, allow_nan=False, width=32))
texts = st.text(min_size=1, max_size=40).filter(lambda t: t == t.strip("\x00") and "\x00" not in t)


def vectors(n: int, dtype: type) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(dtype, n, elements=FLOATS) if dtype is np.float32 else hnp.arrays(dtype, n, elements=st.integers(0, 10**6))


def sparse(rows: int) -> st.SearchStrategy[sp.csr_matrix]:
    return hnp.arrays(np.float32, (rows, 7), elements=st.sampled_from([0.0, 0.5, -1.25, 3.0])).map(sp.csr_matrix)


@st.composite
def profile_vectors(draw: st.DrawFn) -> ProfileVectors:
    topics = draw(st.lists(texts, max_size=4))
    liked, negative = draw(st.integers(0, 5)), draw(st.integers(0, 5))
    maybe = lambda strategy: draw(st.none() | strategy)  # noqa: E731
    return ProfileVectors(
        topics=topics,
        topic_matrix=maybe(sparse(len(topics))) if topics else None,
        topic_scales=draw(st.lists(scales, min_size=len(topics), max_size=len(topics))),
        topic_latent=maybe(hnp.arrays(np.float32, (len(topics), 6), elements=FLOATS)) if topics else None,
        topic_colike=maybe(sparse(len(topics))) if topics else None,
        topic_offset=draw(vectors(len(topics), np.float32)),
        topic_gate=draw(vectors(len(topics), np.float32)),
        liked_rows=draw(vectors(liked, np.int64)), liked_coef=draw(vectors(liked, np.float32)),
        latent=maybe(vectors(6, np.float32)),
        colike=maybe(sparse(1)),
        semantic_latent=maybe(vectors(4, np.float32)),
        semantic_subs=maybe(hnp.arrays(np.float32, (2, 3), elements=FLOATS)),
        part_scales=draw(st.dictionaries(st.sampled_from(["centroid", "latent", "colike", "popularity"]), scales)),
        likes_scale=draw(scales),
        negative_rows=draw(vectors(negative, np.int64)), negative_coef=draw(vectors(negative, np.float32)),
        negative_scale=draw(scales),
    )


def assert_same(got: ProfileVectors, want: ProfileVectors) -> None:
    for f in dataclasses.fields(ProfileVectors):
        a, b = getattr(got, f.name), getattr(want, f.name)
        if b is None:
            assert a is None, f.name
        elif sp.issparse(b):
            assert sp.issparse(a) and a.shape == b.shape and (a != b).nnz == 0, f.name
        elif isinstance(b, np.ndarray):
            assert isinstance(a, np.ndarray) and a.shape == b.shape, f.name
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        else:
            assert a == b, f.name


@settings(max_examples=30, deadline=None)
@given(profile_vectors())
def test_every_field_round_trips(vec: ProfileVectors) -> None:
    assert_same(loads(dumps(vec)), vec)


def test_a_built_profile_round_trips(fitted: Fitted) -> None:
    ctx = context(fitted)
    vec = build_vectors(ctx, ProfileInputs(topics=["graph neural networks"], liked=ids([0, 1, 2]), dismissed=ids([50])))
    assert vec.has_likes and vec.has_negative and vec.topics and vec.latent is not None and vec.colike is not None
    assert vec.topic_latent is not None and vec.topic_colike is not None and vec.topic_offset.shape == (1,)
    assert_same(loads(dumps(vec)), vec)


def test_vectors_stored_before_topics_had_community_parts_load() -> None:
    """A blob without the topic parts (written by an older paperbot) reads as topics with none."""
    blob = dumps(ProfileVectors(topics=["x", "y"], topic_scales=[Scale(0.0, 1.0)] * 2))
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        old = {k: npz[k] for k in npz.files if k not in ("topic_offset", "topic_gate")}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **old)
    vec = loads(buffer.getvalue())
    assert vec.topic_latent is None and vec.topic_colike is None
    np.testing.assert_array_equal(vec.topic_offset, np.zeros(2, dtype=np.float32))
    assert np.isinf(vec.topic_gate).all() and vec.topic_gate.shape == (2,)


def test_the_blob_holds_no_pickle() -> None:
    blob = dumps(ProfileVectors(topics=["x"], topic_scales=[Scale(0.0, 1.0)]))
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:  # would raise on an object array
        assert all(npz[k].dtype != object for k in npz.files)
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(blob)
