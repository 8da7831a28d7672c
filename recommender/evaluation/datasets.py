"""Loaders for the offline quality benchmarks (CiteULike-a cold start, CiteULike-t P=10).

Everything here is plain numpy/scipy: a benchmark is a pair of sparse user x item
matrices (train likes, held-out likes), the items to rank, and the items' text.
The quirks of the published files are handled here so that every caller sees
0-based ids and clean text:

* DropoutNet's csv splits use 1-based user and item ids.
* ``titles.txt`` of CiteULike-a has doubly decoded UTF-8 ("mojibake", e.g.
  ``cellâ€“cell``), HTML entities and tags, BibTeX braces and LaTeX commands.
* ``vocabulary.dat`` must be split on ``'\\n'`` only (some words hold Unicode
  whitespace) and has no newline after its last word.

See ``shared/data/citeulike-*/SOURCE.md`` for the provenance of the files.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = [
    "Benchmark",
    "clean_title",
    "fix_mojibake",
    "load_citeulike_a_cold",
    "load_citeulike_a_titles",
    "load_citeulike_t",
    "read_adjacency",
    "read_id_list",
    "read_lines",
    "read_mult",
    "read_pairs_csv",
    "bag_of_words_texts",
    "TagSet",
    "load_citeulike_a_tags",
    "load_citeulike_t_tags",
]


# --------------------------------------------------------------------------- files


def read_lines(path: Path) -> list[str]:
    """Lines of a UTF-8 file split on ``'\\n'`` only; a final newline adds no line."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def read_adjacency(path: Path, n_cols: int, n_rows: int | None = None) -> sp.csr_matrix:
    """A ``users.dat``-style file (line = row, ``n id_1 ... id_n``) as a binary CSR matrix."""
    rows: list[np.ndarray] = []
    for i, line in enumerate(read_lines(path)):
        parts = line.split()
        ids = np.asarray(parts[1:], dtype=np.int64)
        if parts and int(parts[0]) != ids.size:
            raise ValueError(f"{path}:{i + 1}: count {parts[0]} but {ids.size} ids")
        rows.append(ids)
    return _rows_to_csr(rows, n_cols, n_rows)


def read_pairs_csv(path: Path, shape: tuple[int, int], one_based: bool = True) -> sp.csr_matrix:
    """A ``user,item[,value]`` csv as a binary CSR matrix of the given shape."""
    data = np.loadtxt(path, delimiter=",", dtype=np.int64, ndmin=2)
    users, items = data[:, 0], data[:, 1]
    if one_based:
        users, items = users - 1, items - 1
    return _binary_csr(users, items, shape)


def read_id_list(path: Path, one_based: bool = True) -> np.ndarray:
    """One integer id per line, returned sorted and 0-based."""
    ids = np.loadtxt(path, dtype=np.int64, ndmin=1)
    return np.unique(ids - 1 if one_based else ids)


def read_mult(path: Path, n_words: int) -> sp.csr_matrix:
    """A ``mult.dat`` bag of words (line = document, ``n word:count ...``) as a count matrix."""
    indptr = [0]
    indices: list[int] = []
    counts: list[int] = []
    for i, line in enumerate(read_lines(path)):
        parts = line.split()
        pairs = [p.split(":") for p in parts[1:]]
        if parts and int(parts[0]) != len(pairs):
            raise ValueError(f"{path}:{i + 1}: count {parts[0]} but {len(pairs)} words")
        words = [int(w) for w, _ in pairs]
        if words and (min(words) < 0 or max(words) >= n_words):
            raise ValueError(f"{path}:{i + 1}: a word id is outside the {n_words}-word vocabulary")
        indices.extend(words)
        counts.extend(int(c) for _, c in pairs)
        indptr.append(len(indices))
    matrix = sp.csr_matrix(
        (np.asarray(counts, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(indptr) - 1, n_words),
    )
    matrix.sum_duplicates()
    return matrix


def _rows_to_csr(rows: list[np.ndarray], n_cols: int, n_rows: int | None = None) -> sp.csr_matrix:
    n_rows = len(rows) if n_rows is None else n_rows
    users = np.repeat(np.arange(len(rows)), [r.size for r in rows])
    items = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    return _binary_csr(users, items, (n_rows, n_cols))


def _binary_csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    if rows.size and (rows.min() < 0 or cols.min() < 0 or rows.max() >= shape[0] or cols.max() >= shape[1]):
        raise ValueError(f"ids out of range for shape {shape}")
    matrix = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0  # duplicate pairs count once
    return matrix


# --------------------------------------------------------------------------- text

# Byte value of every character that cp1252 (or latin-1, for the five bytes cp1252
# leaves undefined) produces from a byte >= 0x80: the alphabet of mojibake.
_CP1252_BYTE: dict[str, int] = {}
for _b in range(0x80, 0x100):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        _CP1252_BYTE[chr(_b)] = _b
_MOJIBAKE_RUN = re.compile("[" + re.escape("".join(_CP1252_BYTE)) + "]{2,}")
_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")

_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
_LEFTOVER_ENTITY = re.compile(r"&([a-zA-Z]{2,10});")
_LATEX_ESCAPE = re.compile(r"\\([&%$_#])")
_LATEX_CMD = re.compile(r"\\+([a-zA-Z]+)")
_MARKUP = re.compile(r"[{}$]")
_SPACES = re.compile(r"\s+")


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as cp1252 (``cellâ€“cell`` -> ``cell–cell``).

    Only runs of characters that cp1252 maps from high bytes are touched, and inside
    them only byte sequences that form valid UTF-8, so clean text passes unchanged.
    """

    def repair(match: re.Match[str]) -> str:
        run = match.group(0)
        raw = bytes(_CP1252_BYTE[ch] for ch in run)  # one byte per character
        out: list[str] = []
        last = 0
        for seq in _UTF8_SEQ.finditer(raw):
            out.append(run[last : seq.start()])
            out.append(seq.group(0).decode("utf-8"))
            last = seq.end()
        out.append(run[last:])
        return "".join(out)

    return _MOJIBAKE_RUN.sub(repair, text)


def clean_title(text: str) -> str:
    """A readable title: mojibake repaired, HTML entities and tags, BibTeX braces and
    LaTeX markup removed (``$\\lambda$`` -> ``lambda``), whitespace collapsed."""
    text = fix_mojibake(text)
    text = html.unescape(html.unescape(text))  # ``R\\&amp;D`` and ``&lt;i&gt;`` are double-escaped
    text = _HTML_TAG.sub(" ", text)
    text = _LEFTOVER_ENTITY.sub(r"\1", text)  # SGML names html does not know: &agr; &phis;
    text = _LATEX_ESCAPE.sub(r"\1", text)
    text = _LATEX_CMD.sub(r" \1 ", text)
    text = _MARKUP.sub("", text)
    return _SPACES.sub(" ", text).strip()


def bag_of_words_texts(counts: sp.csr_matrix, vocabulary: list[str]) -> list[str]:
    """Render a count matrix as documents of space-separated tokens (a word repeated by
    its count); whitespace inside a vocabulary entry becomes ``_`` so that every entry
    stays one token for a whitespace tokenizer."""
    tokens = [_SPACES.sub("_", w.strip()) or f"_w{i}" for i, w in enumerate(vocabulary)]
    counts = counts.tocsr()
    docs: list[str] = []
    for i in range(counts.shape[0]):
        lo, hi = counts.indptr[i], counts.indptr[i + 1]
        words = (tokens[w] for w, c in zip(counts.indices[lo:hi], counts.data[lo:hi]) for _ in range(int(c)))
        docs.append(" ".join(words))
    return docs


# --------------------------------------------------------------------------- benchmarks


@dataclass
class Benchmark:
    """One offline benchmark: profiles from ``train``, hits from ``test``.

    ``train`` and ``test`` are binary user x item CSR matrices over all items.
    ``candidates`` are the item ids ranked for every user; with ``exclude_train``
    a user's own train items are removed from that user's ranking.
    Item content is ``texts`` (raw strings) or ``counts`` (a bag of words over
    ``vocabulary``), or both.
    """

    name: str
    train: sp.csr_matrix
    test: sp.csr_matrix
    candidates: np.ndarray
    exclude_train: bool
    texts: list[str] | None = None
    counts: sp.csr_matrix | None = None
    vocabulary: list[str] | None = None
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def n_users(self) -> int:
        return self.train.shape[0]

    @property
    def n_items(self) -> int:
        return self.train.shape[1]

    @property
    def eval_users(self) -> np.ndarray:
        """Users with at least one test item among the candidates."""
        hits = self.test[:, self.candidates]
        return np.flatnonzero(np.diff(hits.tocsr().indptr) > 0)

    @property
    def train_items(self) -> np.ndarray:
        """Items liked by at least one user in ``train`` (the warm items)."""
        return np.flatnonzero(np.diff(self.train.tocsc().indptr) > 0)


def load_citeulike_a_titles(root: Path) -> list[str]:
    """Cleaned titles; line i is item i (16,980 in the published file)."""
    titles = [clean_title(t) for t in read_lines(Path(root) / "titles.txt")]
    if not titles:
        raise ValueError(f"{root}/titles.txt holds no titles")
    return titles


def load_citeulike_a_cold(root: Path) -> Benchmark:
    """CiteULike-a item cold start on DropoutNet's cold split, titles as text.

    ``root`` is the ``citeulike-a`` folder. Every user is ranked over the 3,396
    cold test items, none of which occurs in train. Sizes come from the files
    (items: ``titles.txt`` lines, users: ``users.dat`` lines), so a slice loads too.
    """
    root = Path(root)
    split = root / "splits" / "dropoutnet" / "cold"
    titles = load_citeulike_a_titles(root)
    shape = (len(read_lines(root / "users.dat")), len(titles))
    train = read_pairs_csv(split / "train.csv", shape)
    test = read_pairs_csv(split / "test.csv", shape)
    candidates = read_id_list(split / "test_item_ids.csv")
    if candidates.size and (candidates[0] < 0 or candidates[-1] >= shape[1]):
        raise ValueError(f"test_item_ids.csv: ids out of range for {shape[1]} items")
    if train[:, candidates].nnz:
        raise ValueError("cold split: a test item occurs in train")
    return Benchmark(
        name="citeulike-a/cold",
        train=train,
        test=test,
        candidates=candidates,
        exclude_train=False,
        texts=titles,
        vocabulary=read_lines(root / "vocabulary.dat"),
        notes={"text": "titles only", "split": "DropoutNet cold (CTR out-of-matrix fold 1)"},
    )


def load_citeulike_t(root: Path, p: int = 10) -> Benchmark:
    """CiteULike-t with CVAE's P-per-user split; items are bags of words.

    Every item not in a user's training set is ranked for that user. Sizes come
    from the files (items: ``mult.dat`` lines, users: train-file lines).
    """
    root = Path(root)
    split = root / "splits" / "cvae"
    vocabulary = read_lines(root / "vocabulary.dat")
    counts = read_mult(root / "mult.dat", len(vocabulary))
    n_items = counts.shape[0]
    train = read_adjacency(split / f"cf-train-{p}-users.dat", n_items)
    test = read_adjacency(split / f"cf-test-{p}-users.dat", n_items, train.shape[0])
    return Benchmark(
        name=f"citeulike-t/P={p}",
        train=train,
        test=test,
        candidates=np.arange(n_items),
        exclude_train=True,
        counts=counts,
        vocabulary=vocabulary,
        notes={"text": "bag of words (title + abstract)", "split": f"CVAE P={p}"},
    )


@dataclass
class TagSet:
    """Human labels of a benchmark's items: tag strings and which items carry each (tags x items)."""

    name: str
    tags: list[str]
    items: sp.csr_matrix


def load_citeulike_a_tags(root: Path, n_items: int | None = None) -> TagSet:
    """CiteULike-a's tags: ``tags.dat`` (line = tag id) and ``item-tag.dat`` (line = item, its tag ids)."""
    root = Path(root)
    tags = read_lines(root / "tags.dat")
    by_item = read_adjacency(root / "item-tag.dat", len(tags), n_items)
    return TagSet("citeulike-a", tags, by_item.T.tocsr())


def load_citeulike_t_tags(root: Path, n_items: int | None = None) -> TagSet:
    """CiteULike-t's tags: ``tags.dat`` and ``tag-item.dat`` (line = tag, its item ids)."""
    root = Path(root)
    tags = read_lines(root / "tags.dat")
    if n_items is None:
        n_items = len(read_lines(root / "mult.dat"))
    return TagSet("citeulike-t", tags, read_adjacency(root / "tag-item.dat", n_items, len(tags)))
