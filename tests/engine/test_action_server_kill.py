"""Fault: the action server is killed (SIGKILL) while a booking confirmation is in flight.

A proxy between the engine and the action server fires the kill at an exact moment of
the confirmation request: before the action server saw it (nothing was booked), or after
it booked and answered but before the answer reached the engine (booked, and nobody was
told). Either way the person, talking to the public gateway, is told to try again; the
supervisor starts the action server again; the person says yes again; and the database
holds exactly one booking.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog_at
from chuangkou.db import make_engine
from chuangkou.gateway.texts import text as gateway_text
from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack import RunningStack, StackConfig, started_stack, wait_http
from tests.utils.gateway_chat import chat, texts, to_summary
from tests.utils.proxy import Tap, TcpProxy
from tests.utils.stack import stack_settings

pytestmark = pytest.mark.engine
PHONE = "13912340001"
# Rasa posts the action request as JSON with the default separators; the confirmation is
# the turn whose latest message is the summary's "确认预约" button.
CONFIRM_REQUEST = b'"text": "/affirm"'


@pytest.fixture(scope="module")
def faulty(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A supervised stack whose engine reaches the action server through a tapped proxy."""
    db = tmp_path_factory.mktemp("kill") / "kill.db"
    url = f"sqlite:///{db}"
    load_catalog_at(url, read_catalog(PROJECT_ROOT / "catalog"), source="kill")
    settings = stack_settings(url)
    with TcpProxy(settings.actions_port) as proxy:
        # The engine calls the proxy; the action server listens behind it.
        cfg = StackConfig.from_settings(
            settings,
            gateway=True,
            log_dir=tmp_path_factory.mktemp("kill-logs"),
            actions_via=proxy.port,
        )
        with started_stack(cfg, supervise=True) as stack:
            yield {
                "stack": stack,
                "proxy": proxy,
                "gateway": cfg.gateway_url,
                "actions": f"http://127.0.0.1:{settings.actions_port}/health",
                "db": url,
            }


def _bookings(url: str, phone_tail: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT ref, status FROM bookings WHERE phone_masked LIKE :tail"),
                {"tail": f"%{phone_tail}"},
            ).all()
    finally:
        engine.dispose()
    return [(str(r[0]), str(r[1])) for r in rows]


def _kill_group(stack: RunningStack) -> None:
    os.killpg(stack.supervisor.process("actions").pid, signal.SIGKILL)


@pytest.mark.parametrize("when", ["request", "response"])
def test_confirmation_survives_a_killed_action_server(faulty: dict[str, Any], when: str) -> None:
    stack: RunningStack = faulty["stack"]
    gateway = faulty["gateway"]
    session = f"kill{when}{uuid.uuid4().hex[:8]}"
    # A distinct phone per case: the per-phone limits must not be what stops a booking.
    phone = PHONE[:-1] + ("1" if when == "request" else "2")
    to_summary(gateway, session, phone)
    restarts = stack.supervisor.restarts("actions")

    tap = Tap(CONFIRM_REQUEST, when, lambda: _kill_group(stack))  # type: ignore[arg-type]
    faulty["proxy"].tap = tap
    try:
        failed = chat(gateway, session, "/affirm")
    finally:
        faulty["proxy"].tap = None
    assert tap.fired.is_set(), "the confirmation request never reached the action server"
    # The person is told, in words, to try again; nothing pretends the booking is done.
    assert failed["available"] is False
    assert texts(failed) == gateway_text("engine_unavailable")
    booked = _bookings(faulty["db"], phone[-4:])
    # Killed before it saw the request: nothing booked. After: booked, nobody told.
    assert len(booked) == (0 if when == "request" else 1)

    # The supervisor brings the action server back by itself.
    deadline = time.monotonic() + 60
    while stack.supervisor.restarts("actions") == restarts and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stack.supervisor.restarts("actions") == restarts + 1
    wait_http(faulty["actions"], 60)

    retried = chat(gateway, session, "确认")
    answer = texts(retried)
    assert retried["available"] is True, answer
    assert "预约成功" in answer, answer
    ref = answer.split("预约号：", 1)[1][:8]
    assert _bookings(faulty["db"], phone[-4:]) == [(ref, "booked")]

    # Saying yes once more after it went through books nothing more.
    chat(gateway, session, "确认")
    assert _bookings(faulty["db"], phone[-4:]) == [(ref, "booked")]
