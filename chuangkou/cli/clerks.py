"""``chuangkou clerk add``: console accounts."""

from __future__ import annotations

import argparse
import getpass
import sys

from chuangkou.catalog.store import CatalogCache, CatalogNotLoaded
from chuangkou.clerks import ClerkError, add_clerk
from chuangkou.cli.common import database
from chuangkou.settings import Settings


def _add(settings: Settings, args: argparse.Namespace) -> int:
    engine = database(settings)
    office = args.office.upper() if args.office else None
    if office is not None:
        try:
            known = CatalogCache(engine).get().office(office)
        except CatalogNotLoaded:
            known = None
        if known is None:
            print(
                f"error: unknown office {args.office!r} (load the catalog first)", file=sys.stderr
            )
            return 1
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    try:
        add_clerk(
            engine,
            username=args.username,
            password=password,
            display_name=args.name or args.username,
            office_code=office,
            role="supervisor" if args.supervisor else "clerk",
        )
    except ClerkError as exc:
        hint = {"no_office": " (an office clerk needs --office; --supervisor grants all)"}
        print(f"error: {exc.code}{hint.get(exc.code, '')}", file=sys.stderr)
        return 1
    print(f"clerk {args.username} added")
    return 0


def register(top: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the clerk group."""
    clerk = top.add_parser("clerk", help="clerk accounts for the console")
    cadd = clerk.add_subparsers(dest="command", required=True).add_parser(
        "add", help="create an account (password asked, or read from stdin)"
    )
    cadd.add_argument("username", help="lower-case letters, digits, . _ -")
    cadd.add_argument("--name", help="display name")
    cadd.add_argument("--office", help="office code the clerk works at (HG, TF …)")
    cadd.add_argument(
        "--supervisor",
        action="store_true",
        help="grant every office (city-level supervision); otherwise --office is required",
    )
    cadd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    cadd.set_defaults(func=_add)
