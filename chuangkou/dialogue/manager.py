"""The conversation's decisions: what one turn is, and what to answer.

Order of precedence, each step only when the ones before did not take the turn:
taps on our buttons; turn control (start over, say again, a person please); an answer
to what the assistant just asked; a booking or a booking look-up in progress; a new
booking or look-up; questions about items (item evidence beats a weak intent, and a
question without an item refers to the item under discussion); questions about an
office; complaints (a complaint cue and this domain); small talk; and finally another
department's business, referred by name, or a polite decline. Two misunderstood turns
in a row offer the human window.
"""

from __future__ import annotations

from dataclasses import replace

from chuangkou.dialogue import answers, booking, manage
from chuangkou.dialogue.context import Ctx
from chuangkou.dialogue.offices import answer_office, office_question
from chuangkou.dialogue.reading import SURE, read
from chuangkou.dialogue.render import Renderer
from chuangkou.dialogue.replies import Reply
from chuangkou.dialogue.state import (
    ASK_AGENT,
    ASK_APPLICANT,
    ASK_BUSINESS_TYPE,
    ASK_DROP,
    ASK_FIX,
    ASK_ITEM,
    Manage,
    Option,
    State,
)
from chuangkou.dialogue.support import (
    complain,
    decline,
    handoff,
    pick_candidate,
    small_talk,
)
from chuangkou.dialogue.turn import Turn
from chuangkou.services import Services

# Legacy button payloads (older pages, WeChat histories) as our own choices.
_LEGACY = {
    "select_item": ("item", "item_code"),
    "choose_business_type": ("business_type", "business_type"),
    "choose_office": ("office", "office_code"),
    "choose_slot": ("slot", "booking_slot"),
}
MAX_ITEMS = 3
MAX_QUESTIONS = 2


class Dialogue:
    """Decides the replies of one turn and the conversation's new memory."""

    def __init__(self, services: Services, render: Renderer | None = None) -> None:
        self.svc = services
        self.render = render or Renderer()

    def handle(self, turn: Turn, state: State) -> tuple[list[Reply], State]:
        """One turn.

        Args:
            turn: What arrived.
            state: What the conversation remembers (changed in place and returned).

        Returns:
            The replies, in order, and the new state.
        """
        state.turns += 1
        reading = read(turn, state, self.svc.catalog, self.svc.matcher)
        ctx = Ctx(self.svc, turn, state, reading, self.render)
        offered = list(state.offer)
        replayed = self._route(ctx)
        if replayed:
            return ctx.replies.items, state
        if ctx.understood:
            state.misses = 0
        else:
            state.misses += 1
            if not ctx.replies:
                self._not_understood(ctx)
        if state.offer == offered and ctx.replies:
            state.offer = [] if not any(r.buttons for r in ctx.replies.items) else state.offer
        state.last = [r.to_json() for r in ctx.replies.items]
        return ctx.replies.items, state

    # -- routing -----------------------------------------------------------------------

    def _route(self, ctx: Ctx) -> bool:
        """Handle the turn; True when it replayed the last answer (nothing else changes)."""
        turn, reading, state = ctx.turn, ctx.reading, ctx.state
        if turn.payload is not None:
            if self._payload(ctx):
                return False
        elif not reading.key:
            self._no_words(ctx)
            return False
        if ctx.words.is_only("restart", reading.key) or (
            reading.says("restart") and len(reading.key) <= 8
        ):
            ctx.state.__init__()  # type: ignore[misc]
            ctx.say("utter_restarted")
            return False
        if reading.says("repeat") and state.last and len(reading.key) <= 12:
            for raw in state.last:
                ctx.replies.items.append(Reply.from_json(raw))
            ctx.understood = True
            return True
        if reading.says("handoff") or (turn.intent == "human_handoff" and turn.confidence > SURE):
            handoff(ctx)
            return False
        if state.asking and self._answer_ask(ctx):
            return False
        state.asking = None
        if state.booking is not None:
            self._during_booking(ctx)
            return False
        if state.manage is not None and not self._leaves_manage(ctx):
            manage.take_turn(ctx)
            return False
        state.manage = None
        self._new_request(ctx)
        return False

    def _no_words(self, ctx: Ctx) -> None:
        """Nothing typed, or only emoji and symbols: say so, and re-ask a pending field."""
        if not ctx.turn.text.strip():
            ctx.say("utter_empty")
            return
        draft = ctx.state.booking
        if draft is not None and draft.asked == "name":
            ctx.say("utter_name_invalid")
        else:
            ctx.say("utter_only_symbols")
        if draft is not None and draft.asked:
            booking.ask(ctx, draft, draft.asked)

    def _payload(self, ctx: Ctx) -> bool:
        """A tap on a button; True when it was handled completely here."""
        payload = ctx.turn.payload
        assert payload is not None
        intent = payload.intent
        if intent in _LEGACY:
            kind, key = _LEGACY[intent]
            payload = replace(
                payload,
                intent="choose",
                values={"kind": kind, "value": payload.values.get(key, "")},
            )
        if intent in ("greet", "start"):
            small_talk(ctx, "greet")
            return True
        if intent == "empty_message":
            ctx.say("utter_empty")
            return True
        if payload.intent != "choose":
            return False  # /affirm, /deny: the flows read them
        kind, value = str(payload.values.get("kind", "")), str(payload.values.get("value", ""))
        ctx.reading.take(Option(title="", value=value, kind=kind))
        ctx.understood = True
        if kind == "abort":
            booking.abort(ctx)
            return True
        if kind == "fix":
            booking.fix(ctx, value)
            return True
        if kind == "question":
            self._card_question(ctx, value)
            return True
        return False

    def _card_question(self, ctx: Ctx, question: str) -> None:
        item = ctx.item()
        if question == "book":
            booking.start(ctx)
            return
        if item is None:
            ctx.say("utter_ask_which_item")
            return
        answers.answer(ctx, question, item, ctx.state.sub_item)

    def _answer_ask(self, ctx: Ctx) -> bool:
        """An answer to the question the assistant asked last; False if it is not one."""
        state, reading = ctx.state, ctx.reading
        choice = reading.choice
        asking = state.asking
        if asking == ASK_DROP:
            return self._drop_booking(ctx)
        if asking == ASK_FIX and choice is not None and choice.kind == "fix":
            booking.fix(ctx, choice.value)
            return True
        item = ctx.item()
        resume = state.resume or "requirements"
        if asking == ASK_BUSINESS_TYPE and item is not None:
            btype = choice.value if choice and choice.kind == "business_type" else None
            btype = btype or reading.business_type
            if btype and item.business_type(btype):
                state.business_type, state.asking = btype, None
                answers.answer(ctx, resume, item, state.sub_item)
                return True
            if reading.documents and not reading.item:
                state.asking = None
                self._docs(ctx, item)
                return True
        if asking == ASK_APPLICANT and item is not None:
            value = choice.value if choice and choice.kind == "applicant" else reading.applicant
            if value:
                state.applicant, state.asking = value, None
                answers.answer(ctx, resume, item, state.sub_item)
                return True
        if asking == ASK_AGENT and item is not None:
            agent = reading.agent
            if choice is not None and choice.kind == "agent":
                agent = choice.value == "yes"
            elif agent is None and reading.says("affirm", "deny") and len(reading.key) <= 4:
                agent = reading.says("affirm")
            if agent is not None:
                state.agent, state.asking = agent, None
                answers.answer(ctx, resume, item, state.sub_item)
                return True
        if asking == ASK_ITEM:
            code = choice.value if choice is not None and choice.kind == "item" else None
            if code is None and reading.item in state.candidates:
                code = reading.item
            best = reading.items.best if reading.items else None
            typo = best is not None and best.via == "typo"
            if code is None and reading.business_types:
                having = [
                    c
                    for c in state.candidates
                    if (i := ctx.catalog.item(c))
                    and any(i.business_type(t) for t in reading.business_types)
                ]
                code = having[0] if len(having) == 1 else None
            if code is None and (not reading.item or typo):
                code = pick_candidate(ctx, state.candidates)
            picked = ctx.catalog.item(code)
            if picked is not None:
                state.asking, state.candidates = None, []
                sub = reading.sub_item if reading.item == picked.code else None
                answers.answer(ctx, resume if state.resume else "card", picked, sub)
                return True
        return False

    def _drop_booking(self, ctx: Ctx) -> bool:
        """The answer to "drop the booking in progress?"."""
        state, reading, turn = ctx.state, ctx.reading, ctx.turn
        tapped = turn.payload.intent if turn.payload is not None else ""
        keep = "继续" in reading.key
        yes = not keep and (reading.says("affirm", "abort_booking") or tapped == "affirm")
        no = keep or reading.says("deny") or tapped == "deny"
        if not (yes or no):
            return False
        state.asking = None
        stash, state.stash = state.stash or {}, None
        if no:
            ctx.say("utter_booking_continue")
            draft = state.booking
            if draft is not None:
                missing = draft.missing()
                if missing:
                    booking.ask(ctx, draft, missing)
                else:
                    booking.summary(ctx, draft)
            return True
        state.booking = None
        op = str(stash.get("op") or "check")
        if op == "forgot":
            manage.forgot(ctx)
            return True
        ctx.state.manage = Manage(op=op, ref=stash.get("ref"), phone_sealed=stash.get("phone"))
        ctx.understood = True
        manage.take_turn(ctx)
        return True

    def _during_booking(self, ctx: Ctx) -> None:
        """A turn while a booking is in progress: a value, a question, or another request."""
        reading, state = ctx.reading, ctx.state
        draft = state.booking
        assert draft is not None
        op = manage.requested_op(ctx)
        if op == "reschedule" and not reading.ref and reading.says("correction", "field_time"):
            op = None  # "换个时间" inside a booking changes this booking's time
        said = any(cue in reading.cues for cue, _ in manage.OPS)
        if (
            op
            and not said
            and (reading.says("affirm", "deny", "correction") or booking._values_given(ctx))
        ):
            op = None  # "信息没错，确认预约": only the classifier thought of a look-up
        forgot = reading.says("forgot_ref")
        if (op or forgot or reading.ref) and not reading.name:
            state.stash = {
                "op": "forgot" if forgot else op or "check",
                "ref": reading.ref,
                "phone": reading.phone,
            }
            state.asking = ASK_DROP
            ctx.say(
                "utter_ask_drop_booking",
                buttons=[
                    {"title": ctx.render.fragment("utter_fmt_button_drop"), "payload": "/affirm"},
                    {"title": ctx.render.fragment("utter_fmt_button_keep"), "payload": "/deny"},
                ],
            )
            return
        gives = booking._values_given(ctx) or reading.says(
            "correction", "abort_booking", "affirm", "deny"
        )
        office_q = office_question(ctx)
        if reading.questions and not gives:
            item = ctx.item(reading.item) or ctx.item(draft.item)
            if item is not None:
                for question in reading.questions[:MAX_QUESTIONS]:
                    answers.answer(ctx, question, item, reading.sub_item or draft.sub_item)
                self._resume_booking(ctx)
                return
        if office_q and not gives:
            answer_office(ctx, office_q)
            self._resume_booking(ctx)
            return
        booking.take_turn(ctx)

    def _resume_booking(self, ctx: Ctx) -> None:
        draft = ctx.state.booking
        if draft is None:
            return
        missing = draft.missing()
        if missing is None:
            booking.summary(ctx, draft)
        else:
            booking.ask(ctx, draft, missing)

    def _leaves_manage(self, ctx: Ctx) -> bool:
        """Whether a turn during a look-up is something else (a new booking, a question)."""
        reading = ctx.reading
        if reading.ref or reading.phone or reading.choice or reading.says("affirm"):
            return False
        return bool(reading.says("booking_request") or reading.strong_item or reading.questions)

    def _new_request(self, ctx: Ctx) -> None:
        """A turn with nothing in progress."""
        reading, turn = ctx.reading, ctx.turn
        op = manage.requested_op(ctx)
        if reading.says("forgot_ref"):
            manage.forgot(ctx)
            return
        if op or (reading.ref and not reading.strong_item):
            manage.start(ctx, op or "check")
            return
        wants_booking = (
            reading.says("booking_request")
            or (turn.intent == "book_appointment" and turn.confidence >= SURE)
            # An item with a name or a phone number to book under: that is a booking.
            or (reading.strong_item and (reading.phone is not None or reading.name is not None))
        )
        if wants_booking and not (reading.questions and not reading.says("booking_request")):
            booking.start(ctx)
            return
        office_q = office_question(ctx)
        about_office = (
            office_q is not None
            and not reading.strong_item
            and (
                bool(reading.offices)
                or reading.says("office_words")
                or office_q != "o_address"
                or not ctx.state.item
            )
        )
        if about_office and office_q is not None:
            answer_office(ctx, office_q)
            return
        if reading.says("complaint") and not reading.questions and self._complaint(ctx):
            return
        if self._item_questions(ctx):
            return
        if self._complaint(ctx):
            return
        if small_talk(ctx, turn.intent if turn.confidence >= SURE else ""):
            return
        decline(ctx)

    def _complaint(self, ctx: Ctx) -> bool:
        """A complaint: a complaint cue, and this domain (else another body's, referred)."""
        reading = ctx.reading
        if not reading.says("complaint"):
            return False
        # A complaint needs a cue and this domain: its vocabulary, an item named with
        # evidence, or a product of ours named ("电热毯是假货") where no other body's
        # words are.
        named = reading.items is not None and reading.items.best is not None
        product = named and not reading.surface_is_cue and reading.referral is None
        ours = (
            reading.says("domain") or (reading.strong_item and not reading.item_is_cue) or product
        )
        if ours:
            complain(ctx)
            return True
        return False  # "投诉外卖商家", "山里非法开采 举报": referred or declined below

    def _item_questions(self, ctx: Ctx) -> bool:
        """Questions about one or more items (or the one under discussion)."""
        reading, state = ctx.reading, ctx.state
        named = [c for c in reading.named_items if ctx.catalog.item(c)]
        strong = reading.strong_item and not (
            reading.referral and (reading.item_is_cue or reading.referral_covers)
        )
        items = (
            named[:MAX_ITEMS]
            if len(named) > 1
            else ([reading.item] if strong and reading.item else [])
        )
        questions = reading.questions[:MAX_QUESTIONS]
        if items and reading.surface_is_cue and not reading.says("complaint"):
            # Named only by a complaint word that is no complaint here: not that item.
            items = [i for i in items if not _is_complaint_item(ctx, i)]
        if items:
            if not questions:
                if reading.documents:
                    questions = ["docs_check"]
                elif state.question and state.item and state.item not in items:
                    questions = [state.question]  # "那条形码呢": the same question again
                else:
                    questions = ["card"]
            if reading.business_type:
                state.business_type = reading.business_type
            self._facts(ctx)
            for code in items:
                item = ctx.catalog.item(code)
                if item is None:
                    continue
                sub = reading.sub_item if code == reading.item else None
                if reading.documents:
                    from chuangkou.catalog.doccheck import merge_state

                    state.docs = merge_state(state.docs, reading.documents)
                for question in questions:
                    answers.answer(ctx, question, item, sub)
            return True
        if (
            reading.candidates
            and reading.evidence
            and not reading.referral_covers
            and (questions or reading.says("domain") or not reading.referral)
        ):
            state.candidates, state.asking = reading.candidates, ASK_ITEM
            state.resume = questions[0] if questions else None
            if reading.documents:
                # What they said they have still counts once they pick the item.
                from chuangkou.catalog.doccheck import merge_state

                state.docs = merge_state(state.docs, reading.documents)
                state.resume = "docs_check"
            options = []
            for code in reading.candidates:
                item = ctx.catalog.item(code)
                if item is not None:
                    options.append(Option(ctx.render.item_label(item), item.code, "item"))
            ctx.say("utter_item_candidates", buttons=ctx.offer(options))
            return True
        current = ctx.item()
        facts = reading.applicant is not None or reading.agent is not None
        if current is not None and (
            questions or reading.documents or reading.business_type or facts
        ):
            self._facts(ctx)
            if reading.business_type:
                state.business_type = reading.business_type
            if reading.documents:
                self._docs(ctx, current)
                return True
            for question in questions or [state.question or "requirements"]:
                answers.answer(ctx, question, current, state.sub_item)
            return True
        if reading.documents and reading.says("q_docs_check") and not reading.referral:
            # "我还没有仪器清单，还差哪些？": documents of ours, no item; keep what was said
            # and ask which item, offering those whose lists hold these documents.
            from chuangkou.catalog.doccheck import merge_state

            state.docs = merge_state(state.docs, reading.documents)
            self._which_item(ctx, "docs_check", documents=list(reading.documents))
            return True
        if questions and reading.says("domain") and not reading.referral:
            self._which_item(ctx, questions[0])
            return True
        return False

    def _facts(self, ctx: Ctx) -> None:
        reading, state = ctx.reading, ctx.state
        if reading.applicant:
            state.applicant = reading.applicant
        if reading.agent is not None:
            state.agent = reading.agent

    def _docs(self, ctx: Ctx, item: object) -> None:
        from chuangkou.catalog.doccheck import merge_state

        state = ctx.state
        state.docs = merge_state(state.docs, ctx.reading.documents)
        answers.answer(ctx, "docs_check", item, state.sub_item)  # type: ignore[arg-type]

    def _which_item(self, ctx: Ctx, question: str, documents: list[str] | None = None) -> None:
        """This domain, but no item named: ask which, with the nearest items as buttons.

        With documents named, the nearest items are those whose lists hold the most of
        them; otherwise the catalog search's best matches.
        """
        codes = _items_holding(ctx, documents) if documents else []
        item = ctx.catalog.item(codes[0]) if len(codes) == 1 else None
        if item is not None:
            answers.answer(ctx, question, item, None)  # only one item needs these
            return
        if not codes:
            codes = [c.item_code for c in ctx.svc.matcher.search(ctx.reading.text, limit=5)]
        options = [
            Option(item.name, item.code, "item")
            for item in (ctx.catalog.item(c) for c in codes)
            if item is not None
        ]
        ctx.state.asking, ctx.state.resume = ASK_ITEM, question
        ctx.state.candidates = [o.value for o in options]
        ctx.say("utter_ask_which_item", buttons=ctx.offer(options))

    def _not_understood(self, ctx: Ctx) -> None:
        """Nothing understood: say so; the second time in a row, offer a person."""
        state = ctx.state
        if state.misses >= 2:
            handoff(ctx, offered=True)
            ctx.understood = False
            return
        draft = state.booking
        if draft is not None:
            ctx.say("utter_not_understood_booking")
            missing = draft.missing()
            if missing is not None:
                booking.ask(ctx, draft, missing)
            else:
                booking.summary(ctx, draft)
            ctx.understood = False
            return
        ctx.say("utter_default")
        ctx.understood = False


def _is_complaint_item(ctx: Ctx, code: str) -> bool:
    item = ctx.catalog.item(code)
    return item is not None and item.category == ctx.catalog.complaint_window


def _items_holding(ctx: Ctx, documents: list[str], limit: int = 5) -> list[str]:
    """Active items whose document lists hold the most of ``documents``.

    At most ``limit``; none when so many items tie that the list would not help.
    """
    counts: dict[str, int] = {}
    for item in ctx.catalog.items:
        if item.stopped:
            continue
        names = {d.name for b in item.business_types for d in b.documents}
        held = sum(1 for doc in documents if doc in names)
        if held:
            counts[item.code] = held
    if not counts:
        return []
    best = max(counts.values())
    top = [code for code, n in counts.items() if n == best]
    return top if len(top) <= limit else []
