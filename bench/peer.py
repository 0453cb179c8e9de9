"""Baselines a chat turn is judged against, measured in the same run.

* The bare action-server round trip: one ``action_turn`` call posted straight to the
  action server, as the engine posts it (a tracker and the whole domain), so that the
  first-turn target is "parse + action call", the architecture's floor.
* A peer: a stock Rasa 3.6 assistant made by ``rasa init`` in the engine runtime (its
  own default pipeline and policies, no custom actions), served by plain ``rasa run``,
  and talked to in 20-turn conversations like ours.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bench.load import Call
from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack.environment import ENGINE_VENV

CONVERSATION_TURNS = 20
# The stock assistant's own kind of talk (its training stories' messages).
STOCK_SCRIPT = (
    "hi",
    "I am feeling very sad",
    "yes",
    "hello there",
    "I am great",
    "bye",
    "are you a bot?",
    "good morning",
    "not really",
    "I am unhappy",
)
# Ours: a realistic mix of questions, follow-ups and office questions.
OUR_SCRIPT = (
    "电梯使用登记需要什么材料",
    "变更呢",
    "多久能办好",
    "那条形码呢",
    "我有营业执照，还差什么",
    "你们几点下班",
    "周六上班吗",
    "CMA资质认定多久能办好",
    "收费吗",
    "叉车证怎么考",
)


def _domain() -> dict[str, Any]:
    """The domain as one dict (what the engine sends the action server on every call)."""
    merged: dict[str, Any] = {}
    for path in sorted((PROJECT_ROOT / "bot" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


def action_call(actions_url: str, questions: Sequence[str] = OUR_SCRIPT) -> Call:
    """One ``action_turn`` request straight to the action server (no engine)."""
    domain = _domain()
    run = uuid.uuid4().hex[:6]
    fresh = itertools.count()

    async def call(session: aiohttp.ClientSession, i: int) -> None:
        text = questions[i % len(questions)]
        message = {"text": text, "intent": {"name": "ask_requirements", "confidence": 0.9}}
        body = {
            "next_action": "action_turn",
            "sender_id": f"bare-{run}-{next(fresh)}",
            "tracker": {
                "sender_id": "bare",
                "slots": {"dialogue_state": None},
                "latest_message": {**message, "intent_ranking": [message["intent"]]},
                "events": [{"event": "user", "text": text, "parse_data": message}],
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": "action_listen",
            },
            "domain": domain,
            "version": "3.6.21",
        }
        async with session.post(f"{actions_url}/webhook", json=body) as resp:
            resp.raise_for_status()
            if not (await resp.json()).get("responses"):
                raise RuntimeError(f"the action server did not answer {text}")

    return call


async def conversation_p50(
    base: str, script: Sequence[str], concurrency: int, *, conversations: int = 0
) -> float:
    """Median turn (ms) of 20-turn conversations, ``concurrency`` of them at a time."""
    count = conversations or max(2, concurrency) * 2
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    run = uuid.uuid4().hex[:6]

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            number = queue.get_nowait()
            sender = f"conv-{run}-{number}"
            for turn in range(CONVERSATION_TURNS):
                body = {"sender": sender, "message": script[turn % len(script)]}
                start = time.perf_counter()
                async with session.post(f"{base}/webhooks/rest/webhook", json=body) as resp:
                    resp.raise_for_status()
                    await resp.read()
                latencies.append((time.perf_counter() - start) * 1000)

    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=concurrency + 4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return statistics.median(latencies)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rasa(*args: str) -> list[str]:
    """Plain Rasa (not ``python -m bot``): the peer runs as released."""
    return [str(ENGINE_VENV / "bin" / "rasa"), *args]


@contextmanager
def stock_bot(work: Path) -> Iterator[str]:
    """``rasa init`` (which trains its model), then ``rasa run`` on a free loopback port.

    Yields:
        The peer's base URL.
    """
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    project = work / "stock"
    project.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        _rasa("init", "--no-prompt", "--init-dir", str(project)),
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = (work / "stock.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(
        _rasa("run", "--enable-api", "-i", "127.0.0.1", "-p", str(port)),
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"{base}/status", timeout=2) as resp:
                    if json.loads(resp.read()).get("model_file"):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stock Rasa bot did not start (see {log.name})")
            time.sleep(1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
