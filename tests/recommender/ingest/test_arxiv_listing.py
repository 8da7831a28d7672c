"""The arXiv RSS listing parsed: the announcement day, new and replaced papers, bad entries, quiet days."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from recommender.ingest.arxiv_listing import (
    HOLIDAY,
    WEEKEND,
    eastern_day,
    parse_listing,
    quiet_day_reason,
)
from recommender.ingest.http import BadPayload
from tests.support.sources import fixture

RSS_AI = fixture("arxiv-rss-cs.AI.xml")


def item(pid: str, announce: str, title: str = "A title", authors: str = "Ada Lovelace and Alan Turing") -> str:
    return (f"<item><title>{title}</title><link>https://arxiv.org/abs/{pid}</link>"
            f"<description>arXiv:{pid} Announce Type: {announce} \nAbstract: The abstract of {pid}.</description>"
            f"<dc:creator>{authors}</dc:creator><category>cs.AI</category><guid>oai:arXiv.org:{pid}</guid></item>")


def feed(*items: str) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>cs.AI updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.AI</link>"
            "<pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate>" + "".join(items) + "</channel></rss>").encode()


def test_the_real_listing_parses() -> None:
    listing = parse_listing(RSS_AI)
    assert listing.day == date(2026, 4, 27) and not listing.problems
    assert [(p.id, p.version, p.announce_type) for p in listing.papers] == [
        ("2604.21935", 1, "new"), ("2604.21936", 1, "new"), ("2604.21937", 1, "new")]
    first = listing.papers[0].record
    assert first.title.startswith("Math Takes Two") and first.authors[:2] == ["Michael Cooper", "Samuel Cooper"]
    assert first.categories == ["cs.AI", "cs.LG"] and first.published == date(2026, 4, 27)
    assert not first.abstract.startswith("arXiv:") and "Abstract:" not in first.abstract


def test_replacements_duplicates_and_bad_entries() -> None:
    listing = parse_listing(feed(
        item("2604.00001v2", "replace"), item("2604.00002v1", "cross"), item("2604.00002v1", "cross"),
        item("not-an-id", "new"), item("2604.00003v1", "withdrawn"), item("2604.00004v1", "new", title=" "),
    ))
    assert [(p.id, p.version, p.announce_type) for p in listing.papers] == [
        ("2604.00001", 2, "replace"), ("2604.00002", 1, "cross")]  # listed in two categories: once
    assert listing.papers[0].record.authors == ["Ada Lovelace", "Alan Turing"]
    reasons = [str(bad) for _, bad in listing.problems]
    assert len(reasons) == 3 and "not an arXiv id" in reasons[0]
    assert "unknown announce type 'withdrawn'" in reasons[1] and "no title" in reasons[2]
    assert [where for where, _ in listing.problems] == ["listing entry 4", "listing entry 5", "listing entry 6"]


def test_an_html_page_is_not_a_listing() -> None:
    with pytest.raises(BadPayload, match="an HTML page instead of a feed"):
        parse_listing(b"<!DOCTYPE html><html><body><h1>Rate exceeded.</h1></body></html>")


def test_days_are_arxivs_eastern_days_and_quiet_days_have_a_reason() -> None:
    assert eastern_day(datetime(2026, 4, 28, 3, 0, tzinfo=timezone.utc)) == date(2026, 4, 27)  # 23:00 in New York
    assert eastern_day(datetime(2026, 4, 28, 5, 0, tzinfo=timezone.utc)) == date(2026, 4, 28)
    assert quiet_day_reason(date(2026, 5, 2)) == WEEKEND and quiet_day_reason(date(2026, 5, 3)) == WEEKEND
    assert quiet_day_reason(date(2026, 5, 25)) == HOLIDAY  # a Monday
