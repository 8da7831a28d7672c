"""Feedback controls under picks and digests: buttons for a few papers, selects for more."""

from __future__ import annotations

from collections.abc import Callable

import discord

from bot.ui.feedback import (
    MAX_OPTIONS,
    FeedbackButton,
    FeedbackSelect,
    feedback_view,
)

KINDS = ("like", "dismiss", "save", "more")
LONGEST_ID = "x" * 64  # the longest id the custom-id template accepts


def components(view: discord.ui.View) -> list[list[dict]]:
    return [row["components"] for row in view.to_components()]


async def test_up_to_five_papers_get_buttons(discord_limits: Callable[..., list[str]]) -> None:
    ids = ["2606.17882", "hep-th/9901001", "math.AG/0601001", "2606.00001", LONGEST_ID]
    view = feedback_view(ids)
    rows = components(view)
    assert len(rows) == 5
    for number, (row, pid) in enumerate(zip(rows, ids), start=1):
        assert [c["type"] for c in row] == [2, 2, 2, 2]  # buttons
        assert [c["custom_id"] for c in row] == [f"pb:{kind}:{pid}" for kind in KINDS]
        assert [c["label"] for c in row] == [f"{number} · Like", "Not interested", "Save", "More like this"]
        assert [c["emoji"]["name"] for c in row] == ["👍", "👎", "💾", "🔎"]
        for c in row:
            assert len(c["custom_id"]) <= 100
            # After a restart, discord.py finds the button again by its custom id.
            assert FeedbackButton.__discord_ui_compiled_template__.fullmatch(c["custom_id"])
    assert view.timeout is None  # persistent
    assert discord_limits(None, [], view) == []


async def test_a_button_is_rebuilt_from_its_custom_id() -> None:
    item = discord.ui.Button(custom_id="pb:save:hep-th/9901001")
    match = FeedbackButton.__discord_ui_compiled_template__.fullmatch(item.custom_id)
    rebuilt = await FeedbackButton.from_custom_id(None, item, match)  # type: ignore[arg-type]
    assert (rebuilt.kind, rebuilt.paper_id) == ("save", "hep-th/9901001")
    assert rebuilt.item.custom_id == item.custom_id


async def test_more_than_five_papers_get_four_selects(discord_limits: Callable[..., list[str]]) -> None:
    ids = [f"2606.{n:05d}" for n in range(6)]
    titles = [f"Title {n} " + "long " * 50 for n in range(6)]
    view = feedback_view(ids, titles)
    rows = components(view)
    assert len(rows) == 4
    for row, kind in zip(rows, KINDS):
        (select,) = row
        assert select["type"] == 3 and select["custom_id"] == f"pb:pick:{kind}"
        assert FeedbackSelect.__discord_ui_compiled_template__.fullmatch(select["custom_id"])
        assert [o["value"] for o in select["options"]] == ids
        assert select["options"][0]["label"].startswith("1. Title 0")
        assert all(len(o["label"]) <= 100 for o in select["options"])
        assert select["max_values"] == (1 if kind == "more" else len(ids))  # more like one paper at a time
    assert discord_limits(None, [], view) == []


async def test_selects_hold_at_most_25_papers(discord_limits: Callable[..., list[str]]) -> None:
    ids = [f"2606.{n:05d}" for n in range(40)]
    view = feedback_view(ids)
    for (select,) in components(view):
        assert len(select["options"]) == MAX_OPTIONS
        assert select["max_values"] == (1 if select["custom_id"] == "pb:pick:more" else MAX_OPTIONS)
    assert discord_limits(None, [], view) == []


async def test_no_papers_no_controls() -> None:
    assert feedback_view([]).children == []
