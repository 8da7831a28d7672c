"""Reading topics against the library: acronyms, common words, spelling suggestions.

On the bundled demo corpus (3,000 real arXiv papers) and small libraries made from it.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from recommender.ingest.seed import demo_corpus_path
from recommender.ranking import index as paper_index
from recommender.ranking.index import PaperIndex
from recommender.ranking.text import paper_text
from recommender.ranking.vocabulary import acronym_long_forms, embed_topics, read_topic, spelling_variants
from recommender.service import PaperService


def _demo() -> list[dict[str, str]]:
    with gzip.open(demo_corpus_path(), "rt") as stream:
        return [json.loads(line) for line in stream]


@pytest.fixture(scope="module")
def learning_library() -> PaperIndex:
    """The demo papers that mention "learning": there it is in most papers (max_df drops it)."""
    rows = [r for r in _demo() if "learning" in (r["title"] + r["abstract"]).lower()]
    texts = [paper_text(r["title"], r["abstract"]) for r in rows]
    return paper_index.fit([r["id"] for r in rows], texts, [date(2026, 6, 1)] * len(rows), (len(rows), ""))


def test_the_demo_corpus_defines_its_acronyms(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    assert index.acronyms["rag"][0] == "retrieval-augmented generation"
    assert index.acronyms["lora"][0] == "low-rank adaptation"
    assert index.acronyms["peft"][0] == "parameter-efficient fine-tuning"
    assert index.acronyms["kd"][0] == "knowledge distillation"


def test_an_acronym_topic_is_read_as_its_long_form(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    reading = read_topic(index, "RAG")
    assert reading.acronyms == {"RAG": index.acronyms["rag"]}
    assert "retrieval augmented" in reading.terms  # a phrase of the long form, not only "rag"
    # Papers that spell it out without the acronym now match the topic.
    vector = embed_topics(index, ["RAG"])
    literal = index.embed(["RAG"])
    terms = [set(index.terms[index.matrix[r].indices].tolist()) for r in range(len(index))]
    spelled = [r for r, t in enumerate(terms) if "augmented generation" in t and "rag" not in t]
    assert spelled, "the demo corpus has papers on retrieval-augmented generation that never say RAG"
    assert ((index.matrix[spelled] @ vector.T).toarray() > 0).all()
    assert ((index.matrix[spelled] @ literal.T).toarray() == 0).all()

def test_a_misspelt_topic_suggests_the_library_phrase(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    reading = read_topic(index, "domian adaptation")
    assert reading.unknown == ["domian"]
    assert reading.weak and reading.usable  # matches on "adaptation" alone
    assert reading.suggestions[0] == "domain adaptation"

    reading = read_topic(index, "knowlege distilation")
    assert not reading.usable
    assert reading.suggestions[0] == "knowledge distillation"


def test_a_foreign_topic_gets_the_library_phrase_for_its_known_word(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    reading = read_topic(index, "apprentissage par transfert")
    assert reading.unknown == ["apprentissage", "transfert"]
    assert reading.weak
    assert "transfer learning" in reading.suggestions


def test_a_good_topic_gets_no_warning(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    reading = read_topic(index, "machine unlearning")
    assert not reading.weak and reading.suggestions == [] and reading.unknown == []
    assert "machine unlearning" in reading.terms


def test_a_very_common_word_still_gets_a_usable_vector(learning_library: PaperIndex) -> None:
    index = learning_library
    assert "learning" not in index.vectorizer.vocabulary_  # dropped by max_df
    vector = embed_topics(index, ["learning"])
    assert vector.nnz > 0
    reading = read_topic(index, "learning")
    assert reading.usable and reading.papers > len(index) // 2
    assert "reinforcement learning" in reading.common["learning"]
    # The best matches use "learning" in one of its phrases.
    sims = (index.matrix @ vector.T).toarray().ravel()
    best = np.argsort(-sims)[:10]
    for row in best:
        words = {w for i in index.matrix[row].indices for w in str(index.terms[i]).split()}
        assert "learning" in words


def test_a_phrase_with_a_common_word_keeps_the_phrase_only(learning_library: PaperIndex) -> None:
    index = learning_library
    reading = read_topic(index, "continual learning")
    assert reading.common == {}  # "continual learning" is a phrase of the library: nothing to expand
    assert embed_topics(index, ["continual learning"]).nnz == index.embed(["continual learning"]).nnz


def test_a_lowercase_word_among_others_is_not_taken_for_an_acronym(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    with_par = replace(index, acronyms={**index.acronyms, "par": ("pedestrian attribute recognition", 3)})
    assert acronym_long_forms(with_par, "apprentissage par transfert") == {}
    assert acronym_long_forms(with_par, "PAR benchmarks") == {"PAR": ("pedestrian attribute recognition", 3)}
    assert acronym_long_forms(with_par, "rag") == {"rag": index.acronyms["rag"]}  # a lone word may be one


def test_a_topic_meets_the_spellings_the_library_uses(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    vocabulary = index.vectorizer.vocabulary_
    assert {"network", "networks", "neural networks", "neural network"} <= set(vocabulary)
    variants = spelling_variants(index, ["neural", "networks"])
    assert {"network", "neural network"} <= set(variants) and "networks" not in variants
    vector = embed_topics(index, ["neural networks"])
    singular = vocabulary["neural network"]
    assert vector[0, singular] > 0  # papers that say "neural network" match, below the typed phrase
    assert vector[0, singular] < vector[0, vocabulary["neural networks"]]
    assert spelling_variants(index, ["zzyzx"]) == []


def test_joined_and_hyphenated_spellings_count_when_the_vocabulary_keeps_them() -> None:
    texts = ["a gene-expression atlas of cells", "gene expression in yeast cells", "the dataset of cells",
             "a data set of cells", "gene-expression profiles", "the dataset again"]
    index = paper_index.fit([str(i) for i in range(len(texts))], texts, [None] * len(texts), (len(texts), ""))
    index.vectorizer.vocabulary_ |= {"gene-expression": len(index.terms) - 1}  # as a bag-of-words vocabulary keeps it
    assert "gene-expression" in spelling_variants(index, ["gene", "expression"])
    assert "dataset" in spelling_variants(index, ["data", "set"])
