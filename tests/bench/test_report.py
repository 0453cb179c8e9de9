"""The benchmark's own arithmetic and report: percentiles, the race, verdicts, charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.booking import race
from bench.load import stats
from bench.report import write_report


def test_percentiles_are_nearest_rank_and_rate_is_per_wall_second() -> None:
    s = stats([i / 1000 for i in range(1, 101)], wall=2.0)  # 1..100 ms
    assert (s.p50, s.p95, s.p99) == (51.0, 96.0, 100.0)
    assert s.per_second == 50.0 and s.n == 100


def test_race_books_exactly_the_seats_left(tmp_path: Path) -> None:
    result = race(f"sqlite:///{tmp_path / 'race.db'}", attempts=40, seats=3, capacity=6)
    assert result == {"booked": 3, "slot_full": 37, "other": 0, "seats_taken": 6}


def _stats(p50: float, per_second: float) -> dict[str, float]:
    return {"p50": p50, "p95": p50 * 1.5, "p99": p50 * 2, "per_second": per_second, "n": 100}


def _results() -> dict[str, Any]:
    latency = {
        "parse": {"1": _stats(4.0, 250), "50": _stats(150, 300)},
        "webhook": {"1": _stats(7.9, 120), "50": _stats(300, 190)},
        "gateway": {"1": _stats(12.0, 80), "50": _stats(400, 170)},
    }
    return {
        "when": "2026-11-26 21:00",
        "questions": ["电梯使用登记需要什么材料"],
        "profiles": {
            "embedded": {
                "latency": latency,
                "memory": {"engine": {"peak_mib": 900.0, "processes": 1}},
            }
        },
        "cold_start_s": {"embedded": 30.0},
        "booking_per_s": {"chat, SQLite (embedded)": 8.0},
        "race": {"SQLite": {"booked": 10, "slot_full": 190, "other": 0, "seats_taken": 50}},
        "catalog": {
            "scaled_sub_items": 2000,
            "answer_real_p50_ms": 10.0,
            "answer_scaled_p50_ms": 11.5,
            "answer_ratio": 1.15,
            "probes_answered": 20,
            "probes_asked": 20,
            "scaled_probe_accuracy": 1.0,
            "scaled_probe_sub_item_accuracy": 1.0,
            "scaled_questions_agreement": 1.0,
            **{
                f"{w}_{k}": 1.0
                for w in ("real", "scaled")
                for k in (
                    "sub_items",
                    "read_s",
                    "load_s",
                    "fetch_s",
                    "matcher_build_s",
                    "questions_p50_ms",
                    "questions_p95_ms",
                )
            },
        },
        "floors": {"action_p50_ms": 3.0},
        "long_conversation": {
            "embedded": {"first_p50_ms": 9.0, "last_p50_ms": 9.5, "ratio": 9.5 / 9.0},
            "cluster": {"first_p50_ms": 10.0, "last_p50_ms": 20.0, "ratio": 2.0},
        },
        "peer": {"ours": {"1": 9.0, "20": 600.0}, "stock": {"1": 28.0, "20": 500.0}},
        "train_s": 24.0,
        "cross_validation": {
            "folds": 3,
            "macro_f1": 0.8,
            "accuracy": 0.8,
            "examples": 1747,
            "seconds": 50.0,
            "worst": [["out_of_scope", 0.4]],
        },
    }


def test_report_gives_each_target_its_verdict_and_draws_the_charts(tmp_path: Path) -> None:
    results = json.loads(json.dumps(_results()))  # as report.json holds them
    report = write_report(results, tmp_path)
    lines = {
        line.split("|")[1].strip(): line for line in report.splitlines() if line.startswith("| ")
    }

    def row(words: str) -> str:
        return next(v for k, v in lines.items() if words in k)

    def verdict(line: str) -> str:
        return line.rstrip(" |").rsplit("|", 1)[1].strip()

    # 7.9 ms against 4.0 + 3.0 ms: 1.13×, within 1.5×.
    first = row("first-turn chat p50")
    assert "1.13×" in first and verdict(first) == "met"
    # p99 is 2 × p50 in the fixture: 800 against 600 ms.
    gateway = row("gateway p99 at 50")
    assert "1.33×" in gateway and verdict(gateway) == "**NOT met**"
    assert verdict(row("embedded: a 200-turn")) == "met"
    long_cluster = row("cluster: a 200-turn")
    assert "2.00×" in long_cluster and verdict(long_cluster) == "**NOT met**"
    catalog = next(line for line in report.splitlines() if "sub-items within 10%" in line)
    assert "1.15×" in catalog and "NOT met" in catalog
    cv = row("cross-validation ≥ 0.90")
    assert "0.800" in cv and verdict(cv) == "**NOT met**"
    throughput = next(line for line in report.splitlines() if "≥ 0.6×" in line)
    assert "0.57×" in throughput and "NOT met" in throughput
    peers = [line for line in report.splitlines() if "stock `rasa init`" in line]
    assert [verdict(line) for line in peers] == ["met", "**NOT met**"]
    for chart in ("latency.png", "booking.png", "memory.png"):
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == report
