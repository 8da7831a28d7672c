"""Deliver a composed digest exactly once: claim it in the ledger, post, record the outcome.

A channel digest is a header message ("12 new papers for #ml-papers, Tue 24 Nov"),
then a thread started on it with the papers: one compact embed per paper with its
buttons, or, when there are many, compact lists. Without the permissions for a
thread the papers follow the header in the channel, and the admins are told. The
ledger records the header, the thread and each part once posted, and every
message carries a nonce Discord enforces, so a digest interrupted anywhere is
completed after a restart: one header, one thread, every paper once.

A failure is recorded with its typed reason and the time of the next try (see
_retry.py); the papers of a digest that was not posted stay free for later ones.

With `chart_weeks`, the header carries the server's activity chart (bot/ui/charts.py)
as a PNG: drawn only when the header is posted (a resumed digest whose header is
recorded draws nothing), left out when the bot may not attach files there, and
never the reason a digest is not posted.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot import formatting
from bot.context import Attachment, DeliveryFailed, FailureReason, Publisher, Reply
from bot.exts.digest._retry import day_end, retry_at, utc_now
from bot.exts.digest._weekly import weekly_header
from bot.publisher import NETWORK_ERRORS
from bot.ui.charts import activity_chart
from bot.ui.feedback import MAX_BUTTON_PAPERS, feedback_view
from recommender.service import PaperService
from recommender.views import DigestDraft, Recommendation

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    status: str  # "sent", "already" or "failed"
    detail: str = ""
    papers: int = 0
    reason: FailureReason | None = None  # why it failed
    in_thread: bool = False  # a channel digest's papers went in the day's thread


# One message holds at most this many papers, in at most PART_BUDGET characters of description, so
# that with a title and a footer (2,048 at most) it stays within Discord's 6,000 per message.
PART_PAPERS = 10
PART_BUDGET = 3500
# A thread shows one card per paper (5 a message, each with its row of buttons) up to this many
# papers; a bigger digest is posted as compact lists.
CARDS_MAX = 10

ThreadStarter = Callable[[int, int, str], Awaitable[int | None]]
CanAttach = Callable[[int], bool | None]


def nonce(digest_id: int, first_paper: str = "") -> str:
    """The nonce of one message of a digest: the same part of the same digest always gets the same one
    (Discord allows 25 characters)."""
    return f"pb{digest_id}-{hashlib.blake2s(first_paper.encode(), digest_size=4).hexdigest()}"


WEEKLY_CHART_WEEKS = 8  # a weekly digest's header carries the server's activity chart of these weeks


def header_nonce(digest_id: int) -> str:
    return f"pb{digest_id}-head"


def digest_parts(
    draft: DigestDraft, guild_name: str = "", digest_id: int | None = None, first: int = 1
) -> list[tuple[list[str], Reply]]:
    """The digest as compact lists, each message with the paper ids it posts: every pick is in one of
    them. `first` > 1: the rest of an interrupted digest, numbered on."""
    personal = draft.target.kind == "user"
    title = formatting.digest_title(draft.day, guild_name, personal, draft.weekly) + (" (continued)" if first > 1 else "")
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


def card_parts(draft: DigestDraft, digest_id: int | None = None, first: int = 1) -> list[tuple[list[str], Reply]]:
    """The papers as cards, 5 a message, each card numbered and with its row of buttons."""
    parts: list[tuple[list[str], Reply]] = []
    for start in range(0, len(draft.picks), MAX_BUTTON_PAPERS):
        chunk = draft.picks[start:start + MAX_BUTTON_PAPERS]
        number = first + start
        ids = [r.paper.id for r in chunk]
        embeds = [formatting.paper_card(rec, n) for n, rec in enumerate(chunk, start=number)]
        view = feedback_view(ids, [r.paper.title for r in chunk], first=number)
        key = nonce(digest_id, ids[0]) if digest_id is not None else None
        parts.append((ids, Reply(embeds=embeds, view=view, ephemeral=False, nonce=key)))
    return parts


def thread_parts(draft: DigestDraft, guild_name: str, digest_id: int, first: int, total: int) -> list[tuple[list[str], Reply]]:
    """What goes under a channel digest's header: cards for up to CARDS_MAX papers (`total`, the
    whole digest's, so a resumed digest keeps its form), else compact lists."""
    if total <= CARDS_MAX:
        return card_parts(draft, digest_id, first)
    return digest_parts(draft, guild_name, digest_id, first)


def digest_reply(draft: DigestDraft, guild_name: str = "", digest_id: int | None = None) -> Reply:
    """The first message of the digest as a list (the preview shows this one)."""
    return digest_parts(draft, guild_name, digest_id)[0][1]


def _where(kind: str, target_id: int) -> str:
    return f"<#{target_id}>" if kind == "channel" else f"user {target_id}"


async def _guarded(where: str, call: Awaitable[int | None]) -> int | None:
    """Await a publisher call; every failure, network errors included, comes out as DeliveryFailed."""
    try:
        return await call
    except NETWORK_ERRORS as exc:  # a publisher that let one through
        raise DeliveryFailed(FailureReason.NETWORK_ERROR, f"I could not reach Discord to post in {where} ({exc!r})") from exc


async def _post(publisher: Publisher, kind: str, target_id: int, reply: Reply) -> int | None:
    where = _where(kind, target_id)
    if kind == "channel":
        return await _guarded(where, publisher.to_channel(target_id, reply))
    return await _guarded(where, publisher.to_user(target_id, reply))


async def header_reply(service: PaperService, draft: DigestDraft, mention: str, total: int, digest_id: int) -> Reply:
    """A channel digest's header message: the day's, or the week's (`_weekly.weekly_header`)."""
    if draft.weekly:
        return await weekly_header(service, draft, mention, total, header_nonce(digest_id))
    return Reply(content=formatting.digest_header(draft, mention, total), ephemeral=False, nonce=header_nonce(digest_id))


@dataclass
class _Progress:
    posted: int = 0
    message_id: int | None = None  # the digest's first message (a channel digest's header)
    in_thread: bool = False


async def _post_parts(
    service: PaperService, publisher: Publisher, digest_id: int, kind: str, where: int,
    parts: list[tuple[list[str], Reply]], progress: _Progress,
) -> None:
    for ids, reply in parts:
        sent_id = await _post(publisher, kind, where, reply)
        progress.message_id = progress.message_id or sent_id
        progress.posted += len(ids)
        # Progress: a digest interrupted after this part resumes with the papers not yet posted.
        await asyncio.to_thread(service.mark_digest_posted, digest_id, ids)


async def _open_thread(
    service: PaperService, publisher: Publisher, digest_id: int, channel_id: int, header_id: int | None,
    draft: DigestDraft,
) -> int:
    """Where the papers go: the day's thread on the header (recorded, so a resumed digest reuses it),
    or the channel itself for a publisher without threads or a bot not allowed to open one."""
    start: ThreadStarter | None = getattr(publisher, "start_thread", None)
    if start is None or header_id is None:  # the console, a file: no threads, nothing to tell
        return channel_id
    name = formatting.thread_name(draft.day, draft.weekly)
    thread_id = await _guarded(f"<#{channel_id}>", start(channel_id, header_id, name))
    if thread_id is None:
        log.warning("digest %s for channel %s posted without a thread: the bot lacks %s there", draft.day,
                    channel_id, formatting.THREAD_PERMISSIONS)
        thread_id = channel_id
    await asyncio.to_thread(service.mark_digest_thread, digest_id, thread_id)
    return thread_id


async def header_chart(
    service: PaperService, publisher: Publisher, draft: DigestDraft, guild_name: str, weeks: int,
) -> list[Attachment]:
    """The activity chart for a channel digest's header: [] while nobody kept anything, where the bot may
    not attach files, or when drawing it failed (logged: the digest goes out without it)."""
    channel_id = draft.target.id
    can_attach: CanAttach | None = getattr(publisher, "can_attach_files", None)
    if can_attach is not None and can_attach(channel_id) is False:
        log.warning("digest %s for channel %s: no chart, the bot lacks Attach Files there", draft.day, channel_id)
        return []
    try:
        chart = await activity_chart(service, draft.target.guild_id, weeks, guild_name or "this server")
    except Exception:  # noqa: BLE001 - the chart is an extra, never the reason a digest is not posted
        log.exception("digest %s for channel %s: the activity chart failed; posted without it", draft.day, channel_id)
        return []
    return [chart] if chart is not None else []


async def _post_header(publisher: Publisher, channel_id: int, header: Reply, day: date) -> int | None:
    """Post the header; refused for its file (no Attach Files, learnt only now), post it without (the same
    nonce: Discord stored nothing the first time)."""
    try:
        return await _post(publisher, "channel", channel_id, header)
    except DeliveryFailed as exc:
        if not header.files or exc.reason is not FailureReason.MISSING_PERMISSION:
            raise
        log.warning("digest %s for channel %s: header refused with its chart (%s); posting it without", day,
                    channel_id, exc)
        return await _post(publisher, "channel", channel_id, replace(header, files=[]))


async def _post_channel_digest(
    service: PaperService, publisher: Publisher, draft: DigestDraft, guild_name: str, digest_id: int,
    done: int, total: int, progress: _Progress, chart_weeks: int | None = None,
) -> None:
    channel_id = draft.target.id
    entry = await asyncio.to_thread(service.digest_entry, digest_id)
    header_id = entry.header_id if entry is not None else None
    if header_id is None:
        weeks = chart_weeks or (WEEKLY_CHART_WEEKS if draft.weekly else None)
        header = await header_reply(service, draft, publisher.mention(channel_id), total, digest_id)
        if weeks:
            header = replace(header, files=await header_chart(service, publisher, draft, guild_name, weeks))
        header_id = await _post_header(publisher, channel_id, header, draft.day)
        if header_id is not None:
            await asyncio.to_thread(service.mark_digest_header, digest_id, header_id)
    progress.message_id = header_id
    if not draft.picks:
        return
    where = entry.thread_id if entry is not None and entry.thread_id is not None else None
    if where is None:
        where = await _open_thread(service, publisher, digest_id, channel_id, header_id, draft)
    progress.in_thread = where != channel_id
    parts = thread_parts(draft, guild_name, digest_id, done + 1, total)
    try:
        await _post_parts(service, publisher, digest_id, "channel", where, parts, progress)
    except DeliveryFailed as exc:
        if where == channel_id or exc.reason is not FailureReason.UNKNOWN_CHANNEL:
            raise
        # Someone deleted the day's thread: the rest goes in the channel, under the header.
        log.warning("digest %s for channel %s: its thread %s is gone, posting the rest in the channel", draft.day,
                    channel_id, where)
        await asyncio.to_thread(service.mark_digest_thread, digest_id, channel_id)
        progress.in_thread = False
        rest = replace(draft, picks=draft.picks[progress.posted:])
        parts = thread_parts(rest, guild_name, digest_id, done + progress.posted + 1, total)
        await _post_parts(service, publisher, digest_id, "channel", channel_id, parts, progress)


async def deliver(
    service: PaperService, publisher: Publisher, draft: DigestDraft, guild_name: str = "", timezone: str = "UTC",
    now: Callable[[], datetime] = utc_now, chart_weeks: int | None = None,
) -> Outcome:
    """Claim, post and record one digest; `timezone` is the target's, where its day ends (retries stop then);
    `now` the clock (naive UTC) a failure and its next try are timed by; `chart_weeks`: a channel digest's
    header carries the server's activity chart of that many weeks (e.g. the weekly digest's)."""
    digest_id = await asyncio.to_thread(service.claim_digest, draft)
    if digest_id is None:
        period = f"the week of {draft.period.isoformat()}" if draft.weekly else draft.day.isoformat()
        return Outcome("already", f"The digest for {period} was already sent.")
    done, todo = await asyncio.to_thread(service.digest_plan, digest_id)
    total = done + len(todo)
    if [r.paper.id for r in draft.picks] != todo:  # resumed, or composed again: what the ledger plans, in its order
        draft = await asyncio.to_thread(service.planned_draft, draft, todo)
    progress = _Progress()
    try:
        if draft.target.kind == "channel":
            await _post_channel_digest(service, publisher, draft, guild_name, digest_id, done, total, progress,
                                       chart_weeks)
        elif draft.picks or not done:
            parts = digest_parts(draft, guild_name, digest_id, done + 1)
            await _post_parts(service, publisher, digest_id, "user", draft.target.id, parts, progress)
    except DeliveryFailed as exc:
        latest, _ = await asyncio.to_thread(service.digest_history, draft.target)
        attempts = latest.attempts if latest is not None and latest.id == digest_id else 1
        at = now()
        when = retry_at(exc.reason, attempts, at, day_end(draft.day, timezone))
        await asyncio.to_thread(service.mark_digest_failed, digest_id, str(exc), exc.reason.name, when, at)
        log.warning("digest %s for %s %s not delivered (%s, attempt %d, %s): %s", draft.day, draft.target.kind,
                    draft.target.id, exc.reason.name, attempts, f"next try {when:%H:%M} UTC" if when else "no retry",
                    exc)
        return Outcome("failed", str(exc), papers=progress.posted, reason=exc.reason)
    await asyncio.to_thread(service.mark_digest_sent, digest_id, progress.message_id)
    log.info("digest %s sent to %s %s (%d papers)", draft.day, draft.target.kind, draft.target.id, len(draft.picks))
    return Outcome("sent", papers=len(draft.picks), in_thread=progress.in_thread)
