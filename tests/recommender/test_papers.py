"""arXiv ids in every form, and the cleaning every paper record goes through."""

from __future__ import annotations

from datetime import date

import pytest

from recommender.papers import (
    MAX_AUTHORS,
    MAX_CATEGORY_LEN,
    MAX_TITLE,
    InvalidPaperId,
    PaperRecord,
    is_arxiv_id,
    normalize_title,
    split_arxiv_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2401.01234", ("2401.01234", None)),
        ("2401.01234v2", ("2401.01234", 2)),
        ("2401.01234v12", ("2401.01234", 12)),
        ("0704.0001", ("0704.0001", None)),  # the first new-style ids had 4 digits
        ("0704.0001v1", ("0704.0001", 1)),
        ("  2401.01234v3\n", ("2401.01234", 3)),
        ("arXiv:2401.01234", ("2401.01234", None)),
        ("arxiv:2401.01234v5", ("2401.01234", 5)),
        ("ARXIV:2401.01234", ("2401.01234", None)),
        ("oai:arXiv.org:2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/abs/2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/abs/2401.01234v1", ("2401.01234", 1)),
        ("http://arxiv.org/abs/2401.01234v2/", ("2401.01234", 2)),
        ("https://export.arxiv.org/abs/2401.01234", ("2401.01234", None)),
        ("https://www.arxiv.org/abs/2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/pdf/2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/pdf/2401.01234v2", ("2401.01234", 2)),
        ("https://arxiv.org/pdf/2401.01234v2.pdf", ("2401.01234", 2)),
        ("https://arxiv.org/html/2401.01234v1", ("2401.01234", 1)),
        # Old-style ids: archive(.SUBJECT-CLASS)/YYMMNNN
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("hep-th/9901001v3", ("hep-th/9901001", 3)),
        ("math.AG/0601001", ("math.AG/0601001", None)),
        ("cond-mat/0207270v2", ("cond-mat/0207270", 2)),
        ("arXiv:hep-th/9901001", ("hep-th/9901001", None)),
        ("oai:arXiv.org:cond-mat/0207270", ("cond-mat/0207270", None)),
        ("https://arxiv.org/abs/hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("https://arxiv.org/pdf/math.AG/0601001v1.pdf", ("math.AG/0601001", 1)),
    ],
)
def test_split_arxiv_id_accepts_every_form(raw: str, expected: tuple[str, int | None]) -> None:
    assert split_arxiv_id(raw) == expected
    assert is_arxiv_id(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "hello world",
        "2401.123",  # too few digits
        "2401.123456",  # too many digits
        "240101234",
        "2401.01234v",
        "2401.01234vX",
        "2401.01234 v2",
        "2401.01234v2 and more",
        "https://example.com/abs/2401.01234",
        "https://arxiv.org/list/cs.LG/new",
        "hep-th/990100",  # old style needs 7 digits
        "HEP-TH/9901001",
        "/9901001",
        "doi:10.1000/xyz123",
        "2401.01234; DROP TABLE papers",
    ],
)
def test_split_arxiv_id_rejects_non_ids(raw: str) -> None:
    with pytest.raises(InvalidPaperId, match="is not an arXiv id"):
        split_arxiv_id(raw)
    assert not is_arxiv_id(raw)


def test_invalid_id_message_shows_the_input_and_an_example() -> None:
    with pytest.raises(InvalidPaperId) as caught:
        split_arxiv_id("nonsense-id")
    message = str(caught.value)
    assert "'nonsense-id'" in message and "2401.01234" in message


def test_record_is_cleaned() -> None:
    record = PaperRecord(
        id="2401.01234",
        title="  Graph\n  Neural\tNetworks\x00 for  Everything ",
        abstract="Line one.\r\n\r\n   Line two.\x07",
        authors=["  Ada Lovelace ", "", "   ", "Alan\nTuring"],
        categories=["cs.LG", " cs.AI ", "cs.LG", ""],
        published=date(2024, 1, 2),
    )
    assert record.title == "Graph Neural Networks for Everything"
    assert record.abstract == "Line one. Line two."
    assert record.authors == ["Ada Lovelace", "Alan Turing"]
    assert record.categories == ["cs.LG", "cs.AI"]
    assert record.primary_category == "cs.LG"
    assert record.links == {"abs": "https://arxiv.org/abs/2401.01234", "pdf": "https://arxiv.org/pdf/2401.01234"}


def test_record_caps_absurd_sizes() -> None:
    record = PaperRecord(id="x-1", title="word " * 5000, authors=[f"Author {i}" for i in range(MAX_AUTHORS + 100)])
    assert len(record.title) == MAX_TITLE and record.title.endswith("…")
    assert len(record.authors) == MAX_AUTHORS
    assert record.links == {}  # not an arXiv id: no invented arXiv links
    assert record.primary_category is None


def test_normalize_title_ignores_case_punctuation_and_entities() -> None:
    assert normalize_title("Graph Neural Networks: A Survey!") == normalize_title("graph  neural networks -- a survey")
    assert normalize_title("Caf&eacute; &amp; Cr&egrave;me") == "cafe creme"


def test_record_drops_values_too_long_for_their_columns() -> None:
    record = PaperRecord(
        id="2401.01234", title="t", categories=["x" * (MAX_CATEGORY_LEN + 1), "cs.LG"], doi="10.1000/" + "d" * 300
    )
    assert record.categories == ["cs.LG"] and record.primary_category == "cs.LG"
    assert record.doi is None
    assert PaperRecord(id="2401.01234", title="t", doi=" 10.1000/ABC ").doi == "10.1000/abc"
