"""The check of a household's own profile text before landlords read it (issue 13.14).

Landlords see the profile text as written. Before a profile is vetted (and whenever the text of
a profile that landlords may see changes), this module finds what must not reach a landlord:

- ``name``: a name of the household's members, from the restricted identity (main tenant and
  adults, each whole name and each part of three letters or more), case-insensitive, whole words;
- ``phone``: a phone number (``+49 203 123456``, ``0203-123456``, ``0170/1234567``, or digits
  after "Tel.", "phone", "Handy", "WhatsApp" ...);
- ``email``: an e-mail address;
- ``date``: a full date (``12.03.1990``, ``1990-03-12``, ``12/03/1990``) or a birth word
  ("geb.", "geboren", "born", "Jahrgang", "date of birth" ... with the year or date after it);
- ``origin``, ``religion``, ``health``, ``residence``: words from the lists in
  ``data/profile_text_words.json`` (German and English; see the comment there for what is left
  out on purpose).

A hit is a question to the social worker, not a verdict: they edit the text or confirm each hit
("checked, may stay"). The check runs again on any other text (see ``fingerprint``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from portal.core import clock

# The order in which categories are shown, and which wins when two hits overlap.
CATEGORIES = (
    "email",
    "date",
    "phone",
    "name",
    "residence",
    "origin",
    "religion",
    "health",
)
WORD_CATEGORIES = ("residence", "origin", "religion", "health")
# Parts of names that say nothing on their own.
NAME_PARTICLES = frozenset(
    {"von", "van", "der", "den", "die", "das", "del", "della", "de", "da", "dos", "du", "al", "el"}
    | {"bin", "ibn", "ben", "abu", "und", "and", "mit", "zu", "zum", "zur"}
)
MIN_NAME_PART = 3

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# International (+49 / 0049) or national (0...) numbers with at least seven digits, or any
# number after a phone word.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+\d|00\d|0\d)[\d /().\-]{4,}\d(?!\w)")
PHONE_WORD_RE = re.compile(
    r"\b(?:tel|telefon|fon|phone|handy|mobil|mobile|whatsapp|signal|anrufen|call)\b\.?:?\s*"
    r"\+?\d[\d /().\-]{3,}\d(?!\w)",
    re.IGNORECASE,
)
MIN_PHONE_DIGITS = 7
_DATE = (
    r"(?:\d{1,2}\.\s?\d{1,2}\.\s?(?P<y1>(?:19|20)?\d{2})"  # 12.03.1990, 12. 3. 90
    r"|(?P<y2>(?:19|20)\d{2})-\d{1,2}-\d{1,2}"  # 1990-03-12
    r"|\d{1,2}/\d{1,2}/(?P<y3>(?:19|20)?\d{2}))(?!\d)"  # 12/03/1990
)
DATE_RE = re.compile(r"\b" + _DATE)
BIRTH_RE = re.compile(
    r"(?:\bgeb\.|\b(?:geboren|born|jahrgang|jahrg\.|geburtsdatum|geburtstag|geburtsjahr"
    r"|date of birth|birth ?date|birthday|year of birth)\b)"
    r"(?:\s*(?:am|on|in|im|the|:)?\s*(?:"
    + _DATE.replace("?P<y1>", "").replace("?P<y2>", "").replace("?P<y3>", "")
    + r"|(?:19|20)\d{2}\b))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Hit:
    """One passage of the text: its category, the words as written and where they are."""

    category: str
    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        """What the social worker confirms: the category and the words, case-folded, so the same
        words found twice are confirmed once."""
        return f"{self.category}:{' '.join(self.text.casefold().split())}"


def _pattern(entries: list[str]) -> re.Pattern[str]:
    parts = []
    for entry in entries:
        stem, prefix = (entry[:-1], True) if entry.endswith("*") else (entry, False)
        body = r"\s+".join(re.escape(w) for w in stem.split())
        parts.append(body + (r"\w*" if prefix else r"(?!\w)"))
    # Longest first, so that "residence permit" wins over a shorter entry.
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


@cache
def word_patterns() -> dict[str, re.Pattern[str]]:
    """One pattern per category from the word list, and ``allowed`` (read once)."""
    raw = resources.files("portal.households").joinpath("data/profile_text_words.json")
    lists = json.loads(raw.read_text(encoding="utf-8"))
    return {category: _pattern(lists[category]) for category in (*WORD_CATEGORIES, "allowed")}


def name_parts(names: Iterable[str | None]) -> list[str]:
    """Every whole name and every part of three letters or more, without particles."""
    found: set[str] = set()
    for name in names:
        name = " ".join((name or "").split())
        if not name:
            continue
        found.add(name)
        for part in re.split(r"[\s,;/()]+", name):
            part = part.strip(".-'")
            if len(part) >= MIN_NAME_PART and part.casefold() not in NAME_PARTICLES:
                found.add(part)
    return sorted(found, key=len, reverse=True)


def identity_names(identity) -> list[str]:
    """The members' names held in a household's identity (main tenant, one adult per line)."""
    if identity is None:
        return []
    return [identity.main_tenant_name, *(identity.adult_names or "").splitlines()]


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _may_be_a_birth_date(match: re.Match[str], this_year: int) -> bool:
    """A full date up to this year (a birth date is never in the future; "ab 01.03.2027", the
    move-in date, is no hit). Two-digit years always count."""
    year = match.group("y1") or match.group("y2") or match.group("y3") or ""
    return len(year) == 2 or int(year) <= this_year


def check(
    text: str | None, names: Iterable[str | None] = (), this_year: int | None = None
) -> list[Hit]:
    """Every hit in ``text``, in reading order; where two overlap, the one of the earlier
    category in ``CATEGORIES`` (then the longer) stays."""
    this_year = this_year or clock.today().year
    text = text or ""
    if not text.strip():
        return []
    found: list[Hit] = []

    def add(category: str, match: re.Match[str]) -> None:
        found.append(Hit(category, match.group(0), match.start(), match.end()))

    parts = name_parts(names)
    if parts:
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(p) for p in parts) + r")(?!\w)", re.IGNORECASE
        )
        for match in pattern.finditer(text):
            add("name", match)
    for match in EMAIL_RE.finditer(text):
        add("email", match)
    for match in DATE_RE.finditer(text):
        if _may_be_a_birth_date(match, this_year):
            add("date", match)
    for match in BIRTH_RE.finditer(text):
        add("date", match)
    for match in PHONE_RE.finditer(text):
        if _digits(match.group(0)) >= MIN_PHONE_DIGITS and not DATE_RE.fullmatch(match.group(0)):
            add("phone", match)
    for match in PHONE_WORD_RE.finditer(text):
        add("phone", match)
    patterns = word_patterns()
    allowed = patterns["allowed"]
    for category in WORD_CATEGORIES:
        for match in patterns[category].finditer(text):
            if not allowed.match(text, match.start()):
                add(category, match)

    rank = {c: i for i, c in enumerate(CATEGORIES)}
    found.sort(key=lambda h: (rank[h.category], -(h.end - h.start), h.start))
    kept: list[Hit] = []
    for hit in found:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def segments(text: str, hits: list[Hit]) -> list[tuple[str, Hit | None]]:
    """The text cut into plain pieces and hits, for showing the hits marked."""
    pieces: list[tuple[str, Hit | None]] = []
    position = 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start > position:
            pieces.append((text[position : hit.start], None))
        pieces.append((text[hit.start : hit.end], hit))
        position = hit.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def fingerprint(text: str | None, names: Iterable[str | None] = ()) -> str:
    """SHA-256 of the text and the names it was checked against: a confirmation holds for
    exactly this text and these names; another text (or a new member's name) is checked again.
    Stored instead of the text, so it holds no personal data in readable form."""
    material = (text or "") + "\0" + "\n".join(name_parts(names))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
