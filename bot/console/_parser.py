"""Parse `/command option: value ...` lines against the registered commands."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from bot.registry import COMMANDS, CommandSpec, Kind, Option

TRUE = {"true", "yes", "on", "1", "y"}
FALSE = {"false", "no", "off", "0", "n"}


class ParseError(ValueError):
    pass


@dataclass
class Parsed:
    spec: CommandSpec
    options: dict[str, Any]


def channel_id(text: str) -> int:
    """`123`, `<#123>` or `#name` (a stable local id for a named console channel)."""
    text = text.strip()
    match = re.fullmatch(r"<#(\d+)>|(\d+)", text)
    if match:
        return int(match.group(1) or match.group(2))
    if re.fullmatch(r"#[\w-]{1,100}", text):
        return zlib.crc32(text[1:].lower().encode()) or 1
    raise ParseError(f"{shorten(text)!r} is not a channel: use #name or a channel id")


def convert(option: Option, raw: str) -> Any:
    """The value the action gets, within the limits Discord enforces for the option."""
    raw = raw.strip()
    value: Any = raw
    if option.kind is Kind.BOOLEAN:
        if raw.lower() not in TRUE | FALSE:
            raise ParseError(f"{option.name}: expected yes or no, got {shorten(raw)!r}")
        value = raw.lower() in TRUE
    elif option.kind is Kind.CHANNEL:
        value = channel_id(raw)
    elif option.choices:  # "On" is "on", as picking it from Discord's list would give
        value = next((c for c in option.choices if c.casefold() == raw.casefold()), raw)
    elif option.kind is Kind.INTEGER:
        try:
            value = int(raw)
        except ValueError:
            raise ParseError(f"{option.name}: expected a whole number, got {shorten(raw)!r}") from None
    problem = option.problem(value)
    if problem:
        raise ParseError(problem)
    return value


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_command(words: list[str]) -> tuple[CommandSpec, int]:
    for size in (3, 2, 1):  # /digest topics add, /digest channel, /topics
        name = " ".join(words[:size]).lower()
        if len(words) >= size and name in COMMANDS:
            return COMMANDS[name], size
    raise ParseError(f"unknown command /{shorten(' '.join(words[:3]))}. Type /help for the list.")


def parse(line: str) -> Parsed:
    text = line.strip()
    if not text.startswith("/"):
        raise ParseError("commands start with /, e.g. /subscribe topic: diffusion models")
    words = text[1:].split()
    if not words:
        raise ParseError("type a command after /, e.g. /help")
    spec, used = find_command(words)
    rest = text[1:].split(None, used)[used] if len(text[1:].split(None, used)) > used else ""
    names = "|".join(re.escape(o.name) for o in spec.options)
    options: dict[str, Any] = {}
    if rest.strip():
        marks = list(re.finditer(rf"(?:^|\s)({names}):", rest)) if names else []
        if not marks:
            required = [o for o in spec.options if o.required] or list(spec.options[:1])
            if len(required) != 1:
                raise ParseError(f"name the options, e.g. /{spec.name} " + " ".join(f"{o.name}: …" for o in spec.options))
            options[required[0].name] = convert(required[0], rest)
        else:
            if rest[: marks[0].start()].strip():
                raise ParseError(f"unexpected text {rest[: marks[0].start()].strip()!r} before the options")
            for i, mark in enumerate(marks):
                end = marks[i + 1].start() if i + 1 < len(marks) else len(rest)
                option = next(o for o in spec.options if o.name == mark.group(1))
                options[option.name] = convert(option, rest[mark.end() : end])
    missing = [o.name for o in spec.options if o.required and o.name not in options]
    if missing:
        raise ParseError(f"/{spec.name} needs " + ", ".join(f"{m}: …" for m in missing))
    return Parsed(spec, options)
