"""A server over simulated days: a Hypothesis state machine through PaperService.

Members join, follow and drop topics, like, save, dismiss, unsave and start over;
a day's papers arrive (real papers from the bundled demo corpus, a slice per
announcement date), the index is updated or refitted and the community model
refitted; the service restarts. Between those steps every read path runs:
/recommend, /recommend on a topic, /why, /similar, /search, the channel digest and
the batched DM digests (claimed, then marked sent or failed).

After every step: nothing raises but a PaperbotError (bad input, with a message);
no pick is liked, saved, dismissed or already sent to that target; every list is
in the order of the scores it shows; each pick's label names one of the target's
topics, or "papers you liked" for a member who liked something, and its
"similar to" is a paper that member liked.

The default run is small (see EXAMPLES); `PAPERBOT_LIFECYCLE_EXAMPLES=500 pytest -m
lifecycle` runs the long one (PAPERBOT_LIFECYCLE_STEPS sets the steps per example).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.engine import make_url

from recommender.config import Settings
from recommender.errors import PaperbotError
from recommender.ingest.seed import demo_corpus_path
from recommender.ranking import community as community_model
from recommender.ranking.text import topic_key
from recommender.ranking.weights import LIKES_LABEL
from recommender.service import PaperService
from recommender.storage.db import Database
from recommender.views import DigestDraft, Recommendation, Target

GUILD, CHANNEL = 900, 901
MEMBERS = [11, 12, 13, 14, 15, 16]
PER_DAY = 30  # papers per simulated day
FIRST_DAYS = 2  # announcement dates already in the library when the server starts
TOPICS = [
    "graph neural networks", "retrieval augmented generation", "reinforcement learning", "diffusion models",
    "speech recognition", "machine unlearning", "large language models", "learning",  # a very common word
    "zzqxv flurbination",  # no word in the library
    "",  # invalid
    "x" * 300,  # too long
]
QUERIES = ["graph", "language models", "policy optimization", "zzqxv", "", "diffusion image generation"]
EXAMPLES = int(os.environ.get("PAPERBOT_LIFECYCLE_EXAMPLES", "0"))
STEPS = int(os.environ.get("PAPERBOT_LIFECYCLE_STEPS", "0"))


def _days() -> list[list[dict[str, Any]]]:
    """The demo corpus cut into days: PER_DAY real papers of each announcement date."""
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        records = sorted((json.loads(line) for line in fh), key=lambda r: (r["published"], r["id"]))
    return [list(group)[:PER_DAY] for _, group in groupby(records, key=lambda r: r["published"])]


DAYS = _days()


@dataclass
class Member:
    topics: set[str] = field(default_factory=set)
    liked: set[str] = field(default_factory=set)  # liked or saved: the papers "you liked"
    saved: set[str] = field(default_factory=set)  # on the reading list
    dismissed: set[str] = field(default_factory=set)


class ServerLife(RuleBasedStateMachine):
    """One lab's server; `fresh_database` and `base_settings` are set by the test."""

    fresh_database: ClassVar[Callable[[Path], tuple[str, Callable[[], None]]]]
    base_settings: ClassVar[Settings]

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="pb-life-"))
        self.url, self.release = self.fresh_database(self.tmp)
        self.settings = self.base_settings.model_copy(update={"data_dir": self.tmp, "database_url": self.url})
        self.service = self._start()
        self.day = 0
        self.refitted_on = 0
        self.members: dict[int, Member] = {}
        self.sent: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.touched: int | None = None

    def _start(self) -> PaperService:
        service = PaperService(self.settings)
        service.start(seed=False)
        return service

    def teardown(self) -> None:
        self.service.close()
        self.release()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------

    @property
    def papers(self) -> list[str]:
        """Ids of the papers in the library so far, in a fixed order."""
        return [r["id"] for day in DAYS[: FIRST_DAYS + self.day] for r in day]

    def _paper(self, n: int) -> str:
        pool = self.papers
        return pool[n % len(pool)]

    def _today(self) -> date:
        return date(2026, 7, 1 + self.day)

    def _ingest_day(self, which: int) -> None:
        path = self.tmp / f"day{which}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in DAYS[which]), encoding="utf-8")
        self.service.ingest_file(path)

    def _check_list(self, picks: list[Recommendation], what: str) -> None:
        scores = [r.score for r in picks]
        assert scores == sorted(scores, reverse=True), f"{what}: not in the order of its scores: {scores}"
        ids = [r.paper.id for r in picks]
        assert len(ids) == len(set(ids)), f"{what}: a paper twice: {ids}"

    def _check_member_picks(self, uid: int, picks: list[Recommendation], what: str, topic: str | None = None) -> None:
        self._check_list(picks, what)
        m = self.members.get(uid, Member())
        hidden = m.liked | m.saved | m.dismissed | self.sent[("user", uid)]
        for r in picks:
            assert r.paper.id not in hidden, f"{what}: {r.paper.id} was liked, saved, dismissed or sent"
            self._check_label(m, r, what, {topic} if topic else m.topics)

    def _check_label(self, m: Member, r: Recommendation, what: str, topics: set[str]) -> None:
        if r.matched == LIKES_LABEL:
            assert m.liked, f"{what}: {r.paper.id} 'matches papers you liked' for a member who liked nothing"
            assert r.similar_to is None or r.similar_to.id in m.liked, (
                f"{what}: 'similar to' {r.similar_to.id} is not a paper this member liked"
            )
        else:
            assert r.matched in topics, f"{what}: label {r.matched!r} is none of {sorted(topics)}"

    def _member(self, uid: int) -> Member:
        self.touched = uid
        return self.members.setdefault(uid, Member())

    # -- the server's life -----------------------------------------------------------

    @initialize()
    def open_library(self) -> None:
        for which in range(FIRST_DAYS):
            self._ingest_day(which)
        self.service.configure_digest(GUILD, channel_id=CHANNEL)

    @precondition(lambda self: FIRST_DAYS + self.day < len(DAYS))
    @rule()
    def next_day(self) -> None:
        """A day's papers arrive; the index is updated (or refitted) and the community model refitted."""
        self._ingest_day(FIRST_DAYS + self.day)
        self.day += 1
        self.service.community.refresh()

    @precondition(lambda self: self.day > self.refitted_on)
    @rule()
    def refit_everything(self) -> None:
        """A full refit of the vocabulary (at most once a day: it is the slowest step)."""
        self.refitted_on = self.day
        self.service.index_store.refresh(full=True)
        self.service.community.refresh()

    @rule()
    def restart(self) -> None:
        self.service.close()
        self.service = self._start()

    @rule(uid=st.sampled_from(MEMBERS), topic=st.sampled_from(TOPICS))
    def subscribe(self, uid: int, topic: str) -> None:
        m = self._member(uid)
        try:
            clean, new = self.service.subscribe(Target.user(uid, GUILD), topic)
        except PaperbotError as exc:
            assert str(exc)
            return
        assert new == (topic_key(clean) not in {topic_key(t) for t in m.topics})
        m.topics.add(clean)

    @rule(uid=st.sampled_from(MEMBERS), topic=st.sampled_from(TOPICS))
    def unsubscribe(self, uid: int, topic: str) -> None:
        m = self._member(uid)
        try:
            removed = self.service.unsubscribe(Target.user(uid, GUILD), topic)
        except PaperbotError as exc:
            assert str(exc) and topic_key(topic) not in {topic_key(t) for t in m.topics}
            return
        m.topics.discard(removed)

    @rule(uid=st.sampled_from(MEMBERS), n=st.integers(0, 10_000), kind=st.sampled_from(["like", "save", "dismiss"]))
    def feedback(self, uid: int, n: int, kind: str) -> None:
        m = self._member(uid)
        pid = self._paper(n)
        self.service.feedback(uid, pid, kind)
        if kind == "dismiss":
            m.liked.discard(pid)
            m.saved.discard(pid)
            m.dismissed.add(pid)
        else:
            m.liked.add(pid)
            m.dismissed.discard(pid)
            if kind == "save":
                m.saved.add(pid)

    @rule(uid=st.sampled_from(MEMBERS), bad=st.sampled_from(["2699.99999", "not a paper", ""]))
    def feedback_on_a_missing_paper(self, uid: int, bad: str) -> None:
        self._member(uid)
        with pytest.raises(PaperbotError):
            self.service.feedback(uid, bad, "like")

    @rule(uid=st.sampled_from(MEMBERS), n=st.integers(0, 10_000))
    def unsave(self, uid: int, n: int) -> None:
        m = self._member(uid)
        pid = sorted(m.saved)[n % len(m.saved)] if m.saved and n % 2 else self._paper(n)
        try:
            self.service.unsave(uid, pid)
        except PaperbotError:
            assert pid not in m.saved
            return
        m.saved.discard(pid)
        # The save goes; a like of the same paper stays.
        liked = {p.id for p in self.service.reading_list(uid)}
        assert pid not in liked

    @rule(uid=st.sampled_from(MEMBERS))
    def reset(self, uid: int) -> None:
        self._member(uid)
        self.service.reset(uid)
        self.members[uid] = Member()

    # -- what members see ----------------------------------------------------------

    @rule(uid=st.sampled_from(MEMBERS))
    def recommend(self, uid: int) -> None:
        self.touched = uid
        self._check_member_picks(uid, self.service.recommend(uid, limit=8).picks, f"/recommend for {uid}")

    @rule(uid=st.sampled_from(MEMBERS), topic=st.sampled_from(TOPICS))
    def recommend_topic(self, uid: int, topic: str) -> None:
        try:
            result = self.service.recommend(uid, topic=topic)
        except PaperbotError as exc:
            assert str(exc)
            return
        picks = result.picks
        self._check_list(picks, f"/recommend {topic!r}")
        m = self.members.get(uid, Member())
        for r in picks:
            assert r.paper.id not in m.liked | m.saved | m.dismissed | self.sent[("user", uid)]

    @rule(uid=st.sampled_from(MEMBERS), n=st.integers(0, 10_000))
    def why(self, uid: int, n: int) -> None:
        m = self.members.get(uid, Member())
        try:
            r = self.service.why(uid, self._paper(n))
        except PaperbotError as exc:
            # Fine only when nothing is left to compare with (topics whose words the library lacks).
            assert str(exc) and not m.liked, f"/why refused a member who liked papers: {exc}"
            return
        self._check_label(m, r, "/why", m.topics)

    @rule(n=st.integers(0, 10_000))
    def similar(self, n: int) -> None:
        pid = self._paper(n)
        paper, hits = self.service.similar(pid, limit=6)
        assert paper.id == pid and pid not in [h.paper.id for h in hits]
        self._check_list(hits, f"/similar {pid}")

    @rule(query=st.sampled_from(QUERIES))
    def search(self, query: str) -> None:
        try:
            hits = self.service.search(query, limit=6)
        except PaperbotError as exc:
            assert str(exc)
            return
        self._check_list(hits, f"/search {query!r}")

    def _deliver(self, draft: DigestDraft, sent: bool) -> None:
        digest_id = self.service.claim_digest(draft)
        if digest_id is None:
            return  # this target's digest of the day is out already
        if sent:
            self.service.mark_digest_sent(digest_id, 1)
            self.sent[(draft.target.kind, draft.target.id)].update(r.paper.id for r in draft.picks)
        else:
            self.service.mark_digest_failed(digest_id, "Missing Access")

    @rule(sent=st.booleans())
    def channel_digest(self, sent: bool) -> None:
        draft = self.service.compose_channel_digest(GUILD, day=self._today())
        self._check_list(draft.picks, "channel digest")
        topics = {t for m in self.members.values() for t in m.topics}
        for r in draft.picks:
            assert r.paper.id not in self.sent[("channel", CHANNEL)], f"channel digest: {r.paper.id} sent before"
            assert r.matched in topics, f"channel digest: label {r.matched!r} is none of the members' topics"
        self._deliver(draft, sent)

    @precondition(lambda self: bool(self.members))
    @rule(sent=st.booleans())
    def dm_digests(self, sent: bool) -> None:
        due = [(uid, self._today()) for uid in sorted(self.members)]
        drafts = self.service.compose_personal_digests(due)
        assert [d.target.id for d in drafts] == [uid for uid, _ in due]
        for draft in drafts:
            self._check_member_picks(draft.target.id, draft.picks, f"DM digest for {draft.target.id}")
            self._deliver(draft, sent)

    @invariant()
    def the_last_member_touched_gets_sound_picks(self) -> None:
        if self.touched is not None:
            uid = self.touched
            self._check_member_picks(uid, self.service.recommend(uid).picks, f"/recommend for {uid} after the step")


# -- running it ------------------------------------------------------------------


def _sqlite_copies(template: Database) -> Callable[[Path], tuple[str, Callable[[], None]]]:
    """A copy of the migrated template database per example."""
    source = Path(make_url(template.url).database or "")

    def fresh(directory: Path) -> tuple[str, Callable[[], None]]:
        target = directory / "paperbot.db"
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return f"sqlite:///{target}", lambda: None

    return fresh


def _pg_copies(request: pytest.FixtureRequest) -> Callable[[Path], tuple[str, Callable[[], None]]]:
    """A throwaway copy of the migrated PostgreSQL template per example."""
    pool = request.getfixturevalue("pg_pool")
    template = request.getfixturevalue("migrated_postgres")
    base = request.getfixturevalue("pg_base_url")

    def fresh(directory: Path) -> tuple[str, Callable[[], None]]:
        name = pool.take(template)
        return make_url(base).set(database=name).render_as_string(hide_password=False), lambda: pool.give_back(name)

    return fresh


@pytest.fixture
def life(
    request: pytest.FixtureRequest, backend: str, db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[type[ServerLife]]:
    # A lab has a handful of members: let the community model fit from a few likes,
    # so its refits and the latent part are part of the life too.
    monkeypatch.setattr(community_model, "MIN_MEMBERS", 2)
    monkeypatch.setattr(community_model, "MIN_LIKED_PAPERS", 4)
    fresh = _sqlite_copies(db) if backend == "sqlite" else _pg_copies(request)
    base = settings.model_copy(update={"seed_demo_corpus": False})
    yield type("ServerLifeHere", (ServerLife,), {"fresh_database": staticmethod(fresh), "base_settings": base})


def _run(machine: type[ServerLife], examples: int, steps: int) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_a_server_over_days(life: type[ServerLife], backend: str) -> None:
    default = 10 if backend == "sqlite" else 4
    _run(life, EXAMPLES or default, STEPS or 20)


@pytest.mark.lifecycle
def test_a_server_over_many_days(life: type[ServerLife], request: pytest.FixtureRequest) -> None:
    if "lifecycle" not in (request.config.option.markexpr or ""):
        pytest.skip("the long lifecycle run: `pytest -m lifecycle` (PAPERBOT_LIFECYCLE_EXAMPLES, _STEPS)")
    _run(life, EXAMPLES or 300, STEPS or 60)
