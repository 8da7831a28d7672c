"""A bot process that delivers one channel digest and dies (`os._exit`, like kill -9) at a chosen point.

    python -m tests.support.crashing_bot DATA_DIR DATABASE_URL GUILD DAY POSTS_FILE CRASH_AT

Posts go to POSTS_FILE (one JSON line per message: nonce and paper ids), standing in for
Discord: a post whose nonce is already there returns that message, as Discord does with
enforce_nonce. CRASH_AT: after_claim, mid_digest (after the header and the first list, before
that list is recorded), before_record (every message out, the digest not yet marked sent).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

from bot.context import Reply
from bot.exts.digest._delivery import deliver
from recommender.config import Settings
from recommender.service import PaperService

ENTRY = re.compile(r"· `([^`]+)`")


def paper_ids(reply: Reply) -> list[str]:
    return [m for e in reply.embeds for m in ENTRY.findall(e.description or "")]


class FilePublisher:
    def __init__(self, path: Path, crash_after: int | None = None) -> None:
        self.path, self.crash_after, self.count = path, crash_after, 0

    def mention(self, channel_id: int) -> str:
        return f"<#{channel_id}>"

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None:
        lines = self.path.read_text().splitlines() if self.path.exists() else []
        for number, line in enumerate(lines, start=1):
            if json.loads(line)["nonce"] == reply.nonce:
                return number  # Discord returns the stored message
        with self.path.open("a") as out:
            out.write(json.dumps({"nonce": reply.nonce, "papers": paper_ids(reply)}) + "\n")
        self.count += 1
        if self.crash_after is not None and self.count >= self.crash_after:
            os._exit(9)
        return len(lines) + 1

    async def to_user(self, user_id: int, reply: Reply) -> int | None:
        return await self.to_channel(user_id, reply)


def main(data_dir: str, url: str, guild: str, day: str, posts: str, crash_at: str) -> None:
    settings = Settings(_env_file=None, data_dir=Path(data_dir), database_url=url, discord_token=None)
    service = PaperService(settings)
    service.start(seed=False)
    if crash_at == "after_claim":
        claim = service.claim_digest

        def claim_then_die(draft):  # type: ignore[no-untyped-def]
            claim(draft)
            os._exit(9)

        service.claim_digest = claim_then_die  # type: ignore[method-assign]
    if crash_at == "before_record":
        service.mark_digest_sent = lambda *a: os._exit(9)  # type: ignore[method-assign]
    publisher = FilePublisher(Path(posts), crash_after=2 if crash_at == "mid_digest" else None)
    draft = service.compose_channel_digest(int(guild), day=date.fromisoformat(day))
    asyncio.run(deliver(service, publisher, draft, "Lab"))
    sys.exit(0)


if __name__ == "__main__":
    main(*sys.argv[1:])
