"""The library's own vocabulary, for topics: acronyms the corpus defines, very common
words the index leaves out, and spelling suggestions (rapidfuzz) from its terms.

Acronyms are read once per index fit (`find_acronyms`, from "long form (LF)" in the
texts); the rest is derived lazily from the fitted vectorizer and kept on the index.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg  # noqa: F401  (sp.linalg.norm)
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from sklearn.preprocessing import normalize

from recommender.ranking.index import PaperIndex

_WORD = re.compile(r"[\w][\w\-]*")
COMMON_PHRASES = 40  # a very common word is read through its most frequent phrases
FEW_PAPERS = 5  # a topic matching fewer papers than this gets a warning
SUGGESTIONS = 5
# A topic's spelling variants that the library uses (plural or singular, the words of a pair
# joined or hyphenated) join its vector at this weight relative to the typed words
# (chosen on the validation half of the CiteULike tags, docs/quality.md).
VARIANT_WEIGHT = 0.5


@dataclass
class Vocabulary:
    """Lookups over the fitted vocabulary of one index (built once per index object)."""

    index: PaperIndex
    n_docs: int = 0
    df: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unigrams: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    by_word: dict[str, list[int]] = field(default_factory=dict)  # word -> phrase term ids

    @classmethod
    def of(cls, index: PaperIndex) -> Vocabulary:
        cached = getattr(index, "_vocabulary", None)
        if cached is None:
            cached = cls.build(index)
            index._vocabulary = cached  # type: ignore[attr-defined]
        return cached

    @classmethod
    def build(cls, index: PaperIndex) -> Vocabulary:
        vectorizer = index.vectorizer
        n = int(index.fitted_docs)
        # smooth idf: idf = ln((1 + n) / (1 + df)) + 1
        df = np.rint((1 + n) / np.exp(vectorizer.idf_ - 1) - 1)
        vocab = cls(index, n, df)
        by_word: dict[str, list[int]] = defaultdict(list)
        for term, i in vectorizer.vocabulary_.items():
            if " " in term:
                vocab.phrases.append(term)
                for word in term.split():
                    by_word[word].append(i)
            else:
                vocab.unigrams.append(term)
        vocab.by_word = dict(by_word)
        return vocab

    def term_id(self, term: str) -> int | None:
        return self.index.vectorizer.vocabulary_.get(term)

    def papers_with(self, term: str) -> int:
        i = self.term_id(term)
        return int(self.df[i]) if i is not None else 0

    def is_common(self, word: str) -> bool:
        """Left out of the index for being in too many papers (it still forms phrases)."""
        return self.term_id(word) is None and word in self.by_word

    def common_phrases(self, word: str, limit: int = COMMON_PHRASES) -> list[int]:
        ids = self.by_word.get(word, [])
        return sorted(ids, key=lambda i: -self.df[i])[:limit]

    def closest(self, text: str, terms: list[str], cutoff: float, limit: int = SUGGESTIONS) -> list[str]:
        """The library's terms closest in spelling to `text`, the more frequent first among equals."""
        scorer = DamerauLevenshtein.normalized_similarity  # typos, transpositions included
        hits = process.extract(text, terms, scorer=scorer, score_cutoff=cutoff, limit=limit * 4)
        hits.sort(key=lambda h: (-round(h[1], 2), -self.papers_with(h[0])))
        return [h[0] for h in hits[:limit]]


def word_reader(index: PaperIndex) -> Callable[[str], list[str]]:
    """`words_of` for many texts: the index's preprocessor, tokenizer and stop words built once."""
    vectorizer = index.vectorizer
    stop = vectorizer.get_stop_words() or frozenset()
    tokenize, prepare = vectorizer.build_tokenizer(), vectorizer.build_preprocessor()
    return lambda text: [t for t in tokenize(prepare(text)) if t not in stop]


def words_of(index: PaperIndex, text: str) -> list[str]:
    """The words the index reads in a text (lower-cased, accents stripped, no stop words)."""
    return word_reader(index)(text)


def acronym_long_forms(index: PaperIndex, topic: str) -> dict[str, tuple[str, int]]:
    """The acronyms in a topic that the corpus defines: as typed -> (long form, texts)."""
    found: dict[str, tuple[str, int]] = {}
    tokens = _WORD.findall(topic)
    for token in tokens:
        if sum(ch.isupper() for ch in token) < 2 and len(tokens) > 1:
            continue  # "par" in "apprentissage par transfert" is a word; "PAR" or a lone "rag" may be an acronym
        key = token.casefold()
        hit = index.acronyms.get(key) or (index.acronyms.get(key[:-1]) if key.endswith("s") else None)
        if hit and hit[0].replace("-", " ") not in topic.casefold().replace("-", " "):
            found[token] = hit
    return found


def topic_text(index: PaperIndex, topic: str) -> str:
    """What the index reads for a topic: the topic with its acronyms' long forms."""
    longs = [long for long, _ in acronym_long_forms(index, topic).values()]
    return " ".join([topic, *longs])


def uncovered_common(index: PaperIndex, vocab: Vocabulary, words: list[str], vector: sp.csr_matrix) -> list[str]:
    """The very common words of a topic that no phrase in its vector covers."""
    covered = {w for i in vector.indices for w in str(index.terms[i]).split() if " " in str(index.terms[i])}
    return [w for w in dict.fromkeys(words) if w not in covered and vocab.is_common(w)]


def _common_part(index: PaperIndex, vocab: Vocabulary, words: list[str], vector: sp.csr_matrix) -> sp.csr_matrix | None:
    """The uncovered common words of a topic read through their most frequent phrases
    in the library (weighted by how often they occur)."""
    common = uncovered_common(index, vocab, words, vector)
    if not common:
        return None
    ids = [i for w in common for i in vocab.common_phrases(w)]
    weights = np.sqrt(vocab.df[ids]).astype(np.float32)
    part = sp.csr_matrix((weights, (np.zeros(len(ids), dtype=np.int64), ids)), shape=(1, len(index.terms)))
    part.sum_duplicates()
    return normalize(part)


def _number_forms(word: str) -> set[str]:
    """The other grammatical number of an English word, by the regular rules."""
    if word.endswith("ies") and len(word) > 4:
        return {word[:-3] + "y"}
    if word.endswith("s") and not word.endswith("ss"):
        return {word[:-1]}
    if word.endswith("y") and len(word) > 2:
        return {word + "s", word[:-1] + "ies"}
    return {word + "s"}


def spelling_variants(index: PaperIndex, words: list[str]) -> list[str]:
    """Terms of the library a topic's words may be spelled as: the other number of each
    word ("network" / "networks") and of each phrase, and adjacent words joined
    ("data set" -> "dataset", "gene-expression" in vocabularies that keep hyphens)."""
    vocabulary = index.vectorizer.vocabulary_
    found: list[str] = []
    for i, word in enumerate(words):
        found += [v for v in _number_forms(word) if v in vocabulary]
        if len(words) > 1:
            found += [p for v in _number_forms(word) if (p := " ".join([*words[:i], v, *words[i + 1:]])) in vocabulary]
    for a, b in zip(words, words[1:]):
        found += [j for j in (f"{a}-{b}", f"{a}{b}", f"{a}_{b}") if j in vocabulary]
    return [v for v in dict.fromkeys(found) if v not in words]


def _variant_part(index: PaperIndex, words: list[str]) -> tuple[list[int], np.ndarray] | None:
    """A topic's spelling variants as term ids and weights (IDF), of norm `VARIANT_WEIGHT`
    times the square root of their number per typed word; None without variants."""
    variants = spelling_variants(index, words)
    if not variants or not words:
        return None
    ids = [index.vectorizer.vocabulary_[v] for v in variants]
    idf = index.vectorizer.idf_[ids].astype(np.float64)
    return ids, idf / np.linalg.norm(idf) * (VARIANT_WEIGHT * np.sqrt(len(ids) / len(words)))


def embed_topics(index: PaperIndex, topics: list[str]) -> sp.csr_matrix:
    """Unit TF-IDF vectors of topics (topics x terms): acronyms expanded, very common
    words read through their phrases, spelling variants the library uses added; a row is
    empty only if nothing can match."""
    base = index.embed([topic_text(index, t) for t in topics]).tocsr()
    if not topics:
        return base
    vocabulary = index.vectorizer.vocabulary_
    read = word_reader(index)
    vocab: Vocabulary | None = None
    replaced: dict[int, sp.csr_matrix] = {}  # rows changed by their common words' phrases
    at, ids, values = [], [], []  # the spelling variants, added to their rows below
    for k, topic in enumerate(topics):
        words = read(topic)
        nnz = base.indptr[k + 1] - base.indptr[k]
        if any(vocabulary.get(w) is None for w in words):
            vocab = vocab or Vocabulary.of(index)
            row = base[k]
            common = _common_part(index, vocab, words, row)
            if common is not None:
                share = max(1, len([w for w in words if vocabulary.get(w) is not None]))
                replaced[k] = normalize(row + common / np.sqrt(share)) if row.nnz else common
                nnz = replaced[k].nnz
        variants = _variant_part(index, words) if nnz else None
        if variants is not None:
            at += [k] * len(variants[0])
            ids += variants[0]
            values.append(variants[1])
    out = base.astype(np.float64).tocoo()
    if replaced:
        keep = ~np.isin(out.row, list(replaced))
        rows = [out.row[keep], *[np.full(r.nnz, k) for k, r in replaced.items()]]
        cols = [out.col[keep], *[r.indices for r in replaced.values()]]
        data = [out.data[keep], *[r.data.astype(np.float64) for r in replaced.values()]]
        out = sp.coo_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=base.shape)
    matrix = out.tocsr()
    if at:  # each row with variants: (row + variants), unit length again
        matrix = (matrix + sp.csr_matrix((np.concatenate(values), (at, ids)), shape=base.shape)).tocsr()
        scale = np.ones(base.shape[0])
        touched = np.unique(at)
        scale[touched] = 1.0 / np.maximum(sp.linalg.norm(matrix[touched], axis=1), 1e-12)
        matrix = sp.diags(scale) @ matrix
    return sp.csr_matrix(matrix, dtype=np.float32)


@dataclass
class TopicReading:
    """How the library reads a topic: what carries the match, and what does not."""

    topic: str
    papers: int  # papers the topic's vector meets at all
    terms: list[str]  # the library terms that carry it, the most frequent first
    unknown: list[str]  # words no paper uses
    common: dict[str, list[str]]  # very common word -> the phrases it is read through
    acronyms: dict[str, tuple[str, int]]  # as typed -> (long form, texts introducing it)
    suggestions: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.papers > 0

    @property
    def weak(self) -> bool:
        return bool(self.unknown) or self.papers < FEW_PAPERS


def read_topic(index: PaperIndex, topic: str, suggest: bool = True) -> TopicReading:
    """Read a topic against the library; with `suggest`, propose better-matching terms
    (corrected spelling and the library's phrases) when the topic is weak."""
    vocab = Vocabulary.of(index)
    vector = embed_topics(index, [topic])
    papers = int((index.matrix @ vector.T).nnz)
    text = topic_text(index, topic)
    typed = words_of(index, topic)
    unknown = [w for w in dict.fromkeys(typed) if vocab.term_id(w) is None and not vocab.is_common(w)]
    plain = index.embed([text])
    common = {
        w: [str(index.terms[i]) for i in vocab.common_phrases(w, 5)]
        for w in uncovered_common(index, vocab, words_of(index, text), plain)
    }
    terms = sorted((str(index.terms[i]) for i in vector.indices), key=lambda t: -vocab.papers_with(t))
    reading = TopicReading(topic, papers, terms[:8], unknown, common, acronym_long_forms(index, topic))
    if suggest and reading.weak:
        reading.suggestions = suggestions(vocab, typed, unknown)
    return reading


def suggestions(vocab: Vocabulary, words: list[str], unknown: list[str]) -> list[str]:
    """Topics the library can match: the typed words with misspellings corrected (when
    every word could be), phrases close to the whole topic, then the most frequent
    phrases with the corrected words and with the words that do occur."""
    fixes = {w: vocab.closest(w, vocab.unigrams, cutoff=0.7, limit=1) for w in unknown}
    corrected = [fixes[w][0] if fixes.get(w) else w for w in words]
    out: list[str] = []
    if all(fixes.values()) and corrected != words:
        out.append(" ".join(corrected))
    out += vocab.closest(" ".join(words), vocab.phrases, cutoff=0.8)
    fixed = [f[0] for f in fixes.values() if f]
    known = [w for w in words if w not in fixes]
    if unknown:
        for word in fixed + known:
            out += [str(vocab.index.terms[i]) for i in vocab.common_phrases(word, 3)]
    ranked = [s for s in dict.fromkeys(out) if s != " ".join(words)]
    return ranked[:SUGGESTIONS]
