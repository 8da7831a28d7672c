"""The command registry and `invoke`: the permission check and clear error replies."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from bot.context import Invoker, Reply
from bot.registry import COMMANDS, Kind, Option, command, invoke, text
from recommender.errors import PaperbotError
from recommender.service import PaperService
from recommender.views import Target

GUILD, CHANNEL = 10, 20


def member(service: PaperService, admin: bool = False, user: int = 1) -> Invoker:
    return Invoker(service=service, user_id=user, guild_id=GUILD, channel_id=CHANNEL, can_manage_guild=admin, guild_name="Lab")


def test_the_issues_commands_are_registered() -> None:
    assert {"subscribe", "unsubscribe", "topics", "recommend", "digest channel"} <= set(COMMANDS)
    assert COMMANDS["digest channel"].admin and not COMMANDS["subscribe"].admin
    for spec in COMMANDS.values():
        params = list(inspect.signature(spec.action).parameters)[1:]
        assert [o.name for o in spec.options] == params
        assert 1 <= len(spec.description) <= 100  # Discord's limit for command descriptions
        assert all(1 <= len(o.description) <= 100 for o in spec.options)
    assert COMMANDS["digest channel"].options[0].kind is Kind.CHANNEL


async def test_admin_commands_refuse_non_admins(bare_service: PaperService) -> None:
    for name in [n for n, spec in COMMANDS.items() if spec.admin]:
        options = {o.name: 30 for o in COMMANDS[name].options if o.required}
        reply = await invoke(member(bare_service), name, **options)
        assert reply.content is not None and reply.content.startswith("⚠️")
        assert "Manage Server" in reply.content and reply.ephemeral
    assert bare_service.digest_settings(GUILD) is None  # nothing happened


async def test_admins_may(bare_service: PaperService) -> None:
    reply = await invoke(member(bare_service, admin=True), "digest channel", channel=30)
    assert reply.content is not None and not reply.content.startswith("⚠️")
    conf = bare_service.digest_settings(GUILD)
    assert conf is not None and conf.channel_id == 30 and conf.enabled


async def test_paperbot_errors_become_error_replies(bare_service: PaperService) -> None:
    ctx = member(bare_service)
    reply = await invoke(ctx, "subscribe", topic="graph " * 2000)
    assert reply.content is not None and reply.content.startswith("⚠️ That topic is")
    assert reply.ephemeral and reply.embeds == [] and len(reply.content) < 2000
    reply = await invoke(ctx, "like", paper="2401.99999")
    assert reply.content is not None and reply.content.startswith("⚠️ No paper `2401.99999`")
    reply = await invoke(ctx, "unsubscribe", topic="never followed")
    assert reply.content is not None and "You don't follow `never followed`" in reply.content


async def test_server_commands_in_dms_are_clear_errors(bare_service: PaperService) -> None:
    dm = Invoker(service=bare_service, user_id=1, guild_id=None, can_manage_guild=False)
    for name in ("digest status", "digest topics list", "sources", "trending"):  # admin or server_only
        reply = await invoke(dm, name)
        assert reply.content == "⚠️ Use this command in a server, not in DMs.", name


async def test_other_exceptions_are_not_swallowed(bare_service: PaperService) -> None:
    @command("test explode", "Raises a bug.")
    async def explode(ctx: Invoker) -> Reply:
        raise KeyError("a bug, not a user error")

    @command("test refuse", "Raises a user error.")
    async def refuse(ctx: Invoker) -> Reply:
        raise PaperbotError("not like that")

    try:
        assert (await invoke(member(bare_service), "test refuse")).content == "⚠️ not like that"
        with pytest.raises(KeyError):
            await invoke(member(bare_service), "test explode")
    finally:
        COMMANDS.pop("test explode")
        COMMANDS.pop("test refuse")


async def test_subscribe_and_topics_replies(bare_service: PaperService) -> None:
    ctx = member(bare_service)
    reply = await invoke(ctx, "subscribe", topic="graph neural networks")
    assert reply.content is not None and "Subscribed to **graph neural networks**" in reply.content
    assert reply.embeds[0].description == "• graph neural networks"
    reply = await invoke(ctx, "subscribe", topic="Graph Neural Networks")
    assert reply.content is not None and reply.content.startswith("You already follow")
    reply = await invoke(ctx, "topics")  # with how many recent papers each matches (none: no library here)
    assert reply.embeds[0].description == "• **graph neural networks** — 0 papers"
    # The member's subscription is tied to the server, for the channel digest.
    assert bare_service.topics(Target.user(1, GUILD)) == ["graph neural networks"]


async def test_recommend_reply(service: PaperService) -> None:
    ctx = member(service)
    empty = await invoke(ctx, "recommend")
    assert empty.content is not None and "/subscribe" in empty.content and not empty.embeds
    await invoke(ctx, "subscribe", topic="graph neural networks")
    reply = await invoke(ctx, "recommend")
    assert reply.content is not None and reply.content.startswith("🔍 Top 5 of 3,000 papers from the ")
    assert len(reply.embeds) == 5 and reply.ephemeral
    assert sum("graph" in (e.title or "").lower() for e in reply.embeds) >= 4
    assert all(e.fields[0].name == "Why" and "graph neural networks" in e.fields[0].value for e in reply.embeds)
    assert reply.view is not None and len(reply.view.children) == 20  # like/dismiss/save/more per paper


@pytest.mark.parametrize(
    ("declare", "problem"),
    [
        (lambda: command("test x", "d", paper=text("p", max_length=64)), "declare exactly the options"),
        (lambda: command("test x", "d" * 101), "1-100 characters"),
        (lambda: command("test x", "d", paper=text("p" * 101, max_length=64)), "1-100 characters"),
        (lambda: command("Test X", "d"), "bad command name"),
        (lambda: command("test x y z", "d"), "bad command name"),  # a group, a group in it, a command: no deeper
        (lambda: command("test x", "d", paper=Option("", "p")), "needs max_length"),
    ],
)
def test_declarations_are_checked(declare: Any, problem: str) -> None:
    async def action(ctx: Invoker, paper: str = "") -> Reply:
        return Reply()

    if "declare exactly" in problem:
        async def action(ctx: Invoker) -> Reply:  # type: ignore[misc]
            return Reply()
    with pytest.raises(ValueError, match=problem):
        declare()(action)
    assert "test x" not in COMMANDS and "Test X" not in COMMANDS


def test_required_options_come_first() -> None:
    async def action(ctx: Invoker, time: str | None = None, *, paper: str) -> Reply:
        return Reply()

    with pytest.raises(ValueError, match="required options come first"):
        command("test x", "d", time=text("t", max_length=5), paper=text("p", max_length=64))(action)


def test_option_problems() -> None:
    size = COMMANDS["digest schedule"].option("size")
    assert (size.problem(1), size.problem(25)) == (None, None)
    assert size.problem(26) == "size can be at most 25"
    topic = COMMANDS["subscribe"].option("topic")
    assert topic.problem("") == "topic needs at least 1 character"
    assert Option("mode", "m", choices=("a", "b")).problem("c") == "mode must be one of a, b"


def test_notices_go_above_the_reply_within_discords_limits() -> None:
    from bot.registry import with_notices

    assert with_notices(Reply(content="Hi"), []).content == "Hi"
    assert with_notices(Reply(content="Hi"), ["📭 Note"]).content == "📭 Note\n\nHi"
    assert with_notices(Reply(), ["📭 Note"]).content == "📭 Note"
    long = with_notices(Reply(content="x" * 1995), ["📭 Note"])
    assert long.content == "x" * 1995 and long.embeds[0].description == "📭 Note"


async def test_commands_note_the_server_a_member_uses(bare_service: PaperService) -> None:
    from recommender.members.membership import member_ids

    await invoke(Invoker(service=bare_service, user_id=3, guild_id=77), "topics")
    await invoke(Invoker(service=bare_service, user_id=4, guild_id=None), "topics")
    with bare_service.db.session() as s:
        assert member_ids(s, 77) == [3]
