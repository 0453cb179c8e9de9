"""Bring a database to the newest schema with Alembic (called by the CLI and at start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from chuangkou.db import ensure_database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def upgrade(engine: Engine) -> None:
    """Apply every pending migration to the engine's database.

    Args:
        engine: The database to upgrade.
    """
    ensure_database(engine.url.render_as_string(hide_password=False))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
