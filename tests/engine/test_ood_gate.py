"""Saying no well, gated on a fixed sample of the out-of-domain evaluation set.

The questions are ones other departments receive (bench/data/ood_eval.yml, never
trained on). ``make bench`` puts all of them to the engine; here a fixed-seed sample
spread over every department is, with a little room for the sample's noise above the
targets (false accept ≤ 2 %, "which item?" ≤ 5 %).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.ood import EVAL_SET, evaluate, load, sample
from bench.simulator.world import own_stack
from chuangkou.settings import PROJECT_ROOT
from common.folding import normalize
from tests.engine.test_nlu_gate import _examples

pytestmark = pytest.mark.engine

SAMPLE = 160
FALSE_ACCEPT_GATE = 0.03
WHICH_ITEM_GATE = 0.06


def test_the_eval_set_is_large_and_never_trained_on() -> None:
    questions = load(EVAL_SET)
    assert len(questions) >= 1000
    assert len({q.department for q in questions}) >= 15
    trained: set[str] = set()
    for path in (PROJECT_ROOT / "nlu_data" / "train").rglob("*.yml"):
        trained |= {normalize(t) for t in _examples(path)}
    assert len(trained) > 1000
    assert not {normalize(q.text) for q in questions} & trained


def test_out_of_domain_questions_are_declined(model: Path, tmp_path: Path) -> None:
    questions = sample(load(EVAL_SET), SAMPLE)
    with own_stack(tmp_path) as (engine, _):
        report = evaluate(engine, questions)
    summary = report.as_json()
    assert report.n == SAMPLE
    assert report.rate("false_accept") <= FALSE_ACCEPT_GATE, summary["examples"]
    assert report.rate("which_item") <= WHICH_ITEM_GATE, summary["examples"]
