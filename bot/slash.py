"""Discord slash commands built from the registry's specs (names, descriptions, options, limits).

In a cog's class body:

    like = slash("like")                                  # /like paper
    digest = slash_group("digest")                        # /digest ...
    channel = slash("digest channel", parent=digest, guard=can_post_there)
    topics = slash_group("digest topics", parent=digest)  # /digest topics ...
    add = slash("digest topics add", parent=topics)

The callback defers, runs the action through `respond` and sends its reply.
A `guard` may refuse before that with an immediate reply (e.g. a permission
pre-check); an option with `suggest` gets Discord autocomplete.

A top-level command or group whose commands are all declared `admin=True`
is hidden from members without Manage Server (Discord's
`default_member_permissions`) and offered in servers only (not in DMs); one
declared `server_only=True` is offered in servers only. `registry.invoke`
checks the same on the server side.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Optional

import discord
from discord import app_commands

from bot.context import Reply
from bot.interactions import invoker_from, respond, send_reply
from bot.registry import COMMANDS, GROUPS, Kind, Option, Suggest, admin_only, servers_only

Guard = Callable[[discord.Interaction, dict[str, Any]], Reply | None]
CHOICES_MAX = 25
CHOICE_MAX = 100
ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)


def _restrict(command: app_commands.Command | app_commands.Group, name: str) -> None:
    """Admin commands: for Manage Server only, in servers only (Discord hides them from everyone else);
    a server's own commands (e.g. /trending): in servers only."""
    if servers_only(name):
        command.guild_only = True  # dm_permission: false
        command.allowed_contexts = app_commands.AppCommandContext(guild=True)  # contexts: [0], servers only
    if admin_only(name):
        command.default_permissions = ADMIN_PERMISSIONS


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


def fit_choices(offered: list[str] | list[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Discord's autocomplete limits: at most 25 choices, names and values of 1-100 characters
    (a longer name is shortened with an ellipsis; a value too long to send is left out)."""
    made: list[app_commands.Choice[str]] = []
    for item in offered:
        name, value = (item, item) if isinstance(item, str) else item
        name = " ".join(name.split())
        if not value or len(value) > CHOICE_MAX or not name:
            continue
        if len(name) > CHOICE_MAX:
            name = name[: CHOICE_MAX - 1].rstrip() + "…"
        made.append(app_commands.Choice(name=name, value=value))
        if len(made) == CHOICES_MAX:
            break
    return made


def _autocomplete(suggest: Suggest) -> Callable[..., Any]:
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return fit_choices(await suggest(invoker_from(interaction), current))

    return complete


def slash(name: str, *, parent: app_commands.Group | None = None, guard: Guard | None = None) -> app_commands.Command:
    """The slash command of a registered spec (`parent` for a sub-command such as `digest channel`)."""
    spec = COMMANDS[name]
    if (parent.qualified_name if parent else None) != spec.parent:
        raise ValueError(f"/{name} belongs in the group {spec.parent!r}")
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
    else:
        _restrict(command, spec.name)
    return command


def slash_group(name: str, *, parent: app_commands.Group | None = None, **kwargs: Any) -> app_commands.Group:
    """A declared command group, e.g. `slash_group("digest")`, or `slash_group("digest topics", parent=digest)`.

    Admin-only groups get their visibility from the declarations; `kwargs` go to `app_commands.Group`.
    """
    spec = GROUPS[name]
    expected = spec.name.rsplit(" ", 1)[0] if " " in spec.name else None
    if (parent.qualified_name if parent else None) != expected:
        raise ValueError(f"/{name} belongs in the group {expected!r}")
    group = app_commands.Group(name=spec.name.split()[-1], description=spec.description, parent=parent, **kwargs)
    if parent is None:
        _restrict(group, spec.name)
    return group
