"""The scale-out tracker store (bot/tracker_stores.py), named in bot/endpoints.cluster.yml.

``python -m bot.engine_patches.storecheck`` (engine runtime, a SQLite file, no server)
checks that Rasa builds the store from the cluster endpoints through its own factory and
fail-safe wrapper (Rasa would silently fall back to memory for a type it cannot load),
that its pool pings, that turns made while the database is unreachable are kept and read
back where Rasa's own store reads nothing, that the database is used again when it is
back, and that ``CHUANGKOU_ENGINE_PATCHES=off`` gives Rasa's SQL store. The real outage,
a cut link to PostgreSQL under the whole stack, is tests/cluster/test_postgres_outage.py.
"""

from __future__ import annotations

import subprocess

import pytest

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import ENGINE_VENV, process_env

pytestmark = pytest.mark.engine


def test_tracker_store_survives_an_unreachable_database() -> None:
    done = subprocess.run(
        [str(ENGINE_VENV / "bin" / "python"), "-m", "bot.engine_patches.storecheck"],
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    assert "tracker store: all checks passed" in done.stdout
    checks = [line for line in done.stdout.splitlines() if line.startswith("ok ")]
    assert len(checks) == 19, done.stdout
