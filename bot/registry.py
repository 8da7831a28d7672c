"""The registry of command actions: each command declared once, for Discord, the console and /help.

An action is `async def name(ctx: Invoker, **options) -> Reply`. `@command(...)`
registers it under its slash-command name ("digest channel") with its
description and, per option, a description and the limits Discord enforces
(`text(...)`, `number(...)`, `channel(...)`). The option's kind and whether it
is required come from the action's signature. `bot.slash` builds the Discord
commands from these specs; the console parser checks the same limits.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, get_type_hints

import discord

from bot.context import Invoker, Reply
from recommender.errors import PaperbotError

Action = Callable[..., Awaitable[Reply]]
# Autocomplete: the values worth offering, each a value or (what is shown, the value).
Suggest = Callable[[Invoker, str], Awaitable[list[str] | list[tuple[str, str]]]]

# Discord's limits for application commands.
NAME = re.compile(r"[a-z0-9_-]{1,32}")
DESCRIPTION_MAX = 100
OPTIONS_MAX = 25


class Kind(enum.Enum):
    TEXT = "text"
    INTEGER = "whole number"
    BOOLEAN = "yes or no"
    CHANNEL = "text channel"  # the action gets the channel id


@dataclass(frozen=True)
class Option:
    name: str
    description: str
    kind: Kind = Kind.TEXT
    required: bool = True
    default: Any = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: tuple[str, ...] = ()
    suggest: Suggest | None = None  # autocomplete: the values worth offering for what was typed

    def problem(self, value: Any) -> str | None:
        """Why Discord would refuse `value` for this option (None when it is fine)."""
        if self.kind is Kind.TEXT:
            if self.min_length is not None and len(value) < self.min_length:
                return f"{self.name} needs at least {self.min_length} character{'s' * (self.min_length != 1)}"
            if self.max_length is not None and len(value) > self.max_length:
                return f"{self.name} can be at most {self.max_length} characters (this one has {len(value):,})"
        if self.kind is Kind.INTEGER:
            if self.min_value is not None and value < self.min_value:
                return f"{self.name} must be at least {self.min_value}"
            if self.max_value is not None and value > self.max_value:
                return f"{self.name} can be at most {self.max_value}"
        if self.choices and value not in self.choices:
            return f"{self.name} must be one of {', '.join(self.choices)}"
        return None


def text(description: str, *, min_length: int = 1, max_length: int, choices: tuple[str, ...] = (),
         suggest: Suggest | None = None) -> Option:
    """A string option (its name, kind and whether it is required come from the action)."""
    return Option("", description, Kind.TEXT, min_length=min_length, max_length=max_length, choices=choices,
                  suggest=suggest)


def number(description: str, *, min_value: int | None = None, max_value: int | None = None) -> Option:
    return Option("", description, Kind.INTEGER, min_value=min_value, max_value=max_value)


def channel(description: str) -> Option:
    """A text channel; the action gets its id (`channel: int`)."""
    return Option("", description, Kind.CHANNEL)


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    options: tuple[Option, ...]
    action: Action
    admin: bool = False
    area: str = ""  # the feature that declares it, e.g. "library" (for /help)

    @property
    def group(self) -> str | None:
        """`digest` for `digest channel`; None for a top-level command."""
        return self.name.split()[0] if " " in self.name else None

    @property
    def leaf(self) -> str:
        return self.name.split()[-1]

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)


@dataclass(frozen=True)
class GroupSpec:
    name: str
    description: str


COMMANDS: dict[str, CommandSpec] = {}
GROUPS: dict[str, GroupSpec] = {}


def _area(module: str) -> str:
    """`bot.exts.library._actions` -> `library`."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", "exts"] else parts[-1]


def _kind(hint: Any, declared: Kind) -> Kind:
    if declared is Kind.CHANNEL:
        return Kind.CHANNEL
    for candidate, kind in ((bool, Kind.BOOLEAN), (int, Kind.INTEGER), (str, Kind.TEXT)):
        if hint is candidate or candidate in getattr(hint, "__args__", ()):
            return kind
    return Kind.TEXT


def _check_description(what: str, description: str) -> None:
    if not 1 <= len(description) <= DESCRIPTION_MAX:
        raise ValueError(f"{what}: a description has 1-{DESCRIPTION_MAX} characters, not {len(description)}")


def group(name: str, description: str) -> GroupSpec:
    """Declare a command group, e.g. `/digest ...`."""
    if not NAME.fullmatch(name):
        raise ValueError(f"bad group name {name!r}")
    _check_description(f"/{name}", description)
    spec = GroupSpec(name, description)
    GROUPS[name] = spec
    return spec


def command(name: str, description: str, admin: bool = False, **options: Option) -> Callable[[Action], Action]:
    """Register an action under its slash-command name; `options` declare its options."""

    def register(fn: Action) -> Action:
        if len(name.split()) > 2 or not all(NAME.fullmatch(w) for w in name.split()):
            raise ValueError(f"bad command name {name!r}")
        _check_description(f"/{name}", description)
        hints = get_type_hints(fn)
        params = list(inspect.signature(fn).parameters.values())[1:]
        if set(options) != {p.name for p in params}:
            raise ValueError(f"/{name}: declare exactly the options {[p.name for p in params]}, not {sorted(options)}")
        declared = []
        for param in params:
            required = param.default is inspect.Parameter.empty
            option = options[param.name]
            kind = _kind(hints.get(param.name, str), option.kind)
            if kind is Kind.TEXT and option.max_length is None:
                raise ValueError(f"/{name} {param.name}: a text option needs max_length")
            _check_description(f"/{name} {param.name}", option.description)
            declared.append(replace(option, name=param.name, kind=kind, required=required,
                                    default=None if required else param.default))
        flags = [o.required for o in declared]
        if flags != sorted(flags, reverse=True):
            raise ValueError(f"/{name}: required options come first (Discord lists them so)")
        if len(declared) > OPTIONS_MAX:
            raise ValueError(f"/{name}: at most {OPTIONS_MAX} options")
        COMMANDS[name] = CommandSpec(name, description, tuple(declared), fn, admin, _area(fn.__module__))
        return fn

    return register


CONTENT_MAX = 2000  # Discord's limit for a message's text
EMBEDS_MAX = 10


def with_notices(reply: Reply, notices: list[str]) -> Reply:
    """The reply with what the member is owed (e.g. "your DM digest stopped") above it, within Discord's limits."""
    if not notices:
        return reply
    text = "\n".join(notices)
    combined = f"{text}\n\n{reply.content}" if reply.content else text
    if len(combined) <= CONTENT_MAX:
        reply.content = combined
    elif len(reply.embeds) < EMBEDS_MAX:
        reply.embeds = [discord.Embed(description=text[:4096])] + reply.embeds
    return reply


async def invoke(ctx: Invoker, name: str, **options: Any) -> Reply:
    """Run a command's action with the server-side permission check and clear errors.

    Every command notes the member (and the server they use it in, so their
    topics count in its digest) and carries the notices they are owed, once.
    """
    spec = COMMANDS[name]
    notices = await ctx.call(ctx.service.member_seen, ctx.user_id, ctx.guild_id)
    if spec.admin and ctx.guild_id is None:  # a server's admin commands mean nothing in DMs
        return with_notices(Reply.error("Use this command in a server, not in DMs."), notices)
    if spec.admin and not ctx.can_manage_guild:
        return with_notices(Reply.error("Only members with the **Manage Server** permission can do that."), notices)
    try:
        reply = await spec.action(ctx, **options)
    except PaperbotError as exc:
        reply = Reply.error(str(exc))
    return with_notices(reply, notices)
