"""/subscribe replies: warnings and suggestions from the library, acronyms, refusals."""

from __future__ import annotations

from bot.context import Invoker
from bot.registry import invoke
from recommender.service import PaperService
from recommender.views import Target

ME = Target.user(1, 10)


def ctx(service: PaperService, user: int = 1) -> Invoker:
    return Invoker(service=service, user_id=user, guild_id=10, channel_id=20, can_manage_guild=False, guild_name="Lab")


async def test_a_good_topic_is_subscribed_without_a_warning(service: PaperService) -> None:
    reply = await invoke(ctx(service), "subscribe", topic="machine unlearning")
    assert reply.content is not None
    assert reply.content.startswith("✅ Subscribed to **machine unlearning**") and "⚠️" not in reply.content


async def test_a_misspelt_topic_is_subscribed_with_suggestions(service: PaperService) -> None:
    reply = await invoke(ctx(service), "subscribe", topic="domian adaptation")
    assert reply.content is not None
    assert reply.content.startswith("⚠️ Subscribed to **domian adaptation**")
    # ... and on the other spelling of the word that does occur (ranking/vocabulary.py spelling_variants).
    assert "`domian` occurs in no paper of the library, so it matches on `adaptation`, `adaptations` alone" in reply.content
    assert "Did you mean **domain adaptation**" in reply.content
    assert service.topics(ME) == ["domian adaptation"]


async def test_an_acronym_is_read_as_the_corpus_spells_it(service: PaperService) -> None:
    reply = await invoke(ctx(service), "subscribe", topic="RAG")
    assert reply.content is not None and reply.content.startswith("✅ Subscribed to **RAG**")
    assert "`RAG` is read as “retrieval-augmented generation”" in reply.content


async def test_a_topic_nothing_can_match_is_refused(service: PaperService) -> None:
    reply = await invoke(ctx(service), "subscribe", topic="knowlege distilation")
    assert reply.content is not None and "could never match a paper" in reply.content
    assert "Did you mean `knowledge distillation`" in reply.content
    assert service.topics(ME) == []
