"""PaperIndex, the maths: fitting TF-IDF, extending it with stable rows, windows and the reference sample."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.ranking.index import PaperIndex, RowLookup, extend, fit, id_array

TEXTS = [
    "graph neural networks message passing on graphs",
    "speech recognition with transformers for spoken audio",
    "protein structure prediction with diffusion models",
    "graph neural networks for molecules and chemistry",
]
IDS = ["2401.00001", "2401.00002", "2401.00003", "2401.00004"]
DATES = [date(2026, 7, 1), date(2026, 7, 3), None, date(2026, 7, 10)]


def small() -> PaperIndex:
    return fit(IDS, TEXTS, DATES, (4, "a"))


def test_fit_gives_unit_rows_ids_and_a_new_vocabulary_each_time() -> None:
    index = small()
    assert len(index) == 4 and [index.row[pid] for pid in IDS] == [0, 1, 2, 3] and index.fitted_docs == 4
    np.testing.assert_allclose(sp.linalg.norm(index.matrix, axis=1), 1.0, rtol=1e-5)
    assert "graph" in index.terms and "neural networks" in index.terms  # bigrams too
    assert "the" not in index.terms and "with" not in index.terms  # English stop words out
    cos = (index.matrix @ index.matrix.T).toarray()
    assert cos[0, 3] > cos[0, 1] and cos[0, 1] == 0  # the two graph papers are close, graph and speech share nothing
    assert small().fit_id != index.fit_id


def test_embed_places_a_topic_near_the_papers_about_it() -> None:
    index = small()
    topic = index.embed(["graph neural networks"])
    sims = (index.matrix @ topic.T).toarray().ravel()
    assert set(np.argsort(-sims)[:2]) == {0, 3}
    assert index.embed(["zebra xylophone"]).nnz == 0  # no known word: an empty vector


def test_extend_keeps_rows_and_vocabulary_replaces_changed_papers_and_appends_new_ones() -> None:
    index = small()
    grown = extend(index, ["2401.00002", "2401.00005"], ["graph neural networks revisited", "speech recognition again"],
                   [date(2026, 7, 4), date(2026, 7, 11)], (5, "b"))
    assert grown.ids.tolist() == [*IDS, "2401.00005"] and grown.row["2401.00002"] == 1
    assert grown.terms.tolist() == index.terms.tolist() and grown.fit_id == index.fit_id and grown.fitted_docs == 4
    assert (grown.matrix[[0, 2, 3]] != index.matrix[[0, 2, 3]]).nnz == 0  # untouched rows unchanged
    assert (grown.matrix[1] @ index.matrix[0].T).toarray()[0, 0] > 0.3  # row 1 is now a graph paper
    assert grown.published[1] == np.datetime64("2026-07-04") and grown.newest() == date(2026, 7, 11)
    assert len(index) == 4  # the old index is not changed
    assert extend(index, [], [], [], (4, "c")).fingerprint == (4, "c")


def test_window_counts_back_from_the_newest_paper_and_skips_unknown_dates() -> None:
    index = small()
    assert index.newest() == date(2026, 7, 10)
    assert index.window(1).tolist() == [3]
    assert index.window(8).tolist() == [1, 3]  # 3 July to 10 July
    assert index.window(30).tolist() == [0, 1, 3]  # the undated paper is never in a window
    assert index.window(2, newest=date(2026, 7, 2)).tolist() == [0, 1, 3]  # everything from 1 July on
    undated = fit(IDS[:2], TEXTS[:2], [None, None], (2, "x"))
    assert undated.newest() is None and undated.window(1).tolist() == [0, 1]


def test_the_reference_sample_is_fixed_sorted_and_capped() -> None:
    index = small()
    assert index.reference_rows().tolist() == [0, 1, 2, 3]
    many = fit([f"p{i}" for i in range(60)], [f"{TEXTS[i % 4]} study {i}" for i in range(60)], [None] * 60, (60, "m"))
    rows = many.reference_rows(size=10)
    assert rows.size == 10 and np.all(np.diff(rows) > 0)
    assert rows.tolist() == many.reference_rows(size=10).tolist()  # the same sample every time
    assert rows.tolist() != many.reference_rows(size=10, seed=1).tolist()


def test_row_lookup_finds_each_id_and_nothing_else() -> None:
    ids = id_array(["2401.00003", "2401.00001", "hep-th/9901001", "2401.00002"])
    row = RowLookup(ids)
    assert [row[p] for p in ids.tolist()] == [0, 1, 2, 3]
    assert row.get("2401.00004") is None and "2401.0000" not in row and 17 not in row
    assert row.rows(["2401.00002", "nope", "2401.00003"]).tolist() == [3, -1, 0]
    with pytest.raises(KeyError):
        row["nope"]
    empty = RowLookup(id_array([]))
    assert empty.get("x") is None and empty.rows(["x"]).tolist() == [-1]


def test_an_index_pickled_in_the_old_layout_reads_back() -> None:
    import pickle

    index = small()
    state = {k: v for k, v in index.__getstate__().items() if k not in ("order", "columns")}
    state.update(ids=np.array(IDS, dtype=object), row={pid: i for i, pid in enumerate(IDS)})  # the old layout
    old = PaperIndex.__new__(PaperIndex)
    old.__setstate__(state)
    assert old.ids.dtype.kind == "U" and old.row["2401.00003"] == 2 and old.terms.tolist() == index.terms.tolist()
    again = pickle.loads(pickle.dumps(old))
    assert again.row["2401.00004"] == 3 and "shared" not in again.__getstate__()
