"""The simulated person: the next utterance from what the bot wants, the goal, the style.

The agent never reads the bot's wording. It reads the turn's *want* (see
:mod:`bench.simulator.wants`), the buttons offered, and — at the summary — the template
variables, the way a person reads the summary before saying yes.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time

from bench.simulator.client import BotMessage, Button
from bench.simulator.goals import BookingGoal, DocGoal, Goal, office_refs
from bench.simulator.grammar import (
    BACKGROUNDS,
    BTYPE_CLAUSES,
    EARLIEST,
    GRAMMAR,
    HALF_PICKS,
    ORDINALS,
    PHONE_FORMATS,
)
from bench.simulator.styles import STYLES, Style
from bench.simulator.surface import (
    BTYPE,
    DOC,
    ITEM,
    NAME,
    OFFICE,
    PHONE,
    TIME,
    WORDS,
    Utterance,
    fill,
    join_list,
    tap,
)
from bench.simulator.timeexpr import (
    half_of,
    render_exact,
    render_explicit_date,
    render_vague,
    slot_title_fits,
)
from bench.simulator.wants import Want, turn_want, want_of
from bench.simulator.world import CatalogView

Clock = Callable[[], datetime]
Values = dict[str, tuple[str, str]]
STUCK_LIMIT = 3  # the bot said something the person cannot act on this many times in a row
LOOP_LIMIT = 5  # the bot asked for the same thing this many times: the person gives up
FIELDS = ("item", "office", "time", "name", "phone")
WANT_FIELD = {
    Want.ITEM: "item",
    Want.ITEM_CANDIDATES: "item",
    Want.OFFICE: "office",
    Want.TIME: "time",
    Want.TIME_OPTIONS: "time",
    Want.NAME: "name",
    Want.PHONE: "phone",
    Want.CONFIRM: "confirm",
    Want.BUSINESS_TYPE: "btype",
    Want.DOCS: "docs",
}
QUESTIONS = ("ask_requirements", "ask_time_limit", "ask_fee")
_SLOT_IN = re.compile(r"(\d{4}-\d{2}-\d{2})\D{0,12}?(\d{1,2}:\d{2})")


def mask_phone(phone: str) -> str:
    """How the bot shows a phone number (first three and last four digits)."""
    return f"{phone[:3]}****{phone[-4:]}"


def slot_of(button: Button) -> tuple[date, time] | None:
    """The slot a button offers, from its payload or its title."""
    for source in (button.payload, button.title):
        found = _SLOT_IN.search(source)
        if found:
            hour, minute = found.group(2).split(":")
            return date.fromisoformat(found.group(1)), time(int(hour), int(minute))
    return None


def _payload_entities(button: Button) -> dict[str, str]:
    """What a button picks: ``/choose{"kind": "office", "value": "MC"}`` → office=MC."""
    body = button.payload.split("{", 1)
    if len(body) < 2:
        return {}
    try:
        data = json.loads("{" + body[1])
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    if "kind" in data and "value" in data:
        return {str(data["kind"]): str(data["value"])}
    return {str(k): str(v) for k, v in data.items()}


def button_for(buttons: tuple[Button, ...], key: str, value: str, title: str = "") -> int | None:
    """Index of the button whose payload sets ``key`` to ``value`` (or titled ``title``)."""
    for index, button in enumerate(buttons):
        if _payload_entities(button).get(key) == value or (title and button.title == title):
            return index
    return None


class Agent:
    """What every simulated person shares: their style, their words, their patience."""

    def __init__(
        self, goal: Goal, catalog: CatalogView, clock: Clock, style: Style | None = None
    ) -> None:
        """A person with a goal.

        Args:
            goal: What they want.
            catalog: The catalog (for other ways to name things).
            clock: The local time now (time expressions are relative to it).
            style: How they talk; the goal's style when None (tests compare styles).
        """
        self.goal = goal
        self.catalog = catalog
        self.style: Style = style or STYLES[goal.style]
        self.clock = clock
        self.rng = random.Random(goal.seed + ":talk")
        self.end: str | None = None
        self.stuck = 0
        self.asked: Counter[str] = Counter()
        self.told: set[str] = set()
        self.last_need: str | None = None
        self.expect_answer = False  # we asked a question: an answer (INFO) is fine
        self._first = True

    # -- words ----------------------------------------------------------------------------
    def say(
        self, act: str, values: Values | None = None, meaning: str = "", *, careful: bool = False
    ) -> Utterance:
        """Words for an act in the style's register, with its surface transformations.

        Args:
            act: The act (a key of :data:`~bench.simulator.grammar.GRAMMAR`).
            values: The values the words carry.
            meaning: What is meant, for transcripts.
            careful: Repeating after not being understood (no new typos).

        Returns:
            The utterance.
        """
        return self.typed(self.words(act, values, meaning, careful=careful), careful=careful)

    def words(
        self, act: str, values: Values | None = None, meaning: str = "", *, careful: bool = False
    ) -> Utterance:
        """The words of an act before the style's surface (see :meth:`say`)."""
        table = GRAMMAR[act]
        # Someone not understood says it again more plainly.
        register = "plain" if careful else self.style.register
        templates = table.get(register) or table["plain"]
        return fill(
            self.rng.choice(templates),
            {**(values or {}), "bg": (WORDS, self.rng.choice(BACKGROUNDS))},
            meaning or act,
        )

    @property
    def clause(self) -> Utterance | None:
        """The item described in a clause of its own ("公司叉车要上牌"), if so named."""
        if self.goal.item_ref_kind != "clause":
            return None
        return Utterance(((ITEM, self.goal.item_ref),), None, "item (clause)")

    def typed(self, u: Utterance, *, careful: bool = False) -> Utterance:
        """Apply the style's surface to an utterance."""
        out = self.style.surface(u, self.rng, careful=careful, first=self._first)
        self._first = False
        return out

    def pick(
        self,
        buttons: tuple[Button, ...],
        index: int,
        meaning: str,
        *,
        earliest_ok: bool = False,
        half: str | None = None,
    ) -> Utterance | None:
        """Choose a button: tap it, or (style 7) say its number or type its title.

        Args:
            buttons: The buttons offered.
            index: The one wanted.
            meaning: What is meant, for transcripts.
            earliest_ok: "最早那个" would name it (slot buttons, soonest first).
            half: "下午那个" would name it (the only one in that half-day).

        Returns:
            The utterance, or None when this person types the value instead.
        """
        button = buttons[index]
        if not self.style.ordinal:
            if self.rng.random() < self.style.tap_share:
                return tap(button.payload, meaning)
            return None
        ways = ["title"]
        if index + 1 in ORDINALS:
            ways += ["ordinal", "ordinal"]
        if earliest_ok:
            ways.append("earliest")
        if half:
            ways.append("half")
        way = self.rng.choice(ways)
        if way == "ordinal":
            words = self.rng.choice(ORDINALS[index + 1])
        elif way == "earliest":
            words = self.rng.choice(EARLIEST)
        elif way == "half" and half:
            words = self.rng.choice(HALF_PICKS[half])
        else:
            words = button.title
        return self.typed(Utterance(((WORDS, words),), None, f"{meaning} ({way})"))

    def already(self, field: str, u: Utterance) -> Utterance:
        """Prefix "刚才说过了" when the fact was given before (half of the time)."""
        if u.payload is not None or field not in self.told or self.rng.random() >= 0.5:
            return u
        prefix = self.say("already")
        return Utterance((*prefix.parts, *u.parts), None, u.meaning, u.tags | prefix.tags)

    def stuck_turn(self, turn: list[BotMessage]) -> bool:
        """Count one turn the person cannot act on; True when patience ran out.

        The end reason then names what was asked last and what the bot said instead.
        """
        self.stuck += 1
        if self.stuck < STUCK_LIMIT:
            return False
        said = turn[-1].response if turn else None
        self.end = f"stuck@{self.need_label()}({said or 'silence'})"
        return True

    def need_label(self) -> str:
        """What the person was answering when things went wrong, for failure reasons."""
        return self.last_need or "start"

    def looping(self, field: str) -> bool:
        """Count one more request for ``field``; True (and ended) when it keeps coming."""
        self.asked[field] += 1
        self.last_need = field
        if self.asked[field] > LOOP_LIMIT:
            self.end = f"loop@{self.need_label()}"
            return True
        return False

    @staticmethod
    def messages_with(turn: list[BotMessage], want: Want) -> BotMessage | None:
        """The last message of a turn with that want."""
        return next((m for m in reversed(turn) if want_of(m.response) == want), None)


class BookingAgent(Agent):
    """A person who wants a booking."""

    goal: BookingGoal

    def __init__(
        self, goal: BookingGoal, catalog: CatalogView, clock: Clock, style: Style | None = None
    ) -> None:
        """A person who wants to book ``goal``.

        Args:
            goal: The booking goal.
            catalog: The catalog.
            clock: The local time now.
            style: How they talk (the goal's style when None).
        """
        super().__init__(goal, catalog, clock, style)
        self.goal = goal
        truth = {
            "office": goal.office_code,
            "time": goal.slot_label,
            "name": goal.name,
            "phone": goal.phone,
        }
        self.truth = truth
        self.current = dict(truth)
        fix = goal.correction
        if fix is not None:
            self.current[fix.field] = fix.wrong
        self.queued: str | None = None  # a correction to make on the next turn
        self.picked: tuple[date, time] | None = None
        self.dodges = 2 if self.style.dodge else 0
        self.digress = self.style.digression
        self.restarted = False
        self.summary_fixes: Counter[str] = Counter()
        self.last_fix: str | None = None  # the field the last summary got wrong
        self.summary_buttons: tuple[Button, ...] = ()
        self.time_misses = 0

    def need_label(self) -> str:
        """The last need; at the summary, which field was being corrected."""
        if self.last_need == "confirm" and self.last_fix:
            return f"confirm/fix_{self.last_fix}"
        return super().need_label()

    # -- what the goal's slot is ----------------------------------------------------------
    def final_slot(self) -> tuple[date, time]:
        """The slot the person ends up wanting (picked from buttons when vague)."""
        if self.picked is not None:
            return self.picked
        return self.goal.day, self.goal.start

    def _slot(self, label: str) -> tuple[date, time]:
        day_s, hm = label.split(" ")
        hour, minute = hm.split(":")
        return date.fromisoformat(day_s), time(int(hour), int(minute))

    # -- values as words ------------------------------------------------------------------
    def value(self, field: str, *, careful: bool = False) -> Values:
        """The words for a field's current value.

        Args:
            field: item, office, time, name or phone.
            careful: Repeating: the plainest form (canonical name, explicit date).

        Returns:
            Template values.
        """
        goal = self.goal
        if field == "item":
            return {"item": (ITEM, goal.item_name if careful else goal.item_np)}
        if field == "office":
            code = self.current["office"]
            office = self.catalog.office(code)
            if careful:
                ref = office.name
            elif code == goal.office_code:
                ref = goal.office_ref
            else:
                ref = self.rng.choice(office_refs(office))
            return {"office": (OFFICE, ref)}
        if field == "time":
            return {"time": (TIME, self.time_words(careful=careful))}
        if field == "name":
            return {"name": (NAME, self.current["name"])}
        return {"phone": (PHONE, self.phone_words(self.current["phone"]))}

    def time_words(self, *, careful: bool = False) -> str:
        """The time as the person says it now."""
        now = self.clock()
        vague = self.goal.vague and self.current["time"] == self.truth["time"]
        if vague and self.picked is None and not careful:
            return render_vague(self.goal.day, half_of(self.goal.start), now, self.rng).text
        day, start = self.picked or self._slot(self.current["time"])
        if careful:
            return render_explicit_date(day, start).text
        return render_exact(day, start, now, self.rng, short=self.style.short_times).text

    def phone_words(self, phone: str) -> str:
        """A phone number, sometimes with spaces or dashes."""
        if self.style.register == "terse":
            return phone
        fmt = self.rng.choice(PHONE_FORMATS)
        return fmt.format(a=phone[:3], b=phone[3:7], c=phone[7:])

    def answer(self, field: str, *, careful: bool = False) -> Utterance:
        """Answer a question about one field (with an extra fact for style 4)."""
        if field == "item" and not careful and self.clause and "item" not in self.told:
            self.told.add("item")
            return self.typed(self.clause)
        u = self.say(
            f"ans_{field}", self.value(field, careful=careful), f"{field}", careful=careful
        )
        u = self.already(field, u)
        self.told.add(field)
        fix = self.goal.correction
        if (
            fix
            and fix.field == field
            and fix.moment == "next_turn"
            and (self.current[field] == fix.wrong)
        ):
            self.queued = field
        if self.style.extra_facts and not careful:
            later = [f for f in FIELDS if f not in self.told and f not in ("item",)]
            if later and self.rng.random() < 0.7:
                extra = later[-1] if self.rng.random() < 0.5 else later[0]
                self.told.add(extra)
                more = self.say(f"ans_{extra}", self.value(extra), extra)
                return more.then(u)
        return u

    # -- the first message ----------------------------------------------------------------
    def opening(self) -> Utterance:
        """The first message of the dialogue."""
        style = self.style
        if style.bundle:
            self.told.update(FIELDS)
            values = {k: v for f in FIELDS for k, v in self.value(f).items()}
            if self.goal.correction and self.goal.correction.moment == "next_turn":
                self.queued = self.goal.correction.field
            return self.say("open_booking_all", values, "all facts")
        with_item = self.rng.random() < (0.5 if style.register == "terse" else 0.7)
        if with_item and self.clause:
            self.told.add("item")
            u = self.typed(self.clause.then(self.words("open_booking", {}, "book")))
        elif with_item:
            self.told.add("item")
            u = self.say("open_booking_item", self.value("item"), "book item")
        else:
            u = self.say("open_booking", {}, "book")
        if style.extra_facts:
            extra = self.rng.choice(("name", "phone", "time"))
            self.told.add(extra)
            u = u.then(self.say(f"ans_{extra}", self.value(extra), extra))
        return u

    # -- one turn -------------------------------------------------------------------------
    def respond(self, turn: list[BotMessage]) -> Utterance | None:
        """The next utterance after the bot's turn, or None when the dialogue is over.

        Args:
            turn: The bot's messages of the last turn.

        Returns:
            What the person says next, or None (then :attr:`end` says why).
        """
        u = self._respond(turn)
        return None if self.end is not None else u

    def _respond(self, turn: list[BotMessage]) -> Utterance | None:
        want = turn_want([m.response for m in turn])
        msg = self.messages_with(turn, want)
        if want == Want.DONE_BOOKING:
            self.end = "confirmed"
            return None
        if want == Want.REFUSED:
            self.end = f"refused:{msg.response if msg else '?'}"
            return None
        if want == Want.ABORTED:
            if self.restarted:
                self.end = "aborted"
                return None
            self.restarted = True
            self.told.update(FIELDS)  # everything is said again at once
            self.stuck = 0
            return self.say(
                "open_booking_all",
                {k: v for f in FIELDS for k, v in self.value(f, careful=True).items()},
                "start again",
                careful=True,
            )
        if want == Want.INFO and self.expect_answer:
            self.expect_answer = False
            return self.repeat_need()
        if want not in (
            Want.ITEM,
            Want.ITEM_CANDIDATES,
            Want.OFFICE,
            Want.TIME,
            Want.TIME_OPTIONS,
            Want.NAME,
            Want.PHONE,
            Want.CONFIRM,
            Want.BUSINESS_TYPE,
        ):
            if self.stuck_turn(turn):
                return None
            return self.repeat_need(back=want == Want.INFO)
        self.stuck = 0
        self.expect_answer = False
        field = WANT_FIELD[want]
        if self.looping(field):
            return None
        buttons = msg.buttons if msg else ()
        if self.queued is not None:  # the planned mistake is put right at the next turn
            fixing = self.queued
            if want == Want.CONFIRM:
                self.summary_fixes[fixing] += 1
                self.last_fix = fixing
            return self.correct(fixing)
        if want in (Want.OFFICE, Want.TIME, Want.NAME, Want.PHONE):
            side = self.side_step(field)
            if side is not None:
                return side
        careful = self.asked[field] > 1
        if want == Want.ITEM:
            return self.answer("item", careful=careful)
        if want == Want.ITEM_CANDIDATES:
            index = button_for(buttons, "item", self.goal.item_code)
            chosen = self.pick(buttons, index, "item") if index is not None else None
            return chosen or self.answer("item", careful=True)
        if want == Want.OFFICE:
            heard = msg.metadata.get("item_name") if msg else None
            if isinstance(heard, str) and heard and heard != self.goal.item_name:
                return self.fix_words("item")  # "“X”可以在以下地方办理" names another item
            return self.choose_office(buttons, careful)
        if want in (Want.TIME, Want.TIME_OPTIONS):
            return self.choose_time(want, buttons, careful)
        if want == Want.CONFIRM:
            return self.check_summary(msg)
        if want == Want.BUSINESS_TYPE:
            btype = self.goal.business_type or (buttons[0].title if buttons else "")
            index = button_for(buttons, "business_type", btype, btype)
            chosen = self.pick(buttons, index, "btype") if index is not None else None
            return chosen or self.say("ans_btype", {"btype": (BTYPE, btype)}, "btype")
        return self.answer(field, careful=careful)

    def repeat_need(self, *, back: bool = False) -> Utterance:
        """Say the last thing asked for again, plainly (or start again)."""
        need = self.last_need
        if need in ("item", "office", "time", "name", "phone"):
            u = self.answer(need, careful=True)
        elif need == "confirm" and self.last_fix:
            u = self.fix_words(self.last_fix, careful=True)
        elif need == "confirm":
            buttons = self.summary_buttons
            if buttons and not self.style.ordinal and self.rng.random() < self.style.tap_share:
                return tap(buttons[0].payload, "confirm")
            u = self.say("confirm", {}, "confirm", careful=True)
        else:
            u = self.say(
                "open_booking_item", self.value("item", careful=True), "book item", careful=True
            )
            self.told.add("item")
            return u
        if back:
            return self.say("back_to_booking", {}, "back", careful=True).then(u, sep="")
        return u

    def side_step(self, field: str) -> Utterance | None:
        """Styles 5 and 10: answer another question, or ask one, instead of this one."""
        if self.dodges > 0 and self.rng.random() < 0.5:
            self.dodges -= 1
            later = [f for f in FIELDS if f != field and f not in self.told and f != "item"]
            if later and self.rng.random() < 0.6:
                other = self.rng.choice(later)
                self.told.add(other)
                return self.say(f"ans_{other}", self.value(other), f"{other} (asked {field})")
            self.expect_answer = True
            return self.say(self.rng.choice(QUESTIONS), {}, f"question (asked {field})")
        if (
            self.digress
            and field in ("time", "name", "phone")
            and (field == "phone" or self.rng.random() < 0.5)
        ):
            self.digress = False
            self.expect_answer = True
            return self.say(self.rng.choice(QUESTIONS), {}, f"question (asked {field})")
        return None

    def correct(self, field: str) -> Utterance:
        """Correct a field to its true value (the planned mistake, right after making it)."""
        self.queued = None
        if field != "item":
            self.current[field] = self.truth[field]
        return self.fix_words(field)

    def choose_office(self, buttons: tuple[Button, ...], careful: bool) -> Utterance:
        """Tap, number or name the office."""
        code = self.current["office"]
        index = button_for(buttons, "office", code, self.catalog.office(code).name)
        if index is not None and not careful:
            chosen = self.pick(buttons, index, "office")
            if chosen is not None:
                self.told.add("office")
                if self.goal.correction and self.goal.correction.field == "office":
                    self.queued = "office" if code != self.truth["office"] else None
                return chosen
        return self.answer("office", careful=careful)

    def choose_time(self, want: Want, buttons: tuple[Button, ...], careful: bool) -> Utterance:
        """Say the time, or pick one of the offered slots."""
        goal = self.goal
        options = want == Want.TIME_OPTIONS  # slots were offered after a time was said
        slots = [slot_of(b) for b in buttons]
        vague_open = (
            goal.vague and self.picked is None and self.current["time"] == self.truth["time"]
        )
        if vague_open:
            half = half_of(goal.start)
            fitting = [
                i for i, s in enumerate(slots) if s and slot_title_fits(s[0], s[1], goal.day, half)
            ]
            if fitting and (options or (self.style.ordinal and self.rng.random() < 0.5)):
                index = fitting[0]
                in_half = [i for i, s in enumerate(slots) if s and half_of(s[1]) == half]
                only_half = half if len(in_half) == 1 and len(slots) > 1 else None
                picked = slots[index]
                assert picked is not None
                self.picked = picked
                self.told.add("time")
                chosen = self.pick(buttons, index, "time", earliest_ok=index == 0, half=only_half)
                return chosen or tap(buttons[index].payload, "time")
            if options:  # nothing offered fits: say a slot explicitly
                self.picked = (goal.day, goal.start)
                self.time_misses += 1
                return self.answer("time", careful=True)
            return self.answer("time", careful=careful)
        target = self.picked or self._slot(self.current["time"])
        pos = next((i for i, s in enumerate(slots) if s == target), None)
        if pos is not None and (options or self.style.ordinal):
            chosen = self.pick(buttons, pos, "time", earliest_ok=pos == 0)
            if chosen is not None or options:
                self.told.add("time")
                fix = goal.correction
                if fix and fix.field == "time" and fix.moment == "next_turn":
                    self.queued = "time" if self.current["time"] == fix.wrong else None
                return chosen or tap(buttons[pos].payload, "time")
        if options:
            self.time_misses += 1
            if self.time_misses >= STUCK_LIMIT:
                self.end = "time_rejected"
        return self.answer("time", careful=careful or options)

    def check_summary(self, msg: BotMessage | None) -> Utterance:
        """Read the summary like a person: correct what is wrong, else say yes."""
        meta = msg.metadata if msg else {}
        day, start = self.final_slot()
        checks = {
            "item": ("item_name", self.goal.item_name),
            "office": ("office_name", self.goal.office_name),
            "name": ("citizen_name", self.goal.name),
            "phone": ("phone_masked", mask_phone(self.goal.phone)),
        }
        wrong: list[str] = []
        for field, (key, expected) in checks.items():
            if key in meta and str(meta[key]) != expected:
                wrong.append(field)
        when = meta.get("when")
        if isinstance(when, str):
            found = _SLOT_IN.search(when)
            if found and (found.group(1), found.group(2).zfill(5)) != (
                day.isoformat(),
                start.strftime("%H:%M"),
            ):
                wrong.insert(min(2, len(wrong)), "time")
        self.last_fix = wrong[0] if wrong else None
        if self.last_fix:
            field = self.last_fix
            self.summary_fixes[field] += 1
            if self.summary_fixes[field] > 2:
                self.end = f"summary_wrong@{field}"
            self.queued = None
            if field in self.truth:
                self.current[field] = self.truth[field]
            if field == "time":
                self.current["time"] = f"{day.isoformat()} {start.strftime('%H:%M')}"
            return self.fix_words(field, careful=self.summary_fixes[field] > 1)
        buttons = msg.buttons if msg else ()
        self.summary_buttons = buttons
        again = self.asked["confirm"] > 1  # the summary came back: say it another way
        if (
            buttons
            and not again
            and (self.style.ordinal or self.rng.random() < self.style.tap_share)
        ):
            if self.style.ordinal:
                return self.typed(Utterance(((WORDS, buttons[0].title),), None, "confirm (title)"))
            return tap(buttons[0].payload, "confirm")
        return self.say("confirm", {}, "confirm", careful=again)

    def fix_words(self, field: str, *, careful: bool = False) -> Utterance:
        """The words correcting one field to its true value."""
        if field == "item":
            return self.say(
                "correct_item", self.value("item", careful=True), "correct item", careful=True
            )
        return self.say(
            f"correct_{field}",
            self.value(field, careful=careful),
            f"correct {field}",
            careful=careful,
        )


class DocAgent(Agent):
    """A person who wants to know which documents are still missing."""

    goal: DocGoal

    def __init__(
        self, goal: DocGoal, catalog: CatalogView, clock: Clock, style: Style | None = None
    ) -> None:
        """A person with a document-check goal.

        Args:
            goal: The goal.
            catalog: The catalog.
            clock: The local time now (unused: no times are said).
            style: How they talk (the goal's style when None).
        """
        super().__init__(goal, catalog, clock, style)
        self.goal = goal
        self.btype = goal.business_type
        self.held = list(goal.held)
        self.lacking = list(goal.lacking)
        fix = goal.correction
        self.pending_fix = fix is not None
        if fix is not None:
            if fix.field == "btype":
                self.btype = fix.wrong
            elif fix.field == "doc_lacks":
                self.held.append(fix.wrong)
                self.lacking = [d for d in self.lacking if d != fix.wrong]
            elif fix.field == "doc_has":
                self.held = [d for d in self.held if d != fix.wrong]
                self.lacking.append(fix.wrong)
        self.last_report: BotMessage | None = None
        # Naming the business type makes sense only when there is a choice.
        self.multi_type = len(catalog.item(goal.item_code).business_types) > 1
        self.question_first = self.style.digression
        self.dodges = 1 if self.style.dodge else 0
        self.retyped = False

    def doc_values(self, careful: bool) -> Values:
        """The held and lacking lists in words."""
        goal = self.goal

        def names(docs: list[str]) -> list[str]:
            return docs if careful else [goal.ref(d) for d in docs]

        return {
            "held": (DOC, join_list(names(self.held), self.rng)),
            "lacking": (DOC, join_list(names(self.lacking), self.rng, commas=False)),
        }

    def btype_clause(self, say: bool) -> Values:
        """The business type attached to the item ("，新办"), or nothing."""
        if not say:
            return {"btc": (WORDS, "")}
        clause = self.rng.choice(BTYPE_CLAUSES).format(btype=self.btype)
        return {"btc": (BTYPE, clause)}

    def statement(
        self, *, with_item: bool, careful: bool = False, say_btype: bool | None = None
    ) -> Utterance:
        """What the person has and lacks, with the item (and business type) or without."""
        kind = "lacking" if self.held and self.lacking else ("none" if not self.held else "")
        values = self.doc_values(careful)
        show = self.goal.say_business_type if say_btype is None else say_btype
        show = show and self.multi_type
        self.told.add("docs")
        clause = self.clause
        if with_item and clause is not None and not careful:
            # "公司叉车要上牌，新办，我有…，还差什么？"
            btc = self.btype_clause(show)["btc"]
            said = self.words("docs_say" + (f"_{kind}" if kind else ""), values, "documents")
            head = Utterance((*clause.parts, btc), None, clause.meaning)
            return self.typed(head.then(said))
        act = ("docs_open" if with_item else "docs_say") + (f"_{kind}" if kind else "")
        if with_item:
            item = self.goal.item_name if careful else self.goal.item_np
            values["item"] = (ITEM, item)
            values.update(self.btype_clause(show))
        return self.say(act, values, "documents", careful=careful)

    def opening(self) -> Utterance:
        """The first message: item, business type and documents in the style's order."""
        style = self.style
        if self.question_first:
            self.expect_answer = True
            self.told.add("item")
            if self.clause is not None:
                return self.typed(self.clause.then(self.words("ask_time_limit", {}, "question")))
            return self.say("ask_item_time_limit", {"item": (ITEM, self.goal.item_np)}, "question")
        if style.extra_facts:
            return self.statement(with_item=False)
        self.told.add("item")
        if style.bundle:  # where they are, the business type, what they have and lack
            office = self.catalog.office(
                self.rng.choice(self.catalog.item(self.goal.item_code).offices)
            )
            where = self.say("docs_where", {"office": (OFFICE, office.region)}, "office")
            return where.then(self.statement(with_item=True, say_btype=True), sep="")
        return self.statement(with_item=True)

    def respond(self, turn: list[BotMessage]) -> Utterance | None:
        """The next utterance after the bot's turn, or None when the dialogue is over.

        Args:
            turn: The bot's messages of the last turn.

        Returns:
            What the person says next, or None (then :attr:`end` says why).
        """
        want = turn_want([m.response for m in turn])
        msg = self.messages_with(turn, want)
        if want == Want.DONE_DOCS and msg is not None:
            self.stuck = 0
            self.last_report = msg
            if self.pending_fix:
                return self.correct()
            wrong_type = self.wrong_business_type(msg)
            if wrong_type is not None:
                return wrong_type
            self.end = "reported"
            return None
        if want == Want.INFO and self.expect_answer:
            self.expect_answer = False
            if "item" in self.told and "docs" not in self.told:
                return self.statement(with_item=False)
            return self.repeat_need()
        if want == Want.BUSINESS_TYPE:
            self.stuck = 0
            if self.looping("btype"):
                return None
            label = msg.metadata.get("item_label") if msg else None
            if isinstance(label, str) and label and self.goal.item_name not in label:
                # "“X”分几种办理情形" names another item: say which one is meant
                return self.say(
                    "correct_item",
                    {"item": (ITEM, self.goal.item_name)},
                    "correct item",
                    careful=True,
                )
            if self.dodges > 0:
                self.dodges -= 1
                self.expect_answer = True
                return self.say(self.rng.choice(QUESTIONS[1:]), {}, "question (asked btype)")
            buttons = msg.buttons if msg else ()
            index = button_for(buttons, "business_type", self.btype, self.btype)
            chosen = self.pick(buttons, index, "btype") if index is not None else None
            u = chosen or self.say(
                "ans_btype",
                {"btype": (BTYPE, self.btype)},
                "btype",
                careful=self.asked["btype"] > 1,
            )
            self.told.add("btype")
            return u
        if want in (Want.ITEM, Want.ITEM_CANDIDATES):
            self.stuck = 0
            if self.looping("item"):
                return None
            careful = self.asked["item"] > 1
            if want == Want.ITEM_CANDIDATES and msg is not None:
                index = button_for(msg.buttons, "item", self.goal.item_code)
                if index is not None:
                    chosen = self.pick(msg.buttons, index, "item")
                    if chosen is not None:
                        return chosen
            item = self.goal.item_name if careful else self.goal.item_np
            values: Values = {"item": (ITEM, item)}
            if not careful and self.clause is not None:
                self.told.add("item")
                return self.typed(self.clause)
            u = self.say("ans_item", values, "item", careful=careful)
            if self.multi_type and (self.style.extra_facts or self.goal.say_business_type):
                clause = self.btype_clause(True)["btc"][1]
                u = Utterance((*u.parts, (BTYPE, clause)), None, u.meaning, u.tags)
            u = self.already("item", u)
            self.told.add("item")
            return u
        if want == Want.DOCS:
            self.stuck = 0
            if self.looping("docs"):
                return None
            return self.statement(with_item=False, careful=True)
        if self.stuck_turn(turn):
            return None
        return self.repeat_need()

    def wrong_business_type(self, msg: BotMessage) -> Utterance | None:
        """A report for another business type (one the bot assumed): say or tap ours, once.

        People told "先按新办列出" who are renewing say so; a second report for the
        wrong type is taken as the bot's answer.
        """
        label = str(msg.metadata.get("business_type") or "")
        if not self.multi_type or not label or self.btype in label or self.retyped:
            return None
        self.retyped = True
        index = button_for(msg.buttons, "business_type", self.btype, self.btype)
        chosen = self.pick(msg.buttons, index, "btype") if index is not None else None
        return chosen or self.say("correct_btype", {"btype": (BTYPE, self.btype)}, "retype")

    def repeat_need(self) -> Utterance:
        """Say everything again plainly: item, business type, documents."""
        return self.statement(with_item=True, careful=True, say_btype=True)

    def correct(self) -> Utterance:
        """Correct the planned mistake (after the bot answered with it)."""
        fix = self.goal.correction
        self.pending_fix = False
        assert fix is not None
        self.btype = self.goal.business_type
        self.held, self.lacking = list(self.goal.held), list(self.goal.lacking)
        if fix.field == "btype":
            return self.say("correct_btype", {"btype": (BTYPE, self.btype)}, "correct btype")
        doc = (DOC, self.goal.ref(fix.wrong))
        if fix.field == "doc_lacks":
            if fix.wrong not in self.lacking:
                self.lacking.append(fix.wrong)
            return self.say("correct_doc", {"doc": doc}, "correct doc (lacks)")
        return self.say("correct_doc_has", {"doc": doc}, "correct doc (has)")


def make_agent(
    goal: Goal, catalog: CatalogView, clock: Clock, style: Style | None = None
) -> BookingAgent | DocAgent:
    """The agent for a goal (speaking in ``style``, or the goal's own)."""
    if isinstance(goal, BookingGoal):
        return BookingAgent(goal, catalog, clock, style)
    return DocAgent(goal, catalog, clock, style)
