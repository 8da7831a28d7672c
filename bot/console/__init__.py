"""The local console: the bot's slash commands as text, printing what the bot would post."""

from bot.console._repl import run_console

__all__ = ["run_console"]
