"""Ingestion registers no command actions yet; the admin command comes with the Discord issue.

The module exists because `bot.exts.load_actions` imports `<extension>._actions`
for every extension.
"""
