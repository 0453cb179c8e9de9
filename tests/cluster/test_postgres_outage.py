"""Fault: PostgreSQL is unreachable for a while (scale-out profile).

The PostgreSQL server is shared with other work on this machine, so the test does not
stop it: the whole stack reaches it through a proxy, and the test cuts that link.
While it is cut the gateway stays up: questions are still answered from the catalog
already read, and what needs the database (booking, free seats) says so in words. The
bookings made before are intact afterwards, and service resumes by itself when the
link is back.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from chuangkou.db import make_engine
from chuangkou.gateway.texts import text as gateway_text
from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack import running_stack
from tests.cluster.conftest import cluster_config, cluster_databases
from tests.utils.gateway_chat import book, chat, choice, texts
from tests.utils.proxy import TcpProxy

pytestmark = [pytest.mark.engine, pytest.mark.postgres]
QUESTION = "叉车证需要什么材料"


@pytest.fixture(scope="module")
def outage(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with ExitStack() as stack:
        app_url, tracker_db = cluster_databases(stack, "ck_outage")
        proxy = stack.enter_context(TcpProxy(5432))
        cfg = cluster_config(
            app_url=app_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/"),
            tracker_db=tracker_db,
            logs=tmp_path_factory.mktemp("outage-logs"),
        )
        stack.enter_context(running_stack(cfg))
        yield {
            "proxy": proxy,
            "gateway": cfg.gateway_url,
            "direct_url": app_url,
        }


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _domain_text(key: str) -> str:
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        responses = yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}
        if key in responses:
            return str(responses[key][0]["text"])
    raise KeyError(key)


def _bookings(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT ref, status FROM bookings ORDER BY id")).all()
    finally:
        engine.dispose()
    return [(str(r[0]), str(r[1])) for r in rows]


def test_postgres_outage_is_survived(outage: dict[str, Any]) -> None:
    gateway, proxy = outage["gateway"], outage["proxy"]
    before = book(gateway, f"pre{uuid.uuid4().hex[:8]}", "13912340011")
    assert _bookings(outage["direct_url"]) == [(before, "booked")]
    assert _get(f"{gateway}/api/catalog/search?q=%E5%8F%89%E8%BD%A6")[0] == 200
    slots_url = (
        f"{gateway}/api/slots?office=HG&window=%E8%A1%8C%E6%94%BF%E6%9C%8D%E5%8A%A1&date=2030-01-07"
    )
    assert _get(slots_url)[0] == 200

    proxy.cut()
    try:
        # Questions are still answered: Rasa keeps the turn in memory when the tracker
        # store fails, and the action server answers from the catalog it already read.
        asked = chat(gateway, f"down{uuid.uuid4().hex[:8]}", QUESTION)
        assert asked["available"] is True and "材料" in texts(asked), texts(asked)
        # Booking needs the database: the person is told so, in words.
        session = f"downbook{uuid.uuid4().hex[:8]}"
        chat(gateway, session, "我想预约")
        chat(gateway, session, "电梯使用登记")
        refused = chat(gateway, session, choice("office", "MC"))
        assert texts(refused) == _domain_text("utter_database_unavailable")
        # The API: what needs the database says so (503 and a message); the rest works.
        status, body = _get(slots_url)
        assert (status, body["error"]) == (503, "database_unavailable")
        assert body["message"] == gateway_text("database_unavailable")
        status, body = _get(f"{gateway}/api/catalog/search?q=%E5%8F%89%E8%BD%A6")
        assert status == 200 and body["results"], "the catalog already read keeps answering"
        assert _get(f"{gateway}/api/openapi.json")[0] == 200
    finally:
        proxy.restore()

    # Service resumes by itself: no restart, nobody touches the stack.
    deadline = time.monotonic() + 60
    answer: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = chat(gateway, f"up{uuid.uuid4().hex[:8]}", QUESTION)
        if answer["available"]:
            break
        time.sleep(1)
    assert answer.get("available"), "chat did not come back within 60 s"
    assert "材料" in texts(answer)
    assert _get(slots_url)[0] == 200
    # The booking made before the outage is intact, and new ones are taken.
    after = book(gateway, f"post{uuid.uuid4().hex[:8]}", "13912340012")
    assert _bookings(outage["direct_url"]) == [(before, "booked"), (after, "booked")]
