"""Deliver a composed digest exactly once: claim the day, post, record the outcome."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot import formatting
from bot.context import DeliveryFailed, FailureReason, Publisher, Reply
from bot.ui.feedback import feedback_view
from recommender.service import PaperService
from recommender.views import DigestDraft

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    status: str  # "sent", "already" or "failed"
    detail: str = ""
    papers: int = 0
    reason: FailureReason | None = None  # why it failed


def digest_reply(draft: DigestDraft, guild_name: str = "") -> Reply:
    personal = draft.target.kind == "user"
    embed = formatting.digest_embed(draft, formatting.digest_title(draft.day, guild_name, personal))
    view = None
    if draft.picks:
        view = feedback_view([r.paper.id for r in draft.picks], [r.paper.title for r in draft.picks])
    return Reply(embeds=[embed], view=view, ephemeral=False)


async def deliver(service: PaperService, publisher: Publisher, draft: DigestDraft, guild_name: str = "") -> Outcome:
    digest_id = await asyncio.to_thread(service.claim_digest, draft)
    if digest_id is None:
        return Outcome("already", f"The digest for {draft.day.isoformat()} was already sent.")
    reply = digest_reply(draft, guild_name)
    try:
        if draft.target.kind == "channel":
            message_id = await publisher.to_channel(draft.target.id, reply)
        else:
            message_id = await publisher.to_user(draft.target.id, reply)
    except DeliveryFailed as exc:
        await asyncio.to_thread(service.mark_digest_failed, digest_id, str(exc))
        log.warning("digest %s for %s %s not delivered (%s): %s", draft.day, draft.target.kind, draft.target.id,
                    exc.reason.name, exc)
        return Outcome("failed", str(exc), reason=exc.reason)
    await asyncio.to_thread(service.mark_digest_sent, digest_id, message_id)
    log.info("digest %s sent to %s %s (%d papers)", draft.day, draft.target.kind, draft.target.id, len(draft.picks))
    return Outcome("sent", papers=len(draft.picks))
