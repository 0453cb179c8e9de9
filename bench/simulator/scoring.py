"""Task success from outcomes: the booking row in the database, the bot's missing list.

Nothing here reads the bot's wording: the missing list is the ``doc_report`` variable
of the bot's document report (``missing``: canonical names), and a report without it is
no report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.simulator.world import BookingRow, ItemView

DOC_REPORT_VAR = "doc_report"


@dataclass(frozen=True)
class ExpectedDocs:
    """The missing list a correct report may give.

    Attributes:
        must: Lines needed whatever the case, brought by the person, not held: every
            correct report names them.
        may: Conditional lines not held: a report names them only when the person's case
            (the sub-item the bot understood, the applicant) makes them apply.
    """

    must: tuple[str, ...]
    may: tuple[str, ...] = ()


def expected_missing(
    item: ItemView, business_type: str | None, held: Iterable[str]
) -> ExpectedDocs:
    """The documents the bot should (and may) say are missing.

    Lines checked online or held by the government (免提交) and lines that may follow
    after acceptance (容缺) are never missing: nobody brings them to the window.

    Args:
        item: The item.
        business_type: Its business type (the first one when None).
        held: Canonical names of the documents the person has.

    Returns:
        Canonical names, in catalog order.
    """
    have = set(held)
    docs = [d for d in item.documents(business_type) if d.brought and d.name not in have]
    return ExpectedDocs(
        tuple(d.name for d in docs if d.required), tuple(d.name for d in docs if not d.required)
    )


@dataclass(frozen=True)
class DocReport:
    """The missing list a bot message reported."""

    missing: tuple[str, ...]


def read_doc_report(metadata: dict[str, Any]) -> DocReport | None:
    """The missing-document list of a document-check answer.

    Args:
        metadata: The message metadata (template variables).

    Returns:
        The ``missing`` list of the ``doc_report`` variable, or None when the message
        has none.
    """
    value = metadata.get(DOC_REPORT_VAR)
    missing = value.get("missing") if isinstance(value, dict) else None
    if isinstance(missing, list):
        return DocReport(tuple(str(v) for v in missing))
    return None


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


def score_docs(expected: ExpectedDocs, report: DocReport | None, end: str) -> Outcome:
    """Score a document-check goal from the last report the bot gave.

    Args:
        expected: The missing list a correct report gives.
        report: The bot's last report, or None when it gave none.
        end: Why the dialogue ended.

    Returns:
        The outcome: success when the report names every line it must, no held line,
        no line twice, and otherwise only conditional lines.
    """
    if report is None:
        return Outcome(False, f"no_report:{end}")
    got = list(report.missing)
    extra = [d for d in got if d not in expected.must and d not in expected.may]
    lacking = [d for d in expected.must if d not in got]
    if not extra and not lacking and len(set(got)) == len(got):
        return Outcome(True, "ok")
    kinds = [k for k, v in (("extra", extra), ("lacking", lacking)) if v] or ["duplicates"]
    detail = f"extra={extra} lacking={lacking}"
    return Outcome(False, "docs_mismatch:" + "+".join(kinds), detail)
