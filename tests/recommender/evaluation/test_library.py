"""A benchmark library (database + index on disk) that a started service takes as its own."""

from __future__ import annotations

from recommender.config import Settings
from recommender.evaluation import synthetic
from recommender.evaluation.library import make_library
from recommender.ingest.seed import demo_corpus_path
from recommender.service import PaperService
from recommender.storage.db import Database
from recommender.storage.models import Feedback, Paper, Subscription, User
from recommender.stores.index import db_fingerprint


def test_a_library_of_resampled_papers_and_members_serves_recommendations(tmp_path) -> None:
    records = synthetic.read_records(demo_corpus_path())[:300]
    db = Database(f"sqlite:///{tmp_path / 'paperbot.db'}")
    index, community, ids = make_library(db, tmp_path / "index", records, 700, 30)
    with db.session() as s:
        assert s.query(Paper).count() == 700 and s.query(User).count() == 30
        assert s.query(Feedback).count() >= sum(len(i.liked) for i in community.inputs)
        assert s.query(Subscription).count() == sum(len(i.topics) for i in community.inputs)
    assert index.fingerprint == db_fingerprint(db).as_tuple()
    db.dispose()
    service = PaperService(Settings(_env_file=None, data_dir=tmp_path, seed_demo_corpus=False))  # type: ignore[call-arg]
    try:
        service.start(seed=False)
        assert service.index().fit_id == index.fit_id  # loaded, not refitted
        member = next(u for u, i in zip(ids, community.inputs) if i.liked)
        assert service.recommend(member).candidates > 0
        assert service.search("neural networks")
    finally:
        service.close()
