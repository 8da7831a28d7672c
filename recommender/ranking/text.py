"""Text preparation shared by the index, profiles and topic handling."""

from __future__ import annotations

import html
import re

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
    words = [re.escape(w) for w in term.split()]
    pattern = r"(?<![\w-])" + r"[\s\-]+".join(words) + r"(?![\w-])"
    found = re.search(pattern, strip_accents_unicode(tidy(text)), re.IGNORECASE)
    return " ".join(found.group(0).lower().split()) if found else None


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
