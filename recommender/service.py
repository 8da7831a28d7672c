"""PaperService: the one API the CLI, the console and the Discord bot call.

Methods are synchronous (SQLAlchemy sessions, NumPy scoring); async callers run
them in a worker thread so the event loop never blocks.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender.config import Settings
from recommender.errors import PaperbotError
from recommender.ingest import jobs
from recommender.ingest.errors import SourceError
from recommender.ingest.limits import IngestLimits
from recommender.ingest.runner import IngestReport
from recommender.ingest.seed import seed_demo
from recommender.members import authors, discussions, feedback, lookup, membership, mutes, servers, topics, users
from recommender.members.inputs import channel_inputs, user_inputs, users_inputs
from recommender.picks import activity, digests, explore, ledger, onboarding, pinning, trending
from recommender.picks.recommend import hydrate, recommend
from recommender.ranking.block import PaperBlock
from recommender.ranking.context import ScoringContext
from recommender.ranking import kernels
from recommender.ranking.index import PaperIndex
from recommender.ranking.population import Population
from recommender.ranking.profile import ProfileVectors, build_vectors, heaviest_terms
from recommender.ranking.ranker import rank_many
from recommender.ranking.scores import topic_matches
from recommender.ranking.semantic import load_encoder, require_semantic
from recommender.ranking.text import clean_topic
from recommender.ranking.threads import one_blas_thread
from recommender.storage import stats
from recommender.storage.db import Database
from recommender.storage.models import Paper
from recommender.stores.community import CommunityStore, key_id
from recommender.stores.index import IndexStore
from recommender.stores.populations import PopulationStore, StoredPopulation
from recommender.stores.profiles import ProfileStore
from recommender.stores.semantic import SemanticStore, embed_papers, embedding_counts
from recommender.views import (
    Activity,
    DigestDraft,
    DigestSettings,
    DmSettings,
    LedgerEntry,
    PaperView,
    ProfileSummary,
    ReadingItem,
    ReadingPage,
    Recommendation,
    RecommendResult,
    Target,
    TopicAdvice,
    Trending,
)

log = logging.getLogger(__name__)

BUILD_FROM = 50  # a digest run of this many members builds a missing stored population (fewer: see _digest_population)


class PaperService:
    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.db_url)
        self.index_store = IndexStore(self.db, settings.index_dir)
        self.community = CommunityStore(self.db, self.index_store)
        self.profiles = ProfileStore(self.db)
        self.populations = PopulationStore(settings.data_dir / "members")  # the DM digest's members as matrices
        self.worker = ledger.worker_id()  # names this process's digest leases
        self._authors: tuple[Any, authors.AuthorDirectory] | None = None
        self._authors_lock = threading.Lock()
        self.http_clients: jobs.Clients | None = None
        self.semantic: SemanticStore | None = None
        if settings.semantic:
            require_semantic()  # a clear error now, not at the first ingestion
            self.semantic = SemanticStore(self.db, settings.semantic_model)

    # -- lifecycle -------------------------------------------------------------

    def start(self, seed: bool | None = None) -> IngestReport | None:
        """Migrate the database, seed an empty one with the demo corpus, load the index."""
        self.db.upgrade()
        report = None
        if self.settings.seed_demo_corpus if seed is None else seed:
            report = seed_demo(self.db)
            if report is not None:
                log.info("seeded %d demo papers", report.new)
                self._embed_changed(report)
        self.index_store.get()
        # The scoring spreads its big products over its own threads, BLAS on one (ranking/threads.py);
        # its compiled loops are loaded off the caller's thread (the first digest needn't).
        one_blas_thread()
        threading.Thread(target=kernels.warm, name="paperbot-kernels", daemon=True).start()
        return report

    def index(self) -> PaperIndex | None:
        return self.index_store.get()

    def context(self) -> ScoringContext | None:
        """The index plus the community's models, current as of now.

        `ctx.version` names all of it (index rows and vocabulary, community model,
        co-likes, embeddings): stored member vectors of another version are rebuilt.
        """
        ctx = self.community.context()
        if ctx is not None:
            ctx.weights = self.settings.weights
            if self.semantic is not None:
                ctx.semantic = self.semantic.context(ctx.index)
                ctx.version = key_id((ctx.version, ctx.semantic.version))
        return ctx

    def _user_vectors(self, s: Session, ctx: ScoringContext | None, user_id: int) -> ProfileVectors | None:
        return self.profiles.get(s, ctx, user_id) if ctx else None

    def _profile_changed(self, user_id: int) -> None:
        """Rebuild a member's stored vectors right after their topics or feedback change."""
        self.profiles.forget(user_id)
        ctx = self.context()
        if ctx is not None:
            with self.db.session() as s:
                self.profiles.rebuild(s, ctx, user_id)

    def close(self) -> None:
        if self.http_clients is not None:
            self.http_clients.close()
            self.http_clients = None
        self.db.dispose()

    # -- topics ----------------------------------------------------------------

    def subscribe(self, target: Target, topic: str) -> tuple[str, bool]:
        clean, created, _ = self.subscribe_and_advise(target, topic)
        return clean, created

    def subscribe_and_advise(self, target: Target, topic: str) -> tuple[str, bool, TopicAdvice | None]:
        """Follow a topic; also how the library reads it (read once: it refuses a topic nothing
        can match, and its warnings and suggestions go into `/subscribe`'s reply)."""
        advice = topics.advise(self.index(), topic)
        with self.db.session() as s:
            if target.kind == "user":
                feedback.ensure_user(s, target.id)
            clean, created = topics.subscribe(s, target, topic, advice)
        if target.kind == "user" and created:
            self._profile_changed(target.id)
        return clean, created, advice

    def topic_advice(self, topic: str) -> TopicAdvice | None:
        """How the library reads a topic: warnings and suggestions for `/subscribe`."""
        return topics.advise(self.index(), topic)

    def unsubscribe(self, target: Target, topic: str) -> str:
        with self.db.session() as s:
            removed = topics.unsubscribe(s, target, topic)
        if target.kind == "user":
            self._profile_changed(target.id)
        return removed

    def topics(self, target: Target) -> list[str]:
        with self.db.session() as s:
            return topics.list_topics(s, target)

    def popular_topics(self, guild_id: int, typed: str = "", limit: int = 25) -> list[tuple[str, int]]:
        """The topics members follow in a server, with how many follow each (autocomplete)."""
        with self.db.session() as s:
            return topics.popular(s, guild_id, typed, limit)

    def topic_matches(self, target: Target) -> list[tuple[str, int]]:
        """A member's topics, each with how many papers of `/recommend`'s window it matches on its own."""
        ctx = self.context()
        with self.db.session() as s:
            followed = topics.list_topics(s, target)
            vec = self._user_vectors(s, ctx, target.id) if followed else None
        if ctx is None or vec is None or not vec.topics:
            return [(t, 0) for t in followed]
        rows = ctx.index.window(self.settings.recommend_window_days)
        found = dict(zip(vec.topics, topic_matches(ctx, vec, ctx.block(rows), self.settings.min_score)))
        return [(t, found.get(t, 0)) for t in followed]

    def profile_summary(self, user_id: int) -> ProfileSummary:
        """What paperbot has learned about a member: topics (with matches), feedback counts, heaviest terms."""
        ctx = self.context()
        with self.db.session() as s:
            feedback.ensure_user(s, user_id)
            given = feedback.counts(s, user_id)
            vec = self._user_vectors(s, ctx, user_id)
        terms = heaviest_terms(ctx.index, vec) if ctx is not None and vec is not None else []
        return ProfileSummary(
            self.topic_matches(Target.user(user_id)), given["like"], given["dismiss"], given["save"], given["read"],
            terms, self.settings.recommend_window_days,
        )

    # -- recommendations -------------------------------------------------------

    def recommend(
        self, user_id: int, topic: str | None = None, limit: int | None = None, window_days: int | None = None
    ) -> RecommendResult:
        ctx = self.context()
        with self.db.session() as s:
            feedback.ensure_user(s, user_id)
            inputs = user_inputs(s, user_id)
            if topic is not None:
                vec = build_vectors(ctx, inputs, clean_topic(topic)) if ctx else None
            else:
                vec = self._user_vectors(s, ctx, user_id)
            return recommend(
                s, ctx, vec, inputs,
                limit=limit or self.settings.recommend_size,
                window_days=window_days or self.settings.recommend_window_days,
                min_score=self.settings.min_score,
                diversity=self.settings.diversity,
                recency_half_life=self.settings.recency_half_life_days,
                rules=pinning.personal(s, user_id),
            )

    def search(self, query: str, limit: int = 5, days: int | None = None) -> list[Recommendation]:
        index = self.index()
        with self.db.session() as s:
            return explore.search(s, index, query, limit, days)

    def paper_choices(self, user_id: int, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """(id, title) of papers worth offering for what a member typed (autocomplete)."""
        with self.db.session() as s:
            return lookup.paper_choices(s, user_id, typed, limit)

    def similar(self, paper_id: str, limit: int = 5) -> tuple[PaperView, list[Recommendation]]:
        index = self.index()
        with self.db.session() as s:
            return explore.similar(s, index, paper_id, limit)

    def why(self, user_id: int, paper_id: str) -> Recommendation:
        ctx = self.context()
        with self.db.session() as s:
            feedback.ensure_user(s, user_id)
            vec = self._user_vectors(s, ctx, user_id)
            return explore.why(
                s, ctx, vec or ProfileVectors(), paper_id, target=Target.user(user_id), inputs=user_inputs(s, user_id),
                limit=self.settings.recommend_size, window_days=self.settings.recommend_window_days,
                min_score=self.settings.min_score, diversity=self.settings.diversity,
                recency_half_life=self.settings.recency_half_life_days,
            )

    def why_in_digest(self, guild_id: int, paper_id: str) -> Recommendation:
        """Whether the server's channel digest would carry a paper now, and if not, why: the
        digest's own topics, candidates (its look-back window), threshold, size and ranking."""
        with self.db.session() as s:
            conf = servers.get_settings(s, guild_id)
            if conf is None or conf.channel_id is None:
                raise PaperbotError("This server has no digest channel yet: an admin can set one with `/digest channel`.")
            channel, size, cadence = conf.channel_id, conf.size, conf.cadence
        ctx = self.context()
        with self.db.session() as s:
            inputs = channel_inputs(s, channel, guild_id)
            vec = build_vectors(ctx, inputs) if ctx else ProfileVectors()
            return explore.why(
                s, ctx, vec, paper_id, target=Target.channel(channel, guild_id), inputs=inputs,
                limit=size, window_days=digests.lookback(cadence, self.settings.digest_lookback_days),
                min_score=self.settings.min_score, diversity=self.settings.diversity,
                recency_half_life=self.settings.recency_half_life_days,
            )

    # -- feedback and reading list ---------------------------------------------

    def feedback(self, user_id: int, paper_id: str, kind: str) -> tuple[PaperView, bool]:
        with self.db.session() as s:
            result = feedback.record(s, user_id, paper_id, kind)
        if result[1]:
            self._profile_changed(user_id)
        return result

    def reading_list(self, user_id: int) -> list[PaperView]:
        with self.db.session() as s:
            return feedback.reading_list(s, user_id)

    def reading_page(self, user_id: int, page: int = 1, per_page: int = 5) -> ReadingPage:
        with self.db.session() as s:
            return feedback.reading_page(s, user_id, page, per_page)

    def reading_items(self, user_id: int) -> list[ReadingItem]:
        """The whole reading list with when each paper was saved and read (for exports)."""
        with self.db.session() as s:
            return feedback.reading_items(s, user_id)

    def mark_read(self, user_id: int, paper_id: str, read: bool = True) -> tuple[PaperView, bool]:
        with self.db.session() as s:
            return feedback.mark_read(s, user_id, paper_id, read)

    def unsave(self, user_id: int, paper_id: str) -> PaperView:
        with self.db.session() as s:
            paper = feedback.remove_from_reading_list(s, user_id, paper_id)
        self._profile_changed(user_id)
        return paper

    def reset(self, user_id: int) -> tuple[int, int]:
        """Start a member over: no topics, no feedback, an empty reading list.

        Returns (topics, pieces of feedback) removed; digests already sent stay sent.
        """
        with self.db.session() as s:
            followed = topics.list_topics(s, Target.user(user_id))
            for topic in followed:
                topics.unsubscribe(s, Target.user(user_id), topic)
            removed = feedback.forget(s, user_id)
        self._profile_changed(user_id)
        return len(followed), removed

    def paper(self, paper_id: str) -> PaperView:
        with self.db.session() as s:
            return PaperView.of(lookup.find_paper(s, paper_id))

    # -- followed authors and mutes (picks/pinning.py applies them) --------------

    def author_directory(self) -> authors.AuthorDirectory:
        """The library's authors, rebuilt when papers were added or changed."""
        with self.db.session() as s:
            key = tuple(s.execute(select(func.count(Paper.id), func.max(Paper.modified_at))).one())
            with self._authors_lock:
                if self._authors is None or self._authors[0] != key:
                    self._authors = (key, authors.directory(s))
                return self._authors[1]

    def author_choices(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """(label, name) of the library's authors fitting what was typed: name, papers, categories when ambiguous."""
        return [(p.label(), p.display) for p in self.author_directory().search(typed, limit)]

    def follow_author(self, user_id: int, typed: str) -> tuple[str, bool, authors.LibraryAuthor | None]:
        """Follow an author; returns (the name followed, whether new, the library's author or None).

        A name several of the library's authors fit is refused with each of them and
        their categories, so the member picks the right one.
        """
        name = authors.parse(typed)
        if name is None:
            raise PaperbotError("Give an author's name, e.g. `Yoshua Bengio` or `Bengio, Y.`.")
        found = self.author_directory().matching(name)
        exact = [p for p in found if authors.fold(p.display) == authors.fold(typed)]
        if len(found) > 1 and len(exact) != 1:
            shown = "\n".join(f"• {p.label()}" for p in found[:10])
            raise PaperbotError(
                f"Several authors in the library fit `{typed[:authors.NAME_MAX]}`; follow one of them by its full name "
                f"(the list offers them as you type):\n{shown}"
            )
        person = exact[0] if exact else (found[0] if found else None)
        chosen = person.name if person is not None else name
        with self.db.session() as s:
            feedback.ensure_user(s, user_id)
            created = authors.follow(s, user_id, chosen)
        return chosen.written, created, person

    def unfollow_author(self, user_id: int, typed: str) -> str:
        with self.db.session() as s:
            return authors.unfollow(s, user_id, typed)

    def followed_authors(self, user_id: int) -> list[str]:
        with self.db.session() as s:
            return [f.name for f in authors.follows(s, user_id)]

    def suggest_authors(self, user_id: int, limit: int = 10) -> list[tuple[str, int]]:
        """The authors who recur most among a member's likes and saves (not followed yet)."""
        with self.db.session() as s:
            return authors.recurring(s, user_id, limit)

    def mute(self, user_id: int, kind: str, value: str) -> tuple[mutes.MuteEntry, bool]:
        with self.db.session() as s:
            feedback.ensure_user(s, user_id)
            return mutes.mute(s, user_id, kind, value)

    def unmute(self, user_id: int, kind: str, value: str) -> mutes.MuteEntry:
        with self.db.session() as s:
            return mutes.unmute(s, user_id, kind, value)

    def mutes(self, user_id: int) -> list[mutes.MuteEntry]:
        with self.db.session() as s:
            return mutes.list_mutes(s, user_id).entries

    # -- the five-paper start (picks/onboarding.py) -----------------------------

    def start_offer(self, user_id: int) -> onboarding.Start | None:
        """The five papers to rate after a member's first topic (None when offered before, or none fit)."""
        ctx = self.context()
        if ctx is None:
            return None
        before = [r.paper.id for r in self.recommend(user_id).picks]
        with self.db.session() as s:
            vec = self._user_vectors(s, ctx, user_id)
            if vec is None:
                return None
            return onboarding.offer(s, ctx, vec, user_id, user_inputs(s, user_id).exclude, before)

    def start_status(self, user_id: int, report: bool = False, picks: bool = False) -> onboarding.Start | None:
        """A member's start as it stands; once all five are rated, with the picks now when `picks`.

        With `report`, only the first time all five are rated (for the reply to the last rating)."""
        with self.db.session() as s:
            start = onboarding.status(s, user_id)
        if start is None or not start.done:
            return start
        if report:
            with self.db.session() as s:
                if not onboarding.mark_reported(s, user_id):
                    return None
        if report or picks:
            start.after = self.recommend(user_id).picks
        return start

    # -- reading-group threads ---------------------------------------------------

    def discussion(self, guild_id: int, paper_id: str) -> discussions.Thread:
        """A paper with the server's interest in it (who liked or saved it) and its thread, if opened."""
        with self.db.session() as s:
            return discussions.thread_of(s, guild_id, paper_id)

    def record_discussion(
        self, guild_id: int, paper_id: str, channel_id: int, thread_id: int | None, user_id: int,
        digest_id: int | None = None,
    ) -> bool:
        with self.db.session() as s:
            return discussions.record(s, guild_id, paper_id, channel_id, thread_id, user_id, digest_id)

    def record_discussion_link(self, guild_id: int, paper_id: str, link_id: int) -> None:
        """The link to a discussion, posted in the day thread of the digest the paper was in."""
        with self.db.session() as s:
            discussions.record_link(s, guild_id, paper_id, link_id)

    def count_discussion_message(self, thread_id: int) -> bool:
        """A member wrote in a thread: counted when it is a discussion's (True), nothing stored of the message."""
        with self.db.session() as s:
            return discussions.count_message(s, thread_id)

    def mark_discussed(self, guild_id: int, picks: list[Recommendation]) -> list[Recommendation]:
        """The picks, each with its thread on the server and its message count where one was opened."""
        with self.db.session() as s:
            return discussions.annotate(s, guild_id, picks)

    # -- digests ---------------------------------------------------------------

    def configure_digest(self, guild_id: int, **changes: Any) -> DigestSettings:
        """Change a server's digest settings; a new digest channel takes the old one's own topics along."""
        with self.db.session() as s:
            before = servers.get_settings(s, guild_id)
            conf = servers.configure(s, self.settings, guild_id, **changes)
            if before is not None and before.channel_id and conf.channel_id and before.channel_id != conf.channel_id:
                topics.move_channel_topics(s, guild_id, before.channel_id, conf.channel_id)
                mutes.move_channel_mutes(s, before.channel_id, conf.channel_id)
            return conf

    def set_sources(self, guild_id: int, categories: str | None = None, hf: bool | None = None,
                    name: str = "") -> DigestSettings:
        """A server's `/sources`: the arXiv categories its digest draws on, Hugging Face on or off."""
        with self.db.session() as s:
            return servers.set_sources(s, self.settings, guild_id, categories=categories, hf=hf, name=name)

    def known_categories(self) -> list[str]:
        """The arXiv categories the library has papers in, and the configured ones (for autocomplete)."""
        with self.db.session() as s:
            return sorted(set(servers.known_categories(s, self.settings).values()), key=str.casefold)

    def channel_topics(self, guild_id: int) -> tuple[int, list[str]]:
        """(the digest channel, its own topics); refuses while the server has no digest channel."""
        with self.db.session() as s:
            conf = servers.get_settings(s, guild_id)
            if conf is None or conf.channel_id is None:
                raise PaperbotError("Set the digest channel first: `/digest channel`. Its topics belong to it.")
            return conf.channel_id, topics.list_topics(s, Target.channel(conf.channel_id, guild_id))

    def trending(self, guild_id: int, days: int) -> Trending:
        with self.db.session() as s:
            found = trending.trending(s, membership.member_ids(s, guild_id), days)
            shown = [p.id for p, *_ in found.members] + [p.id for p, _ in found.upvoted]
            return replace(found, discussed=discussions.discussed(s, guild_id, shown),
                           discussions=discussions.most_discussed(s, guild_id, days))

    # -- the digest channel's mutes (`/digest mute`; the same matching as a member's) -----

    def _digest_channel(self, s: Session, guild_id: int) -> int:
        conf = servers.get_settings(s, guild_id)
        if conf is None or conf.channel_id is None:
            raise PaperbotError("Set the digest channel first: `/digest channel`. Its mutes belong to it.")
        return conf.channel_id

    def channel_mute(self, guild_id: int, kind: str, value: str) -> tuple[mutes.MuteEntry, bool]:
        with self.db.session() as s:
            return mutes.channel_mute(s, guild_id, self._digest_channel(s, guild_id), kind, value)

    def channel_unmute(self, guild_id: int, kind: str, value: str) -> mutes.MuteEntry:
        with self.db.session() as s:
            return mutes.channel_unmute(s, guild_id, self._digest_channel(s, guild_id), kind, value)

    def channel_mutes(self, guild_id: int) -> tuple[int, list[mutes.MuteEntry]]:
        """(the digest channel, its mutes); refuses while the server has no digest channel."""
        with self.db.session() as s:
            channel = self._digest_channel(s, guild_id)
            return channel, mutes.channel_mutes(s, channel).entries

    def channel_mute_reason(self, guild_id: int, paper_id: str) -> str | None:
        """Which of the digest channel's mutes keeps a paper out of its digests (None: none does)."""
        with self.db.session() as s:
            found = self._digest_channel(s, guild_id)
            paper = lookup.find_paper(s, paper_id)
            return mutes.channel_mutes(s, found).reason(paper.title, paper.abstract or "", paper.authors or [],
                                                        paper.categories or [])

    def activity(self, guild_id: int | None, weeks: int = 8, now: datetime | None = None) -> Activity:
        """What a server's members (every member with None) liked and saved over the last `weeks` weeks,
        by topic: the activity chart's data (`picks/activity`)."""
        if not 1 <= weeks <= activity.MAX_WEEKS:
            raise PaperbotError(f"weeks must be between 1 and {activity.MAX_WEEKS}.")
        index = self.index()
        with self.db.session() as s:
            members = membership.member_ids(s, guild_id) if guild_id is not None else None
            return activity.activity(s, members, guild_id, index, weeks, now)

    def digest_settings(self, guild_id: int) -> DigestSettings | None:
        with self.db.session() as s:
            return servers.get_settings(s, guild_id)

    def scheduled_digests(self) -> list[DigestSettings]:
        with self.db.session() as s:
            return servers.scheduled(s)

    def compose_channel_digest(
        self, guild_id: int, channel_id: int | None = None, day: date | None = None, cadence: str | None = None
    ) -> DigestDraft:
        """The server's digest of `day`, daily or weekly as the server's settings say (or `cadence`)."""
        with self.db.session() as s:
            conf = servers.get_settings(s, guild_id)
            channel = channel_id or (conf.channel_id if conf else None)
            if channel is None:
                raise PaperbotError("This server has no digest channel yet: an admin can set one with `/digest channel`.")
            size = conf.size if conf else self.settings.digest_size
        return self._compose(Target.channel(channel, guild_id), day, size, cadence or (conf.cadence if conf else "daily"))

    def compose_digest_for_channel(self, channel_id: int, guild_id: int | None = None, day: date | None = None) -> DigestDraft:
        """A channel's digest; the server defaults to the one whose digest channel it is."""
        if guild_id is None:
            with self.db.session() as s:
                guild_id = servers.guild_of_channel(s, channel_id)
        conf = self.digest_settings(guild_id) if guild_id is not None else None
        size = conf.size if conf else self.settings.digest_size
        return self._compose(Target.channel(channel_id, guild_id), day, size, conf.cadence if conf else "daily")

    def compose_personal_digests(
        self, due: list[tuple[int, date]], batch: int = 5000, cadence: dict[int, str] | None = None
    ) -> list[DigestDraft]:
        """Personal digests for many members at once (in the order of `due`): the stored members'
        vectors as matrices (stores/populations.py), batched scoring. Each member's cadence is
        theirs (`/settings`), or `cadence`'s (a retry's)."""
        ctx = self.context()
        stored = self._digest_population(ctx, len(due)) if ctx is not None else None
        drafts: list[DigestDraft] = []
        blocks: dict[str, PaperBlock] = {}  # per cadence: its window's block, shared by the batches
        for start in range(0, len(due), batch):
            part = due[start : start + batch]
            with self.db.session() as s:
                every = users.cadences(s, [uid for uid, _ in part]) | (cadence or {})
                done: dict[int, DigestDraft] = {}
                for each in sorted(set(every.values())):  # daily and weekly members: their own windows
                    group = [(uid, day) for uid, day in part if every[uid] == each]
                    done.update((d.target.id, d) for d in self._personal_drafts(s, ctx, group, each, blocks, stored))
                drafts += [done[uid] for uid, _ in part]
        return drafts

    def refresh_population(self) -> StoredPopulation | None:
        """The DM digest members' vectors of the current version as stored matrices, built (in
        batches) and written when missing: the daily job runs it after the community refit."""
        ctx = self.context()
        if ctx is None or ctx.semantic is not None:  # the semantic extra keeps the member-by-member path
            return None
        with self.db.session() as s:
            return self.populations.current(s, ctx, lambda: users.dm_members(s))

    def _digest_population(self, ctx: ScoringContext, due: int) -> StoredPopulation | None:
        """The stored population a digest run reads; a missing one is built once, here, unless the
        run is of a few members among many (they are read from the profile store, as changed ones are)."""
        if ctx.semantic is not None:
            return None
        with self.db.session() as s:
            found = self.populations.get(ctx)
            if found is not None:
                return found
            members = users.dm_members(s)
            if due < BUILD_FROM and 2 * due < len(members):
                return None
            try:
                return self.populations.current(s, ctx, lambda: members)
            except OSError as exc:  # e.g. a full disk: this run reads the profile store, as before
                log.warning("could not write the members' vectors (%s): this digest run reads them one by one", exc)
                return None

    def _personal_drafts(
        self, s: Session, ctx: ScoringContext | None, part: list[tuple[int, date]], cadence: str,
        blocks: dict[str, PaperBlock] | None = None, stored: StoredPopulation | None = None,
    ) -> list[DigestDraft]:
        drafts: list[DigestDraft] = []
        ids = [uid for uid, _ in part]
        inputs = users_inputs(s, ids)
        pop: Population | None = None
        vecs: dict[int, ProfileVectors] = {}
        if ctx is not None and ctx.semantic is None:  # the members' matrices: stored rows, changed members anew
            pop = self.populations.batch(s, ctx, stored, ids,
                                         lambda missing: self.profiles.get_many(s, ctx, missing, remember=False))
        elif ctx is not None:
            vecs = self.profiles.get_many(s, ctx, ids, remember=False)
        rows = ctx.index.window(digests.lookback(cadence, self.settings.digest_lookback_days)) if ctx else None
        limits = users.dm_picks_limits(s, self.settings, ids)  # each member's size and bar (/settings)
        rules = {u: r for u, r in pinning.personal_many(s, ids).items() if not r.empty}
        window = [str(i) for i in ctx.index.ids[rows]] if ctx is not None and rows is not None and rules else []
        loaded = pinning.papers_of(s, window) if window else {}
        screened = {
            u: pinning.screen(s, [i for i in window if i not in inputs[u].exclude], r, loaded)
            for u, r in rules.items()
        }
        for u, found in screened.items():
            inputs[u].exclude |= found.muted
        ranked = (
            rank_many(
                ctx, None if pop is not None else [vecs[u] for u in ids], rows, [inputs[u].exclude for u in ids],
                max(size for size, _ in limits.values()), min(bar for _, bar in limits.values()),
                diversity=self.settings.diversity, recency_half_life=self.settings.recency_half_life_days,
                block=_shared_block(blocks, cadence, ctx, rows), pop=pop,
            )
            if ctx is not None else [[] for _ in ids]
        )
        quiet = functools.cache(lambda: digests.quiet_reason(s))  # the same for the whole batch
        for i, ((uid, day), picks) in enumerate(zip(part, ranked)):
            size, bar = limits[uid]
            picks = [p for p in picks if p.score > bar][:size]
            result = RecommendResult(hydrate(s, picks), candidates=int(rows.size) if rows is not None else 0)
            if uid in screened and ctx is not None:  # followed authors' papers pinned on top
                vec = pop.vectors(ctx, i) if pop is not None else vecs.get(uid)
                result.picks = pinning.pin(s, ctx, vec, screened[uid].pinned, result.picks, size)
            drafts.append(digests.draft_from(s, Target.user(uid), day, inputs[uid], result, cadence, quiet))
        return drafts

    def _compose(self, target: Target, day: date | None, size: int, cadence: str = "daily") -> DigestDraft:
        ctx = self.context()
        lookback = digests.lookback(cadence, self.settings.digest_lookback_days)  # a weekly digest: the week's papers
        with self.db.session() as s:
            if target.kind == "channel":
                inputs = channel_inputs(s, target.id, target.guild_id or 0)
                conf = servers.get_settings(s, target.guild_id) if target.guild_id is not None else None
                if ctx is not None and conf is not None:  # only papers from the server's /sources
                    ids = ctx.index.ids[ctx.index.window(lookback)].tolist()
                    inputs.exclude |= digests.outside_sources(s, ids, conf.categories, conf.hf)
                vec = build_vectors(ctx, inputs) if ctx else None
            else:
                inputs = user_inputs(s, target.id)
                vec = self._user_vectors(s, ctx, target.id)
            draft = digests.compose(
                s, ctx, target, day or date.today(), inputs, vec,
                size=size, lookback_days=lookback, min_score=self.settings.min_score,
                diversity=self.settings.diversity, recency_half_life=self.settings.recency_half_life_days,
                rules=pinning.personal(s, target.id) if target.kind == "user" else pinning.of_channel(s, target.id),
                cadence=cadence,
            )
            if target.kind == "channel" and target.guild_id is not None:  # 💬 on the papers discussed there
                draft.picks = discussions.annotate(s, target.guild_id, draft.picks)
            return draft

    def set_dm_digest(self, user_id: int, enabled: bool, time: str | None = None, tz: str | None = None) -> tuple[bool, str, str]:
        """Switch personal DM digests on or off; returns (enabled, time, timezone)."""
        with self.db.session() as s:
            return users.set_dm_digest(s, user_id, enabled, time, tz)

    def dm_settings(self, user_id: int) -> DmSettings:
        with self.db.session() as s:
            return users.dm_settings(s, self.settings, user_id)

    def configure_dm(self, user_id: int, **changes: Any) -> DmSettings:
        """Change a member's DM digest (`/settings`): enabled, time, tz, weekdays, size, min_match."""
        with self.db.session() as s:
            return users.configure_dm(s, self.settings, user_id, **changes)

    def member_seen(self, user_id: int, guild_id: int | None = None) -> list[str]:
        """A member ran a command (in a server, or in DMs): note it; return the notices they are owed, once."""
        with self.db.session() as s:
            if guild_id is not None:
                membership.record(s, guild_id, user_id)
            return users.seen(s, user_id)

    def member_timezone(self, user_id: int) -> str:
        with self.db.session() as s:
            return users.timezone_of(s, user_id)

    def due_dm_digests(self, now: datetime | None = None) -> list[tuple[int, date]]:
        """(member, their local day) of the DM digests due at `now` (aware; default: the clock)."""
        with self.db.session() as s:
            return [(uid, date.fromisoformat(day)) for uid, day in users.due_dm_users(s, now)]

    def claim_digest(self, draft: DigestDraft) -> int | None:
        """Claim the (target, day) digest for this process (see recommender/picks/ledger.py); None: sent or held."""
        return self.db.transact(ledger.claim, draft, self.worker)  # again on a lost connection: atomic

    def digest_plan(self, digest_id: int) -> tuple[int, list[str]]:
        """(papers of the digest already posted, the ids still to post, in order)."""
        return self.db.transact(ledger.plan, digest_id)

    def planned_draft(self, draft: DigestDraft, todo: list[str]) -> DigestDraft:
        """The draft a claimed digest posts: the ledger's papers still to post (`todo`), in the ledger's
        order. A digest composed again (a retry, a restart) may rank near-ties otherwise or miss a paper
        planned before; each keeps the new draft's explanation where it has one, else is explained anew."""
        have = {r.paper.id: r for r in draft.picks}
        return replace(draft, picks=[have.get(pid) or self._planned_pick(draft.target, pid) for pid in todo])

    def _planned_pick(self, target: Target, paper_id: str) -> Recommendation:
        if target.kind == "user":
            return replace(self.why(target.id, paper_id), verdict=None)
        if target.guild_id is not None:
            try:
                return replace(self.why_in_digest(target.guild_id, paper_id), verdict=None)
            except PaperbotError:  # the server's digest moved to another channel since
                pass
        return Recommendation(self.paper(paper_id), 0.0, "this digest's topics")

    def mark_digest_posted(self, digest_id: int, paper_ids: list[str]) -> None:
        self.db.transact(ledger.mark_posted, digest_id, paper_ids, self.worker)  # idempotent

    def digest_entry(self, digest_id: int) -> LedgerEntry | None:
        """A digest's ledger row: its header and thread, once they exist."""
        with self.db.session() as s:
            return ledger.entry(s, digest_id)

    def mark_digest_header(self, digest_id: int, header_id: int) -> None:
        self.db.transact(ledger.mark_header, digest_id, header_id, self.worker)

    def mark_digest_thread(self, digest_id: int, thread_id: int) -> None:
        self.db.transact(ledger.mark_thread, digest_id, thread_id, self.worker)

    def digest_notices(self, guild_id: int) -> list[LedgerEntry]:
        """The server's recent digests its admins must be told about (failed, or without a thread), each
        handed out once."""
        return self.db.transact(ledger.notices, guild_id)

    def mark_digest_sent(self, digest_id: int, message_id: int | None) -> None:
        self.db.transact(ledger.mark_sent, digest_id, message_id)  # idempotent

    def mark_digest_failed(
        self, digest_id: int, error: str, reason: str = "unknown", retry_at: datetime | None = None,
        now: datetime | None = None,
    ) -> bool:
        return self.db.transact(ledger.mark_failed, digest_id, self.worker, reason, error, retry_at, now)

    def due_digests(self, since: date, now: datetime | None = None) -> list[LedgerEntry]:
        """Digests (from `since` on) to retry at `now` (naive UTC): failed ones due, and claims whose lease
        expired."""
        with self.db.session() as s:
            return ledger.due(s, since, now)

    def digest_history(self, target: Target) -> tuple[LedgerEntry | None, LedgerEntry | None]:
        """(the newest digest, the newest failed one) of a target."""
        with self.db.session() as s:
            return ledger.latest(s, target), ledger.last_failure(s, target)

    # -- ingestion and stats ---------------------------------------------------

    def ingest_file(
        self, path: Path, progress: Callable[[int], None] | None = None, fmt: str | None = None
    ) -> IngestReport:
        """Import a JSON Lines (optionally .gz), CSV or BibTeX file, then refresh the index."""
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        report = jobs.run_file(self.db, path, fmt, progress, IngestLimits.from_settings(self.settings))
        self._refresh_after(report)
        return report

    def ingest_clients(self) -> jobs.Clients:
        """The HTTP clients for the network sources (created once, paced per site)."""
        if self.http_clients is None:
            self.http_clients = jobs.make_clients(self.settings)
        return self.http_clients

    def ingest_arxiv(
        self, categories: list[str] | None = None, cross_lists: bool | None = None,
        progress: Callable[[int], None] | None = None, refresh: bool = True,
    ) -> IngestReport:
        """Today's new arXiv papers (listing + export API)."""
        report = jobs.run_arxiv_daily(
            self.db, self.ingest_clients().arxiv, self.settings, categories, cross_lists, progress=progress
        )
        if refresh:
            self._refresh_after(report)
        return report

    def ingest_arxiv_query(
        self, query: str, limit: int, page_size: int = 200, progress: Callable[[int], None] | None = None
    ) -> IngestReport:
        """Backfill from an arXiv API search query, page by page."""
        report = jobs.run_arxiv_query(self.db, self.ingest_clients().arxiv, self.settings, query, limit, page_size, progress)
        self._refresh_after(report)
        return report

    def ingest_oai(
        self, start: date, end: date, prefix: str = "arXiv", set_spec: str | None = None,
        chunk_days: int = 7, restart: bool = False, progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Resumable OAI-PMH bulk backfill for a date range."""
        report = jobs.run_oai(
            self.db, self.ingest_clients().arxiv, self.settings, start, end, prefix, set_spec, chunk_days, restart, progress
        )
        self._refresh_after(report)
        return report

    def ingest_hf(
        self, days: list[date] | None = None, progress: Callable[[int], None] | None = None, refresh: bool = True
    ) -> IngestReport:
        """Hugging Face Daily Papers (with upvotes) for the given dates (default: the last few)."""
        report = jobs.run_hf(self.db, self.ingest_clients().hf, self.settings, days, progress)
        if refresh:
            self._refresh_after(report)
        return report

    def run_scheduled_ingest(self) -> list[IngestReport]:
        """The scheduled job: every configured source in turn, then one index refresh.

        A failing source is recorded as a failed run and does not stop the others.
        """
        reports: list[IngestReport] = []
        runs = {"arxiv": lambda: self.ingest_arxiv(self.ingest_categories(), refresh=False),
                "hf": lambda: self.ingest_hf(refresh=False)}
        for source in self.settings.source_list:
            try:
                reports.append(runs[source]())
            except SourceError as exc:
                log.warning("scheduled ingestion from %s failed: %s", source, exc)
        for report in reports:
            self._embed_changed(report)
        if any(r.new or r.updated for r in reports):
            self.index_store.refresh()
        self.community.refresh()  # the daily refit of the community model
        index = self.index_store.get()
        if self.semantic is not None and index is not None:
            self.semantic.refresh(index)
        try:  # the DM digest members' vectors of the new version, as matrices (else the first digest builds them)
            self.refresh_population()
        except Exception:  # noqa: BLE001 - the digest builds them then; the job's other work is done
            log.warning("building the members' vectors after the refit failed", exc_info=True)
        self.populations.release()  # the build wrote and checked every part: its pages back too
        if index is not None:
            index.release()  # the batch read much of the index: its pages back to the page cache
        return reports

    def ingest_categories(self) -> list[str]:
        """The configured arXiv categories and every category a server's `/sources` asks for."""
        with self.db.session() as s:
            extra = servers.all_categories(s)
        return list(dict.fromkeys([*self.settings.category_list, *extra]))

    def _refresh_after(self, report: IngestReport) -> None:
        self._embed_changed(report)
        if report.new or report.updated:
            self.index_store.refresh()

    # -- the semantic extra ----------------------------------------------------

    def _embed_changed(self, report: IngestReport) -> None:
        """With the semantic extra on, embed the papers an ingestion added or changed (once each)."""
        if self.semantic is not None and report.changed_ids:
            embed_papers(self.db, load_encoder(self.settings.semantic_model), report.changed_ids)

    def embed_papers(self, progress: Callable[[int], None] | None = None) -> int:
        """Embed every paper that has no embedding yet (the backfill); returns how many.

        Works with the setting off too, so a library can be embedded before switching it on.
        """
        return embed_papers(self.db, load_encoder(self.settings.semantic_model), None, progress)

    def embedding_counts(self) -> tuple[int, int]:
        """(papers, papers with an embedding of the configured model)."""
        return embedding_counts(self.db, self.settings.semantic_model)

    def guild_stats(self, guild_id: int) -> dict[str, Any]:
        """One server's figures (for its admins); `stats` has the global ones."""
        with self.db.session() as s:
            return stats.collect_guild(s, guild_id, membership.member_ids(s, guild_id))

    def stats(self) -> dict[str, Any]:
        with self.db.session() as s:
            data = stats.collect(s)
        data["index_papers"] = self.index_store.size
        data["database"] = self.db.backend
        return data


def _shared_block(
    blocks: dict[str, PaperBlock] | None, cadence: str, ctx: ScoringContext, rows: np.ndarray | None
) -> PaperBlock | None:
    """The block of a cadence's window, made once for every batch of one digest run."""
    if blocks is None or rows is None:
        return None
    kept = blocks.get(cadence)
    if kept is None or not np.array_equal(kept.rows, rows):
        kept = blocks[cadence] = ctx.block(rows)
    return kept
