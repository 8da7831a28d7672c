"""The read-eval-print loop: one line, one slash command."""

from __future__ import annotations

import asyncio
import logging
import readline  # noqa: F401  (line editing and history for input())
import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text

from bot.console._parser import ParseError, parse
from bot.console._render import render
from bot.context import Attachment, Invoker, Reply
from bot.exts import load_actions
from bot.registry import invoke
from recommender.service import PaperService

log = logging.getLogger(__name__)

# The console plays one member (an admin) of one local server.
CONSOLE_GUILD = 1
CONSOLE_CHANNEL = 1
EXIT = {"/quit", "/exit", "quit", "exit"}
EXPORTS = "exports"  # the data directory's folder for the files a reply attaches
WELCOME = (
    "paperbot console: type the bot's slash commands, e.g.\n"
    "  /subscribe topic: graph neural networks\n  /recommend\n  /topics\n"
    "/help lists every command; /quit leaves."
)


class ConsolePublisher:
    """'Posts' digests by printing them; their files (e.g. a digest header's chart) are saved in `folder`."""

    def __init__(self, console: Console, folder: Path | None = None) -> None:
        self.console = console
        self.folder = folder

    def mention(self, channel_id: int) -> str:
        return "#console" if channel_id == CONSOLE_CHANNEL else f"#channel-{channel_id}"

    def _show(self, reply: Reply, where: str) -> None:
        render(self.console, reply, where)
        for attachment in reply.files:
            if self.folder is None:
                self.console.print(Text(f"📎 {attachment.filename} ({len(attachment.data):,} bytes)", style="green"))
            else:
                path = save_attachment(self.folder, attachment)
                self.console.print(Text(f"📎 saved {attachment.filename} ({len(attachment.data):,} bytes) to {path}",
                                        style="green"))

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None:
        self._show(reply, f"── posted in {self.mention(channel_id)} ──")
        return None

    async def to_user(self, user_id: int, reply: Reply) -> int | None:
        self._show(reply, f"── sent by DM to user {user_id} ──")
        return None

    async def open_thread(self, channel_id: int, name: str, reply: Reply) -> int | None:
        self._show(reply, f"── thread “{name}” opened in {self.mention(channel_id)} ──")
        return None

    async def thread_exists(self, thread_id: int) -> bool:
        return False


def _prompt() -> str:
    try:
        return input("paperbot> ") + "\n"
    except EOFError:
        return ""


async def run_line(ctx: Invoker, console: Console, line: str) -> bool:
    """Run one command line; False when it failed."""
    try:
        parsed = parse(line)
    except ParseError as exc:
        console.print(Text(f"⚠️ {exc}", style="yellow"))
        return False
    try:
        reply = await invoke(ctx, parsed.spec.name, **parsed.options)
    except Exception as exc:  # noqa: BLE001 - a bug: say so in one line and keep the session
        log.exception("/%s failed", parsed.spec.name)
        console.print(Text(f"⚠️ Something went wrong on my side ({type(exc).__name__}: {exc})", style="red"))
        return False
    render(console, reply)
    for attachment in reply.files:  # Discord attaches them; the console saves them in the data directory
        path = save_attachment(ctx.service.settings.data_dir / EXPORTS, attachment)
        console.print(Text(f"📎 saved {attachment.filename} ({len(attachment.data):,} bytes) to {path}", style="green"))
    return not reply.failed  # a notice above a good reply (e.g. a failed digest, told to an admin) is no failure


def save_attachment(folder: Path, attachment: Attachment) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(attachment.filename).name
    path.write_bytes(attachment.data)
    return path


async def repl(service: PaperService, user_id: int, stream: TextIO, console: Console) -> int:
    interactive = stream.isatty()
    ctx = Invoker(
        service=service, user_id=user_id, guild_id=CONSOLE_GUILD, channel_id=CONSOLE_CHANNEL,
        can_manage_guild=True, guild_name="console",
        publisher=ConsolePublisher(console, service.settings.data_dir / EXPORTS),
    )
    if interactive:
        console.print(WELCOME)
    failures = 0
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, _prompt if interactive else stream.readline)
        if not line:
            break
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() in EXIT:
            break
        if not interactive:
            shown = line if len(line) <= 200 else line[:200] + f"… ({len(line):,} characters)"
            console.print(Text(f"> {shown}", style="bold cyan"))
        failures += not await run_line(ctx, console, line)
    return 1 if failures and not interactive else 0


def run_console(service: PaperService, user_id: int = 1, stream: TextIO | None = None) -> int:
    """Run the console on stdin (a prompt on a terminal, line by line from a pipe)."""
    load_actions()
    console = Console(highlight=False)
    return asyncio.run(repl(service, user_id, stream or sys.stdin, console))
