"""`rasa data validate` over config, domain, training data and test stories."""

from __future__ import annotations

import re
import subprocess

import pytest

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import engine_command, process_env
from chuangkou.stack.training import TRAINING_DATA

pytestmark = pytest.mark.engine

UNUSED_RESPONSE = re.compile(
    r"The utterance '\w+' is not used in any story or rule"
    # Button payloads only ("/choose{...}"): nobody types them.
    r"|The intent '(?:choose|empty_message)' is listed in the domain file, but is not found"
)
# Deprecation notices of Rasa's own pins (SQLAlchemy 1.4 etc.), not of our data.
NOISE = re.compile(r"MovedIn20Warning|DeprecationWarning|FutureWarning")


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
        ),
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    # Every response is sent by name from the one custom action, so no story names them;
    # that is the only warning allowed.
    warnings = [
        line
        for line in output.splitlines()
        if "Warning" in line and not UNUSED_RESPONSE.search(line) and not NOISE.search(line)
    ]
    assert not warnings, "\n".join(warnings[:20])
