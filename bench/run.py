"""``make bench``: one report (Markdown and PNG charts) of everything measured in one run.

Each figure is reported next to its baseline from the same run — chat latency next to
the bare ``/model/parse`` floor, the 2,000-sub-item catalog next to the real one, SQLite
next to PostgreSQL — because the machine is noisy and numbers from another run mean
little. Writes ``build/bench/report.md``, ``report.json`` and ``*.png``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import aiohttp

from bench.booking import chat_throughput, library_throughput, race, sqlite_url
from bench.catalog import (
    ScaledCatalog,
    measure_catalog_scale,
    prepare_scaled_catalog,
)
from bench.load import QUESTIONS, Stats, latency_table, measure, webhook_call
from bench.peer import OUR_SCRIPT, STOCK_SCRIPT, action_call, conversation_p50, stock_bot
from bench.pgtemp import temporary_database
from bench.report import write_report
from bench.system import cross_validation, peak_memory_mib, train_seconds
from bench.turns import long_conversation
from bench.understanding import measure as measure_understanding
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.store import load_catalog_at
from chuangkou.settings import Settings
from chuangkou.stack import RunningStack, StackConfig, started_stack
from chuangkou.stack.training import train_if_stale

EMBEDDED_LEVELS = (1, 10, 20, 50)
CLUSTER_LEVELS = (1, 10, 50)
PEER_LEVELS = (1, 20)


def bench_settings(base: Settings, database_url: str, **changes: Any) -> Settings:
    """The benchmark's own stacks: ports away from ``make run``'s, no rate limit.

    The load comes from one address, so the chat rate limit is opened.
    """
    return replace(
        base,
        database_url=database_url,
        engine_port=5105,
        actions_port=5155,
        gateway_port=8180,
        chat_rate_per_minute=1_000_000,
        **changes,
    )


@contextmanager
def _stack(cfg: StackConfig, timings: dict[str, float], name: str) -> Iterator[RunningStack]:
    started = time.perf_counter()
    with started_stack(cfg) as stack:
        # Cold start: from launching the processes to every one of them answering.
        timings[name] = time.perf_counter() - started
        yield stack


def _memory(stack: RunningStack) -> dict[str, dict[str, float]]:
    out = {}
    for name, proc in stack.supervisor.processes().items():
        mib, count = peak_memory_mib(proc.pid)
        out[name] = {"peak_mib": mib, "processes": count}
    return out


def _engines(cfg: StackConfig) -> list[str]:
    return list(cfg.settings.engine_urls)


async def _answer_p50(base: str, samples: int = 80) -> float:
    await measure(1, 10, webhook_call([base]))  # warm-up: the first turn rebuilds the matcher
    result: Stats = await measure(1, samples, webhook_call([base]))
    return result.p50


async def _probes_answered(base: str, probes: Any) -> int:
    """How many probes about generated sub-items resolve to their item in the engine.

    Judged by the item the conversation remembers after the turn, not by reply text.
    """
    right = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for index, probe in enumerate(probes):
            sender = f"probe-{uuid.uuid4().hex[:8]}-{index}"
            body = {"sender": sender, "message": probe.text}
            async with session.post(f"{base}/webhooks/rest/webhook", json=body) as resp:
                await resp.read()
            async with session.get(f"{base}/conversations/{sender}/tracker") as resp:
                slots = (await resp.json()).get("slots") or {}
            state = slots.get("dialogue_state") or {}
            right += isinstance(state, dict) and state.get("item") == probe.item_code
    return right


def _catalog_through_engine(
    url: str, base: str, real: Catalog, scaled: ScaledCatalog
) -> dict[str, Any]:
    """Answer latency with the real and the 2,000-sub-item catalog in the same stack.

    The catalogs are swapped by loading them into the running stack's database (no
    restart, no retraining), alternately twice, and the median p50 of each is kept so
    that drift of the machine during the run hits both alike.
    """
    big = read_catalog(scaled.root)
    p50s: dict[str, list[float]] = {"real": [], "scaled": []}
    right = 0
    for _ in range(2):
        for name, catalog in (("real", real), ("scaled", big)):
            load_catalog_at(url, catalog, source="bench")
            p50s[name].append(asyncio.run(_answer_p50(base)))
            if name == "scaled" and not right:
                right = asyncio.run(_probes_answered(base, scaled.probes))
    load_catalog_at(url, real, source="bench")
    real_p50, scaled_p50 = statistics.median(p50s["real"]), statistics.median(p50s["scaled"])
    return {
        "answer_real_p50_ms": real_p50,
        "answer_scaled_p50_ms": scaled_p50,
        "answer_ratio": scaled_p50 / real_p50,
        "probes_answered": right,
        "probes_asked": len(scaled.probes),
        "scaled_sub_items": big.sub_item_count(),
    }


def _cluster_config(base: Settings, app_url: str, tracker_db: str, logs: Path) -> StackConfig:
    settings = bench_settings(
        base,
        app_url,
        profile="cluster",
        engines=2,
        tracker_db=tracker_db,
        lock_prefix=f"ckbench{uuid.uuid4().hex[:6]}",
    )
    return StackConfig.from_settings(settings, gateway=True, log_dir=logs)


def run(out_dir: Path) -> dict[str, Any]:
    """Measure everything; return the results (also what ``report.json`` holds)."""
    settings = Settings.from_env()
    train_if_stale(settings)
    real = read_catalog(settings.catalog_dir)
    results: dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M"), "questions": QUESTIONS}
    cold: dict[str, float] = {}
    booking: dict[str, float] = {}
    profiles: dict[str, Any] = {}
    floors: dict[str, float] = {}
    long_turns: dict[str, Any] = {}
    peer: dict[str, dict[str, float]] = {"ours": {}, "stock": {}}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = sqlite_url(tmp, "bench.db")
        load_catalog_at(url, real, source="bench")
        cfg = StackConfig.from_settings(
            bench_settings(settings, url), gateway=True, log_dir=out_dir / "logs"
        )
        print("bench: embedded profile ...", flush=True)
        with _stack(cfg, cold, "embedded") as stack:
            table = asyncio.run(latency_table(_engines(cfg), stack_gateway(cfg), EMBEDDED_LEVELS))
            actions = f"http://127.0.0.1:{cfg.settings.actions_port}"
            floors["action_p50_ms"] = asyncio.run(measure(1, 100, action_call(actions))).p50
            print("bench: long conversation and 20-turn conversations ...", flush=True)
            long_turns["embedded"] = asyncio.run(long_conversation(stack.base))
            for level in PEER_LEVELS:
                peer["ours"][str(level)] = asyncio.run(
                    conversation_p50(stack.base, OUR_SCRIPT, level)
                )
            booking["chat, SQLite (embedded)"] = asyncio.run(chat_throughput(stack.base, url))
            print("bench: catalog scale through the engine ...", flush=True)
            scaled = prepare_scaled_catalog(tmp)
            catalog = _catalog_through_engine(url, stack.base, real, scaled)
            profiles["embedded"] = {"latency": table, "memory": _memory(stack)}
        print("bench: cluster profile ...", flush=True)
        with ExitStack() as pg:
            app_url = pg.enter_context(temporary_database("ck_bench_app"))
            trackers = pg.enter_context(temporary_database("ck_bench_trackers"))
            load_catalog_at(app_url, real, source="bench")
            ccfg = _cluster_config(settings, app_url, trackers.rsplit("/", 1)[1], out_dir / "logs")
            with _stack(ccfg, cold, "cluster") as stack:
                table = asyncio.run(
                    latency_table(_engines(ccfg), stack_gateway(ccfg), CLUSTER_LEVELS)
                )
                long_turns["cluster"] = asyncio.run(long_conversation(stack.base))
                booking["chat, PostgreSQL (cluster)"] = asyncio.run(
                    chat_throughput(stack.base, app_url)
                )
                profiles["cluster"] = {"latency": table, "memory": _memory(stack)}
        print("bench: booking library and race ...", flush=True)
        races: dict[str, dict[str, int]] = {}
        for threads in (1, 8):
            booking[f"library, SQLite, {threads} thread(s)"] = library_throughput(
                sqlite_url(tmp, f"lib{threads}.db"), threads=threads
            )
            with temporary_database("ck_bench_lib") as pg_url:
                booking[f"library, PostgreSQL, {threads} thread(s)"] = library_throughput(
                    pg_url, threads=threads
                )
        races["SQLite"] = race(sqlite_url(tmp, "race.db"))
        with temporary_database("ck_bench_race") as pg_url:
            races["PostgreSQL"] = race(pg_url)
        print("bench: catalog scale in process ...", flush=True)
        catalog |= measure_catalog_scale(tmp / "scale", scaled=scaled)
        print("bench: a stock `rasa init` assistant, for comparison ...", flush=True)
        with stock_bot(tmp / "peer") as stock:
            asyncio.run(conversation_p50(stock, STOCK_SCRIPT, 2))  # warm-up
            for level in PEER_LEVELS:
                peer["stock"][str(level)] = asyncio.run(
                    conversation_p50(stock, STOCK_SCRIPT, level)
                )
    print("bench: understanding (simulated citizens, other departments' questions) ...")
    results["understanding"] = measure_understanding(out_dir)
    print("bench: training and NLU cross-validation ...", flush=True)
    results |= {
        "floors": floors,
        "long_conversation": {
            k: {key: v for key, v in row.items() if key != "ms"} for k, row in long_turns.items()
        },
        "peer": peer,
        "profiles": profiles,
        "cold_start_s": cold,
        "booking_per_s": booking,
        "race": races,
        "catalog": catalog,
        "train_s": train_seconds(),
        "cross_validation": asdict(cross_validation(out_dir / "cross-validation")),
    }
    return results


def stack_gateway(cfg: StackConfig) -> str:
    """The gateway's base URL of a stack configuration."""
    return cfg.gateway_url


def _jsonable(value: Any) -> Any:
    if isinstance(value, Stats):
        return asdict(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def main() -> None:
    """Run the benchmarks and write the report into ``build/bench/``."""
    out_dir = Settings.from_env().build_dir / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = _jsonable(run(out_dir))
    (out_dir / "report.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    report = write_report(results, out_dir)
    print(report)


if __name__ == "__main__":
    main()
