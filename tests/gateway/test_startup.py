"""The gateway refuses to start on missing or unsafe settings, saying why."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chuangkou.gateway.startup import startup_problems
from chuangkou.settings import PROJECT_ROOT


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CHUANGKOU_ENGINE_HOST": "0.0.0.0"}, "127.0.0.1 only"),
        ({"CHUANGKOU_ACTIONS_HOST": "10.1.2.3"}, "127.0.0.1 only"),
        ({"CHUANGKOU_GATEWAY_PORT": "eighty"}, "not a number"),
        ({"CHUANGKOU_GATEWAY_PORT": "0"}, "is not a port"),
        (
            {"CHUANGKOU_PROFILE": "cluster", "DATABASE_URL": "sqlite:///x.db"},
            "DATABASE_URL must name a PostgreSQL",
        ),
        ({"CHUANGKOU_PROFILE": "cluster", "CHUANGKOU_ENGINES": "1"}, "at least 2"),
        ({"CHUANGKOU_PROFILE": "huge"}, "must be one of"),
        ({"CHUANGKOU_GATWAY_PORT": "8081"}, "not a setting"),
        ({"CHUANGKOU_PUBLIC_URL": "ftp://x"}, "not an http(s) address"),
        ({"CHUANGKOU_ACTIONS_PORT": "5005"}, "different ports"),
    ],
)
def test_problems(env: dict[str, str], expected: str) -> None:
    assert any(expected in p for p in startup_problems(env))


def test_defaults_are_fine() -> None:
    assert startup_problems({}) == []
    assert startup_problems({"CHUANGKOU_PROFILE": "cluster"}) == []  # PostgreSQL by default


def test_gateway_process_exits_with_the_reason() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "chuangkou.gateway"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "CHUANGKOU_ENGINE_HOST": "0.0.0.0"},
    )
    assert proc.returncode == 2
    assert "not started" in proc.stderr and "127.0.0.1 only" in proc.stderr
