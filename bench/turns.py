"""Per-turn cost over one long conversation: does a turn get slower as the talk goes on?

One person, one sender id, 200 turns of a realistic mix — questions about items and
offices, a document check, follow-ups, and whole bookings (item, office, day, slot,
name, phone, confirm) — sent one at a time through the engine's REST webhook. The
figure is the median of turns 181–200 against the median of turns 1–20 of the same
conversation.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

import aiohttp

TURNS = 200
WINDOW = 20
DAYS = ("下周一上午", "下周二上午", "下周三下午", "下周四上午", "下周五下午")


def _script(cycle: int) -> list[str]:
    """One round of the mix (about 20 turns); slot buttons are picked as they come."""
    return [
        "电梯使用登记需要什么材料",
        "变更呢",
        "多久能办好",
        "那条形码呢",
        "我有营业执照，还差什么",
        "你们几点下班",
        "周六上班吗",
        "我想预约电梯使用登记",
        '/choose{"kind": "office", "value": "HG"}',
        DAYS[cycle % len(DAYS)],
        "{slot}",
        "张三",
        f"1390000{cycle:04d}",
        "/affirm",
        "CMA资质认定多久能办好",
        "收费吗",
        "叉车证怎么考",
        "在哪里办",
        "谢谢",
        "再说一遍",
    ]


async def long_conversation(base: str, turns: int = TURNS) -> dict[str, Any]:
    """Time every turn of one long conversation.

    Args:
        base: The engine's base URL.
        turns: How many turns.

    Returns:
        ``first_p50_ms`` (turns 1–20), ``last_p50_ms`` (the last 20), their ``ratio``,
        and every turn's milliseconds.
    """
    sender = f"long-{uuid.uuid4().hex[:10]}"
    timings: list[float] = []
    offered: list[str] = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        cycle = 0
        while len(timings) < turns:
            for message in _script(cycle):
                if len(timings) >= turns:
                    break
                if message == "{slot}":
                    message = offered[0] if offered else "下周一上午十点"
                body = {"sender": sender, "message": message}
                start = time.perf_counter()
                async with session.post(f"{base}/webhooks/rest/webhook", json=body) as resp:
                    answer = await resp.json()
                timings.append((time.perf_counter() - start) * 1000)
                offered = [
                    str(b["payload"])
                    for m in answer or []
                    for b in (m.get("buttons") or [])
                    if '"slot"' in str(b.get("payload"))
                ]
            cycle += 1
    first = statistics.median(timings[:WINDOW])
    last = statistics.median(timings[-WINDOW:])
    return {
        "turns": len(timings),
        "first_p50_ms": first,
        "last_p50_ms": last,
        "ratio": last / first,
        "ms": [round(t, 1) for t in timings],
    }
