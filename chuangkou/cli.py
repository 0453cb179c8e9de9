"""The ``chuangkou`` command: catalog maintenance and look-ups for clerks and scripts.

Exit codes: 0 ok, 1 not found / invalid catalog, 2 ambiguous (``show``) or bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from chuangkou.booking.desk import DeskError
from chuangkou.booking.service import BookingError
from chuangkou.catalog.files import CatalogError, read_catalog
from chuangkou.catalog.matcher import Matcher, describe
from chuangkou.catalog.store import CatalogCache, CatalogNotLoaded, load_catalog
from chuangkou.catalog.views import item_json, item_summary
from chuangkou.db import engine_for
from chuangkou.migrate import upgrade
from chuangkou.settings import Settings


class UsageError(Exception):
    """A command-line value that cannot be used (exit code 2)."""


def _emit(data: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif isinstance(data, list):
        for row in data:
            print("\t".join(str(v) for v in row.values()) if isinstance(row, dict) else row)
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))


def _validate(settings: Settings, _args: argparse.Namespace) -> int:
    catalog = read_catalog(settings.catalog_dir)
    print(
        f"catalog ok: {len(catalog.items)} items, {catalog.sub_item_count()} sub-items, "
        f"{len(catalog.offices)} offices, {len(catalog.documents)} documents, "
        f"version {catalog.version}"
    )
    return 0


def _load(settings: Settings, args: argparse.Namespace) -> int:
    catalog = read_catalog(settings.catalog_dir)
    engine = engine_for(settings.database_url)
    upgrade(engine)
    changed = load_catalog(engine, catalog, source=str(settings.catalog_dir), force=args.force)
    state = "loaded" if changed else "unchanged"
    print(
        f"catalog {state}: version {catalog.version}, {len(catalog.items)} items, "
        f"{catalog.sub_item_count()} sub-items"
    )
    return 0


def _cache(settings: Settings) -> CatalogCache:
    engine = engine_for(settings.database_url)
    upgrade(engine)
    return CatalogCache(engine)


def _list(settings: Settings, args: argparse.Namespace) -> int:
    catalog = _cache(settings).get()
    _emit([item_summary(i) for i in catalog.items], args.json)
    return 0


def _search(settings: Settings, args: argparse.Namespace) -> int:
    catalog = _cache(settings).get()
    matcher = Matcher(catalog)
    rows = describe(matcher.search(args.text), catalog)
    _emit(rows, args.json)
    return 0 if rows else 1


def _show(settings: Settings, args: argparse.Namespace) -> int:
    catalog = _cache(settings).get()
    match = Matcher(catalog).match_items(args.text)
    if match.best is not None:
        item = catalog.item(match.best.item_code)
        assert item is not None
        _emit(item_json(catalog, item), True)
        return 0
    if match.ambiguous:
        print(
            json.dumps(
                {"ambiguous": True, "candidates": describe(match, catalog)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 2
    print(json.dumps({"found": False, "query": args.text}, ensure_ascii=False), file=sys.stderr)
    return 1


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    upgrade(engine_for(settings.database_url))
    print("database at the newest schema")
    return 0


def _nlu_build(settings: Settings, _args: argparse.Namespace) -> int:
    from chuangkou.nlu_build import build_artefacts

    catalog = read_catalog(settings.catalog_dir)
    written = build_artefacts(catalog, settings.build_dir / "nlu")
    for path in written:
        print(f"wrote {path}")
    return 0


def _train(settings: Settings, args: argparse.Namespace) -> int:
    from chuangkou.stack import train_if_stale

    trained = train_if_stale(settings.build_dir / "models", force=args.force)
    print("model trained" if trained else "model up to date (inputs unchanged)")
    return 0


def cluster_env(settings: Settings) -> dict[str, str]:
    """Environment of the scale-out profile: trackers in PostgreSQL, locks in Redis."""
    from sqlalchemy.engine import make_url

    from chuangkou.pgtemp import ensure_database
    from chuangkou.stack import cluster_env as stack_cluster_env

    tracker_db = os.environ.get("CHUANGKOU_TRACKER_DB", "chuangkou_trackers")
    app = make_url(settings.database_url)
    ensure_database(app.set(database=tracker_db).render_as_string(hide_password=False))
    redis = (
        os.environ.get("CHUANGKOU_REDIS_HOST", "127.0.0.1"),
        os.environ.get("CHUANGKOU_REDIS_PORT", "6379"),
        os.environ.get("CHUANGKOU_REDIS_DB", "0"),
    )
    return stack_cluster_env(settings.database_url, tracker_db, redis=redis)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _run(settings: Settings, _args: argparse.Namespace) -> int:
    import signal
    import time

    # `kill` (SIGTERM) must stop the children just like Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)

    from chuangkou.stack import ModelPaths, StackConfig, started_stack

    port = settings.engine_url.rsplit(":", 1)[1]
    cluster = os.environ.get("CHUANGKOU_PROFILE", "embedded") == "cluster"
    cfg = StackConfig(
        model=ModelPaths(settings.build_dir / "models").model,
        engine_port=int(port),
        actions_port=settings.actions_port,
        log_dir=settings.build_dir / "logs",
        gateway_port=settings.gateway_port,
        extra_engine_ports=(int(port) + 1,) if cluster else (),
        endpoints="bot/endpoints.cluster.yml" if cluster else "bot/endpoints.yml",
        env=cluster_env(settings) if cluster else None,
    )
    print("starting action server and engine (logs in build/logs) ...", flush=True)
    try:
        gw = f"http://{settings.gateway_host}:{settings.gateway_port}"
        # Supervised: an action server or engine that dies is started again.
        with started_stack(cfg, supervise=True) as stack:
            base = stack.base
            print(
                f"""
chuangkou is running:
  chat widget   {gw}/
  hall kiosk    {gw}/kiosk
  clerk console {gw}/clerk   (accounts: .venv-app/bin/chuangkou clerk add NAME --office HG)
  public API    {gw}/api/openapi.json   (WeChat connector at {gw}/wechat)
  engine        {base}   (127.0.0.1 only: Rasa HTTP API and REST channel)
  action server http://127.0.0.1:{settings.actions_port}/webhook   (127.0.0.1 only)
Chat in a terminal:   make chat
Or with curl:
  curl -s {gw}/api/chat -H 'Content-Type: application/json' \\
       -d '{{"message":"电梯使用登记需要什么材料"}}'
Ctrl-C stops everything.""",
                flush=True,
            )
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("\nstopped")
    return 0


def _chat(settings: Settings, _args: argparse.Namespace) -> int:
    from chuangkou.chat import repl

    print(
        f"chatting with {settings.engine_url} — type a question, a number picks a button, "
        "Ctrl-D ends"
    )
    repl(settings.engine_url)
    return 0


def _desk(settings: Settings) -> Any:
    from chuangkou.booking.desk import Desk, calendar_for
    from chuangkou.booking.slots import BookingPolicy

    engine = engine_for(settings.database_url)
    upgrade(engine)
    catalog = CatalogCache(engine).get()
    policy = BookingPolicy(slot_minutes=settings.slot_minutes, horizon_days=settings.horizon_days)
    return Desk(catalog, Matcher(catalog), engine, calendar_for(settings.catalog_dir), policy)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _slots(settings: Settings, args: argparse.Namespace) -> int:
    from chuangkou.booking.slots import now_local

    desk = _desk(settings)
    office, window = desk.office(args.office), desk.window(args.window)
    day = _day(args.date)
    data = desk.day_view(office, window, day, now_local())
    # The clerks' view adds the office's name and the holiday's.
    data["office_name"] = office.name
    data["holiday"] = desk.book.day_status(office, day).detail
    _emit(data, True)
    return 0


def _bookings_list(settings: Settings, args: argparse.Namespace) -> int:
    from chuangkou.booking.service import list_bookings

    desk = _desk(settings)
    office = desk.office(args.office)
    window = desk.window(args.window) if args.window else None
    rows = list_bookings(
        desk.engine, office_code=office.code, day=_day(args.date), window_type=window
    )
    _emit([r.as_dict() for r in rows], args.json)
    return 0


def _bookings_purge(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from chuangkou.booking.service import erase_expired
    from chuangkou.booking.slots import now_local

    before = (
        _day(args.before)
        if args.before
        else now_local().date() - timedelta(days=settings.retention_days)
    )
    erased = erase_expired(engine_for(settings.database_url), before=before)
    print(f"erased name and phone of {erased} bookings before {before.isoformat()}")
    return 0


def _bookings_mark(settings: Settings, args: argparse.Namespace) -> int:
    from chuangkou.booking.service import mark_booking

    view = mark_booking(
        engine_for(settings.database_url),
        ref=args.ref,
        status=args.status.replace("-", "_"),
        actor=f"clerk:{args.clerk}",
    )
    _emit(view.as_dict(), True)
    return 0


def _bookings_audit(settings: Settings, args: argparse.Namespace) -> int:
    from chuangkou.booking.service import audit_log

    _emit(audit_log(engine_for(settings.database_url), ref=args.ref), True)
    return 0


def _clerk_add(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    from chuangkou.clerks import ClerkError, add_clerk

    engine = engine_for(settings.database_url)
    upgrade(engine)
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="chuangkou", description="窗口助手 command line")
    top = parser.add_subparsers(dest="group", required=True)

    cat = top.add_parser("catalog", help="validate, load and query the catalog")
    cat_sub = cat.add_subparsers(dest="command", required=True)
    cat_sub.add_parser("validate", help="check the catalog files").set_defaults(func=_validate)
    load = cat_sub.add_parser("load", help="validate and load the catalog into the database")
    load.add_argument("--force", action="store_true", help="rewrite even if unchanged")
    load.set_defaults(func=_load)
    lst = cat_sub.add_parser("list", help="list items")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)
    for name, func, text_help in (
        ("search", _search, "words to search for"),
        ("show", _show, "name, alias or code of an item"),
    ):
        cmd = cat_sub.add_parser(name, help=f"{name} items")
        cmd.add_argument("text", help=text_help)
        cmd.add_argument("--json", action="store_true")
        cmd.set_defaults(func=func)

    db = top.add_parser("db", help="database schema")
    db.add_subparsers(dest="command", required=True).add_parser(
        "upgrade", help="apply migrations"
    ).set_defaults(func=_db_upgrade)
    nlu = top.add_parser("nlu", help="catalog-derived NLU artefacts")
    nlu.add_subparsers(dest="command", required=True).add_parser(
        "build", help="write the jieba dictionary and lookups"
    ).set_defaults(func=_nlu_build)
    slots = top.add_parser("slots", help="free seats per slot of a window on a day")
    slots.add_argument("--office", required=True, help="office code, name or place (麻城, HG)")
    slots.add_argument("--window", required=True, help="行政审批 | 行政服务 | 法定检验 | 咨询投诉")
    slots.add_argument("--date", required=True, help="YYYY-MM-DD")
    slots.add_argument("--json", action="store_true")
    slots.set_defaults(func=_slots)

    bookings = top.add_parser("bookings", help="clerks: list and mark bookings")
    bsub = bookings.add_subparsers(dest="command", required=True)
    blist = bsub.add_parser("list", help="bookings of an office on a day (phones masked)")
    blist.add_argument("--office", required=True)
    blist.add_argument("--date", required=True)
    blist.add_argument("--window")
    blist.add_argument("--json", action="store_true")
    blist.set_defaults(func=_bookings_list)
    bmark = bsub.add_parser("mark", help="mark a booking arrived, served or no-show")
    bmark.add_argument("ref")
    bmark.add_argument("status", choices=["arrived", "served", "no-show"])
    bmark.add_argument("--clerk", required=True, help="clerk id, written to the audit log")
    bmark.set_defaults(func=_bookings_mark)
    bpurge = bsub.add_parser(
        "purge", help="erase names and phones of bookings past the retention period"
    )
    bpurge.add_argument("--before", help="YYYY-MM-DD (default: today minus the retention days)")
    bpurge.set_defaults(func=_bookings_purge)
    baudit = bsub.add_parser("audit", help="the audit log of a booking")
    baudit.add_argument("ref")
    baudit.set_defaults(func=_bookings_audit)

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
    cadd.set_defaults(func=_clerk_add)

    train = top.add_parser("train", help="train the model when its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if up to date")
    train.set_defaults(func=_train)
    top.add_parser("run", help="start action server and engine").set_defaults(func=_run)
    top.add_parser("chat", help="chat in the terminal").set_defaults(func=_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments (without the program name); ``sys.argv[1:]`` when omitted.

    Returns:
        The exit code.
    """
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        code: int = args.func(settings, args)
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


if __name__ == "__main__":
    sys.exit(main())
