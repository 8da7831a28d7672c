"""Deliver a composed digest exactly once: claim it in the ledger, post, record the outcome.

A failure is recorded with its typed reason and the time of the next try (see
_retry.py); the papers of a digest that was not posted stay free for later ones.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, replace

from bot import formatting
from bot.context import DeliveryFailed, FailureReason, Publisher, Reply
from bot.exts.digest._retry import day_end, retry_at, utc_now
from bot.publisher import NETWORK_ERRORS
from bot.ui.feedback import feedback_view
from recommender.service import PaperService
from recommender.views import DigestDraft, Recommendation

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    status: str  # "sent", "already" or "failed"
    detail: str = ""
    papers: int = 0
    reason: FailureReason | None = None  # why it failed


# One message holds at most this many papers, in at most PART_BUDGET characters of description, so
# that with a title and a footer (2,048 at most) it stays within Discord's 6,000 per message.
PART_PAPERS = 10
PART_BUDGET = 3500


def nonce(digest_id: int, first_paper: str = "") -> str:
    """The nonce of one message of a digest: the same part of the same digest always gets the same one
    (Discord allows 25 characters)."""
    return f"pb{digest_id}-{hashlib.blake2s(first_paper.encode(), digest_size=4).hexdigest()}"


def digest_parts(
    draft: DigestDraft, guild_name: str = "", digest_id: int | None = None, first: int = 1
) -> list[tuple[list[str], Reply]]:
    """The digest's messages, each with the paper ids it posts: every pick is in one of them.
    `first` > 1: the rest of an interrupted digest, numbered on."""
    personal = draft.target.kind == "user"
    title = formatting.digest_title(draft.day, guild_name, personal) + (" (continued)" if first > 1 else "")
    chunks: list[list[Recommendation]] = []
    size = 0
    for number, rec in enumerate(draft.picks, start=first):
        entry = len(formatting.digest_entry(rec, number)) + 2
        if not chunks or len(chunks[-1]) >= PART_PAPERS or size + entry > PART_BUDGET:
            chunks.append([])
            size = 0
        chunks[-1].append(rec)
        size += entry
    parts: list[tuple[list[str], Reply]] = []
    for i, chunk in enumerate(chunks or [[]]):
        head = title if i == 0 else f"{title} ({i + 1}/{len(chunks)})"
        embed = formatting.digest_embed(replace(draft, picks=chunk), head, first)
        ids = [r.paper.id for r in chunk]
        view = feedback_view(ids, [r.paper.title for r in chunk]) if chunk else None
        key = nonce(digest_id, ids[0] if ids else "") if digest_id is not None else None
        parts.append((ids, Reply(embeds=[embed], view=view, ephemeral=False, nonce=key)))
        first += len(chunk)
    return parts


def digest_reply(draft: DigestDraft, guild_name: str = "", digest_id: int | None = None) -> Reply:
    """The first message of the digest (the preview shows this one)."""
    return digest_parts(draft, guild_name, digest_id)[0][1]


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
    done, todo = await asyncio.to_thread(service.digest_plan, digest_id)
    if done:  # resume: post only what the ledger still plans
        wanted = set(todo)
        draft = replace(draft, picks=[r for r in draft.picks if r.paper.id in wanted])
        if not draft.picks:  # everything planned was posted before the interruption
            await asyncio.to_thread(service.mark_digest_sent, digest_id, None)
            return Outcome("sent", papers=0)
    message_id: int | None = None
    posted = 0
    try:
        for number, (ids, reply) in enumerate(digest_parts(draft, guild_name, digest_id, done + 1)):
            sent_id = await _post(publisher, draft, reply)
            message_id = sent_id if number == 0 else message_id
            posted += len(ids)
            # Progress: a digest interrupted after this part resumes with the papers not yet posted.
            await asyncio.to_thread(service.mark_digest_posted, digest_id, ids)
    except DeliveryFailed as exc:
        latest, _ = await asyncio.to_thread(service.digest_history, draft.target)
        attempts = latest.attempts if latest is not None and latest.id == digest_id else 1
        now = utc_now()
        when = retry_at(exc.reason, attempts, now, day_end(draft.day, timezone))
        await asyncio.to_thread(service.mark_digest_failed, digest_id, str(exc), exc.reason.name, when)
        log.warning("digest %s for %s %s not delivered (%s, attempt %d, %s): %s", draft.day, draft.target.kind,
                    draft.target.id, exc.reason.name, attempts, f"next try {when:%H:%M} UTC" if when else "no retry",
                    exc)
        return Outcome("failed", str(exc), papers=posted, reason=exc.reason)
    await asyncio.to_thread(service.mark_digest_sent, digest_id, message_id)
    log.info("digest %s sent to %s %s (%d papers)", draft.day, draft.target.kind, draft.target.id, len(draft.picks))
    return Outcome("sent", papers=len(draft.picks))
