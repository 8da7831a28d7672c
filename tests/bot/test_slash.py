"""The slash commands Discord gets are built from the registry: same names, descriptions, options, limits."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from rich.console import Console

from bot.bot import PaperBot
from bot.console._repl import repl
from bot.exts import EXTENSIONS
from bot.registry import COMMANDS, GROUPS, Kind, Option
from bot.slash import fit_choices, slash
from recommender.service import PaperService

TYPES = {Kind.TEXT: 3, Kind.INTEGER: 4, Kind.BOOLEAN: 5, Kind.CHANNEL: 7}


@pytest_asyncio.fixture
async def tree(bare_service: PaperService) -> AsyncIterator[app_commands.CommandTree]:
    """The command tree of a bot with every feature loaded (not connected to Discord)."""
    bot = PaperBot(bare_service, bare_service.settings, extensions=EXTENSIONS)
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    yield bot.tree
    await bot.close()


def leaves(tree: app_commands.CommandTree) -> dict[str, app_commands.Command]:
    found: dict[str, app_commands.Command] = {}
    for command in tree.get_commands():
        for leaf in command.walk_commands() if isinstance(command, app_commands.Group) else [command]:
            if isinstance(leaf, app_commands.Command):  # not a group in a group (/digest topics)
                found[leaf.qualified_name] = leaf
    return found


def expected_option(option: Option) -> dict[str, Any]:
    expected: dict[str, Any] = {"type": TYPES[option.kind], "name": option.name, "description": option.description,
                                "required": option.required}
    if option.kind is Kind.TEXT:
        expected |= {"min_length": option.min_length, "max_length": option.max_length}
    if option.min_value is not None:
        expected["min_value"] = option.min_value
    if option.max_value is not None:
        expected["max_value"] = option.max_value
    if option.kind is Kind.CHANNEL:
        expected["channel_types"] = [0, 5]  # text and announcement channels
    if option.choices:
        expected["choices"] = [{"name": c, "value": c} for c in option.choices]
    if option.suggest is not None:
        expected["autocomplete"] = True
    return expected


async def test_the_tree_is_exactly_the_registry(tree: app_commands.CommandTree) -> None:
    commands = leaves(tree)
    assert set(commands) == set(COMMANDS)
    for name, spec in COMMANDS.items():
        payload = commands[name].to_dict(tree)
        assert (payload["name"], payload["description"]) == (spec.leaf, spec.description)
        assert payload["options"] == [expected_option(o) for o in spec.options], name
    groups = {g.qualified_name: g for c in tree.get_commands() if isinstance(c, app_commands.Group)
              for g in [c, *c.walk_commands()] if isinstance(g, app_commands.Group)}
    assert {n: g.description for n, g in groups.items()} == {n: g.description for n, g in GROUPS.items()}
    assert groups["digest"].guild_only and groups["digest"].default_permissions == discord.Permissions(manage_guild=True)
    assert not groups["dm"].guild_only and groups["dm"].default_permissions is None


async def test_admin_commands_are_hidden_and_guild_only_from_their_declaration(tree: app_commands.CommandTree) -> None:
    """Discord gets default_member_permissions (Manage Server) and contexts [guild] for exactly the admin ones."""
    top = {c.name: c.to_dict(tree) for c in tree.get_commands()}
    admin = {name.split()[0] for name, spec in COMMANDS.items() if spec.admin}
    members = {name.split()[0] for name, spec in COMMANDS.items() if not spec.admin}
    assert {"digest", "stats", "sources"} <= admin and not admin & members
    servers = {name.split()[0] for name, spec in COMMANDS.items() if spec.server_only} | admin
    assert "trending" in servers and "settings" not in servers
    for name, payload in top.items():
        if name in admin:
            assert payload["default_member_permissions"] == discord.Permissions(manage_guild=True).value
        else:
            assert payload["default_member_permissions"] is None, name
        if name in servers:
            assert payload["dm_permission"] is False and payload["contexts"] == [0], name
        else:
            assert payload["dm_permission"] is True and payload["contexts"] != [0], name
    sub = next(o for o in top["digest"]["options"] if o["name"] == "topics")
    assert sub["type"] == 2 and {o["name"] for o in sub["options"]} == {"add", "remove", "list"}


def test_discord_limits_of_every_spec() -> None:
    for spec in COMMANDS.values():
        assert all(w == w.lower() and 1 <= len(w) <= 32 for w in spec.name.split())
        assert 1 <= len(spec.description) <= 100
        for option in spec.options:
            assert 1 <= len(option.description) <= 100 and option.name == option.name.lower()
            if option.kind is Kind.TEXT:
                assert option.max_length is not None and 1 <= option.min_length <= option.max_length <= 6000  # type: ignore[operator]


def test_limits_the_actions_rely_on() -> None:
    assert COMMANDS["subscribe"].option("topic").max_length == 100
    assert COMMANDS["dm on"].option("timezone").max_length == 64
    assert COMMANDS["digest schedule"].option("time").max_length == 5
    size = COMMANDS["digest schedule"].option("size")
    assert (size.min_value, size.max_value) == (1, 25)
    for name in ("like", "save", "dismiss", "unsave", "similar", "why"):
        assert COMMANDS[name].option("paper").max_length == 300  # an id, an arxiv.org link or a title
        assert COMMANDS[name].option("paper").suggest is not None  # autocomplete over titles
    assert COMMANDS["unsubscribe"].option("topic").suggest is not None


def test_a_sub_command_needs_its_group() -> None:
    with pytest.raises(ValueError, match="belongs in the group 'digest'"):
        slash("digest now")
    with pytest.raises(ValueError, match="belongs in the group None"):
        slash("like", parent=app_commands.Group(name="digest", description="d"))


async def test_help_lists_every_command_in_the_console(bare_service: PaperService) -> None:
    out = io.StringIO()
    code = await repl(bare_service, 1, io.StringIO("/help\n"), Console(file=out, width=250, highlight=False))
    assert code == 0
    text = out.getvalue()
    for name in COMMANDS:
        assert f"/{name}" in text, name
    for group in GROUPS.values():
        assert group.description in text


def test_autocomplete_choices_are_fitted_to_discords_limits() -> None:
    offered = [("n" * 150, "id-1"), ("short", "v" * 101), ("  spaced\n name ", "id-2"), ("", "id-3")]
    offered += [f"topic {i}" for i in range(40)]
    made = fit_choices(offered)
    assert len(made) == 25
    assert (made[0].name, made[0].value) == ("n" * 99 + "…", "id-1")  # a long name shortened, its value kept
    assert (made[1].name, made[1].value) == ("spaced name", "id-2")  # too long a value, or no name: left out
    assert [c.value for c in made[2:4]] == ["topic 0", "topic 1"]
