"""Acronyms read from the texts ("long form (LF)")."""

from __future__ import annotations

from recommender.ranking.acronyms import find_acronyms

TEXTS = [
    "We study retrieval-augmented generation (RAG) for question answering.",
    "Retrieval-Augmented Generation (RAG) grounds answers in documents; RAG helps.",
    "Low-rank adaptation (LoRA) fine-tunes large language models (LLMs) cheaply.",
    "We apply low-rank adaptation (LoRA) to vision transformers (ViT).",
    "Large language models (LLMs) follow instructions.",
    "A cat (the animal) sat (quietly) on the mat (MAT).",
]


def test_long_forms_that_introduce_acronyms_are_found_and_counted() -> None:
    found = find_acronyms(TEXTS)
    assert found["rag"] == ("retrieval-augmented generation", 2)
    assert found["lora"] == ("low-rank adaptation", 2)
    assert found["llm"] == ("large language models", 2)  # "LLMs": the plural s is not part of the key


def test_lowercase_words_and_unmatched_letters_are_not_acronyms() -> None:
    found = find_acronyms(TEXTS, min_count=1)
    assert "the animal" not in {long for long, _ in found.values()}
    assert "quietly" not in found
    assert "mat" not in found  # "on the mat (MAT)": one capital run without a long form
    assert found["vit"] == ("vision transformers", 1)


def test_a_form_seen_once_needs_min_count_one() -> None:
    assert "vit" not in find_acronyms(TEXTS, min_count=2)
