"""Scale-out profile: two engines sharing trackers (PostgreSQL) and locks (Redis).

Catalog and bookings are on PostgreSQL too; the gateway spreads conversations.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from chuangkou.chat import send
from chuangkou.stack import running_stack, wait_http
from chuangkou.stack.runner import start_engine
from tests.cluster.conftest import cluster_config, cluster_databases
from tests.utils.gateway_chat import choice

pytestmark = [pytest.mark.engine, pytest.mark.postgres]


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


@pytest.fixture(scope="module")
def cluster(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with ExitStack() as stack:
        app_url, tracker_db = cluster_databases(stack, "ck_cluster")
        cfg = cluster_config(
            app_url=app_url,
            tracker_db=tracker_db,
            logs=tmp_path_factory.mktemp("cluster-logs"),
        )
        ports = cfg.settings.engine_ports
        logs = cfg.log_dir
        with running_stack(cfg):
            yield {
                "engines": list(cfg.settings.engine_urls),
                "gateway": cfg.gateway_url,
                "logs": logs,
                "ports": ports,
                "cfg": cfg,
            }


def test_turns_alternating_between_engines_keep_state(cluster: dict[str, Any]) -> None:
    a, b = cluster["engines"]
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    asked = send(a, sender, "电梯使用登记需要什么材料")  # 新办's list, the other types as buttons
    assert "变更" in [btn["title"] for m in asked for btn in m.get("buttons", [])]
    answer = _texts(send(b, sender, choice("business_type", "变更")))
    assert "特种设备使用登记证" in answer  # engine B knew the item engine A had resolved
    send(a, sender, "我想预约")  # the item is known: the booking asks for the office
    asked_time = send(b, sender, choice("office", "HG"))
    assert any(
        btn["payload"].startswith('/choose{"kind": "slot"')
        for m in asked_time
        for btn in m.get("buttons", [])
    )  # the booking in progress carried across engines
    name = _texts(send(a, sender, asked_time[0]["buttons"][0]["payload"]))
    assert "姓名" in name


async def test_fifty_concurrent_conversations_through_the_gateway(
    cluster: dict[str, Any],
) -> None:
    url = f"{cluster['gateway']}/api/chat"

    async def conversation(session: aiohttp.ClientSession, i: int) -> bool:
        sid = f"load{i:03d}{uuid.uuid4().hex[:8]}"
        first = await (
            await session.post(url, json={"message": "叉车证需要什么材料", "session_id": sid})
        ).json()
        second = await (
            await session.post(url, json={"message": "多久能办好", "session_id": sid})
        ).json()
        return bool(
            first["available"]
            and second["available"]
            and "工作日" in " ".join(m["text"] for m in second["messages"])
        )

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        results = await asyncio.gather(*(conversation(session, i) for i in range(50)))
    assert all(results), f"{results.count(False)} of 50 conversations lost a turn"
    for log in Path(cluster["logs"]).glob("engine*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "LockError" not in text and "Traceback" not in text, log.name


def _engine_pid(port: int) -> int:
    out = subprocess.run(
        ["pgrep", "-f", f"bot run --enable-api -i 127.0.0.1 -p {port} "],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0])


def test_engine_restart_mid_conversation_continues_from_the_tracker_store(
    cluster: dict[str, Any],
) -> None:
    port = cluster["ports"][1]
    url = cluster["engines"][1]
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    send(url, sender, "CMA资质认定需要什么材料")
    os.killpg(_engine_pid(port), signal.SIGTERM)  # the engine goes away mid-conversation
    cfg = cluster["cfg"]
    with open(Path(cluster["logs"]) / "engine-restarted.log", "ab") as log:
        engine = start_engine(cfg, port, log)
        try:
            wait_http(f"{url}/status", 240, engine)
            reply = send(url, sender, "那要多久")
            answer = "\n".join(str(m.get("text", "")) for m in reply)
            # The restarted engine still knew the item from the tracker store.
            assert "检验检测机构资质认定" in answer and "工作日" in answer
        finally:
            os.killpg(engine.pid, signal.SIGTERM)
            engine.wait(timeout=30)
