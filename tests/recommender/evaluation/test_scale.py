"""The scale benchmarks (`paperbot bench digest` / `refold`) on a small real sample: the digest
in its own process, the per-member loop and the SVM on a subsample, the check of the picks."""

from __future__ import annotations

from recommender.evaluation import scale, synthetic
from recommender.ingest.seed import demo_corpus_path


def test_digest_and_refold_report_their_figures_and_the_batched_picks_match_the_loop() -> None:
    records = synthetic.read_records(demo_corpus_path())[:300]
    said: list[str] = []
    setup = scale.prepare(records, users=30, papers=50, say=said.append)
    assert len(setup.index) == 300 and setup.candidates.size == 50 and not setup.notes
    pop, refold = scale.refold(setup)
    assert pop.size == 30 and refold["seconds"] > 0 and refold["loop_ms_per_member"] > 0
    figures = scale.run_digest(setup, pop, subsample=15, svm_users=1)
    assert figures["users"] == 30 and figures["papers"] == 50
    assert figures["check_members"] == 15 and figures["check_same_picks"] == 15 and figures["check_scores_close"]
    assert 0 < figures["picks"] <= 30 * 8 and figures["seconds"] > 0 and figures["peak_rss_mb"] > 0
    assert figures["speedup_vs_loop"] > 0 and figures["svm_seconds_per_user"] > 0 and figures["speedup_vs_svm"] > 0
    assert said and "fitting the community model" in said[-2]


def test_a_resampled_corpus_says_so() -> None:
    records = synthetic.read_records(demo_corpus_path())[:200]
    setup = scale.prepare(records, users=10, papers=20, corpus=450)
    assert len(setup.index) == 450 and "resampling" in setup.notes[0]


def test_the_peak_memory_of_a_process_is_its_own_not_that_of_the_process_that_started_it() -> None:
    import json
    import subprocess
    import sys

    import numpy as np

    held = np.ones(300 * 2**20 // 8)  # 300 MB in this process when the child is started
    code = "import json; from recommender.evaluation.scale import peak_rss_mb, rss_mb; print(json.dumps([peak_rss_mb(), rss_mb()]))"
    child = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
    assert held.sum() > 0 and scale.peak_rss_mb() > 300
    assert 0 < child[1] <= child[0] < 250  # ru_maxrss said > 300 here: the parent's size, kept across exec
