"""Mask phone numbers in incoming text and seal them for the action server (ENGINE side).

Mirrors ``chuangkou.privacy`` (app runtime): same key derivation, same Fernet format.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re

from cryptography.fernet import Fernet

# 7 or more digits, with optional +86 and spaces or dashes inside: anything that may be a
# phone number is masked, valid or not, so no number a person types reaches the tracker.
PHONE_LIKE = re.compile(r"(?:\+?86[\s-]?)?\d(?:[\s-]?\d){6,}")
# Button payloads ("/choose_slot{...}") carry dates and times; there only mobile numbers
# are masked.
MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _fernet() -> Fernet | None:
    secret = os.environ.get("CHUANGKOU_SECRET")
    if not secret:
        return None
    key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest())
    return Fernet(key)


def mask(digits: str) -> str:
    """138****4567 for 13812344567; fully masked when short."""
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_and_seal(text: str) -> tuple[str, str | None]:
    """Return the text with every phone-like number masked, and the first one sealed."""
    sealed: str | None = None
    cipher = _fernet()

    def _replace(match: re.Match[str]) -> str:
        nonlocal sealed
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if sealed is None and cipher is not None:
            sealed = cipher.encrypt(raw.encode("utf-8")).decode("ascii")
        return mask(digits)

    pattern = MOBILE_LIKE if text.startswith("/") else PHONE_LIKE
    return pattern.sub(_replace, text), sealed
