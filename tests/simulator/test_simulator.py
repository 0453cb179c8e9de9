"""The user simulator (bench/simulator): its goals, styles, time expressions and scoring.

Everything here runs without the engine, except the one ``engine`` test at the end, which
plays a fixed-seed sample of dialogues against a stack it starts and holds the bot to a
success-rate gate.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import opencc
import pytest
import yaml

from bench.simulator.agent import BookingAgent, DocAgent, make_agent, mask_phone, slot_of
from bench.simulator.client import BotMessage, Button
from bench.simulator.driver import RunConfig, run
from bench.simulator.goals import BookingGoal, DocGoal, Goal, GoalSampler, SlotLedger
from bench.simulator.report import render_text, summarize
from bench.simulator.scoring import (
    DocReport,
    ExpectedBooking,
    ExpectedDocs,
    expected_missing,
    read_doc_report,
    score_booking,
    score_docs,
)
from bench.simulator.styles import STYLE_NAMES, Style
from bench.simulator.surface import (
    NAME,
    PHONE,
    WORDS,
    Utterance,
    add_typo,
    to_fullwidth,
    to_traditional,
)
from bench.simulator.timeexpr import (
    DAY_FAMILIES,
    exact_variants,
    render_exact,
    render_vague,
    vague_variants,
)
from bench.simulator.wants import RESPONSE_WANTS, Want, turn_want, want_of
from bench.simulator.world import (
    BookingRow,
    CatalogView,
    World,
    catalog_from_files,
    model_path,
    own_stack,
    parse_time,
    prepare_database,
)

ROOT = Path(__file__).resolve().parents[2]
# The success rate the current bot reaches on the engine test's sample, minus a margin.
# Raise it when the conversation is rewritten.
SUCCESS_GATE = 0.95  # measured 0.99 on fresh seeds (550 dialogues); the sample is 110
ENGINE_SAMPLE = 110  # 10 dialogues per style
ENGINE_SEED = 7
NOWS = (
    datetime(2026, 12, 1, 16, 37),  # a Tuesday afternoon
    datetime(2026, 12, 4, 10, 0),  # a Friday morning
    datetime(2026, 12, 6, 12, 0),  # a Sunday
    datetime(2026, 12, 28, 8, 0),  # a Monday, the horizon crosses into the next year
)
STARTS = (time(8, 30), time(9, 0), time(11, 30), time(14, 30), time(15, 0), time(17, 0))
PLAIN = Style("plain")
DIALECT_MARKS = ("俺", "啥子", "咋个", "嘛", "撒", "哈", "没得", "一哈", "对头")


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The real library over a fresh SQLite file holding the catalog (no engine)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sim') / 'sim.db'}"
    prepare_database(url)
    w = World(url)
    yield w
    w.close()


@pytest.fixture(scope="module")
def catalog() -> CatalogView:
    """The catalog read from its files."""
    return catalog_from_files()


@pytest.fixture(scope="module")
def goals(world: World) -> list[Goal]:
    """220 goals (20 per style) drawn at one moment."""
    sampler = GoalSampler(world.catalog, world, seed=11)
    now = world.now()
    return [sampler.sample(i, now) for i in range(220)]


# -- a scripted bot for the engine-free tests -----------------------------------------------
def _choose(kind: str, value: str) -> str:
    """A button payload as the bot writes it."""
    return "/choose" + json.dumps({"kind": kind, "value": value}, ensure_ascii=False)


def _slot_button(day: date, start: time) -> Button:
    label = f"{day.isoformat()} {start.strftime('%H:%M')}"
    return Button(
        f"{day.isoformat()}（周{'一二三四五六日'[day.weekday()]}）{start:%H:%M}",
        _choose("slot", label),
    )


def _booking_script(goal: BookingGoal, catalog: CatalogView) -> list[list[BotMessage]]:
    item = catalog.item(goal.item_code)
    offices = tuple(Button(catalog.office(c).name, _choose("office", c)) for c in item.offices)
    base = datetime.combine(goal.day, goal.start)
    slots = tuple(
        _slot_button(goal.day, (base + timedelta(minutes=30 * k)).time())
        for k in (-1, 0, 1)
        if time(8, 30) <= (base + timedelta(minutes=30 * k)).time()
    )
    summary = {
        "item_name": goal.item_name,
        "office_name": goal.office_name,
        "when": f"{goal.day.isoformat()}（周一）{goal.start:%H:%M}",
        "citizen_name": goal.name,
        "phone_masked": mask_phone(goal.phone),
    }
    fix = goal.correction
    if fix is not None and fix.moment == "summary":  # the summary shows the mistake
        key = {"time": "when", "name": "citizen_name", "phone": "phone_masked"}[fix.field]
        summary[key] = mask_phone(fix.wrong) if fix.field == "phone" else fix.wrong
    script = [
        [BotMessage("utter_ask_item_code", "")],
        [BotMessage("utter_ask_office_code", "", offices, {"item_name": goal.item_name})],
        [BotMessage("utter_ask_booking_slot", "", slots)],
    ]
    if goal.vague:
        script.append([BotMessage("utter_slot_suggestions", "", slots)])
    script += [
        [BotMessage("utter_ask_citizen_name", "")],
        [BotMessage("utter_ask_phone_masked", "")],
        [BotMessage("utter_booking_summary", "", (Button("确认预约", "/affirm"),), summary)],
        [BotMessage("utter_booking_confirmed", "")],
    ]
    return script


def _doc_script(goal: DocGoal, catalog: CatalogView) -> list[list[BotMessage]]:
    item = catalog.item(goal.item_code)
    types = tuple(Button(t, _choose("business_type", t)) for t in item.type_names)
    report = [
        BotMessage(
            "utter_docs_missing", "", (), {"doc_report": {"missing": list(goal.expected.must)}}
        )
    ]
    return [
        [BotMessage("utter_ask_business_type", "", types, {"item_label": f"“{item.name}”"})],
        report,
        report,
        report,
    ]


def _play(goal: Goal, catalog: CatalogView, style: Style | None = None) -> list[Utterance]:
    now = datetime.now().replace(second=0, microsecond=0)
    agent = make_agent(goal, catalog, lambda: now, style)
    said = [agent.opening()]
    script = (
        _booking_script(goal, catalog)
        if isinstance(goal, BookingGoal)
        else _doc_script(goal, catalog)
    )
    for turn in script:
        nxt = agent.respond(turn)
        if nxt is None:
            break
        said.append(nxt)
    return said


# -- goals ----------------------------------------------------------------------------------
def test_goals_are_ones_the_system_can_satisfy(world: World, goals: list[Goal]) -> None:
    now = world.now()
    cat = world.catalog
    kinds = {g.kind for g in goals}
    assert kinds == {"booking", "docs"}
    assert {g.style for g in goals} == set(STYLE_NAMES)
    phones = [g.phone for g in goals if isinstance(g, BookingGoal)]
    assert len(phones) == len(set(phones))
    for goal in goals:
        item = cat.item(goal.item_code)
        assert item.active, goal
        if isinstance(goal, BookingGoal):
            assert goal.office_code in item.offices
            assert goal.window == item.category
            free = world.free_slots(goal.office_code, goal.window, now)
            assert any(s.day == goal.day and s.start == goal.start for s in free), goal
            assert datetime.combine(goal.day, goal.start) >= now + world.min_lead
            assert goal.day <= now.date() + timedelta(days=world.horizon_days)
            assert re.fullmatch(r"1[3-9]\d{9}", goal.phone)
            assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", goal.name)
            if goal.business_type is not None:
                assert goal.business_type in item.type_names
            fix = goal.correction
            if fix is not None:
                assert goal.style == "correction"
                if fix.field == "office":
                    assert fix.wrong in item.offices and fix.wrong != goal.office_code
                if fix.field == "phone":
                    assert re.fullmatch(r"1[3-9]\d{9}", fix.wrong) and fix.wrong != goal.phone
        else:
            assert goal.business_type in item.type_names
            names = {d.name for d in item.documents(goal.business_type)}
            assert set(goal.held) <= names and set(goal.lacking) <= names
            assert not set(goal.held) & set(goal.lacking)
            assert goal.expected == expected_missing(item, goal.business_type, goal.held)
            assert goal.held or goal.lacking
    assert all(g.correction is not None for g in goals if g.style == "correction")


def test_a_slot_is_never_promised_twice(world: World) -> None:
    ledger = SlotLedger()
    sampler = GoalSampler(world.catalog, world, seed=3, docs_share=0.0, ledger=ledger)
    now = world.now()
    drawn = [sampler.sample(i, now) for i in range(40)]
    bookings = [g for g in drawn if isinstance(g, BookingGoal)]
    for goal in bookings:
        free = {
            (s.day, s.start): s.free for s in world.free_slots(goal.office_code, goal.window, now)
        }
        assert ledger.reserved(goal.slot_key) <= free[(goal.day, goal.start)]


def test_the_same_seed_draws_the_same_goals(world: World) -> None:
    now = world.now()
    first = [GoalSampler(world.catalog, world, seed=5).sample(i, now) for i in range(15)]
    again = [GoalSampler(world.catalog, world, seed=5).sample(i, now) for i in range(15)]
    assert first == again


def test_expected_missing_is_what_surely_applies_minus_held(catalog: CatalogView) -> None:
    item = catalog.item("FW01")
    docs = item.documents("新办")
    brought = [d.name for d in docs if d.required and d.brought]
    conditional = [d.name for d in docs if not d.required and d.brought]
    assert brought and conditional
    assert expected_missing(item, "新办", []).must == tuple(brought)
    assert expected_missing(item, "新办", []).may == tuple(conditional)
    assert expected_missing(item, "新办", brought[:1]).must == tuple(brought[1:])
    assert expected_missing(item, "新办", [*brought, *conditional]) == ExpectedDocs((), ())


def test_lines_nobody_brings_are_never_expected(catalog: CatalogView) -> None:
    skipped = [
        (item, btype, d.name)
        for item in catalog.items
        for btype in item.type_names
        for d in item.documents(btype)
        if not d.brought
    ]
    assert skipped, "the catalog marks some lines 免提交 or 容缺"
    for item, btype, name in skipped:
        expected = expected_missing(item, btype, [])
        assert name not in expected.must and name not in expected.may


# -- styles ---------------------------------------------------------------------------------
def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate({0xFF10 + i: str(i) for i in range(10)}))


def _simplified(text: str) -> str:
    converter: Any = opencc.OpenCC("t2s")
    return str(converter.convert(text))


def _mean_len(said: list[Utterance]) -> float:
    typed = [u.text for u in said if u.payload is None]
    return sum(len(t) for t in typed) / max(len(typed), 1)


STYLE_CHECKS: dict[str, Any] = {
    "terse": lambda goal, said, plain: _mean_len(said) < _mean_len(plain),
    "chatty": lambda goal, said, plain: _mean_len(said) > _mean_len(plain),
    "multi": lambda goal, said, plain: (
        goal.phone in _digits(said[0].text) and goal.name in said[0].text
        if isinstance(goal, BookingGoal)
        else (goal.item_ref in said[0].text or goal.item_np in said[0].text)
        and any(goal.ref(d) in said[0].text for d in (*goal.held, *goal.lacking))
    ),
    "out_of_order": lambda goal, said, plain: (
        ";" in said[0].meaning
        if isinstance(goal, BookingGoal)
        else goal.item_np not in said[0].text and goal.item_name not in said[0].text
    ),
    "dodge": lambda goal, said, plain: any("(asked" in u.meaning for u in said),
    "correction": lambda goal, said, plain: any(u.meaning.startswith("correct") for u in said),
    "ordinal": lambda goal, said, plain: (
        all(u.payload is None for u in said)
        and any(re.search(r"\((ordinal|title|earliest|half)\)", u.meaning) for u in said)
    ),
    "script": lambda goal, said, plain: (
        any(_simplified(u.text) != u.text for u in said if u.payload is None)
        and all(to_fullwidth(u.text) == u.text for u in said if u.payload is None)
    ),
    "typos": lambda goal, said, plain: any("typo" in u.tags for u in said),
    "digression": lambda goal, said, plain: any(u.meaning.startswith("question") for u in said),
    "dialect": lambda goal, said, plain: any(
        m in u.text for u in said for m in DIALECT_MARKS if u.payload is None
    ),
}


def test_every_style_has_a_check() -> None:
    assert set(STYLE_CHECKS) == set(STYLE_NAMES)
    assert len(STYLE_NAMES) >= 10


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_every_style_changes_the_utterances(
    style: str, goals: list[Goal], catalog: CatalogView
) -> None:
    mine = [g for g in goals if g.style == style]
    assert len(mine) >= 15
    changed, held = 0, 0
    for goal in mine:
        said = _play(goal, catalog)
        # The same goal told plainly (a correction is part of the correcting style).
        plain = _play(replace(goal, correction=None), catalog, PLAIN)
        changed += [u.text for u in said] != [u.text for u in plain]
        held += bool(STYLE_CHECKS[style](goal, said, plain))
    assert changed >= 0.9 * len(mine), f"{style}: only {changed}/{len(mine)} dialogues differ"
    # Typos and digressions need a word or a moment to happen on; the rest always show.
    need = 0.6 if style in ("terse", "chatty", "typos", "dodge", "digression") else 0.9
    assert held >= need * len(mine), f"{style}: its mark in only {held}/{len(mine)} dialogues"


def test_a_typo_never_touches_names_or_phone_numbers() -> None:
    u = Utterance(((WORDS, "我叫"), (NAME, "张伟"), (WORDS, "，电话"), (PHONE, "13812345678")))
    rng = random.Random(1)
    for _ in range(50):
        typo = add_typo(u, rng, {"张伟": "章伟", "138": "183", "电话": "电化"})
        assert "张伟" in typo.text and "13812345678" in typo.text


def test_script_style_is_traditional_and_full_width() -> None:
    assert to_traditional("预约叉车证") == "預約叉車證"
    assert to_fullwidth("12/10 9:30") == "１２／１０\u3000９：３０"


def test_agents_pick_the_goal_among_buttons(goals: list[Goal], catalog: CatalogView) -> None:
    for goal in goals:
        if not isinstance(goal, BookingGoal) or goal.correction:
            continue
        agent = BookingAgent(goal, catalog, datetime.now)
        buttons = tuple(
            Button(catalog.office(c).name, _choose("office", c))
            for c in catalog.item(goal.item_code).offices
        )
        agent.opening()
        said = agent.respond(
            [BotMessage("utter_ask_office_code", "", buttons, {"item_name": goal.item_name})]
        )
        assert said is not None
        if said.payload is not None:
            assert f'"{goal.office_code}"' in said.payload
        elif said.meaning.startswith("office ("):
            index = next(i for i, b in enumerate(buttons) if goal.office_code in b.payload)
            assert (
                buttons[index].title in said.text
                or str(index + 1) in _digits(said.text)
                or ("第" in said.text)
            )


def test_a_doc_agent_reports_and_stops(goals: list[Goal], catalog: CatalogView) -> None:
    docs = [g for g in goals if isinstance(g, DocGoal)]
    assert docs
    for goal in docs:
        agent = DocAgent(goal, catalog, datetime.now)
        agent.opening()
        report = BotMessage("utter_docs_complete", "", (), {"doc_report": {"missing": []}})
        nxt = agent.respond([report])
        if goal.correction is None:
            assert nxt is None and agent.end == "reported"
        else:
            assert nxt is not None and nxt.meaning.startswith("correct")
            assert agent.respond([report]) is None


# -- time expressions -------------------------------------------------------------------------
def _slots(now: datetime) -> Iterator[tuple[date, time]]:
    for offset in range(15):
        day = now.date() + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for start in STARTS:
            if datetime.combine(day, start) >= now + timedelta(hours=1):
                yield day, start


@pytest.mark.parametrize("family", DAY_FAMILIES)
def test_exact_time_expressions_mean_the_goal_slot(family: str) -> None:
    wrong: list[str] = []
    checked = 0
    for now in NOWS:
        for day, start in _slots(now):
            for expr in exact_variants(day, start, now.date()):
                if expr.family != family:
                    continue
                checked += 1
                if parse_time(expr.text, now) != (day, start, None):
                    wrong.append(
                        f"{now:%m-%d %a %H:%M} {expr.text!r} → {parse_time(expr.text, now)}"
                    )
    assert checked > 50
    assert not wrong, f"{len(wrong)}/{checked} misread, e.g. {wrong[:5]}"


def test_vague_expressions_cover_the_half_day() -> None:
    for now in NOWS:
        for day, start in _slots(now):
            if day == now.date():
                continue
            half = "上午" if start.hour < 12 else "下午"
            for expr in vague_variants(day, half, now.date()):
                got = parse_time(expr.text, now)
                assert got is not None and got[0] == day, (now, expr.text, got)
                assert got[1] is not None and got[2] is not None, expr.text
                assert got[1] <= start <= got[2], (expr.text, got)


def test_rendered_expressions_are_among_the_variants() -> None:
    rng = random.Random(2)
    now = NOWS[0]
    for day, start in _slots(now):
        texts = {e.text for e in exact_variants(day, start, now.date())}
        for short in (True, False):
            assert render_exact(day, start, now, rng, short=short).text in texts
        if day != now.date():
            vague = {e.text for e in vague_variants(day, "上午", now.date())}
            assert render_vague(day, "上午", now, rng).text in vague


def test_weekday_alone_only_when_unambiguous() -> None:
    friday = datetime(2026, 12, 4, 9, 0)
    # Next Monday is "下周一", never a bare "周一" (which could mean the past one).
    texts = {e.text for e in exact_variants(date(2026, 12, 7), time(9, 0), friday.date())}
    assert "下周一上午9点" in texts
    assert not any(t.startswith(("周一", "星期一", "礼拜一")) for t in texts)
    tuesday = datetime(2026, 12, 1, 9, 0)
    later = {e.text for e in exact_variants(date(2026, 12, 4), time(14, 0), tuesday.date())}
    assert "周五下午两点" in later


def test_a_slot_button_is_read_from_payload_or_title() -> None:
    button = _slot_button(date(2026, 12, 10), time(9, 30))
    assert slot_of(button) == (date(2026, 12, 10), time(9, 30))
    assert slot_of(Button("2026-12-10（周四）14:30", "/x")) == (date(2026, 12, 10), time(14, 30))


# -- wants ----------------------------------------------------------------------------------
def test_every_response_of_the_domain_is_in_the_wants_table() -> None:
    names: set[str] = set()
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= {n for n in data.get("responses", {}) if not n.startswith("utter_fmt_")}
    missing = sorted(names - set(RESPONSE_WANTS))
    assert not missing, f"map these in bench/simulator/wants.py: {missing}"


def test_unknown_responses_are_not_understood_and_outcomes_win() -> None:
    assert want_of("utter_something_new") == Want.NOT_UNDERSTOOD
    assert want_of(None) == Want.NOT_UNDERSTOOD
    assert turn_want(["utter_requirements", "utter_ask_booking_slot"]) == Want.TIME
    assert turn_want(["utter_ask_phone_masked", "utter_booking_confirmed"]) == Want.DONE_BOOKING
    assert turn_want(["utter_fee"]) == Want.INFO


# -- scoring --------------------------------------------------------------------------------
EXPECTED = ExpectedBooking(
    "SP04", "HA", "行政审批", date(2026, 12, 10), time(9, 30), "张伟", "13871234567"
)
ROW = BookingRow(
    "SP04", "HA", "行政审批", date(2026, 12, 10), "09:30", "张伟", "13871234567", "booked"
)


def test_a_booking_equal_to_the_goal_succeeds() -> None:
    assert score_booking(EXPECTED, [ROW], "confirmed").success


def test_a_booking_that_differs_fails_and_says_where() -> None:
    late = replace(ROW, slot_time="10:00", citizen_name="张伟吧")
    outcome = score_booking(EXPECTED, [late], "confirmed")
    assert not outcome.success and outcome.reason == "wrong_booking:slot_time,citizen_name"


def test_no_booking_or_a_second_one_fails() -> None:
    assert score_booking(EXPECTED, [], "stuck@time").reason == "no_booking:stuck@time"
    cancelled = replace(ROW, status="cancelled")
    assert score_booking(EXPECTED, [cancelled], "confirmed").reason == "no_booking:confirmed"
    other = replace(ROW, phone="13900001111", office_code="MC")
    assert score_booking(EXPECTED, [ROW, other], "confirmed").reason == "extra_booking"


def test_doc_report_is_the_variable_not_the_wording() -> None:
    meta = read_doc_report({"doc_report": {"missing": ["申请书", "学历证明"]}})
    assert meta is not None and meta.missing == ("申请书", "学历证明")
    assert read_doc_report({"count": 2}) is None
    assert read_doc_report({"doc_report": {"missing": []}}) == DocReport(())


def test_doc_scores_compare_the_lists() -> None:
    report = read_doc_report({"doc_report": {"missing": ["学历证明", "申请书"]}})
    assert score_docs(ExpectedDocs(("申请书", "学历证明")), report, "reported").success
    extra = score_docs(ExpectedDocs(("申请书",)), report, "reported")
    assert extra.reason == "docs_mismatch:extra"
    # A conditional line the bot found applies is no mistake; a surely needed one left out is.
    assert score_docs(ExpectedDocs(("申请书",), ("学历证明",)), report, "reported").success
    lacking = score_docs(ExpectedDocs(("申请书", "学历证明", "照片")), report, "reported")
    assert lacking.reason == "docs_mismatch:lacking"
    twice = read_doc_report({"doc_report": {"missing": ["申请书", "申请书"]}})
    assert score_docs(ExpectedDocs(("申请书",)), twice, "reported").reason == (
        "docs_mismatch:duplicates"
    )
    assert score_docs(ExpectedDocs(("申请书",)), None, "stuck@start").reason == (
        "no_report:stuck@start"
    )


# -- the engine ------------------------------------------------------------------------------
@pytest.mark.engine
def test_simulated_citizens_reach_their_goals(tmp_path: Path) -> None:
    if not model_path().exists():
        pytest.skip("no trained model (make model)")
    with own_stack(tmp_path) as (engine, database):
        results = run(RunConfig(engine, database, n=ENGINE_SAMPLE, seed=ENGINE_SEED, concurrency=2))
    summary = summarize(results)
    print(render_text(summary))
    assert summary["n"] == ENGINE_SAMPLE
    assert not [r for r in results if r.reason in ("simulator_error", "engine_error")]
    assert summary["success_rate"] >= SUCCESS_GATE, render_text(summary)
