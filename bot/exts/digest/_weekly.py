"""The header of a weekly channel digest: one place to compose it (and what it carries)."""

from __future__ import annotations

from bot import formatting
from bot.context import Reply
from recommender.service import PaperService
from recommender.views import DigestDraft


async def weekly_header(service: PaperService, draft: DigestDraft, mention: str, total: int, nonce: str) -> Reply:
    """The message a weekly channel digest starts with ("📰 **34 new papers this week** for #ml-papers,
    week of Mon 23 Nov" and the topics); its thread hangs on it. `_delivery` adds the server's activity
    chart (`header_chart`); it is posted once, with `nonce`, and a resumed digest never posts it again."""
    return Reply(content=formatting.weekly_digest_header(draft, mention, total), ephemeral=False, nonce=nonce)
