"""The delivery ledger: one winner per (target, day) claim, leases that expire, papers sent only once posted."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select, update

from recommender.picks import ledger
from recommender.service import PaperService
from recommender.storage.db import Database
from recommender.storage.models import Digest, DigestItem, utcnow
from recommender.views import DigestDraft, Target
from tests.support import claims

DAY = date(2026, 7, 1)
GUILD, CHANNEL = 900, 901
ROUNDS = 30


def empty_draft(target_id: int, day: date = DAY) -> DigestDraft:
    return DigestDraft(Target.channel(target_id, GUILD), day, [], [])


def claim(db: Database, draft: DigestDraft, owner: str, **kw: object) -> int | None:
    with db.session() as s:
        return ledger.claim(s, draft, owner, **kw)  # type: ignore[arg-type]


def race_claims(db: Database, draft: DigestDraft, workers: int) -> list[int | None]:
    barrier = threading.Barrier(workers)

    def one(n: int) -> int | None:
        barrier.wait()
        return claim(db, draft, f"worker-{n}")

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(workers)))


def test_exactly_once_first_and_failed_claims_have_one_winner(db: Database) -> None:
    """4 threads (separate sessions) race for a new digest, then for the same digest after it failed."""
    for round_no in range(ROUNDS):
        draft = empty_draft(10_000 + round_no)
        first = race_claims(db, draft, 4)
        winners = [w for w in first if w is not None]
        assert len(winners) == 1, f"round {round_no}: first claim {first}"
        with db.session() as s:
            owner = s.get(Digest, winners[0]).lease_owner
            assert ledger.mark_failed(s, winners[0], owner, "DISCORD_ERROR", "503", utcnow())
        again = race_claims(db, draft, 4)
        assert [w for w in again if w is not None] == winners, f"round {round_no}: re-claim {again}"


PROCESS_ROUNDS = 10


def test_exactly_once_processes_racing_for_a_digest_have_one_winner(db: Database, db_url: str) -> None:
    """3 processes claim the same digests, round after round: one winner each time."""
    spawn = multiprocessing.get_context("spawn")
    processes = 3
    barrier, out = spawn.Barrier(processes), spawn.Queue()
    procs = [spawn.Process(target=claims.race, args=(db_url, PROCESS_ROUNDS, barrier, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    results: dict[int, list[int | None]] = {}
    for _ in range(processes * PROCESS_ROUNDS):
        round_no, got = out.get(timeout=120)
        results.setdefault(round_no, []).append(got)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert {r: sum(w is not None for w in got) for r, got in results.items()} == dict.fromkeys(range(PROCESS_ROUNDS), 1)


def test_a_sent_digest_is_never_claimed_again(db: Database) -> None:
    draft = empty_draft(CHANNEL)
    digest_id = claim(db, draft, "a")
    assert digest_id is not None
    with db.session() as s:
        ledger.mark_sent(s, digest_id, 123)
    later = utcnow() + timedelta(days=1)
    assert claim(db, draft, "b", now=later) is None
    with db.session() as s:
        row = s.get(Digest, digest_id)
        assert (row.status, row.message_id, row.lease_owner) == ("sent", 123, None)


def test_an_expired_lease_is_claimable_and_the_old_owner_cannot_fail_it(db: Database) -> None:
    """A worker that died (or stalled) after its claim: another takes the digest once the lease ran out."""
    draft = empty_draft(CHANNEL)
    now = utcnow()
    first = claim(db, draft, "dead", now=now)
    assert claim(db, draft, "other", now=now + ledger.LEASE - timedelta(seconds=1)) is None  # still held
    assert claim(db, draft, "other", now=now + ledger.LEASE + timedelta(seconds=1)) == first
    with db.session() as s:
        assert not ledger.mark_failed(s, first, "dead", "NETWORK_ERROR", "late", None)  # type: ignore[arg-type]
        row = s.get(Digest, first)
        assert (row.status, row.lease_owner, row.attempts) == ("claimed", "other", 2)


def test_due_lists_retries_and_expired_leases(db: Database) -> None:
    now = utcnow()
    held, dead, failed_due, failed_later, gone = (empty_draft(i) for i in (1, 2, 3, 4, 5))
    claim(db, held, "w", now=now)
    claim(db, dead, "w", now=now - ledger.LEASE * 2)
    with db.session() as s:
        for draft, retry in ((failed_due, now - timedelta(minutes=1)), (failed_later, now + timedelta(hours=1)),
                             (gone, None)):
            digest_id = ledger.claim(s, draft, "w", now=now)
            ledger.mark_failed(s, digest_id, "w", "MISSING_PERMISSION", "no access", retry)  # type: ignore[arg-type]
        due = ledger.due(s, DAY, now=now)
        assert sorted(e.target.id for e in due) == [2, 3]
        assert ledger.due(s, DAY + timedelta(days=1), now=now) == []  # only days from `since` on
        last = ledger.last_failure(s, Target.channel(3, GUILD))
        assert last is not None and (last.reason, last.error, last.status) == ("MISSING_PERMISSION", "no access", "failed")


MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


def weekly_draft(target_id: int, day: date) -> DigestDraft:
    return DigestDraft(Target.channel(target_id, GUILD), day, [], [], cadence="weekly")


def test_exactly_once_a_weekly_digest_once_per_iso_week_whatever_the_day(db: Database) -> None:
    """Racing claims for one week's digest on different days (a restart, a second bot, `/digest now`): one wins."""
    for round_no in range(10):
        target = 20_000 + round_no
        barrier = threading.Barrier(4)

        def one(day: date, target: int = target, barrier: threading.Barrier = barrier) -> int | None:
            barrier.wait()
            return claim(db, weekly_draft(target, day), f"worker-{day}")

        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(one, (MON, TUE, WED, date(2026, 11, 29))))
        assert sum(g is not None for g in got) == 1, f"round {round_no}: {got}"
        with db.session() as s:
            row = s.get(Digest, next(g for g in got if g is not None))
            assert (row.cadence, row.period) == ("weekly", MON)
            ledger.mark_sent(s, row.id, 1)
        assert claim(db, weekly_draft(target, WED), "late") is None
        assert claim(db, weekly_draft(target, MON + timedelta(days=7)), "next week") is not None


def test_a_daily_and_a_weekly_digest_never_go_out_the_same_day(db: Database) -> None:
    with db.session() as s:
        daily = ledger.claim(s, empty_draft(CHANNEL, MON), "w")
        ledger.mark_sent(s, daily, 1)  # type: ignore[arg-type]
    assert claim(db, weekly_draft(CHANNEL, MON), "w") is None  # switched to weekly the day a daily went out
    weekly = claim(db, weekly_draft(CHANNEL, TUE), "w")  # the week's, the next day
    assert weekly is not None
    with db.session() as s:
        ledger.mark_sent(s, weekly, 2)
    assert claim(db, empty_draft(CHANNEL, TUE), "w") is None  # switched back to daily that day
    assert claim(db, empty_draft(CHANNEL, WED), "w") is not None


def test_a_failed_weekly_digest_taken_later_in_its_week_belongs_to_that_day(db: Database) -> None:
    with db.session() as s:
        first = ledger.claim(s, weekly_draft(CHANNEL, MON), "w")
        ledger.mark_failed(s, first, "w", "MISSING_PERMISSION", "no access", None)  # type: ignore[arg-type]
    assert claim(db, weekly_draft(CHANNEL, WED), "v") == first
    with db.session() as s:
        row = s.get(Digest, first)
        assert (row.day, row.period, row.attempts, row.status) == (WED, MON, 2, "claimed")
        assert ledger.mark_failed(s, first, "v", "MISSING_PERMISSION", "no access", None)
        ledger.mark_sent(s, ledger.claim(s, empty_draft(CHANNEL, TUE), "w"), 3)  # type: ignore[arg-type]
    # A daily digest went out on Tuesday (a switch and back): the week's is not taken that day.
    assert claim(db, weekly_draft(CHANNEL, TUE), "v") is None


GNN = "graph neural networks"


def test_papers_count_as_sent_only_once_posted(service: PaperService) -> None:
    """An unsent (or failed) digest does not hide its papers from later digests; a posted part does."""
    service.settings.diversity = 0.0  # picks by score alone, so leaving two out keeps the rest in order
    service.subscribe(Target.user(1, GUILD), GNN)
    service.configure_digest(GUILD, channel_id=CHANNEL)
    draft = service.compose_channel_digest(GUILD, day=DAY)
    assert len(draft.picks) >= 4
    digest_id = service.claim_digest(draft)
    assert digest_id is not None
    # Claimed, nothing posted: tomorrow's digest may still bring these papers.
    tomorrow = service.compose_channel_digest(GUILD, day=DAY + timedelta(days=1))
    assert [r.paper.id for r in tomorrow.picks] == [r.paper.id for r in draft.picks]
    # The first two were posted, then the post failed: only those two are gone for good.
    posted = [r.paper.id for r in draft.picks[:2]]
    service.mark_digest_posted(digest_id, posted)
    assert service.mark_digest_failed(digest_id, "503 Service Unavailable", "DISCORD_ERROR", None)
    with service.db.session() as s:
        kept = set(s.scalars(select(DigestItem.paper_id).where(DigestItem.digest_id == digest_id,
                                                               DigestItem.posted_at.is_not(None))))
    assert kept == set(posted)
    retry = service.compose_channel_digest(GUILD, day=DAY)
    assert not set(posted) & {r.paper.id for r in retry.picks}
    assert [r.paper.id for r in retry.picks[: len(draft.picks) - 2]] == [r.paper.id for r in draft.picks[2:]]
    # The retry keeps the posted part and plans only the rest of the digest's size.
    assert service.claim_digest(retry) == digest_id
    done, todo = service.digest_plan(digest_id)
    assert done == 2 and todo == [r.paper.id for r in retry.picks[: len(draft.picks) - 2]]
    service.mark_digest_sent(digest_id, 55)
    with service.db.session() as s:
        rows = s.execute(select(DigestItem.paper_id, DigestItem.posted_at).where(DigestItem.digest_id == digest_id)).all()
    assert len(rows) == len(draft.picks) and all(when is not None for _, when in rows)


def test_each_posted_part_renews_the_lease(db: Database) -> None:
    draft = empty_draft(CHANNEL)
    now = utcnow()
    digest_id = claim(db, draft, "slow", now=now)
    assert digest_id is not None
    with db.session() as s:
        ledger.mark_posted(s, digest_id, [], "slow", now=now + ledger.LEASE / 2)
    assert claim(db, draft, "other", now=now + ledger.LEASE + timedelta(seconds=1)) is None  # renewed
    assert claim(db, draft, "other", now=now + ledger.LEASE * 2) == digest_id


def test_header_and_thread_are_recorded_for_the_lease_holder_only(db: Database) -> None:
    digest_id = claim(db, empty_draft(1), "w")
    with db.session() as s:
        ledger.mark_header(s, digest_id, 555, "someone else")  # type: ignore[arg-type]
        assert ledger.entry(s, digest_id).header_id is None  # type: ignore[arg-type, union-attr]
        ledger.mark_header(s, digest_id, 555, "w")  # type: ignore[arg-type]
        ledger.mark_thread(s, digest_id, 555, "w")  # type: ignore[arg-type]
        entry = ledger.entry(s, digest_id)  # type: ignore[arg-type]
        assert entry is not None and (entry.header_id, entry.thread_id, entry.in_channel) == (555, 555, False)
        ledger.mark_thread(s, digest_id, 1, "w")  # type: ignore[arg-type]  # no thread: the channel itself
        assert ledger.entry(s, digest_id).in_channel  # type: ignore[arg-type, union-attr]


def test_notices_hand_each_failure_and_threadless_digest_out_once(db: Database) -> None:
    failed, threadless, fine, old, other_server = (
        empty_draft(10, DAY), empty_draft(11, DAY), empty_draft(12, DAY), empty_draft(13, DAY - timedelta(days=5)),
        DigestDraft(Target.channel(14, GUILD + 1), DAY, [], []),
    )
    with db.session() as s:
        for draft in (failed, threadless, fine, old, other_server):
            ledger.claim(s, draft, "w")
        ids = {d.target.id: s.scalar(select(Digest.id).where(Digest.target_id == d.target.id))
               for d in (failed, threadless, fine, old, other_server)}
        ledger.mark_failed(s, ids[10], "w", "MISSING_PERMISSION", "no access", None)
        ledger.mark_failed(s, ids[13], "w", "UNKNOWN_CHANNEL", "gone", None)
        ledger.mark_failed(s, ids[14], "w", "UNKNOWN_CHANNEL", "gone", None)
        ledger.mark_thread(s, ids[11], 11, "w")
        ledger.mark_sent(s, ids[11], None)
        ledger.mark_sent(s, ids[12], None)
    with db.session() as s:
        owed = ledger.notices(s, GUILD)
    assert [(e.target.id, e.status) for e in owed] == [(10, "failed"), (11, "sent")]  # not the 5-day-old one
    with db.session() as s:
        assert ledger.notices(s, GUILD) == [], "told once"
    with db.session() as s:  # the retry failed again for another reason: that is news
        s.execute(update(Digest).where(Digest.id == ids[10]).values(reason="UNKNOWN_CHANNEL"))
    with db.session() as s:
        assert [e.target.id for e in ledger.notices(s, GUILD)] == [10]
        assert ledger.notices(s, GUILD + 3) == []


def test_a_digest_whose_header_is_out_is_never_planned_bigger_than_it_announced(service: PaperService) -> None:
    service.subscribe(Target.user(1, GUILD), "speech recognition")
    service.configure_digest(GUILD, channel_id=CHANNEL, size=3)
    draft = service.compose_channel_digest(GUILD, day=DAY)
    digest_id = service.claim_digest(draft)
    assert digest_id is not None and len(draft.picks) == 3
    service.mark_digest_header(digest_id, 777)  # "3 new papers", then the post of the papers failed
    assert service.mark_digest_failed(digest_id, "503", "DISCORD_ERROR")
    service.configure_digest(GUILD, size=8)  # the admin changed the size meanwhile
    bigger = service.compose_channel_digest(GUILD, day=DAY)
    assert len(bigger.picks) > 3
    assert service.claim_digest(bigger) == digest_id
    assert service.digest_plan(digest_id) == (0, [r.paper.id for r in bigger.picks[:3]])

    other = replace(bigger, target=Target.channel(CHANNEL + 1, GUILD))  # no header out: planned anew
    other_id = service.claim_digest(replace(other, picks=other.picks[:3]))
    assert other_id is not None and service.mark_digest_failed(other_id, "503", "DISCORD_ERROR")
    assert service.claim_digest(other) == other_id and len(service.digest_plan(other_id)[1]) == len(bigger.picks)
