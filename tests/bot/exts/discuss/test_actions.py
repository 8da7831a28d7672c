"""/discuss in the local console: same declaration and services as in Discord; a paper of the digest just
posted is discussed beside it."""

from __future__ import annotations

from sqlalchemy import select

from bot.console._repl import CONSOLE_GUILD
from recommender.service import PaperService
from recommender.storage.models import DigestItem
from recommender.views import Target
from tests.support.console import console_words

run = console_words  # the console in process: exit code and words


async def test_discuss_a_paper_of_the_digest_in_the_console(service: PaperService) -> None:
    code, out = await run(service, "/subscribe topic: graph neural networks\n/digest channel channel: #console\n"
                                   "/digest now\n")
    assert code == 0 and "Posted today's digest" in out, out
    channel = service.digest_settings(CONSOLE_GUILD).channel_id
    latest, _ = service.digest_history(Target.channel(channel, CONSOLE_GUILD))
    with service.db.session() as s:
        second = s.scalar(select(DigestItem.paper_id).where(DigestItem.digest_id == latest.id, DigestItem.rank == 2))

    code, out = await run(service, f"/discuss paper: {second}\n")
    assert code == 0 and "Opened a thread on" in out and "Reading group" in out
    assert f"From the digest #2 in the digest of {latest.day:%a %d %b}" in out
    assert service.discussion(CONSOLE_GUILD, second).home.digest_id == latest.id
    code, out = await run(service, "/discuss paper: 9999.99999\n")
    assert code == 1 and "No paper 9999.99999" in out.replace("`", "")
