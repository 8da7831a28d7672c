"""A small library cut from the bundled demo corpus (recommender/data/arxiv-demo.jsonl.gz):
its 10 test-time-adaptation papers, its retrieval-augmented-generation, machine
unlearning and continual learning papers, and the first other papers up to 300, as a lab's library would be."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import numpy as np

from recommender.ranking import index as index_module
from recommender.ranking.community import CoLikes
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.text import paper_text

DEMO = Path(__file__).resolve().parents[2] / "recommender" / "data" / "arxiv-demo.jsonl.gz"
SIZE = 300
SUBJECTS = {
    "tta": "test-time adaptation", "rag": "retrieval-augmented generation", "unlearning": "machine unlearning",
    "continual": "continual learning",
}


def _text(record: dict[str, str]) -> str:
    return (record["title"] + " " + record["abstract"]).lower()


@cache
def library() -> tuple[PaperIndex, dict[str, list[str]]]:
    """The index of the small library and the ids of each subject's papers."""
    with gzip.open(DEMO, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    subjects = {name: [r["id"] for r in records if phrase in _text(r)] for name, phrase in SUBJECTS.items()}
    chosen = {pid for ids in subjects.values() for pid in ids}
    kept = [r for r in records if r["id"] in chosen]
    kept += [r for r in records if r["id"] not in chosen][: SIZE - len(kept)]
    index = index_module.fit(
        [r["id"] for r in kept], [paper_text(r["title"], r["abstract"]) for r in kept], [None] * len(kept),
        (len(kept), "small-library"),
    )
    return index, subjects


def library_context(likes: dict[int, list[str]] | None = None) -> ScoringContext:
    """The library's scoring context, with co-likes of these members' likes (member -> ids)."""
    index, _ = library()
    colikes = None
    if likes:
        rows = [index.row[pid] for ids in likes.values() for pid in ids]
        cols = [m for m, ids in enumerate(likes.values()) for _ in ids]
        import scipy.sparse as sp

        matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(index), len(likes)))
        colikes = CoLikes.from_likes(matrix)
    return ScoringContext(index, None, colikes, reference_rows=index.reference_rows())
