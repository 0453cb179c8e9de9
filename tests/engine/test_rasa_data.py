"""`rasa data validate` over config, domain, training data and test stories."""

from __future__ import annotations

import subprocess

import pytest

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import engine_command, process_env
from chuangkou.stack.training import TRAINING_DATA

pytestmark = pytest.mark.engine


def test_rasa_data_validate() -> None:
    proc = subprocess.run(
        engine_command(
            "data",
            "validate",
            "--config",
            "config.yml",
            "--domain",
            "bot/domain",
            "--data",
            *TRAINING_DATA,
            "--fail-on-warnings",
        ),
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
