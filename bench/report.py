"""The benchmark report: Markdown tables, PNG charts, and each target with its verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server
import matplotlib.pyplot as plt

KINDS = {
    "parse": "bare engine /model/parse",
    "webhook": "chat turn, engine REST webhook",
    "gateway": "chat turn, public gateway",
}


COLORS = {"parse": "#1f77b4", "webhook": "#2ca02c", "gateway": "#d62728"}


def _verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def _latency_rows(profile: str, latency: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    rows = []
    for kind, levels in latency.items():
        for level, s in levels.items():
            rows.append(
                f"| {profile} | {KINDS[kind]} | {level} | {s['p50']:.1f} | {s['p95']:.1f} "
                f"| {s['p99']:.1f} | {s['per_second']:.0f} |"
            )
    return rows


def _targets(results: dict[str, Any]) -> list[str]:
    lines = ["## Targets", "", "| target | measured | baseline (same run) | verdict |"]
    lines.append("|---|---|---|---|")
    floors = results.get("floors") or {}
    for profile, data in results["profiles"].items():
        lat = data["latency"]
        parse1 = lat["parse"]["1"]["p50"]
        if profile == "embedded" and "action_p50_ms" in floors:
            floor = parse1 + floors["action_p50_ms"]
            ratio = lat["webhook"]["1"]["p50"] / floor
            lines.append(
                f"| {profile}: first-turn chat p50 ≤ 1.5× (bare parse + bare action call) "
                f"| {lat['webhook']['1']['p50']:.1f} ms ({ratio:.2f}×) "
                f"| {parse1:.1f} + {floors['action_p50_ms']:.1f} ms | {_verdict(ratio <= 1.5)} |"
            )
        top = max(lat["parse"], key=int)
        if "gateway" in lat:
            ratio = lat["gateway"][top]["p99"] / lat["webhook"][top]["p99"]
            lines.append(
                f"| {profile}: gateway p99 at {top} conversations ≤ 1.3× the webhook's "
                f"| {lat['gateway'][top]['p99']:.0f} ms ({ratio:.2f}×) "
                f"| {lat['webhook'][top]['p99']:.0f} ms | {_verdict(ratio <= 1.3)} |"
            )
        if "gateway" in lat:
            share = lat["gateway"][top]["per_second"] / lat["parse"][top]["per_second"]
            lines.append(
                f"| {profile}: gateway throughput at {top} conversations ≥ 0.6× bare engine "
                f"| {lat['gateway'][top]['per_second']:.0f}/s ({share:.2f}×) "
                f"| {lat['parse'][top]['per_second']:.0f}/s | {_verdict(share >= 0.6)} |"
            )
    for profile, row in (results.get("long_conversation") or {}).items():
        lines.append(
            f"| {profile}: a 200-turn conversation, p50 of turns 181–200 ≤ 1.5× turns 1–20 "
            f"| {row['last_p50_ms']:.1f} ms ({row['ratio']:.2f}×) | {row['first_p50_ms']:.1f} ms "
            f"| {_verdict(row['ratio'] <= 1.5)} |"
        )
    peer = results.get("peer") or {}
    for level, ours in (peer.get("ours") or {}).items():
        stock = (peer.get("stock") or {}).get(level)
        if stock is not None:
            lines.append(
                f"| 20-turn conversations, {level} at a time: our full turn p50 below a stock "
                f"`rasa init` bot's | {ours:.1f} ms | {stock:.1f} ms | {_verdict(ours < stock)} |"
            )
    cat = results["catalog"]
    lines.append(
        f"| answer latency at {cat['scaled_sub_items']} sub-items within 10% of the real "
        f"catalog's | {cat['answer_scaled_p50_ms']:.1f} ms ({cat['answer_ratio']:.2f}×) "
        f"| {cat['answer_real_p50_ms']:.1f} ms | {_verdict(cat['answer_ratio'] <= 1.10)} |"
    )
    lines.append(
        f"| full `rasa train` ≤ 180 s | {results['train_s']:.0f} s | — "
        f"| {_verdict(results['train_s'] <= 180)} |"
    )
    cv = results["cross_validation"]
    lines.append(
        f"| NLU intent macro-F1, cross-validation ≥ 0.90 "
        f"| {cv['macro_f1']:.3f} ({cv['folds']} folds) | — | {_verdict(cv['macro_f1'] >= 0.90)} |"
    )
    lines += _understanding_targets(results.get("understanding"))
    return lines


def _understanding_targets(u: dict[str, Any] | None) -> list[str]:
    if not u:
        return []
    sim, ood, held = u["simulator"], u["ood"], u["heldout"]
    weakest = min(sim["by_style"].items(), key=lambda kv: kv[1]["rate"])
    return [
        f"| NLU intent macro-F1, held-out split ≥ 0.93 | {held['macro_f1']:.3f} | — "
        f"| {_verdict(held['macro_f1'] >= 0.93)} |",
        f"| simulated citizens' task success ≥ 97 % ({sim['n']} dialogues) "
        f"| {sim['success_rate']:.1%} | — | {_verdict(sim['success_rate'] >= 0.97)} |",
        f"| every style ≥ 90 % (weakest: {weakest[0]}) | {weakest[1]['rate']:.1%} | — "
        f"| {_verdict(weakest[1]['rate'] >= 0.90)} |",
        f"| other departments' questions answered as ours ≤ 2 % ({ood['n']} questions) "
        f"| {ood['false_accept_rate']:.1%} | — | {_verdict(ood['false_accept_rate'] <= 0.02)} |",
        f'| … answered "which item?" ≤ 5 % | {ood["which_item_rate"]:.1%} | — '
        f"| {_verdict(ood['which_item_rate'] <= 0.05)} |",
    ]


def _understanding_section(u: dict[str, Any] | None) -> list[str]:
    if not u:
        return []
    sim, ood = u["simulator"], u["ood"]
    lines = [
        "## Understanding",
        "",
        f"User simulator: {sim['n']} goal-driven dialogues through the engine and action "
        f"server, scored by the booking row or the reported missing-document list; "
        f"success {sim['success_rate']:.1%}, {sim['turns_per_success']} turns per success.",
        "",
        "| style | dialogues | success |",
        "|---|---|---|",
        *(
            f"| {style} | {row['n']} | {row['rate']:.1%} |"
            for style, row in sim["by_style"].items()
        ),
        "",
        f"Other departments' questions (`bench/data/ood_eval.yml`, never trained on): "
        f"{ood['n']} questions; answered as one of our items {ood['false_accept_rate']:.1%}, "
        f'asked "which item?" {ood["which_item_rate"]:.1%}, declined or referred '
        f"{ood['declined_rate']:.1%}.",
        "",
    ]
    for outcome, shown in ood["examples"].items():
        lines += [f"- {outcome}: {e['text']} → {', '.join(e['responses'])}" for e in shown]
    return lines


def _chart_latency(results: dict[str, Any], path: Path) -> None:
    profiles = results["profiles"]
    fig, axes = plt.subplots(2, len(profiles), figsize=(6 * len(profiles), 8), squeeze=False)
    for col, (profile, data) in enumerate(profiles.items()):
        for kind, levels in data["latency"].items():
            xs = [int(x) for x in levels]
            color = COLORS[kind]
            axes[0][col].plot(
                xs, [levels[x]["p50"] for x in levels], marker="o", color=color, label=kind
            )
            axes[0][col].plot(
                xs,
                [levels[x]["p95"] for x in levels],
                linestyle="--",
                color=color,
                alpha=0.5,
                label=f"{kind} p95",
            )
            axes[1][col].plot(
                xs, [levels[x]["per_second"] for x in levels], marker="o", color=color, label=kind
            )
        axes[0][col].set_title(f"{profile}: latency (p50 solid, p95 dashed)")
        axes[0][col].set_ylabel("ms")
        axes[1][col].set_title(f"{profile}: throughput")
        axes[1][col].set_ylabel("requests/s")
        for row in (0, 1):
            axes[row][col].set_xlabel("concurrent conversations")
            axes[row][col].set_xscale("log")
            axes[row][col].legend(fontsize=8)
            axes[row][col].grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _chart_bars(values: dict[str, float], title: str, unit: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(values) + 1.5))
    labels = [k.replace("SQLite", "SQLite").replace("PostgreSQL", "PG") for k in values]
    ax.barh(labels, list(values.values()), color="#4a7ab5")
    for i, v in enumerate(values.values()):
        ax.text(v, i, f" {v:.1f}", va="center", fontsize=8)
    ax.set_title(title)
    ax.set_xlabel(unit)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _catalog_section(cat: dict[str, Any]) -> list[str]:
    rows = [
        ("sub-items", "sub_items", "{:.0f}"),
        ("read + validate files (s)", "read_s", "{:.3f}"),
        ("load into a fresh SQLite DB (s)", "load_s", "{:.3f}"),
        ("read back from the DB (s)", "fetch_s", "{:.3f}"),
        ("build the matcher (s)", "matcher_build_s", "{:.3f}"),
        ("matcher, real questions p50 (ms)", "questions_p50_ms", "{:.3f}"),
        ("matcher, real questions p95 (ms)", "questions_p95_ms", "{:.3f}"),
    ]
    lines = [
        "## Catalog scale",
        "",
        f"A catalog generated from the real one (`bench/scale.py`) with "
        f"{cat['scaled_sub_items']} sub-items, against the real catalog. Answer latency is "
        "a chat turn (webhook, 1 conversation) with the catalog swapped in the running "
        "stack's database — no restart, no retraining — alternately twice, median p50.",
        "",
        "| | real catalog | generated catalog |",
        "|---|---|---|",
    ]
    for label, key, fmt in rows:
        lines.append(
            f"| {label} | {fmt.format(cat['real_' + key])} | {fmt.format(cat['scaled_' + key])} |"
        )
    lines += [
        f"| chat answer p50 through the engine (ms) | {cat['answer_real_p50_ms']:.1f} "
        f"| {cat['answer_scaled_p50_ms']:.1f} |",
        "",
        f"- Questions about generated sub-items answered with the right item through the "
        f"engine (model trained on the real catalog): **{cat['probes_answered']} of "
        f"{cat['probes_asked']}**; matcher alone: "
        f"{cat['scaled_probe_accuracy']:.0%} items, {cat['scaled_probe_sub_item_accuracy']:.0%}"
        f" sub-items.",
        f"- Real questions resolved the same on both catalogs: "
        f"{cat['scaled_questions_agreement']:.0%}.",
    ]
    return lines


def write_report(results: dict[str, Any], out_dir: Path) -> str:
    """Write ``report.md`` and its charts into ``out_dir``; return the Markdown."""
    _chart_latency(results, out_dir / "latency.png")
    _chart_bars(
        results["booking_per_s"], "Bookings per second", "bookings/s", out_dir / "booking.png"
    )
    memory = {
        f"{profile}: {name}": m["peak_mib"]
        for profile, data in results["profiles"].items()
        for name, m in data["memory"].items()
    }
    _chart_bars(memory, "Peak resident memory per process (tree)", "MiB", out_dir / "memory.png")
    lines = [
        "# chuangkou benchmark report",
        "",
        f"Measured {results['when']} on this machine, all in one run (`make bench`). Chat "
        "rows are first turns of fresh conversations (NLU, policy, one action reading the "
        "catalog database); questions: " + "、".join(results["questions"]) + ".",
        "",
        *_targets(results),
        "",
        "## Chat latency and throughput",
        "",
        "Embedded: one engine, SQLite, in-memory trackers. Cluster: two engines, trackers "
        "in PostgreSQL, locks in Redis, catalog and bookings in PostgreSQL; requests are "
        "spread over both engines.",
        "",
        "![latency and throughput](latency.png)",
        "",
        "| profile | path | concurrency | p50 ms | p95 ms | p99 ms | req/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for profile, data in results["profiles"].items():
        lines += _latency_rows(profile, data["latency"])
    lines += [
        "",
        "## Booking",
        "",
        "Library: `create_booking`, distinct phones, 300 bookings. Chat: whole booking "
        "conversations (7 turns: item, office, day, slot, name, phone, confirm), 4 at a "
        "time, through the engine's REST webhook and the action server.",
        "",
        "![bookings per second](booking.png)",
        "",
        "| path | bookings/s |",
        "|---|---|",
        *(f"| {k} | {v:.1f} |" for k, v in results["booking_per_s"].items()),
        "",
        "Race: 200 people at once (32 threads) for the last 10 of 50 seats of one slot.",
        "",
        "| database | booked | refused (full) | other errors | seats taken after |",
        "|---|---|---|---|---|",
        *(
            f"| {db} | {r['booked']} | {r['slot_full']} | {r['other']} | {r['seats_taken']} |"
            for db, r in results["race"].items()
        ),
        "",
        *_catalog_section(results["catalog"]),
        "",
        *_understanding_section(results.get("understanding")),
        "",
        "## Start-up, training, memory",
        "",
        "| what | figure |",
        "|---|---|",
        *(
            f"| cold start, {p} profile (launch to every process answering) | {s:.1f} s |"
            for p, s in results["cold_start_s"].items()
        ),
        f"| full `rasa train --force` | {results['train_s']:.1f} s |",
        "",
        "![peak memory](memory.png)",
        "",
        "| profile | process | peak RSS (MiB, summed over its process tree) | processes |",
        "|---|---|---|---|",
        *(
            f"| {profile} | {name} | {m['peak_mib']:.0f} | {m['processes']} |"
            for profile, data in results["profiles"].items()
            for name, m in data["memory"].items()
        ),
        "",
        "## NLU cross-validation",
        "",
        _cv_line(results["cross_validation"]),
        "",
        "Rasa's own reports (per intent, confusion) are in `build/bench/cross-validation/`.",
    ]
    report = "\n".join(lines) + "\n"
    (out_dir / "report.md").write_text(report, encoding="utf-8")
    return report


def _cv_line(cv: dict[str, Any]) -> str:
    worst = ", ".join(f"{name} {f1:.2f}" for name, f1 in cv["worst"])
    return (
        f"`rasa test nlu --cross-validation --folds {cv['folds']}` over the training data "
        f"({cv['examples']} examples, {cv['seconds']:.0f} s): intent macro-F1 "
        f"**{cv['macro_f1']:.3f}**, accuracy {cv['accuracy']:.3f}; weakest intents: {worst}."
    )
