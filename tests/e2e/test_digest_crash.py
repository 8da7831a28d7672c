"""A bot that dies at any point of a channel digest, then restarts: one header, one thread, every paper
once. The crash is a BaseException raised where the process would have died (nothing in the bot catches
it, as nothing runs after a kill -9); the restart is a new client and a new worker on the same database."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from digestkit import Clock, digest_bot, ledger, sent_papers, the_digest, thread_papers
from fakediscord.channels import delete_channel, threads_of
from sqlalchemy import update

from recommender.picks.ledger import worker_id
from recommender.service import PaperService
from recommender.storage.models import Digest
from recommender.views import Target
from tests.conftest import backend  # noqa: F401  (both backends here, unlike the rest of tests/e2e: what survives is stored)

pytestmark = pytest.mark.e2e


class Crash(BaseException):
    """The process dies here."""


# The service call the process dies in, and on which call of it.
POINTS = {
    "after_claim": ("digest_plan", 1),  # claimed, nothing posted
    "after_header": ("mark_digest_header", 1),  # the header is out, not recorded
    "after_thread": ("mark_digest_thread", 1),  # the thread exists, not recorded
    "mid_thread": ("mark_digest_posted", 2),  # the first cards recorded, the next message out, not recorded
    "before_record": ("mark_digest_sent", 1),  # everything out, the digest not marked sent
}


@pytest.mark.parametrize("point", list(POINTS))
async def test_digest_crash_then_restart_completes_one_digest_in_one_thread(discord_harness, service: PaperService,
                                                                           point: str) -> None:
    fd = discord_harness.fd
    clock = Clock(datetime(2026, 11, 24, 7, 0, tzinfo=ZoneInfo("UTC")))
    bot, jobs = await digest_bot(discord_harness, service, clock)
    papers = fd.channel("papers")
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    service.configure_digest(fd.guild.id, channel_id=papers.id)
    planned = len(service.compose_channel_digest(fd.guild.id).picks)
    assert planned > 5, "two messages of cards, so that one can be cut between them"

    name, nth = POINTS[point]
    real = getattr(service, name)
    calls = 0

    def dies(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == nth:
            raise Crash(point)
        return real(*args, **kwargs)

    setattr(service, name, dies)
    with pytest.raises(Crash):
        await jobs.run_channel_digest(fd.guild.id)
    assert ledger(service, papers.id).status == "claimed"
    await bot.close()

    # The restart: a new process (a new worker name), once the dead one's lease has run out.
    setattr(service, name, real)
    service.worker = worker_id()
    with service.db.session() as s:
        s.execute(update(Digest).values(lease_until=datetime(2000, 1, 1)))
    _, jobs = await digest_bot(discord_harness, service, clock)
    assert await jobs.run_retries() == 1
    assert await jobs.run_retries() == 0 and (await jobs.run_channel_digest(fd.guild.id)).status == "already"

    header, thread = the_digest(fd, papers)
    assert thread is not None and threads_of(fd, papers) == [thread], "one thread, reused"
    posted = thread_papers(fd, thread)
    assert len(posted) == len(set(posted)) == planned, "every paper once"
    assert posted == sent_papers(service, papers.id)
    row = ledger(service, papers.id)
    assert (row.status, row.header_id, row.thread_id) == ("sent", header.id, thread.id)


async def test_digest_whose_thread_was_deleted_midway_goes_on_in_the_channel(discord_harness,
                                                                             service: PaperService) -> None:
    fd = discord_harness.fd
    _, jobs = await digest_bot(discord_harness, service, Clock(datetime(2026, 11, 24, 7, 0, tzinfo=ZoneInfo("UTC"))))
    papers = fd.channel("papers")
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    service.configure_digest(fd.guild.id, channel_id=papers.id)
    planned = len(service.compose_channel_digest(fd.guild.id).picks)
    real = service.mark_digest_posted
    calls = 0

    def dies_after_the_first_part(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        real(*args, **kwargs)
        if calls == 1:
            raise Crash("after the first part")

    service.mark_digest_posted = dies_after_the_first_part  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await jobs.run_channel_digest(fd.guild.id)
    service.mark_digest_posted = real  # type: ignore[method-assign]
    header, thread = the_digest(fd, papers)
    first = thread_papers(fd, thread)
    await delete_channel(fd, thread)  # a moderator deletes the day's thread
    with service.db.session() as s:
        s.execute(update(Digest).values(lease_until=datetime(2000, 1, 1)))
    assert await jobs.run_retries() == 1
    rest = thread_papers(fd, papers)
    assert len(first) == 5 and len(first + rest) == len(set(first + rest)) == planned
    assert first + rest == sent_papers(service, papers.id)
    assert ledger(service, papers.id).thread_id == papers.id and the_digest(fd, papers)[0].id == header.id
