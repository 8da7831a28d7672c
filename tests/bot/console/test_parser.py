"""The console's parser: `/command option: value ...` lines against the registered commands."""

from __future__ import annotations

import zlib

import pytest

from bot.console._parser import ParseError, channel_id, parse


def parsed(line: str) -> tuple[str, dict]:
    result = parse(line)
    return result.spec.name, result.options


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/subscribe topic: diffusion models", ("subscribe", {"topic": "diffusion models"})),
        ("/subscribe topic:diffusion models", ("subscribe", {"topic": "diffusion models"})),
        ("  /subscribe   topic:   graph neural networks  ", ("subscribe", {"topic": "graph neural networks"})),
        ("/SUBSCRIBE topic: RLHF", ("subscribe", {"topic": "RLHF"})),
        # A bare value goes to the single required option ...
        ("/subscribe diffusion models", ("subscribe", {"topic": "diffusion models"})),
        ("/unsubscribe graph neural networks", ("unsubscribe", {"topic": "graph neural networks"})),
        ("/like 2606.17882", ("like", {"paper": "2606.17882"})),
        # ... or, without required options, to the first one.
        ("/recommend speech recognition", ("recommend", {"topic": "speech recognition"})),
        ("/recommend", ("recommend", {})),
        ("/topics", ("topics", {})),
        ("/help", ("help", {})),
        # Values may contain colons; only known option names start an option.
        ("/digest schedule time: 08:30", ("digest schedule", {"time": "08:30"})),
        (
            "/digest schedule time: 08:30 timezone: Europe/Berlin weekdays: mon-fri size: 5",
            ("digest schedule", {"time": "08:30", "timezone": "Europe/Berlin", "weekdays": "mon-fri", "size": 5}),
        ),
        ("/digest schedule timezone: America/New_York time: 7:05", ("digest schedule", {"timezone": "America/New_York", "time": "7:05"})),
        ("/subscribe topic: ratios like 3:1 in LLM data: mixtures", ("subscribe", {"topic": "ratios like 3:1 in LLM data: mixtures"})),
        ("/like paper: https://arxiv.org/abs/2606.17882v2", ("like", {"paper": "https://arxiv.org/abs/2606.17882v2"})),
        ("/dm on time: 07:15 timezone: Asia/Tokyo", ("dm on", {"time": "07:15", "timezone": "Asia/Tokyo"})),
        ("/dm off", ("dm off", {})),
        ("/digest now", ("digest now", {})),
    ],
)
def test_parse(line: str, expected: tuple[str, dict]) -> None:
    assert parsed(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123456789012345678", 123456789012345678), ("<#42>", 42), (" 7 ", 7), ("#papers", zlib.crc32(b"papers")),
     ("#Papers", zlib.crc32(b"papers")), ("#daily-arxiv", zlib.crc32(b"daily-arxiv"))],
)
def test_channel_forms(text: str, expected: int) -> None:
    assert channel_id(text) == expected
    assert parsed(f"/digest channel channel: {text}") == ("digest channel", {"channel": expected})
    assert parsed(f"/digest channel {text}") == ("digest channel", {"channel": expected})


def test_named_channels_are_stable_and_distinct() -> None:
    assert channel_id("#papers") == channel_id("#papers") != channel_id("#general")


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("subscribe topic: x", "commands start with /"),
        ("/", "type a command"),
        ("/frobnicate now", "unknown command /frobnicate now"),
        ("/digest", "unknown command /digest"),
        ("/digest explode", "unknown command /digest explode"),
        ("/subscribe", "/subscribe needs topic: …"),
        ("/digest channel", "/digest channel needs channel: …"),
        ("/like", "/like needs paper: …"),
        ("/digest channel channel: #not a channel!", "is not a channel"),
        ("/digest channel channel: general", "is not a channel"),
        ("/digest schedule size: ten", "size: expected a whole number, got 'ten'"),
        ("/digest schedule tomorrow time: 08:30", "unexpected text 'tomorrow' before the options"),
    ],
)
def test_parse_errors(line: str, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(line)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/dm on timezone: " + "Europe/" * 43, "timezone can be at most 64 characters (this one has 301)"),
        ("/digest schedule time: 08:30:00", "time can be at most 5 characters (this one has 8)"),
        ("/digest schedule size: 0", "size must be at least 1"),
        ("/digest schedule size: 26", "size can be at most 25"),
        ("/like paper: " + "1" * 301, "paper can be at most 300 characters (this one has 301)"),
        ("/subscribe topic: " + "x" * 101, "topic can be at most 100 characters (this one has 101)"),
        ("/search " + "word " * 50, "query can be at most 200 characters (this one has 249)"),
        ("/digest schedule size: " + "9" * 500, "size can be at most 25"),
        ("/digest schedule size: " + "x" * 500, "size: expected a whole number, got '" + "x" * 39 + "…'"),
    ],
)
def test_the_limits_discord_enforces(line: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(line)
    assert str(caught.value) == message


def test_values_at_the_limits_pass() -> None:
    assert parsed("/digest schedule size: 25 time: 23:59") == ("digest schedule", {"size": 25, "time": "23:59"})
    assert parsed("/subscribe " + "x" * 100) == ("subscribe", {"topic": "x" * 100})


def test_unknown_command_message_points_to_help() -> None:
    with pytest.raises(ParseError, match="/help"):
        parse("/frobnicate")
