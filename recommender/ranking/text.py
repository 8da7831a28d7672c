"""Text preparation shared by the index, profiles and topic handling."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from sklearn.feature_extraction.text import strip_accents_unicode

from recommender.errors import PaperbotError
from recommender.papers import clean_text

MAX_TOPIC = 100
_BRACES = re.compile(r"[{}]")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+")


class InvalidTopic(PaperbotError):
    """A topic the user typed that cannot be used; the message says why."""


def tidy(text: str) -> str:
    """Undo HTML entities, BibTeX braces and LaTeX commands that pollute tokens."""
    text = html.unescape(text)
    text = _LATEX_CMD.sub(" ", text)
    return _BRACES.sub("", text)


def paper_text(title: str, abstract: str) -> str:
    """What the index reads of a paper: the title (weighted twice) and the abstract."""
    title = tidy(title)
    return f"{title}. {title}. {tidy(abstract)}"


def as_written(term: str, text: str) -> str | None:
    """How a term of the index is written in a text, if it is written as a term of its own:
    "zero shot" -> "zero-shot"; None for "shot object" out of "zero-shot object" or for
    a pair the index joined across left-out words."""
    return written_forms([term], text)[0]


def written_forms(terms: list[str], text: str) -> list[str | None]:
    """`as_written` of each term in one text (the text read once; each term's pattern
    compiled once per process: a digest's picks search tens of thousands of terms, more
    than `re`'s own cache of 512 keeps)."""
    plain = strip_accents_unicode(tidy(text))
    found = [_term_pattern(t).search(plain) for t in terms]
    return [" ".join(f.group(0).lower().split()) if f else None for f in found]


@lru_cache(maxsize=1 << 16)
def _term_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<![\w-])" + r"[\s\-]+".join(words) + r"(?![\w-])", re.IGNORECASE)


def clean_topic(raw: str) -> str:
    """Validate and tidy a topic: 2 to 100 characters with at least one letter."""
    topic = clean_text(raw or "", len(raw or "") + 1)
    if not topic:
        raise InvalidTopic("The topic is empty. Try something like `graph neural networks`.")
    if len(topic) > MAX_TOPIC:
        raise InvalidTopic(
            f"That topic is {len(topic):,} characters long; topics can be at most {MAX_TOPIC}. "
            "Use a few keywords, e.g. `diffusion models`, and subscribe to several topics if needed."
        )
    if len(topic) < 2 or not any(ch.isalpha() for ch in topic):
        raise InvalidTopic("A topic needs at least two characters and one letter, e.g. `RLHF`.")
    return topic


def topic_key(topic: str) -> str:
    """Case- and spacing-insensitive key so `GNNs` and ` gnns ` are one topic."""
    return " ".join(topic.casefold().split())
