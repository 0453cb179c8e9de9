"""Conversation stories (tests/conversations) with --fail-on-prediction-errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack import engine_env, rasa_command

pytestmark = pytest.mark.engine


def test_conversation_stories(model: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        rasa_command(
            "test",
            "core",
            "--stories",
            "tests/conversations",
            "--model",
            str(model),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ),
        cwd=PROJECT_ROOT,
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:] + detail[-3000:]
    stories = sum(
        p.read_text(encoding="utf-8").count("- story:")
        for p in (PROJECT_ROOT / "tests" / "conversations").glob("*.yml")
    )
    assert stories >= 10
