"""PopulationStore: the DM digest's members' vectors as stored matrices, read memory-mapped.

The life of a server: members with likes, topics, dismissals or nothing; the population
written once and read by digests; feedback after it was written; a restart; a refit
(a new version); a part file lost or damaged; a build that dies half-way. And what a
digest batch is joined with: `Population.take` and `Population.concat` (rows of stored
parts and newly stacked members, in any order) make what `Population.stack` makes of
the same vectors, and `rank_many(pop=...)` picks and explains as on the vectors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import recommender.stores.populations as populations
from recommender.evaluation import synthetic
from recommender.evaluation.library import store_members
from recommender.ranking.context import ScoringContext
from recommender.ranking.population import PARTS, Population, build_population, select
from recommender.ranking.profile import ProfileInputs
from recommender.ranking.ranker import exclusion_matrix, rank_many
from recommender.service import PaperService
from recommender.views import DigestDraft, Target

FIRST, SECOND = "2606.29090", "2606.30093"  # two RAG papers of the demo corpus
LIKER, SPEAKER, DISMISSER, NOBODY = 1, 2, 3, 4
SYNTHETIC = 60  # members with topics, likes and dismissals (evaluation/synthetic.py)


def _community(service: PaperService) -> list[int]:
    """Four members by hand (likes and a topic; a topic only; a like and a dismissal; nothing)
    and SYNTHETIC generated ones, all with DM digests on; returns their ids, in id order."""
    service.feedback(LIKER, FIRST, "like")
    service.subscribe(Target.user(LIKER), "graph neural networks")
    service.subscribe(Target.user(SPEAKER), "speech recognition")
    service.feedback(DISMISSER, SECOND, "like")
    ctx = service.context()
    assert ctx is not None
    order = np.argsort(ctx.index.published, kind="stable")
    service.feedback(DISMISSER, str(ctx.index.ids[order[-1]]), "dismiss")
    for uid in (LIKER, SPEAKER, DISMISSER, NOBODY):
        service.set_dm_digest(uid, True)
    community = synthetic.members(ctx.index, order[:-100], order[-100:], SYNTHETIC, seed=5)
    return [LIKER, SPEAKER, DISMISSER, NOBODY, *store_members(service.db, ctx.index, community, first_id=1000)]


def _picks(drafts: list[DigestDraft]) -> dict[int, list[tuple[Any, ...]]]:
    return {d.target.id: [(r.paper.id, r.score, r.matched, r.terms, r.similar_to.id if r.similar_to else None,
                           r.matched_on) for r in d.picks] for d in drafts}


def _today(ids: list[int]) -> list[tuple[int, date]]:
    return [(uid, date.today()) for uid in ids]


def _context(service: PaperService) -> ScoringContext:
    ctx = service.context()
    assert ctx is not None
    return ctx


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stored population was rebuilt")

    monkeypatch.setattr(populations, "build_population", refuse)


def _spy_profiles(service: PaperService, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The members a digest reads from the profile store (not from the stored population)."""
    read: list[int] = []
    real = service.profiles.get_many

    def spy(s: Any, ctx: ScoringContext, ids: list[int], remember: bool = True) -> Any:
        read.extend(ids)
        return real(s, ctx, ids, remember)

    monkeypatch.setattr(service.profiles, "get_many", spy)
    return read


def _stacked_path(service: PaperService, monkeypatch: pytest.MonkeyPatch, changed: tuple[int, ...] = ()) -> list[int]:
    """Today's path for comparison: no stored population; every member's `ProfileVectors` from
    the profile store (stacked per batch by `Population.stack`), here the very vectors the
    stored rows hold (`Population.vectors`), or the profile store's own for `changed` members.
    Returns the members read."""
    ctx = _context(service)
    stored = service.populations.get(ctx)
    assert stored is not None
    real = service.profiles.get_many
    read: list[int] = []

    def vectors(s: Any, ctx: ScoringContext, ids: list[int], remember: bool = True) -> Any:
        read.extend(ids)
        out = real(s, ctx, [u for u in ids if u in changed], remember)
        part, row = stored.locate([u for u in ids if u not in changed])
        out.update((u, stored.parts[p].vectors(ctx, r)) for u, p, r in zip([u for u in ids if u not in changed], part, row))
        return out

    monkeypatch.setattr(service, "_digest_population", lambda ctx, due: None)
    monkeypatch.setattr(service.profiles, "get_many", vectors)
    return read


def test_stored_picks_are_todays_picks(service: PaperService, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest from the stored matrices picks (and explains) exactly what the members' vectors
    stacked per batch pick, for members with likes, topics, dismissals or nothing."""
    members = _community(service)
    stored = service.refresh_population()
    ctx = _context(service)
    assert stored is not None and stored.size == len(members) and stored.version == ctx.version
    assert (stored.directory / populations.MANIFEST).is_file() and list(stored.directory.glob("part-0000.*.npy"))
    # mapped read-only from the files, not read into memory
    assert all(not p.liked.data.flags.writeable and isinstance(p.has_likes, np.memmap) for p in stored.parts)
    # The rows are what the profile store's batched rebuild (today's refold) makes of the same members.
    from recommender.stores.codec import dumps
    from recommender.stores.profiles import ProfileStore

    with service.db.session() as s:
        rebuilt = ProfileStore(service.db).rebuild_many(s, ctx, members)
    assert all(dumps(rebuilt[u]) == dumps(stored.parts[0].vectors(ctx, i)) for i, u in enumerate(members))
    with service.db.session() as s:  # that rebuild stamped every member's row as changed: a build after it
        stored = service.populations.rebuild(s, ctx, members)
    read = _spy_profiles(service, monkeypatch)
    from_store = _picks(service.compose_personal_digests(_today(members), batch=25))  # three batches
    assert read == []  # every member from the stored rows
    monkeypatch.undo()
    stacked = _stacked_path(service, monkeypatch)
    before = _picks(service.compose_personal_digests(_today(members), batch=25))
    assert stacked == members
    assert from_store == before
    assert from_store[NOBODY] == [] and from_store[SPEAKER] and from_store[LIKER] and from_store[DISMISSER]
    assert {p[2] for p in from_store[SPEAKER]} == {"speech recognition"}
    assert sum(bool(p) for p in from_store.values()) > SYNTHETIC // 2
    assert service.profiles.cached <= 4  # a digest leaves no member objects in memory


def test_a_batch_in_any_order_joins_the_stored_rows_and_the_changed_ones(
    service: PaperService, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = _community(service)
    service.refresh_population()
    service.subscribe(Target.user(SPEAKER), "graph neural networks")  # now changed: read from the profile store
    rng = np.random.default_rng(1)
    due = [int(u) for u in rng.permutation(members[4:])[:40]] + [SPEAKER, LIKER, NOBODY]
    read = _spy_profiles(service, monkeypatch)
    mixed = _picks(service.compose_personal_digests(_today(due)))
    assert read == [SPEAKER]
    assert {p[2] for p in mixed[SPEAKER]} == {"speech recognition", "graph neural networks"}
    monkeypatch.undo()
    _stacked_path(service, monkeypatch, changed=(SPEAKER,))
    assert mixed == _picks(service.compose_personal_digests(_today(due)))
    assert list(mixed) == due


def test_feedback_after_the_build_changes_that_members_picks_only(
    service: PaperService, restart: Callable[[], PaperService], monkeypatch: pytest.MonkeyPatch
) -> None:
    members = _community(service)
    service.refresh_population()
    first = _picks(service.compose_personal_digests(_today(members)))
    version = _context(service).version
    service.subscribe(Target.user(NOBODY), "speech recognition")  # no vector change for the community's version
    assert _context(service).version == version
    again = _picks(service.compose_personal_digests(_today(members)))
    assert first[NOBODY] == [] and again[NOBODY] and {p[2] for p in again[NOBODY]} == {"speech recognition"}
    assert {u: p for u, p in again.items() if u != NOBODY} == {u: p for u, p in first.items() if u != NOBODY}
    # A restart reads the stored population, not rebuilt, and still knows the member changed.
    _no_build(monkeypatch)
    later = restart()
    read = _spy_profiles(later, monkeypatch)
    assert _picks(later.compose_personal_digests(_today(members))) == again
    assert read == [NOBODY]


def test_a_restart_reads_the_stored_population(
    service: PaperService, restart: Callable[[], PaperService], monkeypatch: pytest.MonkeyPatch
) -> None:
    members = _community(service)
    stored = service.refresh_population()
    assert stored is not None
    first = _picks(service.compose_personal_digests(_today(members)))
    _no_build(monkeypatch)
    later = restart()
    found = later.populations.get(_context(later))
    assert found is not None and found.directory == stored.directory and found.built_at == stored.built_at
    assert _picks(later.compose_personal_digests(_today(members))) == first


def test_a_new_version_rebuilds_and_removes_the_old(service: PaperService) -> None:
    members = _community(service)
    first = service.refresh_population()
    assert first is not None
    versions = [first]
    for paper in (SECOND, "2606.17882"):
        service.feedback(LIKER, paper, "like")  # a small community refits at every like: a new version
        ctx = _context(service)
        assert ctx.version != versions[-1].version
        drafts = service.compose_personal_digests(_today(members))  # builds the new version once
        assert len(drafts) == len(members)
        new = service.populations.get(ctx)
        assert new is not None and new.version == ctx.version and new.size == len(members)
        versions.append(new)
    # The newest and the one before it are kept (another process may still be a refit behind).
    assert sorted(d.name for d in service.populations.directory.iterdir()) == \
        sorted(v.directory.name for v in versions[1:])
    assert not first.directory.exists()


@pytest.mark.parametrize("damage", ["missing", "truncated", "garbled manifest"])
def test_a_damaged_population_is_rebuilt_with_a_warning(
    service: PaperService, restart: Callable[[], PaperService], caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    members = _community(service)
    stored = service.refresh_population()
    assert stored is not None
    first = _picks(service.compose_personal_digests(_today(members)))
    part = sorted(stored.directory.glob("part-0000.liked.indices.npy"))[0]
    if damage == "missing":
        part.unlink()
    elif damage == "truncated":
        part.write_bytes(part.read_bytes()[:-8])
    else:
        (stored.directory / populations.MANIFEST).write_text("{not json")
    later = restart()
    with caplog.at_level(logging.WARNING, logger="recommender.stores.populations"):
        again = _picks(later.compose_personal_digests(_today(members)))
    assert again == first
    assert any("unreadable stored members' vectors" in r.getMessage() for r in caplog.records)
    rebuilt = later.populations.get(_context(later))
    assert rebuilt is not None and rebuilt.built_at > stored.built_at and part.is_file()


def test_a_build_that_dies_leaves_nothing_that_is_read(
    service: PaperService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    members = _community(service)
    real = populations._save_part

    def dies(directory: Path, i: int, pop: Any) -> dict:
        if i == 1:
            raise OSError("disk full")
        return real(directory, i, pop)

    monkeypatch.setattr(populations, "PART", 25)  # three parts
    monkeypatch.setattr(populations, "_save_part", dies)
    with pytest.raises(OSError):
        service.refresh_population()
    root = service.populations.directory
    assert list(root.iterdir()) == []  # no half-written population, no temporary left
    assert service.populations.get(_context(service)) is None
    # A digest run that cannot write them (a full disk) reads the profile store instead, with a warning.
    with caplog.at_level(logging.WARNING, logger="recommender.service"):
        drafts = service.compose_personal_digests(_today(members))
    assert len(drafts) == len(members) and any(d.picks for d in drafts)
    assert any("could not write the members' vectors" in r.getMessage() for r in caplog.records)
    assert list(root.iterdir()) == []
    monkeypatch.setattr(populations, "_save_part", real)
    stored = service.refresh_population()
    assert stored is not None and [m.size for m in stored.members] == [25, 25, len(members) - 50]


def test_the_daily_job_writes_the_population(service: PaperService, monkeypatch: pytest.MonkeyPatch) -> None:
    members = _community(service)
    service.settings = service.settings.model_copy(update={"ingest_sources": ""})  # no network source: the refit, then
    service.run_scheduled_ingest()
    stored = service.populations.get(_context(service))
    assert stored is not None and stored.size == len(members)
    assert service.populations.release() > 0  # the job handed the parts' pages back; they stay mapped
    _no_build(monkeypatch)
    assert len(service.compose_personal_digests(_today(members))) == len(members)


def test_a_few_due_members_of_many_do_not_build_it(service: PaperService, monkeypatch: pytest.MonkeyPatch) -> None:
    """A retry of one member's digest while no population is stored reads the profile store;
    a run of many builds the population once, for every member with DM digests."""
    members = _community(service)
    read = _spy_profiles(service, monkeypatch)
    service.compose_personal_digests(_today([LIKER]))
    assert read == [LIKER] and service.populations.get(_context(service)) is None
    service.compose_personal_digests(_today(members[:55]), batch=20)
    stored = service.populations.get(_context(service))
    assert stored is not None and stored.size == len(members)
    assert read == [LIKER]


# -- Population.take / Population.concat / rank_many(pop=...) ------------------------------


def _same(a: Population, b: Population) -> None:
    """Every array of two populations equal (sparse ones as dense), the topics in the same order."""
    assert a.version == b.version and a.size == b.size and a.topic_texts == b.topic_texts
    for name in ("liked", "negative", "topics", "topic_colike"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert x.shape == y.shape and x.dtype == y.dtype, name
            np.testing.assert_array_equal(sp.csr_matrix(x).toarray(), sp.csr_matrix(y).toarray(), err_msg=name)
    for name in ("latent", "has_latent", "has_colike", "likes_center", "likes_spread", "has_likes", "topic_latent",
                 "topic_offset", "topic_gate", "topic_member", "topic_id", "topic_std", "topic_slot", "negative_std",
                 "has_negative"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert x.dtype == y.dtype, name
            np.testing.assert_array_equal(x, y, err_msg=name)
    for p in PARTS:
        np.testing.assert_array_equal(a.part_mean[p], b.part_mean[p])
        np.testing.assert_array_equal(a.part_std[p], b.part_std[p])


@pytest.fixture
def built(service: PaperService) -> tuple[ScoringContext, Population, np.ndarray]:
    service.feedback(1, "2606.29090", "like")  # a community model, so latents and co-likes are in play
    service.feedback(2, "2606.30093", "like")
    ctx = service.context()
    assert ctx is not None
    order = np.argsort(ctx.index.published, kind="stable")
    community = synthetic.members(ctx.index, order[:-100], order[-100:], 40, seed=7)
    inputs = [*community.inputs, ProfileInputs(), ProfileInputs(topics=["speech recognition"])]
    return ctx, build_population(ctx, inputs), order[-100:]


def test_take_and_concat_in_any_order_are_the_stack_of_the_vectors(built: tuple[ScoringContext, Population, np.ndarray]) -> None:
    ctx, pop, _ = built
    vecs = [pop.vectors(ctx, i) for i in range(pop.size)]
    assert sum(bool(v.topics) for v in vecs) > 10 and sum(v.has_negative for v in vecs) > 5
    order = np.random.default_rng(3).permutation(pop.size)
    _same(pop.take(order), Population.stack(ctx, [vecs[i] for i in order]))
    # Stored rows, members stacked anew, stored rows again: one population in that order.
    a, b, c = order[:15], order[15:22], order[22:]
    joined = Population.concat([pop.take(a), Population.stack(ctx, [vecs[i] for i in b]), pop.take(c)])
    _same(joined, Population.stack(ctx, [vecs[i] for i in order]))
    _same(Population.concat([pop.take([])] * 2), Population.stack(ctx, []))
    assert Population.concat([pop]) is pop


def test_concat_keeps_the_first_followers_topic_rows(built: tuple[ScoringContext, Population, np.ndarray]) -> None:
    """As `stack` does: a topic followed in two populations takes its rows from the first."""
    ctx, pop, _ = built
    follower = int(pop.topic_member[0])
    other = pop.take([follower])
    other.topics = other.topics * 2.0  # another build's rows for the same topic text
    joined = Population.concat([pop.take([follower]), other])
    assert joined.topic_texts == pop.take([follower]).topic_texts
    np.testing.assert_array_equal(joined.topics.toarray(), pop.take([follower]).topics.toarray())
    assert list(joined.topic_member) == [0] * other.topic_member.size + [1] * other.topic_member.size
    stale = pop.take([0])
    stale.version = "another"
    with pytest.raises(ValueError):
        Population.concat([pop.take([0]), stale])


def test_rank_many_on_a_population_picks_and_explains_as_on_the_vectors(
    built: tuple[ScoringContext, Population, np.ndarray],
) -> None:
    ctx, pop, rows = built
    order = np.random.default_rng(4).permutation(pop.size)
    vecs = [pop.vectors(ctx, int(i)) for i in order]
    excludes = [{str(ctx.index.ids[rows[int(i) % rows.size]])} for i in order]
    joined = Population.concat([pop.take(order[:20]), Population.stack(ctx, vecs[20:30]), pop.take(order[30:])])
    kwargs = dict(diversity=0.3, recency_half_life=7.0, chunk=16)
    by_vectors = rank_many(ctx, vecs, rows, excludes, 5, 0.0, **kwargs)
    by_pop = rank_many(ctx, None, rows, excludes, 5, 0.0, pop=joined, **kwargs)
    assert by_pop == by_vectors and sum(bool(p) for p in by_pop) > 20
    assert not any(p.paper_id in ex for picks, ex in zip(by_pop, excludes) for p in picks)
    with pytest.raises(ValueError):
        rank_many(ctx, None, rows, excludes[:3], 5, pop=joined)
    # select on the stored rows directly, as the digest runs it
    direct = select(ctx, joined, ctx.block(rows), exclusion_matrix(ctx.index, rows, excludes), 5)
    assert direct.positions.shape == (pop.size, 5)
