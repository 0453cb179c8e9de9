"""The conversation suite (tests/conversations/*.yml): loading, placeholders and checks.

The same files run in-process and through the engine; each runner supplies how to send a
message and how to read the memory and the bookings, and this module does the rest.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from chuangkou.booking.tables import Booking
from common.privacy import mask_number

SUITE = Path(__file__).resolve().parents[1] / "conversations"


@dataclass(frozen=True)
class Step:
    """One message and what must follow it."""

    say: str
    expect: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    state: dict[str, Any] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    booked: dict[str, str] | None = None
    # In-process only (no NLU there): what a classifier might guess for this message.
    intent: str = ""


@dataclass(frozen=True)
class Conversation:
    """A named conversation."""

    file: str
    name: str
    steps: tuple[Step, ...]

    @property
    def phone(self) -> str:
        """A mobile number of this conversation's own."""
        return f"139{zlib.crc32(self.name.encode()) % 100_000_000:08d}"


def load() -> list[Conversation]:
    """Every conversation of the suite."""
    found = []
    for path in sorted(SUITE.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            steps = tuple(
                Step(
                    say=str(t["say"]),
                    expect=tuple(t.get("expect") or ()),
                    absent=tuple(t.get("not") or ()),
                    state=dict(t.get("state") or {}),
                    values={k: str(v) for k, v in (t.get("values") or {}).items()},
                    booked=t.get("booked"),
                    intent=str(t.get("intent") or ""),
                )
                for t in raw["turns"]
            )
            found.append(Conversation(path.stem, str(raw["name"]), steps))
    return found


@dataclass
class Reply:
    """What a runner saw of one bot message."""

    response: str
    values: dict[str, Any]
    buttons: list[dict[str, str]]


@dataclass
class Run:
    """One conversation being played: its placeholders and what the last turn said."""

    conversation: Conversation
    last: list[Reply] = field(default_factory=list)
    ref: str = ""

    def text(self, template: str) -> str:
        """The message with its placeholders filled."""
        phone = self.conversation.phone
        text = template.replace("{phone}", phone).replace("{ref}", self.ref)
        text = text.replace("{phone_masked}", mask_number(phone))
        buttons = [b for r in self.last for b in r.buttons]
        text = re.sub(r"\{button(\d)\}", lambda m: buttons[int(m[1])]["title"], text)
        text = re.sub(r"\{tap(\d)\}", lambda m: buttons[int(m[1])]["payload"], text)
        return re.sub(r"\{pad:(\d+)\}", lambda m: "嗯" * int(m[1]), text)


def _path(state: dict[str, Any], dotted: str) -> Any:
    value: Any = state
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def check(
    run: Run,
    step: Step,
    replies: list[Reply],
    state: dict[str, Any],
    bookings: Callable[[str], list[dict[str, Any]]],
) -> list[str]:
    """What is wrong with one turn (empty when it is right)."""
    problems = []
    names = [r.response for r in replies]
    position = 0
    for wanted in step.expect:
        try:
            position = names.index(wanted, position) + 1
        except ValueError:
            problems.append(f"expected {wanted}, got {names}")
    for unwanted in step.absent:
        if unwanted in names:
            problems.append(f"did not expect {unwanted}, got {names}")
    for dotted, expected in step.state.items():
        actual = _path(state, dotted)
        if expected == "*":
            ok = actual is not None
        elif isinstance(expected, str) and expected.startswith("~"):
            ok = isinstance(actual, str) and actual.endswith(expected[1:])
        else:
            ok = actual == expected
        if not ok:
            problems.append(f"state {dotted} = {actual!r}, expected {expected!r}")
    for name, part in step.values.items():
        wanted_text = run.text(part)
        seen = [str(r.values.get(name, "")) for r in replies]
        if not any(wanted_text in v for v in seen):
            problems.append(f"{name} should contain {wanted_text!r}: {seen}")
    if step.booked is not None:
        rows = bookings(run.conversation.phone)
        want = step.booked
        fits = [
            r
            for r in rows
            if r["status"] == "booked"
            and r["citizen_name"] == want.get("name", r["citizen_name"])
            and r["slot_time"] == want.get("time", r["slot_time"])
        ]
        if not fits:
            problems.append(f"no booking like {want} for {run.conversation.phone}: {rows}")
    for reply in replies:
        if reply.response == "utter_booking_confirmed":
            run.ref = str(reply.values.get("ref", ""))
    run.last = replies
    return problems


def booking_rows(engine: Engine) -> Callable[[str], list[dict[str, Any]]]:
    """A phone's bookings as the suite's ``booking`` expectations compare them."""

    def rows(phone: str) -> list[dict[str, Any]]:
        with Session(engine) as session:
            found = session.scalars(select(Booking).where(Booking.phone == phone)).all()
            return [
                {"status": b.status, "citizen_name": b.citizen_name, "slot_time": b.slot_time}
                for b in found
            ]

    return rows
