"""Personal numbers in what people type: one masking rule, and the sealed phone number.

Every channel masks with :func:`mask_text`: the engine's REST channel before Rasa stores a
message, the gateway when it echoes the person's own message back to the page, and the
pages themselves, which receive :data:`MASK_PATTERNS` from the gateway instead of a copy
of the rule. A masked number keeps its first three and last four characters
(``138****4567``, ``420***********123X``).

The phone number a booking needs crosses the conversation sealed: encrypted with the
shared secret (:func:`seal`), opened only by the action server (:func:`unseal`), and
written in clear nowhere but the booking row.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken

# Half- and full-width digits and separators, spelt out (not \d) so that the same pattern
# means the same thing to Python's re and to a browser's RegExp.
_D = "[0-9０-９]"
_SEP = "[ \\-－]"
_NOT_DIGIT_BEFORE = "(?<![0-9０-９])"
_NOT_DIGIT_AFTER = "(?![0-9０-９])"

#: Named patterns, most specific first. ``id``: an 18-character resident ID (last may be
#: X); ``mobile``: a mainland mobile number, spaces or dashes inside, +86/0086 before it;
#: ``landline``: an area code and a number; ``digits``: any other run of 7 or more digits.
MASK_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "id",
        f"(?<![0-9０-９A-Za-z]){_D}{{17}}[0-9０-９XxＸｘ](?![0-9０-９A-Za-z])",
    ),
    (
        "mobile",
        # The country code must stand alone: "…K86 139…" is a reference ending in 86
        # followed by a number, not +86.
        f"{_NOT_DIGIT_BEFORE}(?:(?<![0-9０-９A-Za-z])(?:[+＋]|00)?86{_SEP}?)?[1１][3-9３-９]{_D}"
        f"(?:{_SEP}?{_D}){{8}}{_NOT_DIGIT_AFTER}",
    ),
    ("landline", f"{_NOT_DIGIT_BEFORE}[0０]{_D}{{2,3}}{_SEP}?{_D}{{7,8}}{_NOT_DIGIT_AFTER}"),
    ("digits", f"{_D}{{7,}}"),
)
_ANY = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in MASK_PATTERNS))
_MOBILE = re.compile(dict(MASK_PATTERNS)["mobile"])
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A sealed number is only needed while the person finishes a booking.
SEAL_TTL_SECONDS = 24 * 3600


def _plain(raw: str) -> str:
    """Digits and X of a matched number, half-width."""
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in folded if ch.isdigit() or ch in "Xx").upper()


def national_digits(raw: str) -> str:
    """The digits of a number without separators or a +86/0086 country code."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def mask_number(raw: str) -> str:
    """Mask one number: first three and last four kept, ``*`` between.

    Args:
        raw: A phone number or ID number in any form (separators, +86, full-width).

    Returns:
        ``138****4567`` for ``+86 138-1234-4567``; only the last four kept under 11
        characters, nothing under 7.
    """
    plain = _plain(raw)
    if not plain.endswith("X"):
        plain = national_digits(raw)
    if len(plain) < 7:
        return "*" * len(plain)
    if len(plain) < 11:  # a local number: keeping 3 + 4 would show it whole
        return f"{'*' * (len(plain) - 4)}{plain[-4:]}"
    return f"{plain[:3]}{'*' * (len(plain) - 7)}{plain[-4:]}"


@dataclass(frozen=True)
class Masked:
    """A message with its numbers masked, and the numbers found (kind, what was typed)."""

    text: str
    found: tuple[tuple[str, str], ...]

    @property
    def first_phone(self) -> str | None:
        """The first number that may be a phone (not an ID number), as typed."""
        return next((raw for kind, raw in self.found if kind != "id"), None)


def mask_text(text: str, *, payload: bool = False) -> Masked:
    """Mask every ID, phone-like and long number in a message.

    Args:
        text: What the person typed.
        payload: A button payload (``/choose_slot{…}``) carries dates and times; there
            only mobile numbers are masked.

    Returns:
        The masked text and what was found.
    """
    found: list[tuple[str, str]] = []

    def _replace(match: re.Match[str]) -> str:
        kind = "mobile" if payload else (match.lastgroup or "digits")
        found.append((kind, match.group(0)))
        return mask_number(match.group(0))

    pattern = _MOBILE if payload else _ANY
    return Masked(pattern.sub(_replace, text), tuple(found))


def fernet(secret: str) -> Fernet:
    """The cipher for a shared secret (any string; hashed to a Fernet key)."""
    key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest())
    return Fernet(key)


def seal(number: str, secret: str) -> str:
    """Encrypt a number for the conversation's metadata."""
    return fernet(secret).encrypt(number.encode("utf-8")).decode("ascii")


def unseal(token: str, secret: str) -> str | None:
    """Decrypt a sealed number; None if it is forged, foreign or expired."""
    try:
        return fernet(secret).decrypt(token.encode("ascii"), ttl=SEAL_TTL_SECONDS).decode()
    except (InvalidToken, ValueError, UnicodeError):
        return None


def mask_and_seal(text: str, secret: str | None) -> tuple[str, str | None]:
    """What the engine's channel does to a message: mask it, seal the first phone.

    Args:
        text: The message as typed.
        secret: The shared secret; without one nothing is sealed (only masked).

    Returns:
        The masked text, and the first phone-like number sealed (or None).
    """
    masked = mask_text(text, payload=text.startswith("/"))
    phone = masked.first_phone
    sealed = seal(phone, secret) if phone is not None and secret else None
    return masked.text, sealed


@dataclass(frozen=True)
class PhoneCheck:
    """A checked number: the digits, or why they cannot be used."""

    digits: str
    problem: str | None  # None | landline | invalid


def check_mobile(raw: str) -> PhoneCheck:
    """Validate a mainland mobile number (``+86``/``0086`` prefixes and separators allowed).

    Args:
        raw: What the person typed.

    Returns:
        The digits, with ``problem`` set to ``landline`` for a fixed-line number and
        ``invalid`` for anything else that is not a mobile number.
    """
    digits = national_digits(raw)
    if MOBILE.match(digits):
        return PhoneCheck(digits, None)
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return PhoneCheck(digits, "landline")
    return PhoneCheck(digits, "invalid")
