"""Phone numbers: validation, and the sealed form that crosses the conversation.

The engine's REST channel masks every phone-like number in a message before Rasa stores
it (the tracker sees ``138****4567``) and puts the number, encrypted with the shared
secret, in the message metadata. Only the action server can open it, and it writes the
clear number nowhere but the booking row. The same format is produced by
``bot/channels/rest.py`` (engine runtime) and read here (app runtime).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A sealed number is only needed while the person finishes a booking.
SEAL_TTL_SECONDS = 24 * 3600


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
    digits = re.sub(r"\D", "", raw)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if MOBILE.match(digits):
        return PhoneCheck(digits, None)
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return PhoneCheck(digits, "landline")
    return PhoneCheck(digits, "invalid")


def ensure_secret(path: Path) -> str:
    """The embedded profile's secret: read from ``path``, created there on first use.

    A deployment sets ``CHUANGKOU_SECRET`` instead; this file (0600, in the ignored build
    folder) only saves a single-machine install from having to.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret
