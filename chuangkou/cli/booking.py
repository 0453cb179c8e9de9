"""``chuangkou slots`` and ``chuangkou bookings …``: free seats and the clerks' bookings."""

from __future__ import annotations

import argparse
from datetime import timedelta

from chuangkou.booking.desk import Desk
from chuangkou.booking.slots import now_local
from chuangkou.cli.common import day, emit
from chuangkou.services import services
from chuangkou.settings import Settings


def _desk(settings: Settings) -> Desk:
    return services(settings).desk


def _slots(settings: Settings, args: argparse.Namespace) -> int:
    desk = _desk(settings)
    office, window = desk.office(args.office), desk.window(args.window)
    when = day(args.date)
    data = desk.day_view(office, window, when, now_local())
    # The clerks' view adds the office's name and the holiday's.
    data["office_name"] = office.name
    data["holiday"] = desk.slot_book.day_status(office, when).detail
    emit(data, True)
    return 0


def _list(settings: Settings, args: argparse.Namespace) -> int:
    desk = _desk(settings)
    office = desk.office(args.office)
    window = desk.window(args.window) if args.window else None
    rows = desk.list_day(office.code, day(args.date), window)
    emit([r.as_dict() for r in rows], args.json)
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    before = (
        day(args.before)
        if args.before
        else now_local().date() - timedelta(days=settings.retention_days)
    )
    erased = _desk(settings).erase_expired(before)
    print(f"erased name and phone of {erased} bookings before {before.isoformat()}")
    return 0


def _mark(settings: Settings, args: argparse.Namespace) -> int:
    view = _desk(settings).mark(args.ref, args.status.replace("-", "_"), f"clerk:{args.clerk}")
    emit(view.as_dict(), True)
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    emit(_desk(settings).audit(args.ref), True)
    return 0


def register(top: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the slots and bookings groups."""
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
    blist.set_defaults(func=_list)
    bmark = bsub.add_parser("mark", help="mark a booking arrived, served or no-show")
    bmark.add_argument("ref")
    bmark.add_argument("status", choices=["arrived", "served", "no-show"])
    bmark.add_argument("--clerk", required=True, help="clerk id, written to the audit log")
    bmark.set_defaults(func=_mark)
    bpurge = bsub.add_parser(
        "purge", help="erase names and phones of bookings past the retention period"
    )
    bpurge.add_argument("--before", help="YYYY-MM-DD (default: today minus the retention days)")
    bpurge.set_defaults(func=_purge)
    baudit = bsub.add_parser("audit", help="the audit log of a booking")
    baudit.add_argument("ref")
    baudit.set_defaults(func=_audit)
