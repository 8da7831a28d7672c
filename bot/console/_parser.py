"""Parse `/command option: value ...` lines against the registered commands."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from bot.registry import COMMANDS, CommandSpec, Kind, Option

# Discord's bounds: ids are 64-bit snowflakes, integer options lie within ±2**53.
SNOWFLAKE_MAX = 2**63 - 1
INTEGER_MAX = 2**53
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")  # and lone surrogates (bytes that were no UTF-8)
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
    match = re.fullmatch(r"<#(\d{1,30})>|(\d{1,30})", text)
    if match:
        number = int(match.group(1) or match.group(2))
        if not 0 < number <= SNOWFLAKE_MAX:
            raise ParseError(f"{shorten(text)!r} is not a channel id (Discord's ids are at most 19 digits)")
        return number
    if re.fullmatch(r"#[\w-]{1,100}", text):
        return zlib.crc32(text[1:].lower().encode()) or 1
    raise ParseError(f"{shorten(text)!r} is not a channel: use #name or a channel id")


def convert(option: Option, raw: str) -> Any:
    """The value the action gets, within the limits Discord enforces for the option."""
    raw = raw.strip()
    if _CONTROL.search(raw):
        raise ParseError(f"{option.name}: control characters (such as NUL) or undecodable bytes cannot be part of "
                         "a value; type plain text")
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
        if not re.fullmatch(r"[+-]?[0-9]+", raw):
            raise ParseError(f"{option.name}: expected a whole number, got {shorten(raw)!r}")
        if len(raw.lstrip("+-")) > 16 or abs(int(raw)) > INTEGER_MAX:
            huge = -(INTEGER_MAX + 1) if raw.startswith("-") else INTEGER_MAX + 1
            raise ParseError(option.problem(huge) or f"{option.name}: {shorten(raw)} is far too large a number")
        value = int(raw)
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
