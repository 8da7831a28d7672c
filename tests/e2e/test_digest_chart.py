"""A channel digest's header with the server's activity chart (the weekly digest's): posted once, with one
PNG, through Discord's errors; left out, never the digest, where the bot may not attach files."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from digestkit import Clock, digest_bot, ledger, sent_papers, the_digest, thread_papers
from fakediscord.channels import deny_bot
from fakediscord.world import ATTACH_FILES
from PIL import Image

from bot.exts.digest._delivery import deliver
from recommender.service import PaperService
from recommender.views import Target

pytestmark = pytest.mark.e2e

DAY = date(2026, 11, 30)
WEEKS = 4


async def setup(harness, service: PaperService):  # type: ignore[no-untyped-def]
    fd = harness.fd
    bot, _ = await digest_bot(harness, service, Clock(datetime(2026, 11, 30, 7, 0, tzinfo=ZoneInfo("UTC"))))
    papers = fd.channel("papers")
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    service.configure_digest(fd.guild.id, channel_id=papers.id)
    for pid in [r.paper.id for r in service.search("speech recognition", limit=2)]:
        service.feedback(fd.member.id, pid, "like")
    return fd, bot, papers


def header_uploads(fd, channel) -> list:  # type: ignore[no-untyped-def]
    return [f for call in fd.calls("POST", f"/channels/{channel.id}/messages") for f in call.files]


async def test_digest_header_with_the_chart_is_posted_once_through_a_503(discord_harness, service: PaperService) -> None:
    fd, bot, papers = await setup(discord_harness, service)
    # Discord stores the header, then answers 503: the retry's nonce must get the stored one back.
    fd.inject_error("POST", f"/channels/{papers.id}/messages", status=503, after_handling=True)
    draft = service.compose_channel_digest(fd.guild.id, day=DAY)
    failed = await deliver(service, bot.publisher, draft, "Paper Lab", chart_weeks=WEEKS)
    assert failed.status == "failed"
    assert len(fd.messages(papers)) == 1, "Discord kept the header it answered 503 for"

    outcome = await deliver(service, bot.publisher, service.compose_channel_digest(fd.guild.id, day=DAY), "Paper Lab",
                            chart_weeks=WEEKS)
    assert outcome.status == "sent" and outcome.in_thread
    header, thread = the_digest(fd, papers)  # one header, whatever was sent twice
    assert [a["filename"] for a in header.data["attachments"]] == ["activity.png"]
    uploads = header_uploads(fd, papers)
    assert len(uploads) == 2 and uploads[0].data == uploads[1].data  # the resend carried the same chart
    image = Image.open(io.BytesIO(uploads[0].data))
    assert image.format == "PNG" and image.size == (800, 400)
    assert all(c.json["enforce_nonce"] and c.json["nonce"] == f"pb{ledger(service, papers.id).id}-head"
               for c in fd.calls("POST", f"/channels/{papers.id}/messages"))
    assert thread is not None and thread_papers(fd, thread) == sent_papers(service, papers.id)
    assert ledger(service, papers.id).header_id == header.id

    again = await deliver(service, bot.publisher, service.compose_channel_digest(fd.guild.id, day=DAY), "Paper Lab",
                          chart_weeks=WEEKS)
    assert again.status == "already" and len(fd.messages(papers)) == 1 and len(header_uploads(fd, papers)) == 2


async def test_digest_header_without_attach_files_goes_out_without_the_chart(discord_harness,
                                                                            service: PaperService) -> None:
    fd, bot, papers = await setup(discord_harness, service)
    await deny_bot(fd, papers, ATTACH_FILES)
    outcome = await deliver(service, bot.publisher, service.compose_channel_digest(fd.guild.id, day=DAY), "Paper Lab",
                            chart_weeks=WEEKS)
    assert outcome.status == "sent"
    header, thread = the_digest(fd, papers)
    assert header.data["attachments"] == [] and not header_uploads(fd, papers)  # not even tried: the cache knew
    assert thread is not None and thread_papers(fd, thread) == sent_papers(service, papers.id)


async def test_digest_header_refused_for_its_chart_is_posted_without(discord_harness, service: PaperService) -> None:
    fd, bot, papers = await setup(discord_harness, service)
    # Attach Files taken away without the bot hearing of it yet: Discord refuses the header with the file.
    fd.world.channel(papers).overwrites.append(
        {"id": str(fd.world.bot.id), "type": 1, "allow": "0", "deny": str(ATTACH_FILES)})
    outcome = await deliver(service, bot.publisher, service.compose_channel_digest(fd.guild.id, day=DAY), "Paper Lab",
                            chart_weeks=WEEKS)
    assert outcome.status == "sent"
    header, _ = the_digest(fd, papers)
    assert header.data["attachments"] == []
    posts = fd.calls("POST", f"/channels/{papers.id}/messages")
    assert [c.status for c in posts[:2]] == [403, 200] and posts[0].files and not posts[1].files
    assert posts[0].json["nonce"] == posts[1].json["nonce"]


async def test_digest_header_without_activity_or_weeks_has_no_chart(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot, _ = await digest_bot(discord_harness, service, Clock(datetime(2026, 11, 30, 7, 0, tzinfo=ZoneInfo("UTC"))))
    papers = fd.channel("papers")
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    service.configure_digest(fd.guild.id, channel_id=papers.id)
    outcome = await deliver(service, bot.publisher, service.compose_channel_digest(fd.guild.id, day=DAY), "Paper Lab",
                            chart_weeks=WEEKS)  # nobody liked or saved anything yet: no empty chart
    assert outcome.status == "sent"
    header, _ = the_digest(fd, papers)
    assert header.data["attachments"] == [] and not header_uploads(fd, papers)
