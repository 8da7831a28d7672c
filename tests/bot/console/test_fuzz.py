"""Every console command's options, fuzzed: any string of any length gets a clear reply, never a traceback.

Two paths: a console line (the parser's limits, then the action), and the action
called directly with any string within the option's length, as Discord would
deliver it (NULs, control characters, any script). `pytest -m fuzz` runs more
examples (PAPERBOT_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import asyncio
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from bot.console._repl import ConsolePublisher, run_line
from bot.context import Invoker
from bot.exts import load_actions
from bot.registry import COMMANDS, Kind, invoke
from recommender.service import PaperService

load_actions()
EXAMPLES = int(os.environ.get("PAPERBOT_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SPECIAL = [
    "99999999999999999999", "-99999999999999999999", "9" * 5000, "0", "-1", "1e9", "<#99999999999999999999>",
    "<#0>", "#papers", "#" + "x" * 200, "A" * 5000, "Europe/Berlin", "utc", "../../etc/passwd", "25:61", "٠٨:٣٠",
    "mon-sun-fri", "2606.17882", "2401.0\x001234", "\x00", "\u202e\u200b", "😀" * 30, "\ud800", "doi:10.1/x",
    "topic: x paper: y", "hep-th/9901001v12345678901234567890",
]
VALUES = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=120),
    st.integers(0, 12_000).map(lambda n: "x" * n),
    st.from_regex(r"[0-9]{1,40}", fullmatch=True),
)
# Every (command, option) pair; commands without options get trailing text.
TARGETS = [(name, option.name) for name, spec in sorted(COMMANDS.items()) for option in spec.options] + [
    (name, None) for name, spec in sorted(COMMANDS.items()) if not spec.options
]
BROKEN = ("Something went wrong", "Traceback")


def make_ctx(service: PaperService, out: io.StringIO) -> tuple[Invoker, Console]:
    console = Console(file=out, width=200, highlight=False)
    ctx = Invoker(service=service, user_id=7, guild_id=1, channel_id=1, can_manage_guild=True, guild_name="console",
                  publisher=ConsolePublisher(console))
    return ctx, console


def test_every_option_is_fuzzed() -> None:
    assert len(TARGETS) >= 25 and ("digest channel", "channel") in TARGETS and ("dm on", "timezone") in TARGETS


def test_any_console_line_gets_a_clear_reply(service: PaperService) -> None:
    out = io.StringIO()
    ctx, console = make_ctx(service, out)

    @FUZZ
    @given(st.sampled_from(TARGETS), VALUES)
    def prop(target: tuple[str, str | None], value: str) -> None:
        name, option = target
        line = f"/{name} {option}: {value}" if option else f"/{name} {value}"
        start = out.tell()
        asyncio.run(run_line(ctx, console, line.replace("\n", " ").replace("\r", " ")))
        said = out.getvalue()[start:]
        assert said.strip() and not any(b in said for b in BROKEN), said[:500]

    prop()


def test_any_string_discord_could_send_gets_a_clear_reply(service: PaperService) -> None:
    text_options = [(n, o) for n, o in TARGETS if o and COMMANDS[n].option(o).kind is Kind.TEXT]
    out = io.StringIO()
    ctx, _ = make_ctx(service, out)

    @FUZZ
    @given(st.sampled_from(text_options), st.data())
    def prop(target: tuple[str, str], data: st.DataObject) -> None:
        name, option = target
        spec = COMMANDS[name].option(option)
        value = data.draw(st.one_of(st.text(min_size=spec.min_length or 0, max_size=spec.max_length),
                                    st.sampled_from([s for s in SPECIAL if len(s) <= (spec.max_length or 0)] or ["x"])))
        reply = asyncio.run(invoke(ctx, name, **{option: value}))
        assert reply.content or reply.embeds
        assert not any(b in (reply.content or "") for b in BROKEN)

    prop()


@pytest.mark.parametrize("line", [
    "/digest channel channel: 99999999999999999999",
    "/digest schedule timezone: " + "A" * 5000,
    "/like paper: 2401.0\x001234",
    "/digest schedule size: 99999999999999999999",
])
async def test_the_console_cases_of_issue_12_are_one_clear_line(service: PaperService, line: str) -> None:
    out = io.StringIO()
    ctx, console = make_ctx(service, out)
    assert not await run_line(ctx, console, line)
    said = out.getvalue()
    assert said.startswith("⚠️") and said.count("\n") <= 2 and not any(b in said for b in BROKEN)


async def test_a_nul_in_a_paper_id_from_discord_is_no_database_error(service: PaperService) -> None:
    # Discord delivers whatever the client sent; PostgreSQL refuses NULs in text (it raised DataError).
    out = io.StringIO()
    ctx, _ = make_ctx(service, out)
    reply = await invoke(ctx, "like", paper="2606.17882\x00")
    assert "2606.17882" in (reply.content or "") + "".join(e.title or "" for e in reply.embeds)
    reply = await invoke(ctx, "unsubscribe", topic="\x00graph")
    assert "You don't follow" in (reply.content or "")
