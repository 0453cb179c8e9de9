"""One booking through the running engine + action server, checked with the clerks' CLI.

Also: the tracker never holds the clear phone number.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from chuangkou.chat import send
from chuangkou.settings import PROJECT_ROOT
from tests.engine.conftest import StackFactory
from tests.utils.gateway_chat import choice

pytestmark = pytest.mark.engine
PHONE = "13812344567"
MASKED = "138****4567"


def _buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons") or []]


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "chuangkou.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def stack(start_stack: StackFactory, tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("booking") / "booking.db"
    with start_stack(PROJECT_ROOT / "catalog", db) as base:
        yield base, db


def test_book_check_cancel_in_chinese(stack: tuple[str, Path]) -> None:
    base, db = stack
    sender = f"book-{uuid.uuid4().hex[:8]}"
    ask_item = send(base, sender, "我想预约")
    assert "哪个事项" in _texts(ask_item)
    offices = _buttons(send(base, sender, "电梯使用登记"))
    assert any(b["payload"] == choice("office", "MC") for b in offices)
    slots = _buttons(send(base, sender, choice("office", "MC")))
    assert slots and all(b["payload"].startswith('/choose{"kind": "slot"') for b in slots)
    chosen = json.loads("{" + slots[0]["payload"].split("{", 1)[1])["value"]
    assert "姓名" in _texts(send(base, sender, slots[0]["payload"]))
    assert "手机" in _texts(send(base, sender, "张三"))
    wrong = _texts(send(base, sender, "0713-1234567"))
    assert "座机" in wrong
    summary = send(base, sender, PHONE)
    assert MASKED in _texts(summary) and PHONE not in _texts(summary)
    assert _buttons(summary)[0]["payload"] == "/affirm"
    confirmed = _texts(send(base, sender, "/affirm"))
    assert "预约成功" in confirmed
    ref = confirmed.split("预约号：", 1)[1][:8]

    day = chosen.split(" ")[0]
    listed = _cli(db, "bookings", "list", "--office", "麻城", "--date", day, "--json")
    rows = json.loads(listed.stdout)
    assert [(r["ref"], r["phone_masked"], r["status"]) for r in rows] == [(ref, MASKED, "booked")]
    assert PHONE not in listed.stdout

    # The tracker store holds the masked number only (and a sealed token, never the clear one).
    with urllib.request.urlopen(f"{base}/conversations/{sender}/tracker", timeout=10) as resp:
        tracker = resp.read().decode("utf-8")
    assert PHONE not in tracker and MASKED in tracker

    # Someone else's phone learns nothing; the right phone may cancel.
    other = f"other-{uuid.uuid4().hex[:8]}"
    send(base, other, f"查一下预约 {ref}")
    assert "没有找到" in _texts(send(base, other, "13900001111"))
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    send(base, owner, f"取消预约 {ref}")
    assert "已为您取消" in _texts(send(base, owner, PHONE))
    rows = json.loads(
        _cli(db, "bookings", "list", "--office", "MC", "--date", day, "--json").stdout
    )
    assert rows[0]["status"] == "cancelled"


def test_bad_booking_input_is_re_asked(stack: tuple[str, Path]) -> None:
    base, _ = stack
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    send(base, sender, "我想预约电梯使用登记")
    send(base, sender, choice("office", "HG"))
    for text, expected in (("昨天", "已经过去"), ("2月30号", "没有这个日期")):
        reply = send(base, sender, text)
        assert expected in _texts(reply), text
    slots = _buttons(send(base, sender, "下周"))
    if not slots:
        slots = _buttons(send(base, sender, "明天"))
    send(base, sender, slots[0]["payload"])
    assert "不对" in _texts(send(base, sender, "<script>alert(1)</script>"))
    assert "手机" in _texts(send(base, sender, "我叫张三"))
    assert "手机号码不对" in _texts(send(base, sender, "12345678"))
    assert "座机" in _texts(send(base, sender, "010-88886666"))
