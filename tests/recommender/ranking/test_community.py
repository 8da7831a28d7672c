"""The community model (text -> latent taste) and co-likes, on a corpus with known subjects."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.run import Fitted
from recommender.ranking.community import (
    MIN_LIKED_PAPERS,
    MIN_MEMBERS,
    RANK,
    CoLikes,
    fit_community,
)
from tests.support.ranking import PER_TOPIC, topic_of


def test_too_few_likes_or_members_fit_no_model(fitted: Fitted) -> None:
    matrix = fitted.index.matrix
    few_papers = sp.csr_matrix((np.ones(MIN_LIKED_PAPERS - 1), (np.arange(MIN_LIKED_PAPERS - 1), np.arange(MIN_LIKED_PAPERS - 1) % 10)),
                               shape=(matrix.shape[0], 10))
    assert fit_community(matrix, few_papers) is None
    rows = np.arange(2 * MIN_LIKED_PAPERS)
    few_members = sp.csr_matrix((np.ones(rows.size), (rows, rows % (MIN_MEMBERS - 1))), shape=(matrix.shape[0], 10))
    assert fit_community(matrix, few_members) is None


def test_the_fitted_model_maps_a_members_likes_to_their_subject(fitted: Fitted) -> None:
    model = fitted.community
    assert model is not None
    assert 0 < model.rank <= RANK and model.projection.shape == (fitted.index.matrix.shape[1], model.rank)
    assert model.members == int((np.asarray(fitted.likes.sum(axis=0)).ravel() > 0).sum())
    latents = model.latent(fitted.index.matrix)
    assert latents.shape == (len(fitted.index), model.rank) and latents.dtype == np.float32
    for subject in range(3):
        liked = np.arange(subject * PER_TOPIC, subject * PER_TOPIC + 4)
        z = model.member_vector(latents[liked])
        scores = latents @ z
        others = np.setdiff1d(np.arange(len(fitted.index)), liked)
        top = others[np.argsort(-scores[others])[:10]]
        assert sum(topic_of(int(r)) == subject for r in top) >= 8


def test_weights_scale_a_members_vector(fitted: Fitted) -> None:
    model = fitted.community
    assert model is not None
    liked = model.latent(fitted.index.matrix[[0, 1]])
    np.testing.assert_allclose(model.member_vector(liked, np.array([2.0, 2.0])), 2 * model.member_vector(liked), rtol=1e-5)
    np.testing.assert_allclose(model.member_vector(liked, np.array([1.0, 0.0])), model.member_vector(liked[:1]), rtol=1e-5)


def test_colikes_popularity_unit_rows_and_member_vectors() -> None:
    likes = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=np.float32))  # 3 papers x 3 members
    colikes = CoLikes.from_likes(likes)
    np.testing.assert_allclose(colikes.popularity, np.log1p([2, 1, 0]))
    np.testing.assert_allclose(sp.linalg.norm(colikes.normalized, axis=1), [1, 1, 0], rtol=1e-6)
    vector = colikes.member_vector([0, 1]).toarray().ravel()
    np.testing.assert_allclose(vector, [1 / np.sqrt(2) + 1, 1 / np.sqrt(2), 0], rtol=1e-6)
    assert colikes.member_vector([]).shape == (1, 3) and colikes.member_vector([]).nnz == 0


def test_many_members_the_randomized_eigensolver_keeps_the_exact_top_directions() -> None:
    """More members than liked papers: the subspace iteration finds the top eigenvectors of
    T R R' T that a dense eigendecomposition finds (the same latent space, up to rotation)."""
    import scipy.linalg as sla

    from recommender.ranking.community import _dual_by_eigh

    rng = np.random.default_rng(5)
    papers, members, groups, k = 120, 400, 6, 5
    x = np.abs(rng.normal(size=(papers, 40))) * 0.2
    group = np.arange(papers) % groups
    x[np.arange(papers), group] += 3.0  # each group of papers shares a strong feature
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    likes = (rng.random((papers, members)) < 0.02) | (group[:, None] == (np.arange(members) % groups)[None, :]) & (rng.random((papers, members)) < 0.3)
    r = sp.csr_matrix(likes.astype(np.float64))
    kernel = x @ x.T
    chol = sla.cho_factor(kernel + np.eye(papers), lower=True)
    smooth = sla.cho_solve(chol, kernel)
    gram = smooth @ (r @ r.T).toarray() @ smooth
    exact = np.linalg.eigh((gram + gram.T) / 2)[1][:, -k:]
    dual = _dual_by_eigh(lambda b: kernel @ b, chol, r, k)
    latents = kernel @ dual  # T R V: spans the same top-k directions
    basis = np.linalg.qr(latents)[0]
    # The principal angles between the two subspaces are all ~0.
    np.testing.assert_allclose(np.linalg.svd(basis.T @ exact, compute_uv=False), 1.0, atol=1e-6)


def test_latents_of_a_subset_of_a_remembered_window_are_the_fresh_product(fitted: Fitted) -> None:
    from dataclasses import replace

    assert fitted.community is not None
    model = replace(fitted.community)  # the same model with nothing remembered yet (the fixture is shared)
    matrix = fitted.index.matrix
    n = matrix.shape[0]
    window = np.arange(n // 4, n)
    whole = model.latent_of(matrix, window)
    assert model.latent_of(matrix, window) is whole  # remembered
    member = np.setdiff1d(window, window[[1, 5, 9]])  # the window less a member's own papers
    assert np.array_equal(model.latent_of(matrix, member), model.latent(matrix[member]))
    outside = np.array([0, n // 2, n - 1])  # not all in the window: computed
    assert np.array_equal(model.latent_of(matrix, outside), model.latent(matrix[outside]))


def test_the_kernel_is_factored_in_place_with_the_same_factor() -> None:
    import scipy.linalg as sla

    from recommender.ranking.community import _kernel, _mirror_lower

    xw = sp.random(700, 300, density=0.05, format="csr", random_state=4, dtype=np.float64)
    kernel = _kernel(xw, chunk=128)
    kernel[np.diag_indices_from(kernel)] += 1.0
    kernel[np.triu_indices(700, 1)] += 1e-3  # an upper triangle that is not the lower one: it must not count
    expected = sla.cho_factor(kernel.copy(), lower=True, check_finite=False)[0]
    _mirror_lower(kernel, chunk=128)
    factor = sla.cho_factor(kernel.T, lower=True, overwrite_a=True, check_finite=False)[0]
    assert np.shares_memory(factor, kernel)  # in place: no second n x n array
    assert np.array_equal(np.tril(factor), np.tril(expected))
