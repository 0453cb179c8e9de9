"""Utterances as typed parts, and the surface transformations the styles apply to them.

An utterance keeps which part of its text is a template word and which is a value (the
item, an office, a time, a name, a phone number …), so that a transformation can leave
values alone where a person would (nobody misspells their own phone number) and change
them where people do (Traditional characters in a name).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

WORDS = "words"  # template words
ITEM, OFFICE, TIME, NAME, PHONE, DOC, BTYPE = (
    "item",
    "office",
    "time",
    "name",
    "phone",
    "doc",
    "btype",
)
# Parts a typo may hit.
TYPO_KINDS = frozenset({WORDS, ITEM, DOC, BTYPE, OFFICE})


@dataclass(frozen=True)
class Utterance:
    """One user turn: typed text in parts, or a button tap (its payload)."""

    parts: tuple[tuple[str, str], ...] = ()
    payload: str | None = None
    meaning: str = ""  # what the person means, for transcripts ("office=HA")
    tags: frozenset[str] = field(default_factory=frozenset)  # e.g. {"typo"}

    @property
    def text(self) -> str:
        """What is sent: the payload of a tap, else the joined parts."""
        if self.payload is not None:
            return self.payload
        return "".join(t for _, t in self.parts)

    def map_parts(self, fn: Callable[[str, str], str]) -> Utterance:
        """Apply ``fn(kind, text)`` to every part (a tap is left as it is)."""
        if self.payload is not None:
            return self
        return replace(self, parts=tuple((k, fn(k, t)) for k, t in self.parts))

    def tagged(self, tag: str) -> Utterance:
        """The same utterance with one more tag."""
        return replace(self, tags=self.tags | {tag})

    def then(self, other: Utterance, sep: str = "，") -> Utterance:
        """This utterance followed by another one (both typed)."""
        return Utterance(
            (*self.parts, (WORDS, sep), *other.parts),
            None,
            "; ".join(m for m in (self.meaning, other.meaning) if m),
            self.tags | other.tags,
        )


def tap(payload: str, meaning: str = "") -> Utterance:
    """A button tap."""
    return Utterance((), payload, meaning)


def fill(template: str, values: Mapping[str, tuple[str, str]], meaning: str = "") -> Utterance:
    """Fill a template's ``{name}`` fields with typed values.

    Args:
        template: Text with ``{field}`` placeholders.
        values: field → (part kind, text).
        meaning: What the person means.

    Returns:
        The utterance, its parts typed.
    """
    parts: list[tuple[str, str]] = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append((WORDS, literal))
        if name is not None:
            kind, value = values[name]
            parts.append((kind, value))
    return Utterance(tuple(parts), None, meaning)


@cache
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified → Traditional characters (OpenCC)."""
    return str(_s2t().convert(text))


def to_fullwidth(text: str) -> str:
    """ASCII letters, digits and punctuation → their full-width forms; space → U+3000."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == " ":
            out.append("\u3000")
        elif 0x21 <= code <= 0x7E:
            out.append(chr(code + 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def script_variant(u: Utterance) -> Utterance:
    """Traditional characters and full-width digits and letters everywhere (style 8)."""
    return u.map_parts(lambda _k, t: to_fullwidth(to_traditional(t)))


def add_typo(u: Utterance, rng: random.Random, table: Mapping[str, str]) -> Utterance:
    """One near-homophone from ``table``, or else one dropped character (style 9).

    Values that a person types carefully (names, phone numbers, times) are left alone.

    Args:
        u: The utterance.
        rng: The dialogue's random source.
        table: word → misspelling.

    Returns:
        The utterance with one typo, tagged ``typo``; unchanged when nothing fits.
    """
    if u.payload is not None:
        return u
    spots = [
        (i, word)
        for i, (kind, text) in enumerate(u.parts)
        if kind in TYPO_KINDS
        for word in table
        if word in text
    ]
    parts = list(u.parts)
    if spots:
        index, word = rng.choice(spots)
        kind, text = parts[index]
        parts[index] = (kind, text.replace(word, table[word], 1))
        return replace(u, parts=tuple(parts)).tagged("typo")
    drops = [i for i, (kind, text) in enumerate(parts) if kind in (ITEM, DOC) and len(text) >= 4]
    if not drops:
        return u
    index = rng.choice(drops)
    kind, text = parts[index]
    cut = rng.randrange(1, len(text) - 1)
    parts[index] = (kind, text[:cut] + text[cut + 1 :])
    return replace(u, parts=tuple(parts)).tagged("typo")


def dialect_words(u: Utterance, table: Mapping[str, str]) -> Utterance:
    """Replace plain words by dialect ones in the template words only (style 11)."""

    def swap(kind: str, text: str) -> str:
        if kind != WORDS:
            return text
        for plain, local in table.items():
            text = text.replace(plain, local)
        return text

    return u.map_parts(swap)


def join_list(items: list[str], rng: random.Random, *, commas: bool = True) -> str:
    """How people list things: "A、B和C", "A和B" or "A，B".

    Args:
        items: The things.
        rng: The dialogue's random source.
        commas: Whether "A，B" may be used.

    Returns:
        The list as one phrase.
    """
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    style = rng.randrange(3 if commas else 2)
    if style == 0:
        return "、".join(items[:-1]) + "和" + items[-1]
    if style == 1:
        return "、".join(items)
    return "和".join(items) if len(items) == 2 else "，".join(items)
