"""The engine-runtime patches (bot/engine_patches) agree with Rasa's own behaviour.

Their effect on whole conversations is covered by every engine test (the stories, the
end-to-end and fault tests run with them); this checks the validation shortcut on
responses built to hit each of its branches, good and bad, in the engine's own runtime.
"""

from __future__ import annotations

import subprocess

import pytest

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import ENGINE_VENV, process_env

pytestmark = pytest.mark.engine


def test_validation_shortcut_agrees_with_rasa() -> None:
    done = subprocess.run(
        [str(ENGINE_VENV / "bin" / "python"), "-m", "bot.engine_patches.selfcheck"],
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "0 disagreements" in done.stdout
