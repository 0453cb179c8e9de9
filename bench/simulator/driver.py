"""Run simulated dialogues against a running stack and score each one from its outcome."""

from __future__ import annotations

import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.simulator.agent import BookingAgent, DocAgent, make_agent
from bench.simulator.client import BotMessage, EngineClient, EngineError
from bench.simulator.goals import BookingGoal, DocGoal, Goal, GoalSampler
from bench.simulator.scoring import (
    ExpectedBooking,
    Outcome,
    read_doc_report,
    score_booking,
    score_docs,
)
from bench.simulator.styles import STYLE_NAMES
from bench.simulator.surface import Utterance
from bench.simulator.world import World

MAX_USER_TURNS = 20
BOT_TEXT_CHARS = 70


@dataclass
class DialogueResult:
    """One dialogue: its goal, how it went, and the verdict."""

    index: int
    kind: str
    style: str
    success: bool
    reason: str
    detail: str
    turns: int
    end: str
    goal: dict[str, Any]
    transcript: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self, *, with_transcript: bool = False) -> dict[str, Any]:
        """The result as JSON-ready data."""
        data = asdict(self)
        if not with_transcript:
            data.pop("transcript")
        return data


def _goal_json(goal: Goal) -> dict[str, Any]:
    data = asdict(goal)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def _bot_entry(messages: list[BotMessage]) -> list[dict[str, Any]]:
    return [
        {
            "response": m.response,
            "text": m.text[:BOT_TEXT_CHARS] + ("…" if len(m.text) > BOT_TEXT_CHARS else ""),
            "buttons": [b.title for b in m.buttons][:6],
        }
        for m in messages
    ]


def run_dialogue(goal: Goal, client: EngineClient, world: World, sender: str) -> DialogueResult:
    """Play one goal against the engine and score it.

    Args:
        goal: The goal.
        client: The engine client.
        world: The system's database (for the score) and clock.
        sender: The conversation id.

    Returns:
        The scored result.
    """
    agent = make_agent(goal, world.catalog, world.now)
    transcript: list[dict[str, Any]] = []
    utterance: Utterance | None = agent.opening()
    turns = 0
    end = ""
    while utterance is not None:
        if turns >= MAX_USER_TURNS:
            end = f"turn_limit@{agent.need_label()}"
            break
        turns += 1
        try:
            bot = client.turn(sender, utterance.text)
        except EngineError as exc:
            end = "engine_error"
            transcript.append({"user": utterance.text, "error": str(exc)[:200]})
            break
        transcript.append(
            {"user": utterance.text, "meaning": utterance.meaning, "bot": _bot_entry(bot)}
        )
        utterance = agent.respond(bot)
    end = agent.end or end or "ended"
    if isinstance(agent, BookingAgent):
        assert isinstance(goal, BookingGoal)
        outcome = _score_booking(agent, goal, world, end)
    else:
        assert isinstance(agent, DocAgent) and isinstance(goal, DocGoal)
        outcome = _score_doc(agent, goal, end)
    return DialogueResult(
        index=goal.index,
        kind=goal.kind,
        style=goal.style,
        success=outcome.success,
        reason=outcome.reason,
        detail=outcome.detail,
        turns=turns,
        end=end,
        goal=_goal_json(goal),
        transcript=transcript,
    )


def _score_booking(agent: BookingAgent, goal: BookingGoal, world: World, end: str) -> Outcome:
    day, start = agent.final_slot()
    expected = ExpectedBooking(
        item_code=goal.item_code,
        office_code=goal.office_code,
        window_type=goal.window,
        slot_date=day,
        slot_time=start,
        citizen_name=goal.name,
        phone=goal.phone,
    )
    phones = [goal.phone]
    if goal.correction and goal.correction.field == "phone":
        phones.append(goal.correction.wrong)
    return score_booking(expected, world.bookings(phones), end)


def _score_doc(agent: DocAgent, goal: DocGoal, end: str) -> Outcome:
    msg = agent.last_report
    report = read_doc_report(msg.metadata) if msg is not None else None
    return score_docs(goal.expected, report, end)


@dataclass(frozen=True)
class RunConfig:
    """What to run."""

    engine_url: str
    database_url: str
    n: int = 100
    seed: int = 7
    concurrency: int = 2
    styles: tuple[str, ...] = STYLE_NAMES
    docs_share: float = 0.4


def run(
    config: RunConfig, progress: Callable[[int, int], None] | None = None
) -> list[DialogueResult]:
    """Run ``config.n`` dialogues, a few at a time, and score them.

    Goals are drawn just before their dialogue starts (so their slots are free then), and
    a ledger keeps two running dialogues from wanting the same last seat.

    Args:
        config: Engine, database, count, seed, concurrency, styles.
        progress: Called with (done, total) after each dialogue.

    Returns:
        The results, in index order.
    """
    world = World(config.database_url)
    client = EngineClient(config.engine_url)
    sampler = GoalSampler(
        world.catalog, world, config.seed, styles=config.styles, docs_share=config.docs_share
    )
    run_id = uuid.uuid4().hex[:6]
    results: list[DialogueResult] = []
    lock = threading.Lock()
    sample_lock = threading.Lock()

    def one(index: int) -> DialogueResult:
        with sample_lock:
            goal = sampler.sample(index, world.now())
        try:
            result = run_dialogue(goal, client, world, f"sim-{run_id}-{config.seed}-{index}")
        except Exception as exc:  # a bug in the simulator must not end the whole run
            result = DialogueResult(
                index=goal.index,
                kind=goal.kind,
                style=goal.style,
                success=False,
                reason="simulator_error",
                detail="".join(traceback.format_exception_only(exc)).strip()[:300],
                turns=0,
                end="simulator_error",
                goal=_goal_json(goal),
            )
        finally:
            if isinstance(goal, BookingGoal):
                sampler.ledger.release(goal.slot_key)
        with lock:
            results.append(result)
            if progress:
                progress(len(results), config.n)
        return result

    try:
        with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
            list(pool.map(one, range(config.n)))
    finally:
        world.close()
    return sorted(results, key=lambda r: r.index)


def print_progress(done: int, total: int) -> None:
    """A progress line on stderr every 25 dialogues."""
    if done % 25 == 0 or done == total:
        print(f"  {done}/{total} dialogues ({time.strftime('%H:%M:%S')})", file=sys.stderr)
