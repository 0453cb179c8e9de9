"""The ``chuangkou`` command: catalog maintenance, look-ups, bookings, accounts, the stack.

One module per command group (:mod:`.catalog`, :mod:`.booking`, :mod:`.clerks`,
:mod:`.stack`), each registering its sub-commands. Exit codes: 0 ok, 1 not found /
invalid catalog / refused, 2 ambiguous (``show``) or bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chuangkou.booking.desk import DeskError
from chuangkou.booking.records import BookingError
from chuangkou.catalog.files import CatalogError
from chuangkou.catalog.store import CatalogNotLoaded
from chuangkou.cli import booking, catalog, clerks, stack
from chuangkou.cli.common import UsageError
from chuangkou.settings import Settings, SettingsError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="chuangkou", description="窗口助手 command line")
    top = parser.add_subparsers(dest="group", required=True)
    for group in (catalog, booking, clerks, stack):
        group.register(top)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments (without the program name); ``sys.argv[1:]`` when omitted.

    Returns:
        The exit code.
    """
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        problems = settings.problems()
        if problems:
            raise UsageError("; ".join(problems))
        code: int = args.func(settings, args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CatalogError as exc:
        print(f"catalog invalid, nothing loaded ({len(exc.problems)} problems):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BookingError as exc:
        print(f"error: {exc.code}", file=sys.stderr)
        return 1
    except CatalogNotLoaded:
        print("no catalog in the database: run `chuangkou catalog load` first", file=sys.stderr)
        return 1
    return code
