"""Answers about one item: documents, time limit, fee, place, process, check, item card.

Every answer about requirements, time limits or fees ends with one line of provenance
(the basis and the review date, or plainly that the list is not yet confirmed and the
window's phone). Document lists are resolved with what is known of the person
(:mod:`chuangkou.catalog.requirements`); when one fact would change the list, the
answer gives everything and asks that one short question.
"""

from __future__ import annotations

from dataclasses import replace

from chuangkou.catalog.doccheck import check, merge_state
from chuangkou.catalog.model import BusinessType, DocumentRequirement, Item, Office
from chuangkou.catalog.requirements import resolve
from chuangkou.dialogue.context import Ctx
from chuangkou.dialogue.state import ASK_AGENT, ASK_APPLICANT, ASK_BUSINESS_TYPE, Option

FIRST_TIME = "新办"  # the business type people mean when they say none (一次性告知)
CARD_QUESTIONS = ("requirements", "time_limit", "fee", "location", "book")


def _office_for(ctx: Ctx, item: Item) -> Office:
    """The office to name for an item: the one in discussion if it accepts it."""
    accepting = ctx.catalog.accepting_offices(item)
    office = ctx.office()
    if office is not None and (office in accepting or not accepting):
        return office
    city = ctx.catalog.city_office()
    if not accepting or city in accepting:
        return city
    return accepting[0]


def provenance(ctx: Ctx, item: Item, basis: str | None = None) -> str:
    """The last line of an answer: its basis and review date, or that it is unconfirmed."""
    review = item.review
    office = _office_for(ctx, item)
    window = office.window(item.window)
    phone = window.phone if window else office.phone
    if review.verified and review.reviewed_on:
        return ctx.render.fragment(
            "utter_fmt_provenance_verified",
            basis=basis or (item.source[0] if item.source else ""),
            date=review.reviewed_on,
        )
    return ctx.render.fragment("utter_fmt_provenance_unverified", phone=phone, office=office.name)


def _label(ctx: Ctx, item: Item, sub: str | None) -> str:
    return ctx.render.item_label(item, sub if item.sub_item(sub) else None)


def _redirect(ctx: Ctx, item: Item) -> str:
    target = ctx.catalog.item(item.redirect) if item.redirect else None
    return (
        ctx.render.fragment("utter_fmt_redirect_item", name=target.name)
        if target
        else (item.redirect or "")
    )


def refuse_unanswerable(ctx: Ctx, item: Item, sub: str | None) -> bool:
    """Say so when an item is stopped or a sub-item no longer needs it; True if said."""
    if item.stopped:
        ctx.say(
            "utter_item_stopped",
            item_name=item.name,
            status_note=item.status_note,
            redirect=_redirect(ctx, item),
        )
        return True
    sub_item = item.sub_item(sub)
    if sub_item is not None and sub_item.abolished:
        ctx.say(
            "utter_sub_item_abolished",
            item_name=item.name,
            sub_name=sub_item.name,
            status_note=sub_item.status_note or "",
        )
        return True
    return False


def _elsewhere(ctx: Ctx, item: Item) -> str:
    """The line saying where an item is handled when no window of ours accepts it."""
    if not item.not_here:
        return ""
    return ctx.render.fragment(
        "utter_fmt_elsewhere", apply_at=item.apply_at or "", online=_online(ctx, item)
    )


def _online(ctx: Ctx, item: Item) -> str:
    return ctx.render.join(
        ctx.render.fragment("utter_fmt_channel", name=c.name, url=c.url or "") for c in item.online
    )


def choose_business_type(ctx: Ctx, item: Item, question: str) -> tuple[BusinessType, bool] | None:
    """The business type to answer with: chosen, implied, the only one, or 新办 assumed.

    Returns:
        The type and whether it was assumed (None when one must be asked: no 新办).
    """
    chosen = item.business_type(ctx.state.business_type)
    if chosen is not None:
        return chosen, False
    if not item.lists_differ():
        return item.business_types[0], False
    fitting = _fitting_types(ctx, item)
    if len(fitting) == 1:
        return fitting[0], False
    first = item.business_type(FIRST_TIME)
    if first is not None and first in fitting:
        return first, True
    ctx.state.asking, ctx.state.resume = ASK_BUSINESS_TYPE, question
    ctx.say(
        "utter_ask_business_type",
        buttons=ctx.offer([Option(b.type, b.type, "business_type") for b in fitting]),
        item_label=_label(ctx, item, ctx.state.sub_item),
    )
    return None


def _fitting_types(ctx: Ctx, item: Item) -> list[BusinessType]:
    """The business types whose lists hold every document the person says they have.

    "原证、建标证书我都有" rules out 新办, whose list has neither; with nothing held,
    every type fits. When no list holds them all (a document named by mistake), every
    type stays possible.
    """
    held = [name for name, doc in ctx.state.docs.items() if (doc or {}).get("has")]
    fitting = [
        b for b in item.business_types if all(any(d.name == h for d in b.documents) for h in held)
    ]
    return fitting or list(item.business_types)


def _other_types(ctx: Ctx, item: Item, shown: BusinessType) -> list[dict[str, str]]:
    return ctx.offer(
        [Option(b.type, b.type, "business_type") for b in item.business_types if b != shown]
    )


def _doc_lines(ctx: Ctx, docs: tuple[DocumentRequirement, ...]) -> str:
    return ctx.render.document_lines(docs)


# The facts a list can depend on: the state that waits for the answer, the question, and
# its options (the label's fragment and the value the answer sets).
_FACT_QUESTIONS: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "applicant": (
        ASK_APPLICANT,
        "utter_ask_applicant",
        (("utter_fmt_applicant_firm", "企业"), ("utter_fmt_applicant_person", "个人")),
    ),
    "agent": (
        ASK_AGENT,
        "utter_ask_agent",
        (("utter_fmt_agent_no", "no"), ("utter_fmt_agent_yes", "yes")),
    ),
}


def _ask_fact(ctx: Ctx, fact: str | None, question: str) -> None:
    """One short question whose answer would narrow the list (after the full answer).

    Asked once in a conversation, however many answers it gave.
    """
    if fact not in _FACT_QUESTIONS or fact in ctx.state.facts_asked:
        return  # asked before: a person who let it pass is not asked again
    ctx.state.facts_asked.append(fact)
    asking, response, options = _FACT_QUESTIONS[fact]
    ctx.state.asking, ctx.state.resume = asking, question
    ctx.say(
        response,
        buttons=ctx.offer(
            [Option(ctx.render.fragment(label), value, fact) for label, value in options]
        ),
    )


def requirements(ctx: Ctx, item: Item, sub: str | None) -> None:
    """What to bring: the resolved list, what needs no bringing, the conditional lines."""
    picked = choose_business_type(ctx, item, "requirements")
    if picked is None:
        return
    btype, assumed = picked
    resolved = resolve(btype, ctx.facts(item))
    limit = item.time_limit_for(btype.type)
    render = ctx.render
    ctx.say(
        "utter_requirements",
        buttons=_other_types(ctx, item, btype) if assumed else [],
        item_label=_label(ctx, item, sub),
        business_type=render.business_type_label(btype.type),
        assumed=render.fragment("utter_fmt_assumed_type", type=btype.type) if assumed else "",
        documents=_doc_lines(ctx, resolved.to_bring),
        not_submitted=render.not_submitted_line(resolved.not_submitted),
        conditional=render.conditional_block(resolved.undecided),
        promised_days=limit.promised_days,
        statutory=render.statutory(limit.statutory_days),
        fee=render.fee(item.fee),
        window=item.window,
        where=render.where(ctx.catalog, item),
        elsewhere=_elsewhere(ctx, item),
        provenance=provenance(ctx, item),
        documents_named=[d.name for d in resolved.to_bring],
    )
    ctx.state.business_type = btype.type if not assumed else ctx.state.business_type
    _ask_fact(ctx, resolved.ask, "requirements")


def docs_check(ctx: Ctx, item: Item, sub: str | None) -> None:
    """Compare what the person holds with the resolved list; 免提交 counts as held."""
    picked = choose_business_type(ctx, item, "docs_check")
    if picked is None:
        return
    btype, assumed = picked
    resolved = resolve(btype, ctx.facts(item))
    held = merge_state(ctx.state.docs, {})
    for doc in resolved.not_submitted:
        held.setdefault(doc.name, {"has": True, "forms": [], "online": True})
    # Lines whose condition holds count like required ones; undecided ones are listed
    # as conditional, and none of them is "not on the list".
    wanted = tuple(replace(d, required=True) for d in resolved.needed) + resolved.undecided
    result = check(wanted, held)
    later = [g for g in result.missing if g.requirement.deferrable]
    missing = [g for g in result.missing if not g.requirement.deferrable]
    render = ctx.render
    common = {
        "item_label": _label(ctx, item, sub),
        "business_type": render.business_type_label(btype.type),
        "assumed": render.fragment("utter_fmt_assumed_type", type=btype.type) if assumed else "",
        "conditional": render.conditional_block(resolved.undecided),
        "deferrable": render.deferrable_block(later),
        "not_needed": render.fragment("utter_fmt_not_needed", docs=render.join(result.not_needed))
        if result.not_needed
        else "",
        "provenance": provenance(ctx, item),
        # Machine-readable for the simulator and the logs: canonical names only. A dict,
        # never empty: Rasa drops empty values from a response's variables.
        "doc_report": {
            "missing": [g.requirement.name for g in missing],
            "later": [g.requirement.name for g in later],
            "present": [d.name for d in result.present],
        },
    }
    buttons = _other_types(ctx, item, btype) if assumed else []
    if missing:
        ctx.say(
            "utter_docs_missing",
            buttons=buttons,
            count=len(missing),
            missing=render.gap_lines(missing),
            **common,
        )
    else:
        ctx.say(
            "utter_docs_complete",
            buttons=buttons,
            count=len(result.present),
            window=item.window,
            **common,
        )
    _ask_fact(ctx, resolved.ask, "docs_check")


def time_limit(ctx: Ctx, item: Item, sub: str | None) -> None:
    """How long it takes (promised and statutory working days)."""
    btype = item.business_type(ctx.state.business_type)
    limit = item.time_limit_for(btype.type if btype else None)
    ctx.say(
        "utter_time_limit",
        item_label=_label(ctx, item, sub),
        business_type=ctx.render.business_type_label(btype.type if btype else None),
        promised_days=limit.promised_days,
        statutory=ctx.render.statutory(limit.statutory_days),
        note=limit.note or "",
        elsewhere=_elsewhere(ctx, item),
        provenance=provenance(ctx, item, getattr(limit, "basis", None)),
    )


def fee(ctx: Ctx, item: Item, sub: str | None) -> None:
    """What it costs and why."""
    ctx.say(
        "utter_fee",
        item_label=_label(ctx, item, sub),
        fee=ctx.render.fee(item.fee),
        provenance=provenance(ctx, item, item.fee.basis),
    )


def location(ctx: Ctx, item: Item, sub: str | None) -> None:
    """Where it is accepted (address, window, hours), or where to go instead."""
    if item.not_here:
        ctx.say(
            "utter_item_elsewhere",
            item_name=item.name,
            apply_at=item.apply_at or "",
            online=_online(ctx, item),
        )
        return
    catalog = ctx.catalog
    accepting = catalog.accepting_offices(item)
    office = _office_for(ctx, item)
    others = [o for o in accepting if o.code != office.code][:10]
    ctx.say(
        "utter_location",
        buttons=ctx.offer([Option(o.region, o.code, "office") for o in others]),
        item_label=_label(ctx, item, sub),
        where=ctx.render.where(catalog, item),
        office_line=ctx.render.office_line(office, item.window),
        hours=ctx.render.hours(office),
    )


def process(ctx: Ctx, item: Item, sub: str | None) -> None:
    """The steps and who decides."""
    ctx.say(
        "utter_process",
        item_label=_label(ctx, item, sub),
        steps=ctx.render.steps(item),
        authority=item.deciding_authority,
        online=_online(ctx, item),
        elsewhere=_elsewhere(ctx, item),
    )


def card(ctx: Ctx, item: Item, sub: str | None) -> None:
    """The item in short, with buttons for what can be asked about it."""
    options = [
        Option(ctx.render.fragment(f"utter_fmt_card_{q}"), q, "question")
        for q in CARD_QUESTIONS
        if not (q == "book" and (item.not_here or item.stopped))
    ]
    ctx.say(
        "utter_item_card",
        buttons=ctx.offer(options),
        item_label=_label(ctx, item, sub),
        summary=item.summary,
        elsewhere=_elsewhere(ctx, item),
    )


ANSWERS = {
    "requirements": requirements,
    "docs_check": docs_check,
    "time_limit": time_limit,
    "fee": fee,
    "location": location,
    "process": process,
    "card": card,
}


def answer(ctx: Ctx, question: str, item: Item, sub: str | None) -> None:
    """Answer one question about one item, and remember both for follow-ups."""
    state = ctx.state
    if state.item != item.code:
        # Another item: the type said before no longer holds, the one said now does.
        said = ctx.reading.business_type
        state.business_type = said if item.business_type(said) else None
    state.item, state.sub_item = item.code, sub if item.sub_item(sub) else state.sub_item
    if state.sub_item and not item.sub_item(state.sub_item):
        state.sub_item = None
    if question != "card":
        state.question = question
    if refuse_unanswerable(ctx, item, sub):
        return
    ANSWERS.get(question, card)(ctx, item, sub)
