"""The TF-IDF paper index: row-normalised vectors of every paper, with ids and
announcement dates; fitted on the corpus and extended with new papers (the maths;
recommender/stores/index.py reads the papers and keeps the index on disk)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from recommender.ranking.acronyms import find_acronyms


def make_vectorizer(n_docs: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=2 if n_docs >= 50 else 1,
        max_df=0.5 if n_docs >= 50 else 1.0,
        max_features=200_000,
        sublinear_tf=True,
        stop_words="english",
        strip_accents="unicode",
        dtype=np.float32,
    )


@dataclass
class PaperIndex:
    """Row-normalised TF-IDF vectors of every paper, with ids and announcement dates."""

    vectorizer: TfidfVectorizer
    matrix: sp.csr_matrix
    ids: np.ndarray
    published: np.ndarray  # datetime64[D]; NaT when unknown
    fingerprint: tuple[int, str]
    fitted_docs: int
    fit_id: str = ""  # changes only when the vocabulary is refitted
    row: dict[str, int] = field(default_factory=dict)
    acronyms: dict[str, tuple[str, int]] = field(default_factory=dict)  # read at the fit (ranking/acronyms.py)

    def __post_init__(self) -> None:
        self.row = {pid: i for i, pid in enumerate(self.ids.tolist())}
        self.terms = self.vectorizer.get_feature_names_out()

    def __len__(self) -> int:
        return len(self.ids)

    def embed(self, texts: list[str]) -> sp.csr_matrix:
        return normalize(self.vectorizer.transform(texts)).astype(np.float32)

    def reference_rows(self, size: int = 2000, seed: int = 0) -> np.ndarray:
        """A fixed random sample of papers that profile scores are standardised on."""
        if len(self.ids) <= size:
            return np.arange(len(self.ids))
        return np.sort(np.random.default_rng(seed).choice(len(self.ids), size, replace=False))

    def newest(self) -> date | None:
        valid = self.published[~np.isnat(self.published)]
        return valid.max().astype(date) if valid.size else None

    def window(self, days: int, newest: date | None = None) -> np.ndarray:
        """Row numbers of papers announced within `days` of the newest paper."""
        newest = newest or self.newest()
        if newest is None:
            return np.arange(len(self.ids))
        start = np.datetime64(newest) - np.timedelta64(days - 1, "D")
        mask = self.published >= start
        return np.flatnonzero(mask)


def dates_array(values: list[date | None]) -> np.ndarray:
    return np.array([np.datetime64(d) if d else np.datetime64("NaT") for d in values], dtype="datetime64[D]")


def fit(ids: list[str], texts: list[str], dates: list[date | None], fingerprint: tuple[int, str]) -> PaperIndex:
    """Fit the vocabulary and vectors on these papers (a new `fit_id`)."""
    vectorizer = make_vectorizer(len(ids))
    matrix = normalize(vectorizer.fit_transform(texts)).astype(np.float32).tocsr()
    return PaperIndex(
        vectorizer, matrix, np.array(ids, dtype=object), dates_array(dates), fingerprint, len(ids), uuid.uuid4().hex[:12],
        acronyms=find_acronyms(texts, min_count=2 if len(ids) >= 50 else 1),
    )


def extend(index: PaperIndex, ids: list[str], texts: list[str], dates: list[date | None], fingerprint: tuple[int, str]) -> PaperIndex:
    """Add or replace the vectors of these papers, keeping the vocabulary.

    Row numbers are stable: a changed paper keeps its row and new papers are appended,
    so stored profile vectors (which name rows) stay valid until the next refit.
    """
    if not ids:
        return PaperIndex(
            index.vectorizer, index.matrix, index.ids, index.published, fingerprint, index.fitted_docs, index.fit_id,
            acronyms=index.acronyms,
        )
    n = len(index.ids)
    take = np.arange(n)
    fresh_ids, fresh_dates, fresh_pos = [], [], []
    published = index.published.copy()
    for j, (pid, when) in enumerate(zip(ids, dates_array(dates))):
        row = index.row.get(pid)
        if row is None:
            fresh_ids.append(pid)
            fresh_dates.append(when)
            fresh_pos.append(n + j)
        else:
            take[row] = n + j
            published[row] = when
    take = np.concatenate([take, np.array(fresh_pos, dtype=take.dtype)])
    matrix = sp.vstack([index.matrix, index.embed(texts)]).tocsr()
    if not np.array_equal(take, np.arange(take.size)):  # some papers replaced: their new vectors move up
        matrix = matrix[take]
    all_ids = np.concatenate([index.ids, np.array(fresh_ids, dtype=object)])
    published = np.concatenate([published, np.array(fresh_dates, dtype="datetime64[D]")])
    return PaperIndex(
        index.vectorizer, matrix, all_ids, published, fingerprint, index.fitted_docs, index.fit_id, acronyms=index.acronyms
    )
