"""The NLU gate: intent macro-F1 on the held-out split, which is never trained on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import engine_command, process_env
from chuangkou.stack.training import TRAINING_INPUTS

pytestmark = pytest.mark.engine
HELDOUT = PROJECT_ROOT / "nlu_data" / "heldout" / "nlu.yml"
GATE = 0.93


def _examples(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: set[str] = set()
    for block in data.get("nlu", []):
        if "intent" in block:
            found.update(
                line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")
            )
    return found


def test_heldout_is_never_trained_on() -> None:
    assert "nlu_data/heldout" not in " ".join(TRAINING_INPUTS)
    heldout = _examples(HELDOUT)
    trained: set[str] = set()
    for path in (PROJECT_ROOT / "nlu_data" / "train").rglob("*.yml"):
        trained |= _examples(path)
    assert len(heldout) >= 300
    assert not heldout & trained


def test_intent_macro_f1_on_heldout(model: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        engine_command(
            "test", "nlu", "--nlu", str(HELDOUT), "--model", str(model), "--out", str(tmp_path)
        ),
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads((tmp_path / "intent_report.json").read_text(encoding="utf-8"))
    macro = report["macro avg"]["f1-score"]
    accuracy = report["accuracy"]
    print(
        f"\nNLU gate: held-out intent macro-F1 = {macro:.3f}, accuracy = {accuracy:.3f} "
        f"(gate {GATE})"
    )
    weak = {
        k: round(v["f1-score"], 2)
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and v["f1-score"] < 0.85
    }
    assert macro >= GATE, f"macro-F1 {macro:.3f} < {GATE}; weak intents: {weak}"
