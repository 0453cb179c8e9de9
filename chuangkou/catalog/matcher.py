"""Find catalog things (items, sub-items, documents, offices, business types) in free text.

Two layers, chosen for what each does well:

* Exact layer — spaCy's ``PhraseMatcher`` over a blank ``zh`` pipeline with the *character*
  segmenter. Every name and alias becomes a pattern of characters, so a name is found
  wherever it occurs, whatever a word segmenter would have done with its neighbours
  ("电梯使用登记要啥" finds 使用登记 and 电梯). The matcher is hash-based, so its cost
  grows with the message, not with the size of the catalog.
* Typo layer — a name or alias of three or more characters with one character typed
  wrong for one that sounds the same, the usual slip of a pinyin input method ("叉车正"
  for 叉车证, "点梯登记" for 电梯登记): every such word is indexed with each position
  replaced by that character's toneless pinyin, so a look-up costs one dictionary probe
  per window of the message. It only runs when the exact layer found no single item.
* Fuzzy layer — jieba word segmentation, fed every catalog word, scoring items by the
  IDF-weighted share of their name's words that the message contains. It catches partial
  names ("特种设备的许可") that no alias lists; it only runs when neither layer above
  found an item.

Both work on :func:`common.folding.normalize` keys, so Traditional characters, full-width
forms, spaces and punctuation do not matter. Nothing is downloaded: a blank spaCy pipeline
has no model, and jieba ships its dictionary.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from chuangkou.catalog.model import Catalog
from common.folding import normalize

if TYPE_CHECKING:
    import jieba

# Families whose overlapping mentions compete with each other; mentions of different
# families may overlap (年检 is an item alias and a business-type word at once).
FAMILIES: dict[str, str] = {
    "item": "item",
    "sub_item": "item",
    "document": "document",
    "office": "office",
    "business_type": "business_type",
    "form": "form",
}
# Characters of everyday grammar ("要带什么", "怎么办"): a name with one of these in place
# of one of its own characters is a name followed by a word, not a typo of the name
# ("电梯需要" is 电梯 + 需要, not a mistyped 电梯证).
_NOT_TYPOS = frozenset(
    "需要的了吗呢嘛吧啊呀怎么什啥是在有和与及办考去来到给把被让请问说想能会可以就都也还再个些哪"
)
# The longest clause read for mistyped document names.
TYPO_SCAN_CHARS = 300
# A fuzzy winner must beat the runner-up by this factor, otherwise we ask.
FUZZY_MARGIN = 1.3
# Share of an item name's word weight a message must cover to be a fuzzy candidate.
FUZZY_MIN_COVER = 0.34


@dataclass(frozen=True)
class Mention:
    """A span of the normalised text that names one or more catalog things."""

    start: int
    end: int
    surface: str
    family: str
    targets: frozenset[tuple[str, str]]  # (kind, target)

    @property
    def length(self) -> int:
        """Length of the mention in characters."""
        return self.end - self.start


@dataclass(frozen=True)
class ItemCandidate:
    """An item the text may be about, with the sub-item it named, if any."""

    item_code: str
    sub_item_code: str | None
    score: float
    via: str


@dataclass(frozen=True)
class ItemMatch:
    """The result of looking for an item: a single best one, or candidates to ask about."""

    candidates: tuple[ItemCandidate, ...]
    ambiguous: bool

    @property
    def best(self) -> ItemCandidate | None:
        """The item to answer about, or None when there is none or it is ambiguous."""
        if self.ambiguous or not self.candidates:
            return None
        return self.candidates[0]


def _inside(mention: Mention, others: list[Mention]) -> bool:
    """Whether a mention lies inside a longer one of ``others``."""
    return any(
        o.start <= mention.start and mention.end <= o.end and o.length > mention.length
        for o in others
    )


# jionlp loads its pinyin dictionary on first use without a lock: threads that reach it
# together (the first requests after start-up) each load it again, for seconds each.
_PINYIN_LOCK = threading.Lock()


@cache
def _sound(ch: str) -> str:
    """A character's toneless pinyin ("证" → "zheng"), or the character itself."""
    import contextlib
    import io

    with _PINYIN_LOCK:
        with contextlib.redirect_stdout(io.StringIO()):  # jionlp greets on import
            import jionlp

        try:
            syllables = jionlp.pinyin(ch, formater="simple")
        except Exception:
            return ch
    syllable = str(syllables[0]) if syllables else ch
    return syllable.rstrip("012345") or ch


def _wildcards(word: str) -> list[str]:
    """A word's keys with one position replaced by its sound (none below 3 characters)."""
    key = normalize(word)
    if len(key) < 3 or key.isascii():
        return []
    return [f"{key[:i]}\0{_sound(key[i])}\0{key[i + 1 :]}" for i in range(len(key))]


def _select_spans(spans: Iterable[Mention]) -> list[Mention]:
    """Keep the longest non-overlapping mentions (leftmost first on equal length)."""
    chosen: list[Mention] = []
    taken: set[int] = set()
    for mention in sorted(spans, key=lambda m: (-m.length, m.start)):
        cells = set(range(mention.start, mention.end))
        if not cells & taken:
            chosen.append(mention)
            taken |= cells
    return sorted(chosen, key=lambda m: m.start)


class Matcher:
    """Matcher over one catalog version. Build once per version; then cheap per message."""

    def __init__(self, catalog: Catalog) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.catalog = catalog
        self._nlp = spacy.blank("zh")  # character segmenter: no model, no download
        self._phrases = PhraseMatcher(self._nlp.vocab)
        self._subs_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
        # Normalised sub-item words per item, computed once: _inner_sub_item runs on
        # every question naming an item, and re-normalising thousands of sub-item
        # names there made it grow with the catalog.
        self._sub_keys: dict[str, list[tuple[str, str]]] = defaultdict(list)
        terms: dict[tuple[str, str], set[str]] = defaultdict(set)
        for item in catalog.items:
            for word in (item.name, item.code, *item.aliases):
                terms[("item", item.code)].add(word)
            for sub in item.sub_items:
                self._subs_of[sub.code].append((item.code, sub.code))
                for word in (sub.name, sub.code, *sub.aliases):
                    terms[("sub_item", sub.code)].add(word)
                for word in (sub.name, *sub.aliases):
                    if word_key := normalize(word):
                        self._sub_keys[item.code].append((word_key, sub.code))
        for doc in catalog.documents:
            for word in (doc.name, *doc.aliases):
                terms[("document", doc.name)].add(word)
        for office in catalog.offices:
            for word in (office.name, *office.aliases):
                terms[("office", office.code)].add(word)
        for btype, aliases in catalog.lexicon.business_types.items():
            for word in (btype, *aliases):
                terms[("business_type", btype)].add(word)
        for form, form_words in catalog.lexicon.forms.items():
            terms[("form", form)].update(form_words)
        for (kind, target), spelled in terms.items():
            keys = sorted({normalize(w) for w in spelled} - {""})
            self._phrases.add(f"{kind}\t{target}", [self._nlp.make_doc(k) for k in keys])
        self._jieba: jieba.Tokenizer | None = None
        self._item_words: dict[str, dict[str, float]] = {}
        self._typos: dict[str, set[tuple[str, str]]] | None = None
        self._doc_typos: dict[str, set[str]] | None = None
        self._build_lock = threading.RLock()

    # -- exact layer -------------------------------------------------------------------

    def mentions(self, text: str, *, normalized: bool = False) -> list[Mention]:
        """All catalog mentions in a text, overlaps resolved within each family.

        Args:
            text: The user's text (raw), or an already normalised key.
            normalized: Whether ``text`` is already normalised.

        Returns:
            Mentions sorted by position.
        """
        key = text if normalized else normalize(text)
        if not key:
            return []
        doc = self._nlp.make_doc(key)
        by_span: dict[tuple[int, int, str], set[tuple[str, str]]] = defaultdict(set)
        strings = self._nlp.vocab.strings
        for match_id, start, end in self._phrases(doc):
            kind, target = strings[match_id].split("\t", 1)
            by_span[(start, end, FAMILIES[kind])].add((kind, target))
        per_family: dict[str, list[Mention]] = defaultdict(list)
        for (start, end, family), targets in by_span.items():
            surface = doc[start:end].text
            per_family[family].append(Mention(start, end, surface, family, frozenset(targets)))
        found: list[Mention] = []
        for spans in per_family.values():
            found.extend(_select_spans(spans))
        return sorted(found, key=lambda m: (m.start, m.family))

    def item_mentions(self, text: str, *, normalized: bool = False) -> list[Mention]:
        """Mentions of items and sub-items, without those that spell something else.

        An item's name inside an office's name is dropped; inside a longer document name
        ("计量标准证书" holds 计量标准) it is dropped when some other item is named
        outright; when none is, the document is the only clue to the item and it stays.
        """
        every = self.mentions(text, normalized=normalized)
        documents = [m for m in every if m.family == "document"]
        offices = [m for m in every if m.family == "office"]
        # An office's name is never an item's ("浠水质监局" holds 水质).
        items = [m for m in every if m.family == "item" and not _inside(m, offices)]
        outside = [m for m in items if not _inside(m, documents)]
        return outside or items

    def targets(self, text: str, kind: str) -> list[str]:
        """Distinct targets of one kind mentioned in a text, in order of appearance."""
        seen: list[str] = []
        for mention in self.mentions(text):
            for k, target in sorted(mention.targets):
                if k == kind and target not in seen:
                    seen.append(target)
        return seen

    # -- items ---------------------------------------------------------------------------

    def match_items(self, text: str, *, limit: int = 5) -> ItemMatch:
        """Find the item a text is about.

        Args:
            text: The user's text.
            limit: The most candidates to return when the text is ambiguous.

        Returns:
            The match; ``best`` is set only when one item clearly fits.
        """
        key = normalize(text)
        scores: dict[str, float] = defaultdict(float)
        subs: dict[str, tuple[int, str]] = {}
        direct: set[str] = set()
        for mention in self.item_mentions(key, normalized=True):
            for kind, target in mention.targets:
                if kind == "item":
                    scores[target] += 10 + mention.length
                    direct.add(target)
                    continue
                for item_code, sub_code in self._subs_of[target]:
                    # A long sub-item name ("电梯安全隐患") is specific; a short one is not.
                    scores[item_code] += 4 + 1.5 * mention.length
                    if mention.length > subs.get(item_code, (0, ""))[0]:
                        subs[item_code] = (mention.length, sub_code)
        if scores:
            for code in direct - subs.keys():
                # "电梯年检" is an alias of its own; the sub-item inside it still counts.
                inner = self._inner_sub_item(code, key)
                if inner:
                    subs[code] = inner
            ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
            top = ranked[0][1]
            tied = [code for code, score in ranked if score == top]
            if len(tied) > 1:
                # "叉车正怎么考": 叉车 names three items' sub-items; 叉车证 with one
                # character wrong names one item, and a longer word beats a shorter.
                longest = max(m.length for m in self.mentions(key, normalized=True))
                typo = self._typo(key, limit)
                if typo.candidates and typo.candidates[0].score > longest:
                    return typo
            candidates = tuple(
                ItemCandidate(
                    code,
                    subs.get(code, (0, None))[1],
                    score,
                    "name" if code in direct else "sub_item",
                )
                for code, score in ranked[:limit]
            )
            return ItemMatch(candidates, ambiguous=len(tied) > 1)
        typo = self._typo(key, limit)
        if typo.candidates:
            return typo
        return self._fuzzy(key, limit)

    def _typo_index(self) -> dict[str, set[tuple[str, str]]]:
        """Every item and sub-item word of 3+ characters, each position a wildcard."""
        with self._build_lock:  # built once, however many threads ask first
            if self._typos is None:
                index: dict[str, set[tuple[str, str]]] = defaultdict(set)
                for item in self.catalog.items:
                    words = [(w, (item.code, "")) for w in (item.name, *item.aliases)]
                    for sub in item.sub_items:
                        words += [(w, (item.code, sub.code)) for w in (sub.name, *sub.aliases)]
                    for word, target in words:
                        for wildcard in _wildcards(word):
                            index[wildcard].add(target)
                self._typos = index
            return self._typos

    def _document_typo_index(self) -> dict[str, set[str]]:
        """Every document name and alias of 3+ characters, each position a wildcard."""
        with self._build_lock:
            if self._doc_typos is None:
                index: dict[str, set[str]] = defaultdict(set)
                for doc in self.catalog.documents:
                    for word in (doc.name, *doc.aliases):
                        for wildcard in _wildcards(word):
                            index[wildcard].add(doc.name)
                self._doc_typos = index
            return self._doc_typos

    def document_typos(self, key: str, found: list[Mention]) -> list[Mention]:
        """Documents typed with one character wrong for one that sounds the same.

        "授权委托树", "举保信", "身分证": the usual slip of a pinyin input method. Only
        stretches of the (normalised) text that no document mention in ``found`` covers
        are read; the longest such name wins.

        Args:
            key: A normalised text.
            found: Its exact mentions.

        Returns:
            Document mentions, in order of position.
        """
        if len(key) > TYPO_SCAN_CHARS:
            return []  # a wall of text: typo-reading it costs more than it finds
        index = self._document_typo_index()
        covered = {i for m in found if m.family == "document" for i in range(m.start, m.end)}
        typos: list[Mention] = []
        for length in range(min(len(key), 12), 2, -1):
            for start in range(len(key) - length + 1):
                span = set(range(start, start + length))
                if span & covered:
                    continue
                window = key[start : start + length]
                for i, ch in enumerate(window):
                    if ch in _NOT_TYPOS or not "\u4e00" <= ch <= "\u9fff":
                        continue
                    names = index.get(f"{window[:i]}\0{_sound(ch)}\0{window[i + 1 :]}")
                    if names:
                        targets = frozenset(("document", n) for n in names)
                        typos.append(Mention(start, start + length, window, "document", targets))
                        covered |= span
                        break
        return sorted(typos, key=lambda m: m.start)

    def _typo(self, key: str, limit: int) -> ItemMatch:
        """Items named with one character wrong; the longest such word wins."""
        index = self._typo_index()
        found: dict[str, tuple[int, str | None]] = {}
        for length in range(min(len(key), 12), 2, -1):
            for start in range(len(key) - length + 1):
                window = key[start : start + length]
                for i in range(length):
                    if window[i] in _NOT_TYPOS or not "\u4e00" <= window[i] <= "\u9fff":
                        continue
                    probe = f"{window[:i]}\0{_sound(window[i])}\0{window[i + 1 :]}"
                    for item_code, sub_code in index.get(probe, ()):
                        if item_code not in found:
                            found[item_code] = (length, sub_code or None)
            if found:
                break
        ranked = sorted(found.items(), key=lambda kv: kv[0])[:limit]
        candidates = tuple(
            ItemCandidate(code, sub, float(length), "typo") for code, (length, sub) in ranked
        )
        return ItemMatch(candidates, ambiguous=len(candidates) > 1)

    def _inner_sub_item(self, item_code: str, key: str) -> tuple[int, str] | None:
        best: tuple[int, str] | None = None
        for word_key, sub_code in self._sub_keys.get(item_code, ()):
            if word_key in key and (best is None or len(word_key) > best[0]):
                best = (len(word_key), sub_code)
        return best

    def _tokenizer(self) -> jieba.Tokenizer:
        """Jieba with every catalog word added, and each item name's weighted word bag."""
        with self._build_lock:  # one build; jieba itself initialises without a lock
            if self._jieba is None:
                import jieba

                tok = jieba.Tokenizer()
                for item in self.catalog.items:
                    for word in (item.name, *item.aliases):
                        tok.add_word(normalize(word), freq=2000)
                # Only the canonical name's words: aliases are the exact layer's business.
                bags = {
                    item.code: {w for w in tok.lcut_for_search(normalize(item.name)) if len(w) > 1}
                    for item in self.catalog.items
                }
                df: dict[str, int] = defaultdict(int)
                for bag in bags.values():
                    for word in bag:
                        df[word] += 1
                total = len(bags)
                self._item_words = {
                    code: {w: math.log(1 + total / df[w]) for w in bag}
                    for code, bag in bags.items()
                }
                self._jieba = tok
            return self._jieba

    def _fuzzy(self, key: str, limit: int) -> ItemMatch:
        if not key:
            return ItemMatch((), ambiguous=False)
        words = {w for w in self._tokenizer().lcut_for_search(key) if len(w) > 1}
        scored: list[tuple[float, str]] = []
        for code, bag in self._item_words.items():
            hit = sum(weight for word, weight in bag.items() if word in words)
            total = sum(bag.values())
            if hit and total and hit / total >= FUZZY_MIN_COVER:
                scored.append((round(hit / total, 3), code))
        scored.sort(key=lambda sc: (-sc[0], sc[1]))
        candidates = tuple(
            ItemCandidate(code, None, score, "fuzzy") for score, code in scored[:limit]
        )
        clear = len(scored) == 1 or (
            len(scored) > 1 and scored[0][0] >= FUZZY_MARGIN * scored[1][0]
        )
        return ItemMatch(candidates, ambiguous=bool(candidates) and not clear)

    def search(self, text: str, *, limit: int = 10) -> list[ItemCandidate]:
        """Items for a search box: matches first, then items whose words contain the text.

        Args:
            text: A search text.
            limit: The most results.

        Returns:
            Ranked candidates (may be empty).
        """
        found = list(self.match_items(text, limit=limit).candidates)
        key = normalize(text)
        if key:
            seen = {c.item_code for c in found}
            for item in self.catalog.items:
                if item.code in seen:
                    continue
                words = [item.name, *item.aliases, *(s.name for s in item.sub_items)]
                if any(key in normalize(w) for w in words):
                    found.append(ItemCandidate(item.code, None, 1.0, "contains"))
        return found[:limit]

    def item_vocabulary(self) -> list[str]:
        """Every item, sub-item and office word, for generated NLU artefacts."""
        words: set[str] = set()
        for item in self.catalog.items:
            words.update((item.name, *item.aliases))
            for sub in item.sub_items:
                words.update((sub.name, *sub.aliases))
        for office in self.catalog.offices:
            words.update((office.name, *office.aliases))
        for doc in self.catalog.documents:
            words.update((doc.name, *doc.aliases))
        return sorted(words)


def describe(match: ItemMatch | list[ItemCandidate], catalog: Catalog) -> list[dict[str, Any]]:
    """Candidates as JSON-ready dicts (code, name, category, sub-item, score, how found)."""
    candidates = match.candidates if isinstance(match, ItemMatch) else match
    rows: list[dict[str, Any]] = []
    for cand in candidates:
        item = catalog.item(cand.item_code)
        if item is None:
            continue
        sub = item.sub_item(cand.sub_item_code)
        rows.append(
            {
                "code": item.code,
                "name": item.name,
                "category": item.category,
                "sub_item": sub.name if sub else None,
                "score": round(cand.score, 2),
                "via": cand.via,
            }
        )
    return rows
