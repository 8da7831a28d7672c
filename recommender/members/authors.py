"""Author names: how they are matched, the library's authors, and the authors a member follows.

arXiv writes one person many ways: "Wałęga, P. A.", "Przemyslaw Andrzej Walega",
"P. Wałęga". A name is folded (accents and letters such as ł, ø, ß spelled in ASCII,
case, punctuation) and split into a surname and given names, in either order ("Last,
First" or "First Last", keeping particles such as "van der"). Two names are the same
person when their surnames agree and their given names agree as far as both go, an
initial agreeing with any name it starts (rapidfuzz forgives a letter in a full name).
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from recommender.errors import PaperbotError
from recommender.storage.models import AuthorFollow, Feedback, Paper
from recommender.storage.upsert import insert_ignore

NAME_MAX = 100  # what Discord shows of a choice and accepts in a text option
FOLLOWS_MAX = 50
# Letters NFKD does not take apart.
SPELLED = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d",
})
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos", "das", "ten", "ter"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
FULL_NAME_SIMILARITY = 85  # rapidfuzz ratio for two written-out given names to agree ("Przemyslaw" / "Przemysłav")
SURNAME_SIMILARITY = 92  # ... and for two long surnames (transliterations)


def _ascii(text: str) -> str:
    """Accents dropped and ł, ø, ß ... spelled out, lower case (a name in another script is kept)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(SPELLED))
    plain = decomposed.encode("ascii", "ignore").decode()
    return (plain if plain.strip() else decomposed).casefold()


def fold(text: str) -> str:
    """Lower case words without accents; punctuation (. - ') becomes spaces."""
    return " ".join(_PUNCT.sub(" ", _ascii(text)).split())


_PUNCT = re.compile(r"[\W_]+")
_SEPARATORS = re.compile(r"[\s.]+")


@dataclass(frozen=True)
class AuthorName:
    """One way a person's name is written, read into folded parts."""

    written: str
    surname: str  # folded, particles joined: "vanderberg"
    given: tuple[str, ...]  # folded given names or initials, in order

    @property
    def initial(self) -> str:
        return self.given[0][0] if self.given else ""

    @property
    def key(self) -> tuple[str, str]:
        return self.surname, " ".join(self.given)

    @property
    def informative(self) -> tuple[int, int]:
        """How much the form says: written-out given names, then length."""
        return sum(len(g) > 1 for g in self.given), len(self.written)


def words(text: str) -> list[str]:
    """Folded words of a name; a hyphen joins ("Leal-Taixé" -> "lealtaixe"), a dot separates ("J.M." -> j, m)."""
    out = []
    for chunk in _SEPARATORS.split(_ascii(text)):
        word = _PUNCT.sub("", chunk)
        if word:
            out.append(word)
    return out


@functools.lru_cache(maxsize=200_000)
def parse(written: str) -> AuthorName | None:
    """Read "Last, First M." or "First M. Last" (None when no name is left)."""
    written = " ".join(written.split())[:200]
    if "," in written:
        last, _, first = written.partition(",")
        surname_words, given = words(last), words(first)
    else:
        words_ = words(written)
        while len(words_) > 1 and words_[-1] in SUFFIXES:
            words_.pop()
        if not words_:
            return None
        cut = len(words_) - 1
        while cut > 1 and words_[cut - 1] in PARTICLES:
            cut -= 1
        surname_words, given = words_[cut:], words_[:cut]
    given = [g for g in given if g not in SUFFIXES]
    surname = "".join(w for w in surname_words if w not in SUFFIXES)
    if not surname:
        return None
    return AuthorName(written, surname, tuple(given))


def _given_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    for x, y in zip(a, b):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return False
        elif x != y and (min(len(x), len(y)) < 5 or fuzz.ratio(x, y) < FULL_NAME_SIMILARITY):
            return False
    return True


def same_person(a: AuthorName, b: AuthorName) -> bool:
    """Whether two written names can be one person (surname, then given names as far as both go).

    A double surname written without its hyphen ("Tomas Arias Vergara") still meets the hyphenated one."""
    if a.surname != b.surname:
        for x, y in ((a, b), (b, a)):
            if y.given and x.surname == y.given[-1] + y.surname:
                return _given_agree(x.given, y.given[:-1])
        long = min(len(a.surname), len(b.surname)) >= 7
        if not long or fuzz.ratio(a.surname, b.surname) < SURNAME_SIMILARITY:
            return False
    return _given_agree(a.given, b.given)


def wrote(name: AuthorName, authors: Iterable[str]) -> bool:
    """Whether `name` is among a paper's authors."""
    for written in authors:
        other = parse(written)
        if other is not None and same_person(name, other):
            return True
    return False


# -- the library's authors ----------------------------------------------------


@dataclass
class LibraryAuthor:
    """One person as the library knows them: the fullest way their name is written, their papers."""

    name: AuthorName
    papers: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    ambiguous: bool = False  # another author shares the surname and initial

    @property
    def display(self) -> str:
        return self.name.written[:NAME_MAX]

    def top_categories(self, n: int = 3) -> list[str]:
        return [c for c, _ in self.categories.most_common(n)]

    def label(self) -> str:
        """What autocomplete shows (at most 100 characters): name, papers, and categories when ambiguous."""
        text = f"{self.display} · {self.papers} paper{'s' * (self.papers != 1)}"
        if self.ambiguous and self.categories:
            text += " · " + ", ".join(self.top_categories())
        if len(text) > NAME_MAX:
            text = text[: NAME_MAX - 1] + "…"
        return text


class AuthorDirectory:
    """Every author of the library, people told apart by name (built from the papers' author lists)."""

    def __init__(self, papers: Iterable[tuple[list[str], list[str]]]) -> None:
        written_as: dict[str, tuple[list[int], Counter[str]]] = {}
        for authors, categories in papers:
            for written in set(authors or ()):
                found = written_as.get(written)
                if found is None:
                    found = written_as[written] = ([0], Counter())
                found[0][0] += 1
                found[1].update((categories or [])[:3])
        forms: dict[tuple[str, str], list[tuple[AuthorName, int, Counter[str]]]] = defaultdict(list)
        for written, (papers_count, cats) in written_as.items():
            name = parse(written)
            if name is not None:
                forms[(name.surname, name.initial)].append((name, papers_count[0], cats))
        self.people: list[LibraryAuthor] = []
        for group in forms.values():
            self.people.extend(_cluster(group))
        self.people.sort(key=lambda p: (-p.papers, p.display))
        self._by_surname: dict[str, list[LibraryAuthor]] = defaultdict(list)
        for person in self.people:
            self._by_surname[person.name.surname].append(person)
        self._folded = [" ".join((*person.name.given, person.name.surname)) for person in self.people]
        pairs = sorted((w, i) for i, name in enumerate(self._folded) for w in set(name.split()))
        self._words = [w for w, _ in pairs]
        self._owners = np.array([i for _, i in pairs], dtype=np.int64)
        self._surnames = sorted({p.name.surname for p in self.people})

    def __len__(self) -> int:
        return len(self.people)

    def search(self, typed: str, limit: int = 25) -> list[LibraryAuthor]:
        """The authors whose name fits what was typed (every word a prefix of one of theirs), most papers
        first; then close spellings (rapidfuzz)."""
        typed_words = words(typed)
        if not typed_words:
            return self.people[:limit]
        hits: set[int] | None = None
        for w in typed_words:
            lo = bisect.bisect_left(self._words, w)
            hi = bisect.bisect_left(self._words, w + "\uffff")
            owners = set(self._owners[lo:hi].tolist())
            hits = owners if hits is None else hits & owners
        found = sorted(hits or ())[:limit]  # people are sorted by papers: lower index, more papers
        if not found:  # a typo: the people with the closest surnames
            near = {s for s, _, _ in process.extract(typed_words[-1], self._surnames, scorer=fuzz.ratio, limit=5,
                                                     score_cutoff=80)}
            found = [i for i, p in enumerate(self.people) if p.name.surname in near][:limit]
        return [self.people[i] for i in found]

    def matching(self, name: AuthorName) -> list[LibraryAuthor]:
        """The library's people a name can be (several when it is ambiguous), most papers first."""
        near = [name.surname] + ([name.given[-1] + name.surname] if name.given else [])
        near += [s for s in self._surnames if len(s) >= 7 and s.endswith(name.surname) and s != name.surname]
        found = {id(p): p for s in near for p in self._by_surname.get(s, []) if same_person(p.name, name)}
        return sorted(found.values(), key=lambda p: -p.papers)


def _cluster(group: list[tuple[AuthorName, int, Counter[str]]]) -> list[LibraryAuthor]:
    """The people among forms sharing a surname and initial: one per written-out first name
    ("Dimitris N." and "Dimitris" together, "Wei" and "Wen" apart); a form with only an
    initial joins the one person it fits, or stands alone when it fits several."""
    group = sorted(group, key=lambda form: form[0].informative, reverse=True)
    by_first: dict[str, LibraryAuthor] = {}
    initials = []
    for form in group:
        first = form[0].given[0] if form[0].given else ""
        if len(first) <= 1:
            initials.append(form)
            continue
        person = by_first.setdefault(first, LibraryAuthor(form[0]))
        person.papers += form[1]
        person.categories.update(form[2])
    people = list(by_first.values())
    alone: list[LibraryAuthor] = []
    for name, papers, cats in initials:
        fits = [p for p in people if same_person(name, p.name)]
        if len(fits) == 1:
            person = fits[0]
        else:
            person = next((p for p in alone if same_person(name, p.name)), None)
            if person is None:
                person = LibraryAuthor(name)
                alone.append(person)
        person.papers += papers
        person.categories.update(cats)
    people += alone
    for person in people:
        person.ambiguous = len(people) > 1
    return people


def directory(session: Session) -> AuthorDirectory:
    return AuthorDirectory(session.execute(select(Paper.authors, Paper.categories)))


# -- follows ------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    name: str
    parsed: AuthorName


def follows(session: Session, user_id: int) -> list[Followed]:
    rows = session.scalars(select(AuthorFollow).where(AuthorFollow.user_id == user_id).order_by(AuthorFollow.created_at))
    return [Followed(r.name, AuthorName(r.name, r.surname, tuple(r.given.split()))) for r in rows]


def follows_of(session: Session, user_ids: list[int]) -> dict[int, list[Followed]]:
    out: dict[int, list[Followed]] = defaultdict(list)
    if user_ids:
        query = select(AuthorFollow).where(AuthorFollow.user_id.in_(user_ids)).order_by(AuthorFollow.created_at)
        for r in session.scalars(query):
            out[r.user_id].append(Followed(r.name, AuthorName(r.name, r.surname, tuple(r.given.split()))))
    return out


def follow(session: Session, user_id: int, name: AuthorName) -> bool:
    """Follow an author (as written); False when already followed."""
    if len(follows(session, user_id)) >= FOLLOWS_MAX:
        raise PaperbotError(f"You follow {FOLLOWS_MAX} authors already: `/unfollow` one first.")
    session.flush()
    return insert_ignore(
        session, AuthorFollow, ["user_id", "surname", "given"],
        user_id=user_id, name=name.written[:200], surname=name.surname[:120], given=" ".join(name.given)[:120],
    )


def unfollow(session: Session, user_id: int, typed: str) -> str:
    """Stop following the followed author `typed` names; returns the name as followed."""
    name = parse(typed)
    mine = follows(session, user_id)
    hit = next((f for f in mine if name is not None and f.parsed.key == name.key), None)
    hit = hit or next((f for f in mine if name is not None and same_person(f.parsed, name)), None)
    if hit is None:
        listed = ", ".join(f.name for f in mine) or "none"
        raise PaperbotError(f"You don't follow `{typed[:NAME_MAX]}`. Authors you follow: {listed[:1500]}.")
    session.execute(delete(AuthorFollow).where(
        AuthorFollow.user_id == user_id, AuthorFollow.surname == hit.parsed.surname,
        AuthorFollow.given == " ".join(hit.parsed.given),
    ))
    return hit.name


def recurring(session: Session, user_id: int, limit: int = 10) -> list[tuple[str, int]]:
    """The authors who recur most among the papers a member liked or saved: (name, papers), two or more each."""
    rows = session.execute(
        select(Paper.id, Paper.authors).join(Feedback, Feedback.paper_id == Paper.id)
        .where(Feedback.user_id == user_id, Feedback.kind.in_(("like", "save")))
    )
    liked = AuthorDirectory((authors, []) for authors in {pid: a for pid, a in rows}.values())
    followed = follows(session, user_id)
    out = [
        (p.display, p.papers) for p in liked.people
        if p.papers >= 2 and not any(same_person(p.name, f.parsed) for f in followed)
    ]
    return out[:limit]
