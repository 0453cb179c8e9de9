"""``make bench``: latency of the bare engine and of full chat turns, and training time.

Everything is measured in one run on this machine, and each figure is reported next to
its baseline from the same run (the bare ``/model/parse`` floor for chat latency), because
the machine is noisy and absolute numbers from another run mean little.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from chuangkou.bench_booking import (
    chat_throughput,
    library_throughput,
    sqlite_url,
    temporary_postgres,
)
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from chuangkou.settings import Settings
from chuangkou.stack import (
    ModelPaths,
    StackConfig,
    run_training,
    running_stack,
    train_if_stale,
)

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
SAMPLES = 80


@dataclass(frozen=True)
class Stats:
    """Latency percentiles in milliseconds, and throughput."""

    p50: float
    p95: float
    p99: float
    per_second: float
    n: int


def _stats(latencies: list[float], wall: float) -> Stats:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return Stats(pct(0.50), pct(0.95), pct(0.99), len(ordered) / wall, len(ordered))


async def _measure(
    concurrency: int, samples: int, call: Callable[[aiohttp.ClientSession, int], Awaitable[None]]
) -> Stats:
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
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return _stats(latencies, wall)


async def _latencies(base: str) -> dict[str, Stats]:
    run_id = uuid.uuid4().hex[:6]

    async def parse(session: aiohttp.ClientSession, i: int) -> None:
        body = {"text": QUESTIONS[i % len(QUESTIONS)]}
        async with session.post(f"{base}/model/parse", json=body) as resp:
            resp.raise_for_status()
            await resp.read()

    async def chat(session: aiohttp.ClientSession, i: int) -> None:
        # A fresh conversation per sample: every turn runs an action against the DB.
        body = {"sender": f"bench-{run_id}-{i}", "message": QUESTIONS[i % len(QUESTIONS)]}
        async with session.post(f"{base}/webhooks/rest/webhook", json=body) as resp:
            resp.raise_for_status()
            answer = await resp.json()
            if not answer:
                raise RuntimeError(f"no answer to {body['message']}")

    await _measure(1, 10, chat)  # warm-up: model, matcher, DB connections
    results: dict[str, Stats] = {}
    for concurrency in (1, 20):
        results[f"parse@{concurrency}"] = await _measure(concurrency, SAMPLES, parse)
        results[f"chat@{concurrency}"] = await _measure(concurrency, SAMPLES, chat)
    return results


def _train_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run_training(Path(out), quiet=True)
        return time.perf_counter() - start


def _report(results: dict[str, Stats], train_s: float, booking: dict[str, float]) -> str:
    lines = [
        "# chuangkou benchmark report",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on this machine, all in one run. "
        f"{SAMPLES} requests per row; chat rows are first turns of fresh conversations "
        "(NLU + policy + one action reading the catalog DB, SQLite).",
        "",
        "| what | concurrency | p50 ms | p95 ms | p99 ms | req/s |",
        "|---|---|---|---|---|---|",
    ]
    for key, s in results.items():
        what, conc = key.split("@")
        label = "bare engine /model/parse" if what == "parse" else "chat via REST webhook"
        lines.append(
            f"| {label} | {conc} | {s.p50:.1f} | {s.p95:.1f} | {s.p99:.1f} | {s.per_second:.1f} |"
        )
    ratio = results["chat@1"].p50 / results["parse@1"].p50
    lines += [
        "",
        f"- chat p50 / bare parse p50 at 1 sender: **{ratio:.2f}×** (target ≤ 2×: "
        f"{'met' if ratio <= 2 else 'NOT met'})",
        f"- full `rasa train --force`: **{train_s:.0f} s** (target ≤ 180 s: "
        f"{'met' if train_s <= 180 else 'NOT met'})",
        "",
        "## Booking throughput",
        "",
        "Library: `create_booking` with distinct phones, 1 and 8 threads, 300 bookings. "
        "Chat: whole booking conversations (7 turns each: item, office, day, slot tap, name, "
        "phone, confirm), 4 at a time, through the REST webhook and the action server.",
        "",
        "| path | database | concurrency | bookings/s |",
        "|---|---|---|---|",
    ]
    for key, rate in booking.items():
        path, database, *width = key.split(" ")
        threads = width[0].lstrip("x") if width else "4 conversations"
        lines.append(f"| {path} | {database} | {threads} | {rate:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmarks and write ``build/bench/report.md`` (and .json)."""
    settings = Settings.from_env()
    out_dir = settings.build_dir / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    models = settings.build_dir / "models"
    train_if_stale(models)
    catalog = read_catalog(settings.catalog_dir)

    def stack(url: str) -> Any:
        engine = make_engine(url)
        upgrade(engine)
        load_catalog(engine, catalog, source="bench")
        engine.dispose()
        cfg = StackConfig(
            model=ModelPaths(models).model,
            engine_port=5105,
            actions_port=5155,
            env={"DATABASE_URL": url},
            log_dir=out_dir / "logs",
        )
        return running_stack(cfg)

    booking: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        with stack(sqlite_url(Path(tmp), "bench.db")) as base:
            results = asyncio.run(_latencies(base))
            booking["chat sqlite"] = asyncio.run(chat_throughput(base))
        with temporary_postgres() as pg_url, stack(pg_url) as base:
            booking["chat postgresql"] = asyncio.run(chat_throughput(base))
        for threads in (1, 8):
            booking[f"library sqlite x{threads}"] = library_throughput(
                sqlite_url(Path(tmp), f"lib{threads}.db"), threads=threads
            )
            with temporary_postgres() as pg_url:
                booking[f"library postgresql x{threads}"] = library_throughput(
                    pg_url, threads=threads
                )
    train_s = _train_seconds()
    report = _report(results, train_s, booking)
    (out_dir / "report.md").write_text(report, encoding="utf-8")
    (out_dir / "report.json").write_text(
        json.dumps(
            {k: vars(v) for k, v in results.items()}
            | {"train_seconds": train_s, "bookings_per_second": booking},
            indent=2,
        ),
        encoding="utf-8",
    )
    print(report)


if __name__ == "__main__":
    main()
