"""The reading list's files: each format parses back with its own library, whatever the titles and names."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import bibtexparser
import pytest
import rispy

from bot.exts.library._export import export
from recommender.errors import PaperbotError
from recommender.views import PaperView, ReadingItem


def item(pid: str, title: str, authors: list[str], read: bool = False, published: date | None = date(2026, 6, 1)) -> ReadingItem:
    paper = PaperView(pid, title, "An abstract with $x^2$ and {braces", authors, ["cs.LG"], published, 1,
                      {} if pid.startswith("doi:") else {"abs": f"https://arxiv.org/abs/{pid}"})
    return ReadingItem(paper, datetime(2026, 6, 2, 10, 0), datetime(2026, 6, 3) if read else None)


ITEMS = [
    item("2606.00001", "Graph~Networks: $\\alpha$-stable", ["Ada Lovelace", "Алан Тьюринг"], True),  # TeX
    item("2606.00002", "Graph 100% accurate & fast_x #1 {unbalanced", ["Ada Lovelace"]),  # the same cite key base
    item("hep-th/9901001", "Old-style id", []),
    item("doi:10.1/x", "No arXiv id, no date [brackets]", ["Grace Hopper"], published=None),
]


def test_bibtex_parses_with_unique_keys_and_escaped_text() -> None:
    name, data = export(ITEMS, "bibtex")
    library = bibtexparser.parse_string(data.decode("utf-8"))
    assert name == "paperbot-reading-list.bib" and not library.failed_blocks and len(library.entries) == 4
    keys = [e.key for e in library.entries]
    assert keys[0] == "lovelace2026graph" and keys[1] == "lovelace2026grapha" and len(set(keys)) == 4
    first = library.entries[0].fields_dict
    assert first["title"].value == "{Graph Networks: α-stable}"  # plain text; the inner braces keep its capitals
    second = library.entries[1].fields_dict["title"].value
    assert second == r"{Graph 100\% accurate \& fast\_x \#1 {unbalanced}}"  # LaTeX specials escaped, braces balanced
    assert first["author"].value == "Ada Lovelace and Алан Тьюринг" and first["eprint"].value == "2606.00001"
    assert library.entries[2].fields_dict["eprint"].value == "hep-th/9901001"
    assert "eprint" not in library.entries[3].fields_dict and "year" not in library.entries[3].fields_dict


def test_ris_markdown_and_csv() -> None:
    records = rispy.loads(export(ITEMS, "ris")[1].decode("utf-8"))
    assert [r["id"] for r in records] == [i.paper.id for i in ITEMS] and records[0]["notes"] == ["arXiv:2606.00001", "read"]
    assert records[2]["authors"] == ["Unknown"] and records[0]["year"] == "2026"
    lines = export(ITEMS, "markdown")[1].decode("utf-8").splitlines()
    assert lines[4] == ("- [x] [Graph Networks: α-stable](https://arxiv.org/abs/2606.00001) — Ada Lovelace, Алан Тьюринг "
                        "(2026) `2606.00001`")
    assert lines[7] == "- [ ] No arXiv id, no date (brackets) — Grace Hopper `doi:10.1/x`"
    rows = list(csv.DictReader(io.StringIO(export(ITEMS, "csv")[1].decode("utf-8"))))
    assert rows[0]["authors"] == "Ada Lovelace; Алан Тьюринг" and rows[0]["read"] == "2026-06-03T00:00:00"
    assert rows[3]["published"] == "" and rows[1]["read"] == ""


def test_a_list_too_big_for_one_upload_drops_abstracts_then_is_refused() -> None:
    full = len(export(ITEMS, "bibtex")[1])
    _, lean = export(ITEMS, "bibtex", limit=full - 1)
    assert len(lean) < full and b"abstract" not in lean and b"eprint" in lean
    with pytest.raises(PaperbotError, match="too long for one file"):
        export(ITEMS, "ris", limit=100)
