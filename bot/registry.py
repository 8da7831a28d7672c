"""The registry of command actions, shared by the slash-command cogs and the console.

An action is `async def name(ctx: Invoker, **options) -> Reply`. Registering it
here lets the console find it by its slash-command name ("digest channel").
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

from bot.context import Invoker, Reply
from recommender.errors import PaperbotError

Action = Callable[..., Awaitable[Reply]]


@dataclass(frozen=True)
class Option:
    name: str
    kind: type
    required: bool
    description: str
    default: Any = None


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    options: tuple[Option, ...]
    action: Action
    admin: bool = False


COMMANDS: dict[str, CommandSpec] = {}


def _kind(hint: Any) -> type:
    for candidate in (bool, int, str):
        if hint is candidate or candidate in getattr(hint, "__args__", ()):
            return candidate
    return str


def command(name: str, description: str, admin: bool = False, **describe: str) -> Callable[[Action], Action]:
    """Register an action under its slash-command name; `describe` documents options."""

    def register(fn: Action) -> Action:
        hints = get_type_hints(fn)
        options = []
        for param in list(inspect.signature(fn).parameters.values())[1:]:
            required = param.default is inspect.Parameter.empty
            options.append(
                Option(
                    param.name,
                    _kind(hints.get(param.name, str)),
                    required,
                    describe.get(param.name, param.name),
                    None if required else param.default,
                )
            )
        COMMANDS[name] = CommandSpec(name, description, tuple(options), fn, admin)
        return fn

    return register


def describe(name: str) -> dict[str, str]:
    """Option descriptions of a registered command, for `app_commands.describe`."""
    return {o.name: o.description for o in COMMANDS[name].options}


async def invoke(ctx: Invoker, name: str, **options: Any) -> Reply:
    """Run a command's action with the server-side permission check and clear errors."""
    spec = COMMANDS[name]
    if spec.admin and not ctx.can_manage_guild:
        return Reply.error("Only members with the **Manage Server** permission can do that.")
    try:
        return await spec.action(ctx, **options)
    except PaperbotError as exc:
        return Reply.error(str(exc))
