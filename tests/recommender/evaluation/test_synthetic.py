"""Synthetic members and resampled corpora made from real papers (`paperbot bench`)."""

from __future__ import annotations

from datetime import date

import numpy as np

from recommender.evaluation import synthetic
from recommender.ingest.seed import demo_corpus_path
from recommender.papers import is_arxiv_id


def test_resampling_keeps_the_real_papers_newest_and_dates_copies_earlier() -> None:
    records = synthetic.read_records(demo_corpus_path())[:100]
    out = list(synthetic.resample(records, 250))
    assert out[:100] == records
    ids = [r["id"] for r in out]
    assert len(set(ids)) == 250 and all(is_arxiv_id(i) for i in ids)
    newest_real = max(r["published"] for r in records)
    assert all(r["published"] < min(x["published"] for x in records) for r in out[100:])
    assert max(r["published"] for r in out) == newest_real and out[150]["title"] == records[50]["title"]
    index = synthetic.resampled_index(records, 250)
    assert len(index) == 250 and (index.matrix[150] != index.matrix[50]).nnz == 0
    assert index.published[150] < index.published[50] and str(index.ids[150]) == out[150]["id"]
    assert date.fromisoformat(out[150]["published"]) < date.fromisoformat(out[50]["published"])


def test_members_like_papers_around_a_real_home_and_were_sent_some_candidates() -> None:
    records = synthetic.read_records(demo_corpus_path())[:600]
    index = synthetic.resampled_index(records, len(records))
    order = np.argsort(index.published, kind="stable")
    candidates, pool = order[-100:], order[:-100]
    community = synthetic.members(index, pool, candidates, 200, [r.get("categories") or [] for r in records],
                                  [r["title"] for r in records], seed=1)
    inputs = community.inputs
    pool_ids, cand_ids = {str(index.ids[r]) for r in pool}, {str(index.ids[r]) for r in candidates}
    terms = set(index.terms)
    assert all(set(i.liked) <= pool_ids and set(i.dismissed) <= pool_ids for i in inputs)
    assert all(t in terms for i in inputs for t in i.topics) and any(len(i.topics) >= 2 for i in inputs)
    assert any(not i.liked for i in inputs) and max(len(i.liked) for i in inputs) >= 20  # a heavy tail
    assert any(i.dismissed for i in inputs) and any(i.exclude & cand_ids for i in inputs)  # already sent
    assert all(set(i.liked) | set(i.dismissed) <= i.exclude for i in inputs)
    # Likes cluster: a member's liked papers are closer to each other than random pool papers are.
    liked = [i for i in inputs if len(i.liked) >= 5][:20]
    within = np.mean([(index.matrix[[index.row[p] for p in i.liked]] @ index.matrix[[index.row[p] for p in i.liked]].T).mean()
                      for i in liked])
    rand = index.matrix[pool[:50]]
    assert within > 2 * (rand @ rand.T).mean()
    again = synthetic.members(index, pool, candidates, 200, [r.get("categories") or [] for r in records],
                              [r["title"] for r in records], seed=1)
    assert [i.liked for i in again.inputs] == [i.liked for i in inputs]  # seeded
    likes = synthetic.likes_matrix(index, inputs)
    assert likes.shape == (600, 200) and likes.nnz == sum(len(i.liked) for i in inputs)
