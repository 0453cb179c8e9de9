"""The environment and command lines of a stack's child processes.

Every process gets the same :class:`~chuangkou.settings.Settings` as environment
variables (:meth:`~chuangkou.settings.Settings.to_env`), plus what Rasa's endpoint files
need in the cluster profile (:data:`DERIVED_VARIABLES`, computed from the settings).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from chuangkou.settings import LOOPBACK, PROJECT_ROOT, Settings, ensure_secret

ENGINE_VENV = PROJECT_ROOT / ".venv-engine"
APP_PYTHON = Path(sys.executable)
# What bot/endpoints.cluster.yml reads: the tracker store's PostgreSQL server (the same as
# the catalog's) and Redis. They are derived from the settings, never set by hand.
DERIVED_VARIABLES = (
    "CHUANGKOU_PG_HOST",
    "CHUANGKOU_PG_PORT",
    "CHUANGKOU_PG_USER",
    "CHUANGKOU_PG_PASSWORD",
)


def process_env(settings: Settings) -> dict[str, str]:
    """The environment every process of a stack (and every engine command) gets."""
    env = dict(os.environ)
    env.update(settings.to_env())
    if not settings.secret:
        env["CHUANGKOU_SECRET"] = ensure_secret(settings.build_dir / "secret.key")
    # The engine imports bot/ and common/ from the project root.
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    # Rasa phones home and checks for updates; nothing may leave this machine.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["SANIC_HOST"] = LOOPBACK  # rasa-sdk's action server binds here
    if settings.cluster:
        url = make_url(settings.database_url)
        env.update(
            {
                "CHUANGKOU_PG_HOST": url.host or LOOPBACK,
                "CHUANGKOU_PG_PORT": str(url.port or 5432),
                "CHUANGKOU_PG_USER": url.username or "postgres",
                "CHUANGKOU_PG_PASSWORD": url.password or "",
            }
        )
    return env


def engine_command(*args: str) -> list[str]:
    """The command line of the engine's one entry point (``python -m bot``) with ``args``.

    ``python -m bot`` installs the engine's fixes to Rasa, then runs Rasa's own command
    line, so serving, training and ``rasa test`` all run patched (see ``bot/__main__.py``).
    """
    return [str(ENGINE_VENV / "bin" / "python"), "-m", "bot", *args]


def endpoints_file(settings: Settings) -> str:
    """Rasa's endpoints file of the profile."""
    return "bot/endpoints.cluster.yml" if settings.cluster else "bot/endpoints.yml"
