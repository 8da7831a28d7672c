"""Fixtures for the Discord adapter's tests.

The adapter only talks to `PaperService`, whose storage runs on both backends in
tests/recommender; here SQLite is enough, so `backend` is not parametrised.
`discord_harness` (from tests/e2e/fakediscord) runs real discord.py clients
against the Discord API emulator.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import discord
import pytest

from bot.exts import load_actions
from recommender.service import PaperService

# The Discord API emulator of the e2e suite, for the publisher's and the scheduler's tests.
_E2E = str(Path(__file__).resolve().parents[1] / "e2e")
if _E2E not in sys.path:
    sys.path.insert(0, _E2E)

from fakediscord.pytest_plugin import discord_harness, fakediscord  # noqa: E402,F401 - registers the fixtures

# Discord's documented limits (https://discord.com/developers/docs/resources/message).
EMBED_LIMITS = {"title": 256, "description": 4096, "field_name": 256, "field_value": 1024, "footer": 2048, "author": 256}
EMBED_TOTAL, EMBEDS_PER_MESSAGE, FIELDS_PER_EMBED, CONTENT = 6000, 10, 25, 2000
CUSTOM_ID, ROWS, BUTTONS_PER_ROW, OPTIONS, OPTION_TEXT, PLACEHOLDER, BUTTON_LABEL = 100, 5, 5, 25, 100, 150, 80


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(autouse=True, scope="session")
def _actions() -> None:
    load_actions()


def embed_problems(embed: discord.Embed) -> list[str]:
    """Every way an embed breaks Discord's limits (empty when it fits)."""
    data = embed.to_dict()
    problems: list[str] = []
    sizes = {
        "title": len(data.get("title", "")),
        "description": len(data.get("description", "")),
        "footer": len(data.get("footer", {}).get("text", "")),
        "author": len(data.get("author", {}).get("name", "")),
    }
    for name, size in sizes.items():
        if size > EMBED_LIMITS[name]:
            problems.append(f"{name} has {size} characters")
    fields = data.get("fields", [])
    if len(fields) > FIELDS_PER_EMBED:
        problems.append(f"{len(fields)} fields")
    for field in fields:
        if not 0 < len(field["name"]) <= EMBED_LIMITS["field_name"]:
            problems.append(f"field name of {len(field['name'])} characters")
        if not 0 < len(field["value"]) <= EMBED_LIMITS["field_value"]:
            problems.append(f"field value of {len(field['value'])} characters")
    return problems


def message_problems(content: str | None, embeds: list[discord.Embed], view: discord.ui.View | None = None) -> list[str]:
    problems = [p for e in embeds for p in embed_problems(e)]
    if content and len(content) > CONTENT:
        problems.append(f"content has {len(content)} characters")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    for e in embeds:
        data = e.to_dict()
        total += len(data.get("title", "")) + len(data.get("description", ""))
        total += len(data.get("footer", {}).get("text", "")) + len(data.get("author", {}).get("name", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))
    if total > EMBED_TOTAL:
        problems.append(f"embeds total {total} characters")
    if view is not None:
        problems.extend(view_problems(view))
    return problems


def view_problems(view: discord.ui.View) -> list[str]:
    rows = view.to_components()
    problems = [f"{len(rows)} rows"] if len(rows) > ROWS else []
    for row in rows:
        items = row["components"]
        selects = [c for c in items if c["type"] == 3]
        if selects and len(items) > 1:
            problems.append("a select shares its row")
        if len(items) > BUTTONS_PER_ROW:
            problems.append(f"{len(items)} items in a row")
        for item in items:
            if len(item.get("custom_id", "")) > CUSTOM_ID:
                problems.append(f"custom id of {len(item['custom_id'])} characters")
            if len(item.get("label", "")) > BUTTON_LABEL:
                problems.append("button label too long")
            if item["type"] == 3:
                options = item["options"]
                if not 0 < len(options) <= OPTIONS or item["max_values"] > len(options):
                    problems.append(f"select with {len(options)} options, max_values {item['max_values']}")
                if len(item.get("placeholder", "")) > PLACEHOLDER:
                    problems.append("placeholder too long")
                for option in options:
                    if len(option["label"]) > OPTION_TEXT or len(option["value"]) > OPTION_TEXT:
                        problems.append("option label or value too long")
                if len({o["value"] for o in options}) != len(options):
                    problems.append("duplicate option values")
    ids = [c["custom_id"] for row in rows for c in row["components"] if "custom_id" in c]
    if len(ids) != len(set(ids)):
        problems.append("duplicate custom ids")
    return problems


@pytest.fixture
def discord_limits() -> Callable[..., list[str]]:
    """`discord_limits(content, embeds, view)` lists every broken Discord limit."""
    return message_problems


@pytest.fixture
def absurd_papers(service: PaperService, tmp_path: Path) -> Callable[[int], list[str]]:
    """`absurd_papers(n)` ingests n papers with everything too long and full of Markdown
    (all about graph neural networks, so they top a GNN subscriber's picks); returns their ids."""

    def ingest(n: int) -> list[str]:
        records = [
            {
                "id": f"2607.{i:05d}",
                "title": f"Graph neural networks **bold** _it_ `code` ||spoiler|| {i} " + "Ω very long title " * 400,
                "abstract": "Graph neural networks *everywhere* " * 3000,
                "authors": [f"Author {a} " + "von und zu " * 40 for a in range(500)],
                "categories": [f"cs.{c}" for c in ("LG", "AI", "CL", "CV", "NE", "IR")],
                "published": service.stats()["newest_paper"],
            }
            for i in range(1, n + 1)
        ]
        path = tmp_path / "absurd.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        assert service.ingest_file(path).new == n
        return [r["id"] for r in records]

    return ingest
