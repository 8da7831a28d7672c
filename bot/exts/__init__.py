"""Bot features, one package per area: a thin `_cog.py` over `_actions.py`."""

EXTENSIONS = (
    "bot.exts.topics",
    "bot.exts.recommend",
    "bot.exts.library",
    "bot.exts.digest",
    "bot.exts.meta",
    "bot.exts.ingest",
)


def load_actions() -> None:
    """Import every feature's actions so the console knows all commands."""
    from importlib import import_module

    for extension in EXTENSIONS:
        import_module(f"{extension}._actions")
