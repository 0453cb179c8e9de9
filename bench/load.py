"""Load generation for ``make bench``: latency percentiles and throughput over HTTP.

Three ways in, measured side by side at each concurrency: the bare engine's
``/model/parse`` (the floor: NLU only), a chat turn through the engine's REST webhook
(NLU, policies, one action reading the database), and the same turn through the public
gateway (what a person's browser does).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aiohttp

# Realistic first turns: each needs NLU, a policy decision, and an action that reads the DB.
QUESTIONS = (
    "电梯使用登记新办需要什么材料",
    "叉车证要带什么",
    "CMA资质认定多久能办好",
    "强检在哪里办",
    "生产许可证收费吗",
    "我有营业执照和法人身份证，还差授权委托书",
    "电梯年检的流程是怎样的",
    "条形码注册需要什么材料",
)
ROUNDS = 3
Call = Callable[[aiohttp.ClientSession, int], Awaitable[None]]


@dataclass(frozen=True)
class Stats:
    """Latency percentiles in milliseconds, and throughput in requests per second."""

    p50: float
    p95: float
    p99: float
    per_second: float
    n: int


def stats(latencies: Sequence[float], wall: float) -> Stats:
    """Percentiles (nearest rank) of latencies in seconds, and the rate over ``wall``."""
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return Stats(pct(0.50), pct(0.95), pct(0.99), len(ordered) / wall, len(ordered))


def samples_for(concurrency: int) -> int:
    """Requests per measurement: enough for a p99, and several rounds of every worker."""
    return max(100, 4 * concurrency)


async def _timed(concurrency: int, samples: int, call: Call) -> tuple[list[float], float]:
    """Run ``samples`` calls with ``concurrency`` workers; latencies (s) and wall time."""
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(samples):
        queue.put_nowait(i)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            start = time.perf_counter()
            await call(session, i)
            latencies.append(time.perf_counter() - start)

    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=concurrency + 4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, wall


async def measure(concurrency: int, samples: int, call: Call) -> Stats:
    """Run ``samples`` calls with ``concurrency`` workers; every call must succeed.

    Args:
        concurrency: Calls in flight at once.
        samples: Calls in all.
        call: One request (raises on a failed or empty answer).

    Returns:
        The latency and throughput figures.
    """
    latencies, wall = await _timed(concurrency, samples, call)
    return stats(latencies, wall)


def parse_call(engines: Sequence[str]) -> Call:
    """``POST /model/parse`` of a question, spread over the engines."""
    cycle = itertools.cycle(engines)

    async def call(session: aiohttp.ClientSession, i: int) -> None:
        body = {"text": QUESTIONS[i % len(QUESTIONS)]}
        async with session.post(f"{next(cycle)}/model/parse", json=body) as resp:
            resp.raise_for_status()
            await resp.read()

    return call


def webhook_call(engines: Sequence[str], questions: Sequence[str] = QUESTIONS) -> Call:
    """A first turn of a fresh conversation through an engine's REST webhook."""
    run = uuid.uuid4().hex[:6]
    cycle = itertools.cycle(engines)
    fresh = itertools.count()  # a new conversation for every call, across rounds too

    async def call(session: aiohttp.ClientSession, i: int) -> None:
        sender = f"bench-{run}-{next(fresh)}"
        body = {"sender": sender, "message": questions[i % len(questions)]}
        async with session.post(f"{next(cycle)}/webhooks/rest/webhook", json=body) as resp:
            resp.raise_for_status()
            if not await resp.json():
                raise RuntimeError(f"no answer to {body['message']}")

    return call


def gateway_call(gateway: str) -> Call:
    """A first turn of a fresh conversation through the public gateway's chat API."""
    run = uuid.uuid4().hex[:6]
    fresh = itertools.count()  # a new conversation for every call, across rounds too

    async def call(session: aiohttp.ClientSession, i: int) -> None:
        session_id = f"bench{run}{next(fresh)}"
        body = {"session_id": session_id, "message": QUESTIONS[i % len(QUESTIONS)]}
        async with session.post(f"{gateway}/api/chat", json=body) as resp:
            resp.raise_for_status()
            answer = await resp.json()
            if not answer.get("available"):
                raise RuntimeError(f"gateway had no answer to {body['message']}")

    return call


async def latency_table(
    engines: Sequence[str], gateway: str | None, levels: Sequence[int]
) -> dict[str, dict[int, Stats]]:
    """Parse, webhook and gateway figures at each concurrency, measured in turn.

    Args:
        engines: The engines' base URLs (requests are spread over them).
        gateway: The gateway's base URL, or None to skip that row.
        levels: Concurrencies to measure.

    Returns:
        ``{"parse" | "webhook" | "gateway": {concurrency: Stats}}``.
    """
    calls: dict[str, Call] = {"parse": parse_call(engines), "webhook": webhook_call(engines)}
    if gateway is not None:
        calls["gateway"] = gateway_call(gateway)
    for call in calls.values():  # warm-up: model, matcher, DB and HTTP connections
        await measure(2, 20, call)
    table: dict[str, dict[int, Stats]] = {name: {} for name in calls}
    for level in levels:
        # The paths take turns, ROUNDS times, so that a slow moment of the machine
        # falls on all of them alike instead of on whichever ran then.
        runs: dict[str, tuple[list[float], float]] = {name: ([], 0.0) for name in calls}
        for _ in range(ROUNDS):
            for name, call in calls.items():
                latencies, wall = await _timed(level, samples_for(level), call)
                runs[name] = (runs[name][0] + latencies, runs[name][1] + wall)
        for name, (latencies, wall) in runs.items():
            table[name][level] = stats(latencies, wall)
    return table
