"""Questions about an office, not an item: hours, weekends, lunch break, address, phone.

They need no item. The office is the one named, or the one under discussion; with
neither, the answer covers all ten offices in one short list (or one line when they are
all the same).
"""

from __future__ import annotations

from datetime import timedelta

from chuangkou.booking.timeparse import TimeRequest
from chuangkou.catalog.model import Office
from chuangkou.dialogue.context import Ctx

OFFICE_QUESTIONS = ("o_weekend", "o_lunch", "o_hours", "o_address", "o_phone")


def office_question(ctx: Ctx) -> str | None:
    """The office-level question a message asks, if any."""
    reading = ctx.reading
    for cue in OFFICE_QUESTIONS:
        if cue in reading.cues:
            return cue
    return None


def _offices(ctx: Ctx) -> list[Office]:
    named = [o for o in (ctx.catalog.office(c) for c in ctx.reading.offices) if o]
    if named:
        return named
    current = ctx.office()
    return [current] if current else list(ctx.catalog.offices)


def answer_office(ctx: Ctx, question: str) -> None:
    """Answer an office-level question for the offices it is about."""
    offices = _offices(ctx)
    if len(offices) == 1:
        ctx.state.office = offices[0].code
    render = ctx.render
    if question == "o_weekend":
        _weekend(ctx, offices)
    elif question == "o_lunch":
        office = offices[0]
        hours = office.hours
        ctx.say(
            "utter_office_lunch",
            office_name=office.name if len(offices) == 1 else "",
            start=hours.morning[1],
            end=hours.afternoon[0],
            hours=render.hours(office),
        )
    elif question == "o_hours":
        _per_office(
            ctx,
            offices,
            "utter_office_hours",
            "utter_fmt_office_hours_line",
            lambda o: render.hours(o),
        )
    elif question == "o_phone":
        _per_office(
            ctx, offices, "utter_office_phone", "utter_fmt_office_phone_line", lambda o: o.phone
        )
    else:
        ctx.say(
            "utter_office_address",
            lines="\n".join(
                render.fragment("utter_fmt_office_address_line", name=o.name, address=o.address)
                for o in offices
            ),
        )


def _per_office(ctx: Ctx, offices: list[Office], response: str, line: str, value: object) -> None:
    """One line per office, or one line for all when they are the same."""
    render = ctx.render
    values = {o.code: value(o) for o in offices}  # type: ignore[operator]
    if len(offices) > 1 and len(set(values.values())) == 1:
        ctx.say(
            response,
            lines=render.fragment(
                line,
                name=render.fragment("utter_fmt_all_offices", count=len(offices)),
                value=next(iter(values.values())),
            ),
        )
        return
    ctx.say(
        response,
        lines="\n".join(render.fragment(line, name=o.name, value=values[o.code]) for o in offices),
    )


def _weekend(ctx: Ctx, offices: list[Office]) -> None:
    """Weekends and holidays are closed; a named day is checked in the calendar."""
    office = offices[0]
    book = ctx.desk.slot_book
    asked = ctx.reading.time
    day_line = ""
    if isinstance(asked, TimeRequest):
        status = book.day_status(office, asked.day)
        day_line = ctx.render.fragment(
            "utter_fmt_day_open" if status.open else "utter_fmt_day_closed",
            day=asked.day.isoformat(),
            detail=status.detail or "",
        )
    else:
        # The next weekend day that is a working day (调休), if one is near.
        today = ctx.turn.now.date()
        for offset in range(1, 15):
            day = today + timedelta(days=offset)
            if day.weekday() >= 5 and book.day_status(office, day).open:
                day_line = ctx.render.fragment("utter_fmt_makeup_day", day=day.isoformat())
                break
    ctx.say(
        "utter_office_weekend",
        office_name=office.name if len(offices) == 1 else "",
        hours=ctx.render.hours(office),
        day_line=day_line,
    )
