"""Tiny synthetic benchmarks with a known structure, in the loaders' `Benchmark` form."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.datasets import Benchmark

TOPICS = [
    ["graph", "node", "edge", "message", "neighbour", "spectral", "vertex", "walk"],
    ["speech", "audio", "acoustic", "phoneme", "speaker", "waveform", "prosody", "utterance"],
    ["protein", "folding", "residue", "binding", "enzyme", "peptide", "ligand", "amino"],
    ["galaxy", "stellar", "redshift", "cosmic", "dark", "halo", "quasar", "supernova"],
]
FILLER = ["study", "method", "results", "analysis", "approach", "novel", "model", "data"]


def binary(rows: list[int], cols: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)


def _title(rng: np.random.Generator, words: list[str]) -> str:
    return " ".join([*rng.choice(words, 4, replace=False), *rng.choice(FILLER, 2, replace=False)])


def topical_cold(seed: int = 0, per_topic: int = 40, users_per_topic: int = 10) -> Benchmark:
    """Item cold start where the titles say everything: each user reads one topic.

    The last quarter of every topic's items is new (never liked in train); each
    user likes 8 old items of their topic and, held out, 3 new ones.
    """
    rng = np.random.default_rng(seed)
    n_items, n_users = per_topic * len(TOPICS), users_per_topic * len(TOPICS)
    texts = [_title(rng, TOPICS[i // per_topic]) for i in range(n_items)]
    new = np.array([i for i in range(n_items) if i % per_topic >= per_topic * 3 // 4])
    tr, tc, er, ec = [], [], [], []
    for user in range(n_users):
        topic = user // users_per_topic
        items = np.arange(topic * per_topic, (topic + 1) * per_topic)
        old, fresh = items[~np.isin(items, new)], items[np.isin(items, new)]
        liked = rng.choice(old, 8, replace=False)
        held = rng.choice(fresh, 3, replace=False)
        tr += [user] * 8
        tc += liked.tolist()
        er += [user] * 3
        ec += held.tolist()
    shape = (n_users, n_items)
    return Benchmark("synthetic/cold", binary(tr, tc, shape), binary(er, ec, shape), new, False, texts=texts)


def taste_groups(seed: int = 0, n_items: int = 160, groups: int = 4, users_per_group: int = 12) -> Benchmark:
    """Warm items whose text says nothing (every title from the same words) but whose
    likes do: each group of users reads its own set of items, and each user's held-out
    items are ones other members of the group liked."""
    rng = np.random.default_rng(seed)
    words = sorted({w for topic in TOPICS for w in topic})
    texts = [" ".join(rng.choice(words, 6, replace=False)) for _ in range(n_items)]
    per_group = n_items // groups
    tr, tc, er, ec = [], [], [], []
    for user in range(groups * users_per_group):
        group = user // users_per_group
        items = rng.choice(np.arange(group * per_group, (group + 1) * per_group), 14, replace=False)
        tr += [user] * 10
        tc += items[:10].tolist()
        er += [user] * 4
        ec += items[10:].tolist()
    shape = (groups * users_per_group, n_items)
    train, test = binary(tr, tc, shape), binary(er, ec, shape)
    return Benchmark("synthetic/warm", train, test, np.arange(n_items), True, texts=texts)


# -- the published file formats, for running `paperbot eval` on these ------------------------


def _pairs_csv(matrix: sp.csr_matrix) -> str:
    users, items = matrix.nonzero()
    return "".join(f"{u + 1},{i + 1},1\n" for u, i in sorted(zip(users.tolist(), items.tolist())))  # 1-based


def _adjacency(matrix: sp.csr_matrix) -> str:
    matrix = matrix.tocsr()
    lines = []
    for u in range(matrix.shape[0]):
        items = sorted(matrix.indices[matrix.indptr[u] : matrix.indptr[u + 1]].tolist())
        lines.append(" ".join(map(str, [len(items), *items])))
    return "\n".join(lines) + "\n"


def write_citeulike_a(bench: Benchmark, root: Path) -> Path:
    """`bench` (a cold split with texts) as a citeulike-a folder."""
    folder = root / "citeulike-a"
    cold = folder / "splits" / "dropoutnet" / "cold"
    cold.mkdir(parents=True)
    assert bench.texts is not None
    (folder / "titles.txt").write_text("\n".join(bench.texts) + "\n", encoding="utf-8")
    (folder / "users.dat").write_text(_adjacency(bench.train + bench.test), encoding="utf-8")
    (folder / "vocabulary.dat").write_text("\n".join(sorted({w for t in bench.texts for w in t.split()})), encoding="utf-8")
    (cold / "train.csv").write_text(_pairs_csv(bench.train), encoding="utf-8")
    (cold / "test.csv").write_text(_pairs_csv(bench.test), encoding="utf-8")
    (cold / "test_item_ids.csv").write_text("".join(f"{i + 1}\n" for i in bench.candidates), encoding="utf-8")
    return folder


def write_citeulike_t(bench: Benchmark, root: Path) -> Path:
    """`bench` (texts rendered as bags of words) as a citeulike-t folder with a P=10 split."""
    folder = root / "citeulike-t"
    cvae = folder / "splits" / "cvae"
    cvae.mkdir(parents=True)
    assert bench.texts is not None
    words = sorted({w for t in bench.texts for w in t.split()})
    ids = {w: i for i, w in enumerate(words)}
    lines = []
    for text in bench.texts:
        counts: dict[int, int] = {}
        for w in text.split():
            counts[ids[w]] = counts.get(ids[w], 0) + 1
        lines.append(" ".join([str(len(counts)), *(f"{w}:{c}" for w, c in sorted(counts.items()))]))
    (folder / "mult.dat").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "vocabulary.dat").write_text("\n".join(words), encoding="utf-8")
    (cvae / "cf-train-10-users.dat").write_text(_adjacency(bench.train), encoding="utf-8")
    (cvae / "cf-test-10-users.dat").write_text(_adjacency(bench.test), encoding="utf-8")
    return folder


# Tags of `topical_cold` items (items i * 40 .. i * 40 + 39 are topic i): three usable ones,
# one whose word is in no title, one on too few items, and one repeating another's text.
TOPIC_TAGS = [
    ("graph", range(0, 40)),
    ("speech-audio", range(40, 80)),
    ("protein_folding", range(80, 120)),
    ("zebrafish", range(0, 30)),
    ("galaxy", range(120, 130)),
    ("Graph", range(0, 40)),
]
USABLE_TAGS = ["graph", "speech audio", "protein folding"]


def write_tags(root: Path, n_items: int) -> None:
    """`TOPIC_TAGS` in both published formats: citeulike-a's item-tag.dat, citeulike-t's tag-item.dat."""
    by_item: list[list[int]] = [[] for _ in range(n_items)]
    for t, (_, items) in enumerate(TOPIC_TAGS):
        for i in items:
            by_item[i].append(t)
    names = "\n".join(tag for tag, _ in TOPIC_TAGS) + "\n"
    for name in ("citeulike-a", "citeulike-t"):
        (root / name / "tags.dat").write_text(names, encoding="utf-8")
    (root / "citeulike-a" / "item-tag.dat").write_text(
        "".join(" ".join(map(str, [len(ts), *ts])) + "\n" for ts in by_item), encoding="utf-8"
    )
    (root / "citeulike-t" / "tag-item.dat").write_text(
        "".join(" ".join(map(str, [len(items), *items])) + "\n" for _, items in TOPIC_TAGS), encoding="utf-8"
    )


def write_topic_benchmarks(root: Path) -> Path:
    """Both tiny CiteULike datasets with their tags under `root`, as the topic benchmark reads them."""
    bench = topical_cold()
    write_citeulike_a(bench, root)
    write_citeulike_t(taste_groups(n_items=bench.n_items), root)
    write_tags(root, bench.n_items)
    return root
