"""Acronyms a corpus defines: "retrieval-augmented generation (RAG)" read from the
texts once per index fit (Schwartz & Hearst's long-form match), so a topic "RAG"
can be read as its long form."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

# An acronym in parentheses: 2-10 characters, a letter first, at least two capitals.
_PAREN = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{1,9})\s*[;,)]")


def _short_key(short: str) -> str | None:
    """The lookup key of an acronym ("LLMs" -> "llm"), None if it is not one."""
    core = short[:-1] if len(short) > 2 and short.endswith("s") and short[:-1].isupper() else short
    if sum(ch.isupper() for ch in core) < 2 or core.lower() == core:
        return None
    return core.casefold()


def _long_form(short: str, before: str) -> str | None:
    """Schwartz & Hearst (2003): the shortest run of words before "(SF)" whose
    letters contain the short form's in order, its first letter starting a word."""
    chars = [c for c in short.lower() if c.isalnum()]
    words = before.split()[-min(len(chars) + 5, 2 * len(chars)) :]
    text = " ".join(words)
    low = text.lower()
    li = len(low) - 1
    for si in range(len(chars) - 1, -1, -1):
        while li >= 0 and (low[li] != chars[si] or (si == 0 and li > 0 and low[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
    start = low.rfind(" ", 0, li + 1) + 1
    long = text[start:].strip(" ,;:-").lower()
    if len(long) <= len(short) or short.lower() in long.split():
        return None
    return long


def find_acronyms(texts: Iterable[str], min_count: int = 2) -> dict[str, tuple[str, int]]:
    """acronym key -> (long form, number of texts introducing it so), the most common form."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        pairs = set()
        for m in _PAREN.finditer(text):
            key = _short_key(m.group(1))
            long = _long_form(m.group(1), text[max(0, m.start() - 200) : m.start()]) if key else None
            if key and long:
                pairs.add((key, long.replace("-", " "), long))
        for key, norm, long in pairs:
            seen[key][norm] += 1
            spelled[norm][long] += 1
    out: dict[str, tuple[str, int]] = {}
    for key, forms in seen.items():
        norm, count = max(forms.items(), key=lambda kv: (kv[1], -len(kv[0])))
        if count >= min_count:
            out[key] = (spelled[norm].most_common(1)[0][0], count)
    return out
