"""Keyword search, "more like this" and "why this paper" over the index."""

from __future__ import annotations

from sqlalchemy.orm import Session

from recommender.errors import PaperbotError
from recommender.members.feedback import find_paper
from recommender.picks.recommend import hydrate
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.profile import ProfileVectors
from recommender.ranking.ranker import Pick, explain, nearest, top_terms
from recommender.views import PaperView, Recommendation

MAX_QUERY = 200


def _require(index: PaperIndex | None) -> PaperIndex:
    if index is None or len(index) == 0:
        raise PaperbotError("The library is empty: ingest some papers first.")
    return index


def search(session: Session, index: PaperIndex | None, query: str, limit: int) -> list[Recommendation]:
    """Papers matching a free-text query, by TF-IDF cosine, with the matching terms."""
    index = _require(index)
    text = " ".join((query or "").split())
    if not text:
        raise PaperbotError("Type something to search for, e.g. `contrastive learning`.")
    if len(text) > MAX_QUERY:
        raise PaperbotError(f"Search queries can be at most {MAX_QUERY} characters.")
    vector = index.embed([text])
    if vector.nnz == 0:
        raise PaperbotError(f"None of the words in `{text[:60]}` occur in the library.")
    hits = nearest(index, vector, limit)
    picks = [Pick(str(index.ids[r]), s, f"search: {text}", top_terms(index, vector, r)) for r, s in hits]
    return hydrate(session, picks)


def similar(session: Session, index: PaperIndex | None, paper_id: str, limit: int) -> tuple[PaperView, list[Recommendation]]:
    """The papers most like one paper ("more like this")."""
    index = _require(index)
    paper = find_paper(session, paper_id)
    row = index.row.get(paper.id)
    if row is None:
        raise PaperbotError(f"`{paper.id}` is not indexed yet; try again after the next index refresh.")
    vector = index.matrix[row]
    label = f"similar to {paper.title[:80]}"
    hits = nearest(index, vector, limit, skip={row})
    picks = [Pick(str(index.ids[r]), s, label, top_terms(index, vector, r)) for r, s in hits]
    return PaperView.of(paper), hydrate(session, picks)


def why(session: Session, ctx: ScoringContext | None, vec: ProfileVectors, paper_id: str) -> Recommendation:
    """How a paper relates to someone's topics and liked papers."""
    index = _require(ctx.index if ctx else None)
    paper = find_paper(session, paper_id)
    row = index.row.get(paper.id)
    if row is None:
        raise PaperbotError(f"`{paper.id}` is not indexed yet; try again after the next index refresh.")
    pick = explain(ctx, vec, row)  # type: ignore[arg-type]
    if pick is None:
        raise PaperbotError("You don't follow any topics or like any papers yet, so nothing to compare with.")
    return hydrate(session, [pick])[0]
