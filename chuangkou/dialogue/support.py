"""Complaints, a person at a window, small talk, and saying no well.

A complaint is answered only with a complaint cue and this domain's evidence; a question
about another department's business is declined with who handles it and how to reach
them (catalog/referrals.yml), never with "which item?".
"""

from __future__ import annotations

from collections import Counter

from chuangkou.catalog.model import Item, Office
from chuangkou.dialogue.context import Ctx
from common.folding import normalize

SMALL_TALK = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "ask_help": "utter_help",
    "affirm": "utter_affirm_ack",
    "deny": "utter_deny_ack",
}


def _office(ctx: Ctx) -> Office:
    return ctx.office() or ctx.catalog.city_office()


def complain(ctx: Ctx) -> None:
    """Route a complaint: the complaint item's channel and the local window."""
    window_type = ctx.catalog.complaint_window
    complaints = [i for i in ctx.catalog.items if i.category == window_type and not i.stopped]
    named = ctx.catalog.item(ctx.reading.item)
    item: Item | None = named if named in complaints else (complaints[0] if complaints else None)
    office = _office(ctx)
    window = office.window(window_type)
    ctx.say(
        "utter_complain",
        item_name=item.name if item else "",
        summary=item.summary if item else "",
        steps=ctx.render.steps(item) if item else "",
        office_line=ctx.render.office_line(office, window_type),
        hours=ctx.render.hours(office),
        window=window.type if window else window_type,
    )
    if item is not None:
        ctx.state.item = item.code


def handoff(ctx: Ctx, *, offered: bool = False) -> None:
    """The window that handles the current topic: phone, place and hours.

    Args:
        ctx: The turn.
        offered: Said after two misunderstood turns (an offer, not a request).
    """
    office = _office(ctx)
    item = ctx.item()
    window_type = item.window if item else ctx.catalog.complaint_window
    ctx.say(
        "utter_handoff_offer" if offered else "utter_handoff",
        office_line=ctx.render.office_line(office, window_type),
        window=window_type,
        hours=ctx.render.hours(office),
    )


def small_talk(ctx: Ctx, intent: str) -> bool:
    """Greetings, thanks, goodbyes, help; True when the turn was one."""
    response = SMALL_TALK.get(intent)
    if response is None:
        return False
    reading = ctx.reading
    if intent in ("affirm", "deny") and (reading.referral or reading.says("domain")):
        return False
    ctx.say(response)
    return True


def decline(ctx: Ctx) -> None:
    """Not ours: refer, decline with examples, or leave it a miss.

    Who handles it is named when the words say; a real question is declined with
    examples; a message that asks nothing is "not understood" (a miss).
    """
    reading = ctx.reading
    referral = reading.referral
    if referral is not None:
        ctx.say("utter_referral", name=referral.name, contact=referral.contact)
        return
    words = ctx.words
    if not reading.key.strip("".join(words.of("fillers"))):
        return  # "嗯嗯啊啊": sounds only, whatever the classifier made of them
    asks = (
        words.has("asking", reading.key)
        or any(mark in reading.text for mark in "?？")
        or len(reading.key) >= 8
    )
    if asks or (ctx.turn.intent == "out_of_scope" and ctx.turn.confidence >= 0.5):
        ctx.say("utter_out_of_scope")


def pick_candidate(ctx: Ctx, codes: list[str]) -> str | None:
    """Which offered item an answer in words means ("就是新电梯装好了要登记的那个").

    Each candidate is scored by the character pairs of its names, aliases and sub-items
    that the answer contains, weighted by how few candidates share the pair; a clear
    winner is taken, a tie is not.
    """
    key = normalize(ctx.reading.text)
    if len(key) < 2 or not codes:
        return None
    pairs: dict[str, set[str]] = {}
    for code in codes:
        item = ctx.catalog.item(code)
        if item is None:
            continue
        words = [item.name, *item.aliases, *(s.name for s in item.sub_items)]
        pairs[code] = {w[i : i + 2] for w in map(normalize, words) for i in range(len(w) - 1)}
    said = {key[i : i + 2] for i in range(len(key) - 1)}
    shared = Counter(p for bag in pairs.values() for p in bag)
    scores = {
        code: sum(1 / shared[p] for p in bag & said if shared[p] < len(pairs))
        for code, bag in pairs.items()
    }
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] <= 0:
        return None
    if len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]:
        return None
    return ranked[0][0]
