"""Text folding shared by everything that compares a person's words with the catalog.

People type Traditional characters, full-width letters and digits, stray punctuation and
spaces. Both sides of every comparison (catalog names and user text) go through the same
functions here, in both runtimes, so a match never depends on how something was typed.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

# Messages longer than this are cut before matching: it keeps the matcher's cost bounded
# for hostile input (the gateway takes 5,000 characters), while a long real question —
# a story, then the question at the end — is still read whole.
MAX_MATCH_CHARS = 2000


@cache
def _converter() -> Any:
    """Build the Traditional→Simplified converter once (OpenCC's maintained tables)."""
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Fold full-width forms (NFKC) and Traditional characters to Simplified.

    Args:
        text: Any user or catalog text.

    Returns:
        The text with the same number of characters in nearly all cases, so clause
        boundaries (and token offsets) found afterwards still line up.
    """
    folded = unicodedata.normalize("NFKC", text)
    return str(_converter().convert(folded))


def is_noise(ch: str) -> bool:
    """Whether a character carries no meaning for matching (space, punctuation, symbol)."""
    return unicodedata.category(ch)[0] in ("Z", "P", "S", "C")


def normalize(text: str) -> str:
    """Return the matching key of a text: simplified, lower-case, without noise characters.

    Args:
        text: Any user or catalog text.

    Returns:
        The key; "電梯 使用-登記！" and "电梯使用登记" give the same key.
    """
    simplified = to_simplified(text[: MAX_MATCH_CHARS * 2]).lower()
    return "".join(ch for ch in simplified if not is_noise(ch))[:MAX_MATCH_CHARS]
