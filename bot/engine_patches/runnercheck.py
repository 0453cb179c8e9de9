"""Check, in the engine runtime, that the graph-runner replacement predicts what dask does.

Run by ``tests/engine/test_engine_graph_runner.py`` with the engine's Python::

    python -m bot.engine_patches.runnercheck --model build/models/chuangkou.tar.gz

It installs the fixes as the engine does (:func:`bot.engine_patches.install`), loads the
trained model once, and runs every held-out message (``nlu_data/heldout/nlu.yml``, never
trained on) through the same loaded graph twice: with Rasa's own ``DaskGraphRunner.run``
(dask's scheduler) and with :mod:`bot.engine_patches.graph_runner`'s replacement. Each
time it parses the message, then predicts the next action for a conversation holding
just that message. Intents, entities and the intent ranking must be the same, every
confidence and action score equal to float tolerance, and the predicted action and
policy the same; and three runs that must fail (an input missing, a component failing,
no such target) must raise the same error. ``dask.get`` is counted, so the first pass
provably went through dask and the second provably did not. Exits 1 on any
disagreement.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TOLERANCE = 1e-9


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


@contextmanager
def _counting_dask() -> Iterator[list[int]]:
    """Count the calls of ``dask.get`` that Rasa's runner makes."""
    import rasa.engine.runner.dask as rasa_dask

    real = rasa_dask.dask.get
    calls = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    rasa_dask.dask.get = counted
    try:
        yield calls
    finally:
        rasa_dask.dask.get = real


def _predict(agent: Any, text: str, sender: str) -> dict[str, Any]:
    """The parse and the next action for a conversation holding only ``text``."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    parse = asyncio.run(processor.parse_message(UserMessage(text, sender_id=sender)))
    events = [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, parse["intent"], parse["entities"], parse),
    ]
    tracker = DialogueStateTracker.from_events(sender, events, processor.domain.slots)
    prediction = processor.predict_next_with_tracker(tracker)
    scores = prediction["scores"]
    best = max(range(len(scores)), key=lambda i: scores[i]["score"])
    return {
        "intent": parse["intent"].get("name"),
        "confidence": float(parse["intent"].get("confidence") or 0.0),
        "ranking": [(r["name"], float(r["confidence"])) for r in parse.get("intent_ranking", [])],
        "entities": parse["entities"],
        "action": scores[best]["action"],
        "policy": prediction["policy"],
        "action_confidence": float(prediction["confidence"]),
        "scores": [(s["action"], float(s["score"])) for s in scores],
    }


def _differences(dask: dict[str, Any], direct: dict[str, Any]) -> list[str]:
    found = [
        f"{key}: dask {dask[key]!r}, direct {direct[key]!r}"
        for key in ("intent", "entities", "action", "policy")
        if dask[key] != direct[key]
    ]
    for key in ("confidence", "action_confidence"):
        if not _close(dask[key], direct[key]):
            found.append(f"{key}: dask {dask[key]!r}, direct {direct[key]!r}")
    for key in ("ranking", "scores"):
        # Same names in the same order first, so the pairs compared are of one name.
        names = [n for n, _ in dask[key]], [n for n, _ in direct[key]]
        close = all(_close(a, b) for (_, a), (_, b) in zip(dask[key], direct[key], strict=False))
        if names[0] != names[1] or not close:
            found.append(f"{key}: dask {dask[key]!r}, direct {direct[key]!r}")
    return found


def _failure(run: Callable[..., Any], runner: Any, inputs: dict[str, Any], target: str) -> str:
    """How a run that must fail fails: the error's type, message and cause's type."""
    try:
        run(runner, inputs=inputs, targets=[target])
    except Exception as e:
        return f"{type(e).__name__}: {e} (from {type(e.__cause__).__name__})"
    return "no error"


def _failures_differ(
    dask_run: Callable[..., Any], direct_run: Callable[..., Any], agent: Any
) -> list[str]:
    """Runs that fail (an input missing, a component failing, no such target) fail alike."""
    from rasa.engine.constants import PLACEHOLDER_MESSAGE

    runner = agent.processor.graph_runner
    nlu = agent.processor.model_metadata.nlu_target
    cases = {
        "input missing": ({}, nlu),
        "component fails": ({PLACEHOLDER_MESSAGE: "not a list of messages"}, nlu),
        "no such target": ({}, "no_such_node"),
    }
    found = []
    for case, (inputs, target) in cases.items():
        dask, direct = (_failure(run, runner, inputs, target) for run in (dask_run, direct_run))
        if dask != direct or dask == "no error":
            found.append(f"{case}: dask {dask!r}, direct {direct!r}")
    return found


def _heldout(path: Path) -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path), language="zh")
    return [str(example.get("text")) for example in data.intent_examples]


def main(argv: list[str] | None = None) -> int:
    """Compare both runners on every held-out message; 1 on any disagreement."""
    parser = argparse.ArgumentParser(prog="python -m bot.engine_patches.runnercheck")
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--data", type=Path, default=Path("nlu_data/heldout/nlu.yml"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N messages")
    args = parser.parse_args(argv)

    from bot.engine_patches import enabled, install, installed

    if not enabled():
        print("the graph-runner check needs the engine patches on")
        return 2
    install()
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa's command line would set this up; without it every parse logs at debug level.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    runner = installed()["graph_runner.run"]
    dask_run: Callable[..., Any] = runner.original
    direct_run: Callable[..., Any] = runner.replacement
    agent = Agent.load(str(args.model))
    if not isinstance(agent.processor.graph_runner, DaskGraphRunner):
        print(f"the model runs on {type(agent.processor.graph_runner).__name__}, not dask")
        return 1
    texts = _heldout(args.data)
    if args.limit:
        texts = texts[: args.limit]

    failures: list[str] = []
    took = {"dask": 0.0, "direct": 0.0}
    intents: set[str] = set()
    actions: set[str] = set()
    for number, text in enumerate(texts):
        results: dict[str, dict[str, Any]] = {}
        for name, run in (("dask", dask_run), ("direct", direct_run)):
            DaskGraphRunner.run = run  # type: ignore[method-assign]
            with _counting_dask() as calls:
                started = time.perf_counter()
                results[name] = _predict(agent, text, f"check-{name}-{number}")
                took[name] += time.perf_counter() - started
            # NLU once and the policies once: dask twice; the replacement never.
            expected = 2 if name == "dask" else 0
            if calls[0] != expected:
                failures.append(f"{text}: {name} pass called dask.get {calls[0]} times")
        DaskGraphRunner.run = direct_run  # type: ignore[method-assign]
        intents.add(str(results["dask"]["intent"]))
        actions.add(str(results["dask"]["action"]))
        failures += [f"{text}: {d}" for d in _differences(results["dask"], results["direct"])]

    failures += _failures_differ(dask_run, direct_run, agent)
    for failure in failures:
        print("DISAGREE", failure)
    print(
        f"compared {len(texts)} held-out messages ({len(intents)} intents, "
        f"{len(actions)} next actions) and 3 failing runs: {len(failures)} disagreements; "
        f"parse and prediction took {took['dask']:.1f} s through dask, "
        f"{took['direct']:.1f} s direct"
    )
    return 1 if failures or not texts else 0


if __name__ == "__main__":
    sys.exit(main())
