"""Deliver a composed digest exactly once: claim it in the ledger, post, record the outcome.

A failure is recorded with its typed reason and the time of the next try (see
_retry.py); the papers of a digest that was not posted stay free for later ones.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot import formatting
from bot.context import DeliveryFailed, FailureReason, Publisher, Reply
from bot.exts.digest._retry import day_end, retry_at, utc_now
from bot.publisher import NETWORK_ERRORS
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


def nonce(digest_id: int, part: int = 0) -> str:
    """The nonce of one message of a digest (Discord allows 25 characters)."""
    return f"pb{digest_id}p{part}"


def digest_reply(draft: DigestDraft, guild_name: str = "", digest_id: int | None = None) -> Reply:
    personal = draft.target.kind == "user"
    embed = formatting.digest_embed(draft, formatting.digest_title(draft.day, guild_name, personal))
    view = None
    if draft.picks:
        view = feedback_view([r.paper.id for r in draft.picks], [r.paper.title for r in draft.picks])
    return Reply(embeds=[embed], view=view, ephemeral=False, nonce=nonce(digest_id) if digest_id is not None else None)


async def _post(publisher: Publisher, draft: DigestDraft, reply: Reply) -> int | None:
    """Post the digest; every failure, network errors included, comes out as DeliveryFailed."""
    where = f"<#{draft.target.id}>" if draft.target.kind == "channel" else f"user {draft.target.id}"
    try:
        if draft.target.kind == "channel":
            return await publisher.to_channel(draft.target.id, reply)
        return await publisher.to_user(draft.target.id, reply)
    except NETWORK_ERRORS as exc:  # a publisher that let one through
        raise DeliveryFailed(FailureReason.NETWORK_ERROR, f"I could not reach Discord to post in {where} ({exc!r})") from exc


async def deliver(
    service: PaperService, publisher: Publisher, draft: DigestDraft, guild_name: str = "", timezone: str = "UTC"
) -> Outcome:
    """Claim, post and record one digest; `timezone` is the target's, where its day ends (retries stop then)."""
    digest_id = await asyncio.to_thread(service.claim_digest, draft)
    if digest_id is None:
        return Outcome("already", f"The digest for {draft.day.isoformat()} was already sent.")
    reply = digest_reply(draft, guild_name, digest_id)
    try:
        message_id = await _post(publisher, draft, reply)
    except DeliveryFailed as exc:
        latest, _ = await asyncio.to_thread(service.digest_history, draft.target)
        attempts = latest.attempts if latest is not None and latest.id == digest_id else 1
        now = utc_now()
        when = retry_at(exc.reason, attempts, now, day_end(draft.day, timezone))
        await asyncio.to_thread(service.mark_digest_failed, digest_id, str(exc), exc.reason.name, when)
        log.warning("digest %s for %s %s not delivered (%s, attempt %d, %s): %s", draft.day, draft.target.kind,
                    draft.target.id, exc.reason.name, attempts, f"next try {when:%H:%M} UTC" if when else "no retry",
                    exc)
        return Outcome("failed", str(exc), reason=exc.reason)
    await asyncio.to_thread(service.mark_digest_sent, digest_id, message_id)
    log.info("digest %s sent to %s %s (%d papers)", draft.day, draft.target.kind, draft.target.id, len(draft.picks))
    return Outcome("sent", papers=len(draft.picks))
