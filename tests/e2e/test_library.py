"""/library (paged, mark as read, remove), /read and /export against the emulator; the files parsed back."""

from __future__ import annotations

import csv
import io

import bibtexparser
import pytest
import rispy
from botkit import answer, custom_ids, redrawn, select_options, start_bot, uploaded
from sqlalchemy import select

from bot.formatting import plain_title
from recommender.service import PaperService
from recommender.storage.models import Paper, ReadingListEntry

pytestmark = pytest.mark.e2e


def newest_ids(service: PaperService, n: int) -> list[str]:
    with service.db.session() as s:
        return list(s.scalars(select(Paper.id).order_by(Paper.published.desc(), Paper.id).limit(n)))


def save_all(service: PaperService, user_id: int, ids: list[str]) -> None:
    for pid in reversed(ids):  # the list shows the newest save first: ids[0] on top
        service.feedback(user_id, pid, "save")


def read_state(service: PaperService, user_id: int) -> dict[str, bool]:
    with service.db.session() as s:
        rows = s.execute(select(ReadingListEntry.paper_id, ReadingListEntry.read_at).where(
            ReadingListEntry.user_id == user_id))
        return {pid: read is not None for pid, read in rows}


async def test_library_pages_with_previous_and_next(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    ids = newest_ids(service, 12)
    save_all(service, fd.member.id, ids)
    shown = await answer(await fd.slash(fd.member, "general", "library"))
    embed = shown.embeds[0]
    assert embed["title"] == "📚 Reading list (12, 12 unread)" and embed["footer"]["text"] == "Page 1 of 3"
    assert [pid in embed["description"] for pid in ids[:6]] == [True] * 5 + [False]
    assert custom_ids(shown) == ["pb:lib:read:1", "pb:lib:remove:1", "pb:lib:page:1", "pb:lib:page:2"]
    assert shown.find_component("pb:lib:page:1")["disabled"]  # no page before the first

    page2 = await redrawn(fd, fd.member, shown, "pb:lib:page:2")
    assert page2.embeds[0]["footer"]["text"] == "Page 2 of 3" and ids[5] in page2.embeds[0]["description"]
    assert [o["value"] for o in select_options(page2, "pb:lib:remove:2")] == ids[5:10]
    page3 = await redrawn(fd, fd.member, shown, "pb:lib:page:3")
    assert page3.embeds[0]["footer"]["text"] == "Page 3 of 3" and page3.find_component("pb:lib:page:3")["disabled"]
    again = await answer(await fd.slash(fd.member, "general", "library", page=99))
    assert again.embeds[0]["footer"]["text"] == "Page 3 of 3"  # past the end: the last page


async def test_library_mark_read_and_remove_in_place(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    ids = newest_ids(service, 6)
    save_all(service, fd.member.id, ids)
    shown = await answer(await fd.slash(fd.member, "general", "library"))
    after = await redrawn(fd, fd.member, shown, "pb:lib:read:1", [ids[0], ids[2]])
    assert after.content.count("✅ Marked read") == 2 and "(6, 4 unread)" in after.embeds[0]["title"]
    assert [o["value"] for o in select_options(after, "pb:lib:read:1")] == [ids[1], ids[3], ids[4]]
    assert read_state(service, fd.member.id) == {pid: pid in (ids[0], ids[2]) for pid in ids}

    after = await redrawn(fd, fd.member, shown, "pb:lib:remove:1", [ids[0]])
    assert "🗑️ Removed" in after.content and "(5, 4 unread)" in after.embeds[0]["title"]
    assert ids[0] not in read_state(service, fd.member.id)

    reply = await answer(await fd.slash(fd.member, "general", "read", paper=ids[1], unread=False))
    assert reply.content.startswith("✅ Marked read")
    reply = await answer(await fd.slash(fd.member, "general", "read", paper=ids[1], unread=True))
    assert reply.content.startswith("📄 Marked unread")
    reply = await answer(await fd.slash(fd.member, "general", "read", paper=ids[0]))
    assert "not on your reading list" in reply.content
    # Removing the last paper of the last page shows the page before.
    for pid in ids[1:]:
        await answer(await fd.slash(fd.member, "general", "unsave", paper=pid))
    empty = await answer(await fd.slash(fd.member, "general", "library"))
    assert "Your reading list is empty" in empty.embeds[0]["description"] and not empty.components


async def test_library_controls_fit_discord_with_absurd_titles_and_readinglist_is_gone(
    discord_harness, service: PaperService
) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    assert "readinglist" not in {c["name"] for c in fd.commands()} and "library" in {c["name"] for c in fd.commands()}
    with service.db.session() as s:
        for paper in s.scalars(select(Paper).order_by(Paper.id).limit(5)):
            paper.title = "An absurdly long *title* " * 30  # the emulator refuses option labels over 100
    save_all(service, fd.member.id, _first_ids(service, 5))
    shown = await answer(await fd.slash(fd.member, "general", "library"))
    assert all(len(o["label"]) <= 100 for o in select_options(shown, "pb:lib:read:1"))


def _first_ids(service: PaperService, n: int) -> list[str]:
    with service.db.session() as s:
        return list(s.scalars(select(Paper.id).order_by(Paper.id).limit(n)))


async def export(fd, fmt: str) -> tuple[str, bytes, str]:  # type: ignore[no-untyped-def]
    handle = await fd.slash(fd.member, "general", "export", format=fmt)
    reply = await answer(handle)
    (file,) = uploaded(fd, handle)
    assert [a["filename"] for a in reply.data["attachments"]] == [file.filename]
    return file.filename, file.data, reply.content


async def test_export_bibtex_and_ris_parse_back(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    ids = newest_ids(service, 7)
    save_all(service, fd.member.id, ids)
    service.mark_read(fd.member.id, ids[1])
    name, data, content = await export(fd, "bibtex")
    assert name == "paperbot-reading-list.bib" and "7 papers (6 unread)" in content
    library = bibtexparser.parse_string(data.decode("utf-8"))  # its default stack removes the enclosing braces
    assert data.decode("utf-8").count("@misc{") == 7
    assert not library.failed_blocks and len(library.entries) == 7
    assert len({e.key for e in library.entries}) == 7
    entries = {e.fields_dict["eprint"].value: e for e in library.entries}
    assert set(entries) == set(ids)
    paper = service.paper(ids[0])
    first = entries[ids[0]]
    title = plain_title(paper.title)
    assert first.entry_type == "misc" and first.fields_dict["title"].value in (title, "{" + title + "}")
    assert first.fields_dict["author"].value == " and ".join(paper.authors)
    assert first.fields_dict["year"].value == str(paper.published.year)

    name, data, _ = await export(fd, "ris")
    records = rispy.loads(data.decode("utf-8"))
    assert name.endswith(".ris") and [r["id"] for r in records] == ids
    assert records[0]["title"] == plain_title(paper.title) and records[0]["authors"] == paper.authors
    assert records[0]["urls"] == [f"https://arxiv.org/abs/{ids[0]}"] and "read" in records[1]["notes"]


async def test_export_markdown_and_csv_and_an_empty_list(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    empty = await answer(await fd.slash(fd.member, "general", "export", format="csv"))
    assert "Your reading list is empty" in empty.content and not empty.data["attachments"]
    ids = newest_ids(service, 4)
    save_all(service, fd.member.id, ids)
    service.mark_read(fd.member.id, ids[0])
    _, data, _ = await export(fd, "markdown")
    lines = [line for line in data.decode("utf-8").splitlines() if line.startswith("- [")]
    assert len(lines) == 4 and lines[0].startswith("- [x] [") and all(l.startswith("- [ ] [") for l in lines[1:])
    assert all(f"`{pid}`" in line for pid, line in zip(ids, lines))
    _, data, _ = await export(fd, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [r["id"] for r in rows] == ids and rows[0]["read"] and not rows[1]["read"]
    assert rows[0]["url"] == f"https://arxiv.org/abs/{ids[0]}"
    with pytest.raises(ValueError, match="not a choice"):
        await fd.slash(fd.member, "general", "export", format="docx")
