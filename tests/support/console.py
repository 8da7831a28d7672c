"""Run console lines in process and read what a member would see."""

from __future__ import annotations

import io

from rich.console import Console

from bot.console._repl import repl
from recommender.service import PaperService

BOX = str.maketrans({c: " " for c in "│╭╮╰╯─"})


async def console_words(service: PaperService, text: str, user: int = 1) -> tuple[int, str]:
    """The console's exit code and its output's words, without the panels' frames."""
    out = io.StringIO()
    code = await repl(service, user, io.StringIO(text), Console(file=out, width=250, highlight=False))
    return code, " ".join(out.getvalue().translate(BOX).split())
