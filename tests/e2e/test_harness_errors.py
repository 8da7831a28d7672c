"""The e2e harness fails a test on any ERROR from the bot, its domain, its scheduler or discord.py."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from botkit import answer, start_bot
from fakediscord.pytest_plugin import WATCHED_LOGGERS, BotHarness
from fakediscord.server import FakeDiscord

from bot.context import Invoker, Reply
from bot.registry import COMMANDS
from recommender.service import PaperService

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("logger", ["bot.bot", "bot.exts.digest._delivery", "recommender.service", "discord.client",
                                    "apscheduler.executors.default"])
async def test_harness_fails_on_an_error_from_any_watched_logger(logger: str) -> None:
    assert logger.split(".")[0] in WATCHED_LOGGERS
    fd = FakeDiscord()
    await fd.start()
    harness = BotHarness(fd)
    harness.install()
    logging.getLogger(logger).error("boom from %s", logger)
    logging.getLogger("bot.bot").warning("a warning is no failure")
    failures = await harness.aclose()
    assert failures == [f"logged ERROR ({logger}): boom from {logger}"]


async def test_harness_sees_a_command_that_failed_on_the_bot_side(discord_harness, service: PaperService,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The member gets the generic error and the tree logs it to `bot.bot`: the harness records that."""

    async def explode(ctx: Invoker) -> Reply:
        raise KeyError("a bug")

    fd = discord_harness.fd
    await start_bot(discord_harness, service)  # loads the features, which register their commands
    monkeypatch.setitem(COMMANDS, "topics", replace(COMMANDS["topics"], action=explode))
    reply = await answer(await fd.slash(fd.member, "general", "topics"))
    assert "Something went wrong on my side" in reply.content
    errors = discord_harness.take_errors()
    assert [(r.name, r.levelno) for r in errors] == [("bot.bot", logging.ERROR)]
    assert "KeyError: 'a bug'" in logging.Formatter().formatException(errors[0].exc_info)
