"""Small shared pieces of the booking talk: slot labels, how a time is said, the name."""

from __future__ import annotations

from datetime import date

from chuangkou.booking.slots import Slot
from chuangkou.dialogue.context import Ctx
from chuangkou.dialogue.render import Renderer
from chuangkou.dialogue.state import Draft
from chuangkou.dialogue.words import as_typed, name_after

# Words that introduce a corrected name ("名字写错了，是王方", "改成李娜").
_CORRECTED = ("应该是", "改成", "改为", "换成", "是", "叫")


def slot_label(slot: Slot) -> str:
    """The value a slot is kept as: ``2026-12-01 09:30``."""
    return f"{slot.day.isoformat()} {slot.start.strftime('%H:%M')}"


def when(render: Renderer, day: date, hhmm: str) -> str:
    """Date, weekday and time of a slot, in the domain's words."""
    weekdays = render.fragment("utter_fmt_weekdays").split(",")
    weekday = weekdays[day.weekday()] if len(weekdays) == 7 else ""
    return render.fragment("utter_fmt_when", date=day.isoformat(), weekday=weekday, time=hhmm)


def name_in(ctx: Ctx, draft: Draft) -> str | None:
    """The name this message gives for the booking, if it gives one."""
    reading = ctx.reading
    if reading.name:
        return reading.name
    if reading.says("correction") and "field_name" in reading.cues:
        stops = ctx.words.of("not_names")
        found = name_after(reading.text, _CORRECTED, stops)
        return as_typed(found, reading.text) if found else None
    return None
