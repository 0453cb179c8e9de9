"""rasa test stories (tests/stories): the intent in context and the turn action, patched."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import engine_command, process_env
from tests.engine.test_engine_patches import expected_patches, installed_patches

pytestmark = pytest.mark.engine


def test_conversation_stories(model: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        engine_command(
            "test",
            "core",
            "--stories",
            "tests/stories",
            "--model",
            str(model),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ),
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:] + detail[-3000:]
    assert installed_patches(proc.stdout + proc.stderr) == expected_patches(), (
        "rasa test ran without the engine patches: " + proc.stderr[-2000:]
    )
    stories = sum(
        p.read_text(encoding="utf-8").count("- story:")
        for p in (PROJECT_ROOT / "tests" / "stories").glob("*.yml")
    )
    assert stories >= 10
