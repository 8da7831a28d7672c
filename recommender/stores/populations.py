"""The DM digest's members' vectors stored as matrices: `Population`s on disk, read memory-mapped.

A digest reads its members' vectors as one matrix, never as one object per member
(issue 13). For the current `ScoringContext.version`, the members with DM digests are
built in parts of `PART` members (`build_population`, the daily refold) and written
under the data directory (`<data dir>/members/v-<version hash>/`): each part's arrays as
plain `.npy` files (no pickle) and a `manifest.json` (format, version, when the build
read the members' inputs, the member ids of each part). A population is written into a
temporary directory renamed into place, so a reader finds a whole one or none; writing
a version removes the older versions' directories but the newest of them (processes
sharing the data directory, one per group of shards, may be a refit apart). Read back, the arrays are
memory-mapped (`np.load(mmap_mode="r")`): pages are read when a digest touches them,
and are the kernel's to drop again.

Freshness: a member whose topics or feedback changed after the build (the service then
rebuilds their vectors in the profile store, which stamps the row's `updated_at`) is
not scored from the stored row: `changed` finds the members whose profile-store row of
this version was written after the build read the inputs (in the database, so a restart
sees it too), and `PopulationStore.batch` takes their vectors, and those of members the
population does not hold, from the profile store (`Population.stack`), the others'
rows from the parts (`Population.take`), joined in the batch's order
(`Population.concat`): the matrices `Population.stack` makes of the same vectors.
Any newer row counts (e.g. /recommend rebuilt a member's vectors after the refit): such a
member is read from the profile store, whose row is of this version and fresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.inputs import users_inputs
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import mapping_of
from recommender.ranking.population import PARTS, KnownTopics, Population, build_population
from recommender.ranking.profile import ProfileVectors
from recommender.storage.models import ProfileVector, utcnow

log = logging.getLogger(__name__)

FORMAT = 1
PART = 5000  # members per part: the batch of `PaperService.compose_personal_digests`
MANIFEST = "manifest.json"
ORPHAN_SECONDS = 3600  # another process's unfinished temporary directory is removed after this long
SPARSE = ("liked", "negative", "topics", "topic_colike")  # CSR matrices: <name>.data/.indices/.indptr
DENSE = ("has_latent", "has_colike", "likes_center", "likes_spread", "has_likes", "topic_offset", "topic_gate",
         "topic_member", "topic_id", "topic_std", "topic_slot", "negative_std", "has_negative")


class CorruptPopulation(ValueError):
    """A stored part whose arrays do not fit together."""


@dataclass
class StoredPopulation:
    """The parts of one version, memory-mapped, and where each member's row is."""

    version: str
    built_at: datetime  # when the build read the members' inputs
    parts: list[Population]
    members: list[np.ndarray]  # the member ids of each part, in row order
    directory: Path

    def __post_init__(self) -> None:
        ids = np.concatenate([*self.members, np.zeros(0, np.int64)])
        part = np.repeat(np.arange(len(self.members), dtype=np.int64), [m.size for m in self.members])
        row = np.concatenate([np.arange(m.size, dtype=np.int64) for m in self.members] or [np.zeros(0, np.int64)])
        order = np.argsort(ids, kind="stable")
        self._ids, self._part, self._row = ids[order], part[order], row[order]

    @property
    def size(self) -> int:
        return int(self._ids.size)

    def locate(self, user_ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(part, row) of each member; part -1 for members the population does not hold."""
        ids = np.asarray(user_ids, dtype=np.int64)
        if not self._ids.size:
            return np.full(ids.size, -1, dtype=np.int64), np.zeros(ids.size, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._ids, ids), self._ids.size - 1)
        found = self._ids[at] == ids
        return np.where(found, self._part[at], -1), np.where(found, self._row[at], 0)

    def nbytes(self) -> int:
        """The parts' arrays (on disk and mapped; resident only as far as read)."""
        return sum(p.nbytes() for p in self.parts)

    def release(self) -> int:
        """Hand the mapped pages back to the kernel (they stay in the page cache; the next digest
        maps what it reads): after the daily build, which wrote and checked every part. Returns how
        many mappings."""
        done = 0
        for pop in self.parts:
            arrays = [pop.liked.data, pop.liked.indices, pop.liked.indptr, pop.negative.data, pop.negative.indices,
                      pop.negative.indptr, pop.topics.data, pop.topics.indices, pop.topics.indptr, pop.latent,
                      pop.topic_latent, *(getattr(pop, name) for name in DENSE), *pop.part_mean.values(),
                      *pop.part_std.values()]
            if pop.topic_colike is not None:
                arrays += [pop.topic_colike.data, pop.topic_colike.indices, pop.topic_colike.indptr]
            for mapped in {id(m): m for m in map(mapping_of, arrays) if m is not None}.values():
                mapped.madvise(mmap.MADV_DONTNEED)
                done += 1
        return done


def changed(session: Session, version: str, since: datetime, user_ids: Sequence[int]) -> set[int]:
    """Members whose profile-store row of `version` was written at `since` or later: their
    topics or feedback changed after a population built at `since` read them."""
    out: set[int] = set()
    ids = list(user_ids)
    for a in range(0, len(ids), PART):
        out.update(session.scalars(
            select(ProfileVector.user_id).where(ProfileVector.user_id.in_(ids[a : a + PART]),
                                                ProfileVector.version == version, ProfileVector.updated_at >= since)))
    return out


class PopulationStore:
    """The stored population of the current version: loaded (mapped) once, built when missing."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._loaded: StoredPopulation | None = None
        self._lock = threading.Lock()

    def _path(self, version: str) -> Path:
        return self.directory / f"v-{hashlib.sha256(version.encode()).hexdigest()[:24]}"

    # -- reading ---------------------------------------------------------------

    def get(self, ctx: ScoringContext) -> StoredPopulation | None:
        """The population of `ctx.version` (None: none stored, or unreadable: then it is rebuilt)."""
        with self._lock:
            return self._get(ctx)

    def _get(self, ctx: ScoringContext) -> StoredPopulation | None:
        if self._loaded is not None and self._loaded.version == ctx.version and self._loaded.directory.is_dir():
            return self._loaded
        self._loaded = None
        path = self._path(ctx.version)
        if not path.is_dir():
            return None
        try:
            self._loaded = _read(path, ctx)
        except Exception as exc:  # a corrupt, truncated or missing file: rebuilt, never fatal
            log.warning("ignoring the unreadable stored members' vectors in %s (they are rebuilt): %s", path, exc)
            return None
        return self._loaded

    def current(
        self, session: Session, ctx: ScoringContext, members: Callable[[], list[int]], build: bool = True,
    ) -> StoredPopulation | None:
        """The population of `ctx.version`; built for `members()` and written when there is none
        (and `build`). Concurrent callers wait for one build."""
        with self._lock:
            found = self._get(ctx)
            if found is not None or not build:
                return found
            self._loaded = self._build(session, ctx, members())
            return self._loaded

    def rebuild(self, session: Session, ctx: ScoringContext, user_ids: list[int]) -> StoredPopulation:
        """Build and write the population of `ctx.version` for these members (replacing one stored)."""
        with self._lock:
            self._loaded = self._build(session, ctx, user_ids)
            return self._loaded

    def release(self) -> int:
        """The loaded population's mapped pages back to the kernel (`StoredPopulation.release`)."""
        with self._lock:
            return self._loaded.release() if self._loaded is not None else 0

    # -- a digest batch ----------------------------------------------------------

    def batch(
        self, session: Session, ctx: ScoringContext, stored: StoredPopulation | None, user_ids: Sequence[int],
        fresh: Callable[[list[int]], dict[int, ProfileVectors]],
    ) -> Population:
        """These members' vectors as one `Population`, in their order: the stored rows of members
        unchanged since the build, `fresh(ids)` (the profile store) for the others."""
        ids = list(user_ids)
        part = np.full(len(ids), -1, dtype=np.int64)
        row = np.zeros(len(ids), dtype=np.int64)
        if stored is not None and stored.version == ctx.version and ids:
            part, row = stored.locate(ids)
            redo = changed(session, ctx.version, stored.built_at, [u for u, p in zip(ids, part) if p >= 0])
            if redo:
                part = np.where(np.isin(np.asarray(ids, dtype=np.int64), list(redo)), -1, part)
        missing = [u for u, p in zip(ids, part) if p < 0]
        vecs = fresh(missing) if missing else {}
        own = Population.stack(ctx, [vecs[u] for u in missing]) if missing else None
        own_row = np.zeros(len(ids), dtype=np.int64)
        own_row[part < 0] = np.arange(len(missing))
        # Runs of consecutive members from one source, in the batch's order.
        cut = np.flatnonzero(np.diff(part) != 0) + 1
        pieces = []
        for a, b in zip(np.r_[0, cut], np.r_[cut, len(ids)]):
            if a == b:
                continue
            if part[a] < 0:
                assert own is not None
                pieces.append(own.take(own_row[a:b]))
            else:
                assert stored is not None
                source = stored.parts[int(part[a])]
                pieces.append(source.take(row[a:b]))
        if not pieces:
            return Population.stack(ctx, [])
        return Population.concat(pieces)

    # -- writing -----------------------------------------------------------------

    def _build(self, session: Session, ctx: ScoringContext, user_ids: list[int]) -> StoredPopulation:
        """Each part built (`build_population`) and written before the next, into a temporary
        directory renamed into place once whole: one part in memory at a time."""
        if ctx.semantic is not None:
            raise ValueError("the stored population does not cover the semantic extra")
        started = time.perf_counter()
        built_at = utcnow()  # before the inputs are read: a change after it is newer than the build
        ids = sorted(set(user_ids))
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            described = []
            known = KnownTopics(ctx.version)  # a topic followed in many parts is expanded once
            for i, a in enumerate(range(0, len(ids), PART)):
                chunk = ids[a : a + PART]
                inputs = users_inputs(session, chunk)
                described.append({**_save_part(tmp, i, build_population(ctx, [inputs[u] for u in chunk], known=known)),
                                  "members": chunk})
            manifest = {
                "format": FORMAT, "version": ctx.version, "built_at": built_at.isoformat(),
                "papers": len(ctx.index), "terms": int(ctx.index.matrix.shape[1]), "parts": described,
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            final = self._commit(tmp, self._path(ctx.version))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._clean(final)
        log.info("members' vectors: %d members in %d parts built and written in %.1fs", len(ids), len(described),
                 time.perf_counter() - started)
        return _read(final, ctx)

    def _commit(self, tmp: Path, final: Path) -> Path:
        """The whole population renamed into place (a reader finds it whole, or not at all)."""
        if final.exists():  # the same version again (e.g. a damaged part): the old one out of the way first
            os.rename(final, self.directory / f".old-{uuid.uuid4().hex[:8]}")
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():
                raise
            log.info("another process wrote the members' vectors of this version meanwhile: keeping theirs")
            shutil.rmtree(tmp, ignore_errors=True)
        return final

    def _clean(self, keep: Path) -> None:
        """Remove older versions (all but `keep` and the newest other one: processes sharing the data
        directory may be a refit apart for a while, and each reads its own), replaced copies and old
        unfinished writes. A process that still maps a removed file keeps it until it lets go."""
        now = time.time()
        others = sorted((p for p in self.directory.glob("v-*") if p != keep), key=_written, reverse=True)
        for path in [*others[1:], *self.directory.glob(".old-*"),
                     *(p for p in self.directory.glob(".tmp-*") if now - _written(p) > ORPHAN_SECONDS)]:
            shutil.rmtree(path, ignore_errors=True)


def _written(path: Path) -> float:
    try:
        return (path / MANIFEST).stat().st_mtime if (path / MANIFEST).exists() else path.stat().st_mtime
    except OSError:
        return 0.0


def _arrays(pop: Population) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in SPARSE:
        m = getattr(pop, name)
        if m is not None:
            out[f"{name}.data"] = m.data
            # int32 where they fit (always, short of 2**31 papers): SciPy keeps them mapped as given
            small = max(m.shape[1], m.nnz) < 2**31 - 1
            out[f"{name}.indices"] = m.indices.astype(np.int32 if small else np.int64, copy=False)
            out[f"{name}.indptr"] = m.indptr.astype(np.int32 if small else np.int64, copy=False)
    for name in DENSE:
        out[name] = getattr(pop, name)
    for p in PARTS:
        out[f"part_mean.{p}"], out[f"part_std.{p}"] = pop.part_mean[p], pop.part_std[p]
    if pop.latent is not None:
        out["latent"] = pop.latent
    if pop.topic_latent is not None:
        out["topic_latent"] = pop.topic_latent
    out["topic_texts"] = np.array(pop.topic_texts, dtype=str) if pop.topic_texts else np.zeros(0, dtype="<U1")
    return out


def _save_part(directory: Path, i: int, pop: Population) -> dict:
    arrays = _arrays(pop)
    for name, values in arrays.items():
        np.save(directory / f"part-{i:04d}.{name}.npy", np.ascontiguousarray(values), allow_pickle=False)
    return {"arrays": sorted(arrays), "size": pop.size, "topics": int(pop.topics.shape[0]),
            "colike_width": None if pop.topic_colike is None else int(pop.topic_colike.shape[1])}


def _read(path: Path, ctx: ScoringContext) -> StoredPopulation:
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("version") != ctx.version:
        raise CorruptPopulation(f"format {manifest.get('format')} of version {manifest.get('version')!r}")
    papers, terms = int(manifest["papers"]), int(manifest["terms"])
    parts, members = [], []
    for i, desc in enumerate(manifest["parts"]):
        arrays = {name: np.load(path / f"part-{i:04d}.{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in desc["arrays"]}
        parts.append(_population(ctx.version, arrays, desc, papers, terms))
        members.append(np.asarray(desc["members"], dtype=np.int64))
        if members[-1].size != parts[-1].size:
            raise CorruptPopulation(f"part {i}: {members[-1].size} member ids for {parts[-1].size} rows")
    return StoredPopulation(manifest["version"], datetime.fromisoformat(manifest["built_at"]), parts, members, path)


def _csr(arrays: dict[str, np.ndarray], name: str, rows: int, width: int) -> sp.csr_matrix:
    """A stored CSR matrix over its mapped arrays, checked for fitting together (the index
    arrays are small: the pointers' ends and the indices' bounds are read)."""
    data, indices, indptr = arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]
    if indptr.shape != (rows + 1,) or data.shape != indices.shape or int(indptr[0]) != 0 \
            or int(indptr[-1]) != data.size or (indices.size and (int(indices.max()) >= width or int(indices.min()) < 0)) \
            or (rows and bool((np.diff(indptr) < 0).any())):
        raise CorruptPopulation(f"{name}: arrays that do not fit a {rows} x {width} matrix")
    return sp.csr_matrix((data, indices, indptr), shape=(rows, width), copy=False)


def _population(version: str, arrays: dict[str, np.ndarray], desc: dict, papers: int, terms: int) -> Population:
    n, k = int(desc["size"]), int(desc["topics"])
    for name in ("has_latent", "has_colike", "likes_center", "likes_spread", "has_likes", "negative_std", "has_negative",
                 *(f"part_{w}.{p}" for w in ("mean", "std") for p in PARTS)):
        if arrays[name].shape != (n,):
            raise CorruptPopulation(f"{name}: {arrays[name].shape} for {n} members")
    pairs = arrays["topic_member"].shape
    if any(arrays[name].shape != pairs for name in ("topic_id", "topic_std", "topic_slot")) \
            or any(arrays[name].shape != (k,) for name in ("topic_offset", "topic_gate", "topic_texts")):
        raise CorruptPopulation("topic arrays of different lengths")
    if pairs[0] and (int(arrays["topic_id"].max()) >= k or int(arrays["topic_member"].max()) >= n):
        raise CorruptPopulation("topic pairs out of range")
    latent = arrays.get("latent")
    if latent is not None and (latent.ndim != 2 or latent.shape[0] != n):
        raise CorruptPopulation(f"latent: {latent.shape} for {n} members")
    topic_latent = arrays.get("topic_latent")
    if topic_latent is not None and (topic_latent.ndim != 2 or topic_latent.shape[0] != k):
        raise CorruptPopulation(f"topic_latent: {topic_latent.shape} for {k} topics")
    width = desc.get("colike_width")
    return Population(
        version=version, liked=_csr(arrays, "liked", n, papers), latent=latent,
        has_latent=arrays["has_latent"], has_colike=arrays["has_colike"],
        part_mean={p: arrays[f"part_mean.{p}"] for p in PARTS}, part_std={p: arrays[f"part_std.{p}"] for p in PARTS},
        likes_center=arrays["likes_center"], likes_spread=arrays["likes_spread"], has_likes=arrays["has_likes"],
        topics=_csr(arrays, "topics", k, terms), topic_latent=topic_latent,
        topic_colike=None if width is None else _csr(arrays, "topic_colike", k, int(width)),
        topic_offset=arrays["topic_offset"], topic_gate=arrays["topic_gate"], topic_member=arrays["topic_member"],
        topic_id=arrays["topic_id"], topic_std=arrays["topic_std"], topic_slot=arrays["topic_slot"],
        negative=_csr(arrays, "negative", n, papers), negative_std=arrays["negative_std"],
        has_negative=arrays["has_negative"], topic_texts=[str(t) for t in arrays["topic_texts"]],
    )
