"""What every command group shares: usage errors, output, dates, the database."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine

from chuangkou.db import engine_for
from chuangkou.migrate import upgrade
from chuangkou.settings import Settings

Command = Callable[[Settings, argparse.Namespace], int]


class UsageError(Exception):
    """A command-line value that cannot be used (exit code 2)."""


def emit(data: Any, as_json: bool) -> None:
    """Print rows as tab-separated lines, or anything as JSON."""
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif isinstance(data, list):
        for row in data:
            print("\t".join(str(v) for v in row.values()) if isinstance(row, dict) else row)
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))


def day(text: str) -> date:
    """A ``YYYY-MM-DD`` argument.

    Raises:
        UsageError: When it is not a date.
    """
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date (YYYY-MM-DD): {text!r}") from None


def database(settings: Settings) -> Engine:
    """The settings' database, migrated to the newest schema."""
    engine = engine_for(settings.database_url)
    upgrade(engine)
    return engine
