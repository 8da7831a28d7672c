"""Discord slash commands built from the registry's specs (names, descriptions, options, limits).

In a cog's class body:

    like = slash("like")                                  # /like paper
    digest = slash_group("digest", guild_only=True)       # /digest ...
    channel = slash("digest channel", parent=digest, guard=can_post_there)

The callback defers, runs the action through `respond` and sends its reply.
A `guard` may refuse before that with an immediate reply (e.g. a permission
pre-check); an option with `suggest` gets Discord autocomplete.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Optional

import discord
from discord import app_commands

from bot.context import Reply
from bot.interactions import invoker_from, respond, send_reply
from bot.registry import COMMANDS, GROUPS, Kind, Option, Suggest

Guard = Callable[[discord.Interaction, dict[str, Any]], Reply | None]
CHOICES_MAX = 25
CHOICE_MAX = 100


def annotation(option: Option) -> Any:
    """The type discord.py turns into this option's Discord type and limits."""
    base: Any
    if option.kind is Kind.TEXT:
        base = app_commands.Range[str, option.min_length, option.max_length]
    elif option.kind is Kind.INTEGER:
        ranged = option.min_value is not None or option.max_value is not None
        base = app_commands.Range[int, option.min_value, option.max_value] if ranged else int
    elif option.kind is Kind.BOOLEAN:
        base = bool
    else:
        base = discord.TextChannel
    return base if option.required else Optional[base]  # noqa: UP045  (discord.py reads typing.Optional)


def _autocomplete(suggest: Suggest) -> Callable[..., Any]:
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        values = await suggest(invoker_from(interaction), current)
        pairs = [v if isinstance(v, tuple) else (v, v) for v in values]  # (shown, value), or the value alone
        return [app_commands.Choice(name=shown[:CHOICE_MAX], value=value)
                for shown, value in pairs if len(value) <= CHOICE_MAX][:CHOICES_MAX]

    return complete


def slash(name: str, *, parent: app_commands.Group | None = None, guard: Guard | None = None) -> app_commands.Command:
    """The slash command of a registered spec (`parent` for a sub-command such as `digest channel`)."""
    spec = COMMANDS[name]
    if (parent.name if parent else None) != spec.group:
        raise ValueError(f"/{name} belongs in the group {spec.group!r}")
    channels = [o.name for o in spec.options if o.kind is Kind.CHANNEL]

    async def callback(cog: Any, interaction: discord.Interaction, **options: Any) -> None:
        if guard is not None and (refusal := guard(interaction, options)) is not None:
            await send_reply(interaction, refusal)
            return
        for key in channels:
            if options.get(key) is not None:
                options[key] = options[key].id
        await respond(interaction, spec.name, **options)

    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("cog", positional), inspect.Parameter("interaction", positional, annotation=discord.Interaction)]
        + [
            inspect.Parameter(o.name, positional, annotation=annotation(o),
                              default=inspect.Parameter.empty if o.required else o.default)
            for o in spec.options
        ]
    )
    # A method of the cog for discord.py (it passes the cog first), from the feature's module.
    callback.__name__ = spec.leaf
    callback.__qualname__ = f"{spec.area or 'commands'}.{spec.name.replace(' ', '_')}"
    callback.__module__ = spec.action.__module__
    app_commands.describe(**{o.name: o.description for o in spec.options})(callback)
    choices = {o.name: [app_commands.Choice(name=c, value=c) for c in o.choices] for o in spec.options if o.choices}
    if choices:
        app_commands.choices(**choices)(callback)
    suggest = {o.name: _autocomplete(o.suggest) for o in spec.options if o.suggest is not None}
    if suggest:
        app_commands.autocomplete(**suggest)(callback)
    command = app_commands.Command(name=spec.leaf, description=spec.description, callback=callback, parent=parent)
    if parent is not None:
        parent.add_command(command)
    return command


def slash_group(name: str, **kwargs: Any) -> app_commands.Group:
    """A declared command group, e.g. `slash_group("digest", guild_only=True, default_permissions=...)`."""
    spec = GROUPS[name]
    return app_commands.Group(name=spec.name, description=spec.description, **kwargs)
