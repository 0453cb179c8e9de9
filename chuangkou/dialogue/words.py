"""The conversation's word lists (catalog/words.yml) and the small parsers built on them.

Words are compared on folded keys (:func:`common.folding.normalize`), so 確認, 確認！ and
确认 are one word. Names, choices and references are read here; what the words mean is
data, how a name or an ordinal is shaped is code.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property

from chuangkou.booking.timeparse import NUMERALS
from chuangkou.catalog.model import Lexicon
from common.folding import normalize, to_simplified

_CJK = "\u4e00-\u9fff"
_ORDINAL = re.compile(r"第\s*([0-9]|[一二两三四五六七八九])\s*(个|项|条|种|位)?")
# Particles people put after a name or an answer ("张伟吧", "王芳哦", "九点半吧").
_TRAILING = "吧啊呀嘛哦呢了的哈嗯喔噢"
# A masked phone number as the channel leaves it in the text (138****4567).
MASKED_PHONE = re.compile(r"[0-9]{0,3}\*{3,}[0-9X]{2,4}")
_NAME_RUN = re.compile(rf"[{_CJK}·•]{{2,10}}|[A-Za-z][A-Za-z .'-]{{1,39}}")


class Words:
    """One lexicon's word lists, folded once."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lists = {
            name: tuple(sorted({normalize(w) for w in words} - {""}, key=len, reverse=True))
            for name, words in lexicon.words.items()
        }

    def of(self, name: str) -> tuple[str, ...]:
        """The folded words of one list, longest first."""
        return self._lists.get(name, ())

    def found(self, name: str, key: str) -> list[str]:
        """Words of a list that occur in a folded text."""
        return [w for w in self.of(name) if w in key]

    def has(self, name: str, key: str) -> bool:
        """Whether a folded text contains a word of the list."""
        return any(w in key for w in self.of(name))

    def is_only(self, name: str, key: str) -> bool:
        """Whether a folded text is (nothing but) one word of the list, particles aside."""
        return key.rstrip(_TRAILING) in self.of(name) or key in self.of(name)

    def span(self, name: str, key: str) -> tuple[int, int] | None:
        """Where the longest word of the list occurs first, or None."""
        best: tuple[int, int] | None = None
        for word in self.of(name):
            at = key.find(word)
            if at >= 0 and (best is None or len(word) > best[1] - best[0]):
                best = (at, at + len(word))
        return best

    @cached_property
    def lists(self) -> frozenset[str]:
        """The names of every list."""
        return frozenset(self._lists)


def strip_particles(text: str) -> str:
    """A short answer without the particles and punctuation around it."""
    key = normalize(text)
    while key and key[-1] in _TRAILING:
        key = key[:-1]
    return key


def ordinal(text: str, words: Words) -> int | None:
    """The 0-based position a reply picks ("第二个" → 1, "3" → 2, "最后一个" → -1)."""
    key = strip_particles(text)
    if key.isdigit() and 0 < int(key) <= 20:
        return int(key) - 1
    simple = to_simplified(text)
    found = _ORDINAL.search(simple)
    if found:
        token = found.group(1)
        return (int(token) if token.isdigit() else NUMERALS[token]) - 1
    if words.has("pick_last", key):
        return -1
    if words.has("pick_first", key):
        return 0
    return None


def name_runs(text: str) -> list[str]:
    """Runs of letters that could be a name (Chinese 2–10 characters or Latin)."""
    plain = MASKED_PHONE.sub(" ", to_simplified(text))
    return [m.group(0).strip() for m in _NAME_RUN.finditer(plain)]


def as_typed(found: str, text: str) -> str:
    """A name found in the Simplified folding of ``text``, in the characters typed.

    A name is written the way its owner writes it (沈豔紅 stays 沈豔紅); only full-width
    forms are folded. When the folding changed the text's length the found form is kept.
    """
    simple = to_simplified(text)
    plain = unicodedata.normalize("NFKC", text)
    at = simple.find(found)
    if at < 0 or len(simple) != len(plain):
        return found
    return plain[at : at + len(found)]


def name_after(text: str, cues: tuple[str, ...], stops: tuple[str, ...] = ()) -> str | None:
    """The name right after an introduction ("我叫张伟吧" → 张伟, "名字是 Li Na" → Li Na).

    Chinese names are read up to four characters (more only with a middle dot); the name
    ends earlier where a word of ``stops`` begins ("我叫王芳麻烦了" → 王芳), and particles
    after it are dropped.
    """
    simple = to_simplified(text)
    for cue in sorted(cues, key=len, reverse=True):
        at = simple.find(cue)
        if at < 0:
            continue
        rest = simple[at + len(cue) :].lstrip(" ：:，,是叫")
        if any(w and rest.startswith(w) for w in stops):
            continue  # "名字写错了": the cue was not introducing a name
        latin = re.match(r"[A-Za-z][A-Za-z .'-]{1,39}", rest)
        if latin:
            return latin.group(0).strip()
        dotted = re.match(rf"[{_CJK}]{{1,6}}[·•][{_CJK}]{{1,8}}", rest)
        if dotted:
            return dotted.group(0)
        run = re.match(rf"[{_CJK}]{{2,4}}", rest)
        if run:
            name = run.group(0)
            for cut in (2, 3):
                if len(name) > cut and any(rest[cut:].startswith(w) for w in stops if w):
                    name = name[:cut]
                    break
            while len(name) > 2 and name[-1] in _TRAILING:
                name = name[:-1]
            return name
    return None
