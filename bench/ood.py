"""Out-of-domain evaluation: questions other departments receive, put to the real engine.

Each question goes to a fresh conversation; the bot's turn is read from the tracker and
judged by structure, not wording:

* **false accept** — a reply that names one of our items (its variables carry
  ``item_name`` or ``item_label``): the question was answered as ours;
* **which item** — the bot asked which of our items was meant
  (``utter_ask_which_item``, ``utter_item_candidates``);
* **declined** — everything else (not ours, referred, not understood, small talk).

The set (``bench/data/ood_eval.yml``) is never trained on and never tuned against;
``bench/data/ood_dev.yml`` is the set to look at while improving.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.simulator.client import BotMessage, EngineClient

DATA = Path(__file__).resolve().parent / "data"
EVAL_SET = DATA / "ood_eval.yml"
DEV_SET = DATA / "ood_dev.yml"
WHICH_ITEM = frozenset({"utter_ask_which_item", "utter_item_candidates"})
ITEM_VARIABLES = ("item_name", "item_label")


@dataclass(frozen=True)
class Question:
    """One question and the department that would handle it."""

    text: str
    department: str


@dataclass(frozen=True)
class Verdict:
    """How one question was answered."""

    question: Question
    outcome: str  # false_accept | which_item | declined
    responses: tuple[str, ...]
    item: str = ""


@dataclass
class OodReport:
    """Counts and examples of one run."""

    n: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_department: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def rate(self, outcome: str) -> float:
        """Share of questions with this outcome."""
        return self.outcomes[outcome] / self.n if self.n else 0.0

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "n": self.n,
            "false_accept_rate": round(self.rate("false_accept"), 4),
            "which_item_rate": round(self.rate("which_item"), 4),
            "declined_rate": round(self.rate("declined"), 4),
            "outcomes": dict(self.outcomes),
            "by_department": {d: dict(c) for d, c in sorted(self.by_department.items())},
            "examples": self.examples,
        }


def load(path: Path = EVAL_SET) -> list[Question]:
    """The questions of a set file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        Question(str(q["text"]), str(q.get("department") or ""))
        for q in raw.get("questions") or []
        if isinstance(q, dict) and q.get("text")
    ]


def sample(questions: list[Question], n: int, seed: int = 7) -> list[Question]:
    """A fixed-seed sample spread over departments (every department, then at random)."""
    rng = random.Random(seed)
    by_department: dict[str, list[Question]] = {}
    for q in questions:
        by_department.setdefault(q.department, []).append(q)
    picked = [rng.choice(qs) for _, qs in sorted(by_department.items())][:n]
    rest = [q for q in questions if q not in picked]
    rng.shuffle(rest)
    return picked + rest[: max(0, n - len(picked))]


def judge(question: Question, turn: list[BotMessage]) -> Verdict:
    """The outcome of one bot turn."""
    responses = tuple(m.response or "" for m in turn)
    for message in turn:
        for key in ITEM_VARIABLES:
            value = message.metadata.get(key)
            if isinstance(value, str) and value:
                return Verdict(question, "false_accept", responses, value)
    if WHICH_ITEM & set(responses):
        return Verdict(question, "which_item", responses)
    return Verdict(question, "declined", responses)


def evaluate(engine_url: str, questions: Iterable[Question], *, concurrency: int = 2) -> OodReport:
    """Put every question to the engine (each in a new conversation) and count outcomes.

    Args:
        engine_url: The engine's base URL.
        questions: The questions.
        concurrency: Conversations in flight at once.

    Returns:
        The report, with up to five examples of each outcome that is not a decline.
    """
    client = EngineClient(engine_url)

    def ask(question: Question) -> Verdict:
        sender = f"ood-{uuid.uuid4().hex[:10]}"
        return judge(question, client.turn(sender, question.text))

    report = OodReport()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for verdict in pool.map(ask, list(questions)):
            report.n += 1
            report.outcomes[verdict.outcome] += 1
            department = verdict.question.department or "?"
            report.by_department.setdefault(department, Counter())[verdict.outcome] += 1
            if verdict.outcome != "declined":
                shown = report.examples.setdefault(verdict.outcome, [])
                if len(shown) < 5:
                    shown.append(
                        {
                            "text": verdict.question.text,
                            "responses": list(verdict.responses),
                            "item": verdict.item,
                        }
                    )
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.ood``: put the out-of-domain set to a stack of its own."""
    import argparse
    import json
    import tempfile

    from bench.simulator.world import own_stack

    parser = argparse.ArgumentParser(prog="python -m bench.ood", description=__doc__)
    parser.add_argument("--dev", action="store_true", help="the development set, not the eval")
    parser.add_argument("-n", type=int, default=0, help="a fixed-seed sample of n (0: all)")
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args(argv)
    questions = load(DEV_SET if args.dev else EVAL_SET)
    if args.n:
        questions = sample(questions, args.n)
    with tempfile.TemporaryDirectory() as tmp, own_stack(Path(tmp)) as (engine, _):
        report = evaluate(engine, questions)
    data = report.as_json()
    print(
        f"{data['n']} questions: false accept {data['false_accept_rate']:.1%}, "
        f"which item {data['which_item_rate']:.1%}, declined {data['declined_rate']:.1%}"
    )
    for outcome, shown in data["examples"].items():
        for example in shown:
            print(f"  {outcome}: {example['text']} → {example['responses']} {example['item']}")
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
