"""The graph-runner replacement (bot/engine_patches/graph_runner.py) predicts what dask does.

``python -m bot.engine_patches.runnercheck`` (engine runtime) loads the trained model once
and runs every held-out message (nlu_data/heldout/nlu.yml) through the same loaded graph
with dask's scheduler and with the replacement: same intents, intent rankings and
entities, the same confidences and action scores to float tolerance, the same predicted
next action and policy, and the same errors for runs that must fail. It counts
``dask.get``, so one pass provably went through dask and the other provably did not.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import ENGINE_VENV, process_env

pytestmark = pytest.mark.engine


def test_graph_runner_agrees_with_dask_on_heldout_messages(model: Path) -> None:
    done = subprocess.run(
        [
            str(ENGINE_VENV / "bin" / "python"),
            "-m",
            "bot.engine_patches.runnercheck",
            "--model",
            str(model),
            "--data",
            "nlu_data/heldout/nlu.yml",
        ],
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    summary = re.search(
        r"compared (\d+) held-out messages \((\d+) intents, (\d+) next actions\) "
        r"and 3 failing runs: 0 disagreements",
        done.stdout,
    )
    assert summary, done.stdout[-2000:]
    messages, intents, actions = (int(n) for n in summary.groups())
    heldout = (PROJECT_ROOT / "nlu_data" / "heldout" / "nlu.yml").read_text(encoding="utf-8")
    # Every held-out example, and enough variety to mean something. Every turn's next
    # action is the one custom action (then listening), so actions vary little.
    assert messages == len(re.findall(r"^[ \t]+- ", heldout, flags=re.M))
    assert intents >= 10 and actions >= 1
