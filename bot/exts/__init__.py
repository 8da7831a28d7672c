"""Bot features, one package per area: a thin `_cog.py` over private modules (`_actions.py` ...)."""

from importlib import import_module
from importlib.util import find_spec

EXTENSIONS = (
    "bot.exts.topics",
    "bot.exts.recommend",
    "bot.exts.library",
    "bot.exts.profile",
    "bot.exts.digest",
    "bot.exts.meta",
    "bot.exts.server",
    "bot.exts.ingest",
    "bot.exts.authors",
    "bot.exts.filters",
    "bot.exts.onboarding",
    "bot.exts.discuss",
)


def load_actions() -> None:
    """Import every feature's command actions so the console knows all commands."""
    for extension in EXTENSIONS:
        if find_spec(f"{extension}._actions") is not None:  # ingest has jobs, no commands
            import_module(f"{extension}._actions")
