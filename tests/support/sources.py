"""Helpers for the ingestion tests: fixture files, a fake clock, fast clients, API feeds."""

from __future__ import annotations

import re
from pathlib import Path

from recommender.ingest.http import HttpPolicy, Pacer, PoliteClient
from tests.support.httpserver import Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAST = HttpPolicy(min_interval=0.0, timeout=1.0, connect_timeout=1.0, attempts=3, backoff=0.01, max_wait=60.0)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeClock:
    """Time that only moves when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(policy: HttpPolicy = FAST, clock: FakeClock | None = None, name: str = "arXiv") -> PoliteClient:
    return PoliteClient(name, policy, "paperbot-tests/1 (mailto:tests@example.org)", Pacer(policy.min_interval, clock), clock)


# -- real arXiv API entries, for servers that answer by query ------------------

API_XML = fixture("arxiv-api-query.atom.xml").decode("utf-8")
_ENTRY = re.compile(r"  <entry>.*?</entry>\n", re.DOTALL)
API_ENTRIES = _ENTRY.findall(API_XML)
API_HEAD = API_XML[: API_XML.index("  <entry>")]


def entry_id(entry: str) -> str:
    found = re.search(r"<id>https?://arxiv\.org/abs/([^<]+?)(v\d+)?</id>", entry)
    assert found, entry[:200]
    return found.group(1)


def api_feed(entries: list[str], total: int | None = None) -> bytes:
    """A feed made of the real response's header and some of its real entries."""
    head = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(entries) if total is None else total}<", API_HEAD)
    return (head + "".join(entries) + "</feed>\n").encode("utf-8")


BIB = r"""
@article{vaswani2017attention,
  title   = {Attention Is All You Need},
  author  = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  journal = {arXiv preprint arXiv:1706.03762},
  year    = {2017},
  month   = jun,
}
@inproceedings{schoelkopf,
  title     = {Kernel Principal Component Analysis for {N}onlinear {F}eature {E}xtraction},
  author    = {Sch{\"o}lkopf, Bernhard and Smola, Alexander},
  booktitle = {ICANN},
  year      = {1997},
  doi       = {https://doi.org/10.1007/BFb0020217},
}
@article{broken,
  title = {never closed
"""


ATOM = "application/atom+xml; charset=utf-8"


def by_id_list(request):  # type: ignore[no-untyped-def]
    """Answer id_list requests like the API, from the real response's entries."""
    wanted = set(request.query["id_list"].split(","))
    return Reply(api_feed([e for e in API_ENTRIES if entry_id(e) in wanted]), content_type=ATOM)


CSV = """id,title,abstract,authors,categories,published,doi
2604.26951,Turning the TIDE: Cross-Architecture Distillation,Diffusion LLMs.,Gongbo Zhang; Wen Wang,cs.CL cs.AI,2026-04-29,
,A Survey of Graph Neural Networks for Molecules,Graphs.,Ada Lovelace,cs.LG,2025-01-02,10.1234/GNN.2025
,,Missing title row,,,,
2604.99999v2,"Commas, quotes ""and"" Ünïcödé",x,"Lovelace, Ada",cs.AI,not-a-date,
"""
