"""The benchmark loaders on small hand-written slices of the published file formats,
including the quirks each SOURCE.md names (1-based ids, mojibake, HTML entities,
BibTeX braces, a vocabulary with Unicode whitespace and no final newline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.evaluation.datasets import (
    bag_of_words_texts,
    clean_title,
    fix_mojibake,
    load_citeulike_a_cold,
    load_citeulike_t,
    read_lines,
    read_mult,
)

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Programmed population control by cellâ€“cell communication", "Programmed population control by cell–cell communication"),
        ("The â€œGreenâ€\x9d road", "The “Green” road"),
        ("&ldquo;Small world&rdquo; networks of R&amp;D", "“Small world” networks of R&D"),
        ("Oscillations in NF-{kappa}B Signaling", "Oscillations in NF-kappaB Signaling"),
        ("{DAML}+{OIL}: a reason-able web ontology", "DAML+OIL: a reason-able web ontology"),
        ("The role of &lt;i&gt;p53&lt;/i&gt; in   cancer", "The role of p53 in cancer"),
        ("Plain titles pass unchanged: café, naïve, Gödel", "Plain titles pass unchanged: café, naïve, Gödel"),
    ],
)
def test_titles_are_cleaned(raw: str, clean: str) -> None:
    assert clean_title(raw) == clean


def test_mojibake_repair_leaves_correct_non_ascii_text_alone() -> None:
    assert fix_mojibake("Erdős–Rényi graphs") == "Erdős–Rényi graphs"
    assert fix_mojibake("ErdÅ‘sâ€“RÃ©nyi graphs") == "Erdős–Rényi graphs"


def test_lines_split_on_newline_only_and_no_final_newline_is_needed(tmp_path: Path) -> None:
    # Unicode whitespace inside entries: str.split() would break "60\u2009000" and
    # splitlines() would break the entries holding \x85 and \u2028.
    words = ["alpha", "60\u2009000", "next\x85line", "para\u2028graph", "omega"]
    write(tmp_path / "vocabulary.dat", "\n".join(words))  # no newline after the last word
    assert read_lines(tmp_path / "vocabulary.dat") == words
    write(tmp_path / "with_final.dat", "a\nb\n")
    assert read_lines(tmp_path / "with_final.dat") == ["a", "b"]


def write_citeulike_a(root: Path) -> None:
    titles = [
        "Graph neural networks for molecules",
        "Speech recognition with deep networks",
        "Oscillations in NF-{kappa}B Signaling",
        "Programmed cellâ€“cell communication",
        "Graph attention &amp; message passing",
    ]
    write(root / "titles.txt", "\n".join(titles) + "\n")
    write(root / "users.dat", "2 0 4\n2 1 3\n1 2\n")
    write(root / "vocabulary.dat", "graph\nspeech\nkappa")
    cold = root / "splits" / "dropoutnet" / "cold"
    # 1-based user and item ids: user 1 = user 0, item 5 = item 4.
    write(cold / "train.csv", "1,1,1\n2,2,1\n3,3,1\n")
    write(cold / "test.csv", "1,5,1\n2,4,1\n")
    write(cold / "test_item_ids.csv", "4\n5\n")


def test_citeulike_a_cold_shifts_ids_to_zero_based_and_cleans_titles(tmp_path: Path) -> None:
    write_citeulike_a(tmp_path)
    bench = load_citeulike_a_cold(tmp_path)
    assert bench.train.shape == bench.test.shape == (3, 5)
    assert sorted(zip(*bench.train.nonzero())) == [(0, 0), (1, 1), (2, 2)]
    assert sorted(zip(*bench.test.nonzero())) == [(0, 4), (1, 3)]
    assert bench.candidates.tolist() == [3, 4]
    assert bench.eval_users.tolist() == [0, 1]
    assert bench.train_items.tolist() == [0, 1, 2]
    assert not bench.exclude_train
    assert bench.texts is not None
    assert bench.texts[2] == "Oscillations in NF-kappaB Signaling"
    assert bench.texts[3] == "Programmed cell–cell communication"
    assert bench.texts[4] == "Graph attention & message passing"


def test_citeulike_a_cold_refuses_a_test_item_that_occurs_in_train(tmp_path: Path) -> None:
    write_citeulike_a(tmp_path)
    write(tmp_path / "splits" / "dropoutnet" / "cold" / "test_item_ids.csv", "1\n5\n")
    with pytest.raises(ValueError, match="occurs in train"):
        load_citeulike_a_cold(tmp_path)


def test_citeulike_a_cold_refuses_ids_beyond_the_items(tmp_path: Path) -> None:
    write_citeulike_a(tmp_path)
    write(tmp_path / "splits" / "dropoutnet" / "cold" / "test.csv", "1,6,1\n")
    with pytest.raises(ValueError, match="out of range"):
        load_citeulike_a_cold(tmp_path)


def write_citeulike_t(root: Path) -> None:
    write(root / "vocabulary.dat", "graph\nneural\n60\u2009000\nspeech")
    # item 2 is an empty document, as 31 of the real ones are
    write(root / "mult.dat", "2 0:3 1:1\n2 3:2 2:1\n0\n1 0:1\n")
    cvae = root / "splits" / "cvae"
    write(cvae / "cf-train-10-users.dat", "2 0 1\n1 3\n")
    write(cvae / "cf-test-10-users.dat", "1 3\n0\n")


def test_citeulike_t_reads_the_bag_of_words_and_the_split(tmp_path: Path) -> None:
    write_citeulike_t(tmp_path)
    bench = load_citeulike_t(tmp_path)
    assert bench.vocabulary == ["graph", "neural", "60\u2009000", "speech"]
    assert bench.counts is not None
    assert bench.counts.toarray().tolist() == [[3, 1, 0, 0], [0, 0, 1, 2], [0, 0, 0, 0], [1, 0, 0, 0]]
    assert sorted(zip(*bench.train.nonzero())) == [(0, 0), (0, 1), (1, 3)]
    assert sorted(zip(*bench.test.nonzero())) == [(0, 3)]
    assert bench.exclude_train
    assert bench.candidates.tolist() == [0, 1, 2, 3]
    assert bench.eval_users.tolist() == [0]
    # a document is its words repeated by count; whitespace inside a word becomes "_"
    assert bag_of_words_texts(bench.counts, bench.vocabulary) == ["graph graph graph neural", "60_000 speech speech", "", "graph"]


def test_mult_rejects_a_miscounted_line_and_a_word_outside_the_vocabulary(tmp_path: Path) -> None:
    write(tmp_path / "bad_count.dat", "3 0:1 1:1\n")
    with pytest.raises(ValueError, match="count 3 but 2 words"):
        read_mult(tmp_path / "bad_count.dat", 4)
    write(tmp_path / "bad_word.dat", "1 7:1\n")
    with pytest.raises(ValueError, match="outside"):
        read_mult(tmp_path / "bad_word.dat", 4)


def test_user_lists_reject_a_miscounted_line(tmp_path: Path) -> None:
    write_citeulike_t(tmp_path)
    write(tmp_path / "splits" / "cvae" / "cf-train-10-users.dat", "3 0 1\n1 3\n")
    with pytest.raises(ValueError, match="count 3 but 2 ids"):
        load_citeulike_t(tmp_path)
