"""Task success from outcomes: the booking row in the database, the bot's missing list.

Nothing here reads the bot's wording, except the one marked fallback that reads the
numbered lines of a document report until the bot sends ``missing_docs`` as a variable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.simulator.world import BookingRow, ItemView

MISSING_DOCS_VAR = "missing_docs"
_NUMBERED = re.compile(r"^\s*\d+\.\s*([^（(\n，,]+)", re.MULTILINE)


def expected_missing(
    item: ItemView, business_type: str | None, held: Iterable[str]
) -> tuple[str, ...]:
    """The documents the bot should say are missing.

    Today: the business type's documents with ``required: true`` minus those held.
    Conditional documents (``required: false``, with a ``condition``) are not counted;
    this is the one place to change when the bot can resolve conditions.

    Args:
        item: The item.
        business_type: Its business type (the first one when None).
        held: Canonical names of the documents the person has.

    Returns:
        Canonical names, in catalog order.
    """
    have = set(held)
    return tuple(d.name for d in item.documents(business_type) if d.required and d.name not in have)


@dataclass(frozen=True)
class DocReport:
    """The missing list a bot message reported, and where it was read from."""

    missing: tuple[str, ...]
    source: str  # "metadata" or "text_fallback"


def read_doc_report(text: str, metadata: dict[str, Any]) -> DocReport:
    """The missing-document list of a document-check answer.

    Args:
        text: The message text.
        metadata: The message metadata (template variables).

    Returns:
        The list, from the ``missing_docs`` variable when the bot sends it.
    """
    value = metadata.get(MISSING_DOCS_VAR)
    if isinstance(value, list):
        return DocReport(tuple(str(v) for v in value), "metadata")
    # FALLBACK(missing_docs): the bot does not send ``missing_docs`` yet, so the numbered
    # lines of the text are read. Remove this (and the "text_fallback" source) once it does.
    head = text.split("以下材料视情况提供", 1)[0]
    return DocReport(tuple(m.strip() for m in _NUMBERED.findall(head)), "text_fallback")


@dataclass(frozen=True)
class Outcome:
    """Whether a dialogue reached its goal and, if not, why."""

    success: bool
    reason: str  # "ok" or a failure key like "no_booking:stuck@time"
    detail: str = ""


@dataclass(frozen=True)
class ExpectedBooking:
    """The row a booking goal should leave in ``bookings``."""

    item_code: str
    office_code: str
    window_type: str
    slot_date: date
    slot_time: time
    citizen_name: str
    phone: str

    def differences(self, row: BookingRow) -> list[str]:
        """Names of the columns where a row differs from this."""
        pairs = {
            "item_code": (row.item_code, self.item_code),
            "office_code": (row.office_code, self.office_code),
            "window_type": (row.window_type, self.window_type),
            "slot_date": (row.slot_date, self.slot_date),
            "slot_time": (row.slot_time, self.slot_time.strftime("%H:%M")),
            "citizen_name": (row.citizen_name, self.citizen_name),
            "phone": (row.phone, self.phone),
        }
        return [k for k, (got, want) in pairs.items() if got != want]


def score_booking(expected: ExpectedBooking, rows: list[BookingRow], end: str) -> Outcome:
    """Score a booking goal from the rows made with any phone number the person gave.

    Success is exactly one active booking, equal to the goal in every column.

    Args:
        expected: The row the goal asks for.
        rows: Rows of ``bookings`` with the goal's phone or a phone said by mistake.
        end: Why the dialogue ended (``confirmed``, ``stuck@time``, ``turn_limit@name`` …).

    Returns:
        The outcome.
    """
    booked = [r for r in rows if r.status == "booked"]
    if not booked:
        return Outcome(False, f"no_booking:{end}")
    exact = [r for r in booked if not expected.differences(r)]
    if exact and len(booked) == 1:
        return Outcome(True, "ok")
    if exact:
        return Outcome(False, "extra_booking", f"{len(booked)} active bookings")
    row = next((r for r in booked if r.phone == expected.phone), booked[0])
    diff = expected.differences(row)
    detail = "; ".join(f"{k}: got {getattr(row, k)}" for k in diff)
    return Outcome(False, "wrong_booking:" + ",".join(diff), detail)


def score_docs(expected: tuple[str, ...], report: DocReport | None, end: str) -> Outcome:
    """Score a document-check goal from the last report the bot gave.

    Args:
        expected: The missing list the goal expects.
        report: The bot's last report, or None when it gave none.
        end: Why the dialogue ended.

    Returns:
        The outcome: success when the two lists hold the same documents.
    """
    if report is None:
        return Outcome(False, f"no_report:{end}")
    got, want = list(report.missing), list(expected)
    if sorted(got) == sorted(want):
        return Outcome(True, "ok")
    extra = [d for d in got if d not in want]
    lacking = [d for d in want if d not in got]
    kinds = [k for k, v in (("extra", extra), ("lacking", lacking)) if v] or ["duplicates"]
    detail = f"extra={extra} lacking={lacking}"
    return Outcome(False, "docs_mismatch:" + "+".join(kinds), detail)
