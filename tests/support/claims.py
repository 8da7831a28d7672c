"""A bot-like process that races others for digest claims (run with multiprocessing's spawn).

Kept apart from the test modules so a spawned child imports only the ledger, not the whole service.
"""

from __future__ import annotations

import multiprocessing
from datetime import date
from typing import Any

from recommender.picks import ledger
from recommender.storage.db import Database
from recommender.views import DigestDraft, Target

DAY = date(2026, 7, 1)
FIRST_TARGET = 20_000


def race(url: str, rounds: int, barrier: Any, out: Any) -> None:
    """For each round: wait for the others, claim that round's digest, report (round, id or None)."""
    database = Database(url)
    owner = f"process-{multiprocessing.current_process().pid}"
    try:
        for round_no in range(rounds):
            barrier.wait()
            with database.session() as s:
                draft = DigestDraft(Target.channel(FIRST_TARGET + round_no, 900), DAY, [], [])
                out.put((round_no, ledger.claim(s, draft, owner)))
    finally:
        database.dispose()
