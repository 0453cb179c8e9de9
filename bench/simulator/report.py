"""The run's report: success overall, per style and kind, turns, the top failure reasons."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from bench.simulator.driver import DialogueResult
from bench.simulator.styles import STYLES


def _rate(ok: int, n: int) -> float:
    return round(ok / n, 4) if n else 0.0


def coarse_reason(reason: str) -> str:
    """A failure reason without what the bot said last.

    "stuck@time(utter_default)" becomes "stuck@time": failures that went wrong at the same
    point are grouped, whatever the bot said instead.
    """
    return re.sub(r"\([^()]*\)$", "", reason)


def summarize(results: list[DialogueResult], *, top: int = 5) -> dict[str, Any]:
    """Aggregate results into the report's figures.

    Args:
        results: Scored dialogues.
        top: How many failure reasons to list (each with one example transcript).

    Returns:
        JSON-ready figures.
    """
    n = len(results)
    wins = [r for r in results if r.success]
    groups: dict[str, dict[str, list[DialogueResult]]] = {
        "by_style": defaultdict(list),
        "by_kind": defaultdict(list),
    }
    for r in results:
        groups["by_style"][r.style].append(r)
        groups["by_kind"][r.kind].append(r)
    breakdown = {
        name: {
            key: {
                "n": len(rs),
                "success": sum(r.success for r in rs),
                "rate": _rate(sum(r.success for r in rs), len(rs)),
            }
            for key, rs in sorted(group.items())
        }
        for name, group in groups.items()
    }
    reasons = Counter(r.reason for r in results if not r.success)
    coarse = Counter(coarse_reason(r.reason) for r in results if not r.success)
    failures = []
    for reason, count in coarse.most_common(top):
        examples = [r for r in results if not r.success and coarse_reason(r.reason) == reason]
        example = min(examples, key=lambda r: (len(r.transcript), r.index))
        variants = Counter(r.reason for r in examples)
        failures.append(
            {
                "reason": reason,
                "count": count,
                "share_of_failures": _rate(count, n - len(wins)),
                "variants": dict(variants.most_common()) if len(variants) > 1 else {},
                "example": example.as_json(with_transcript=True),
            }
        )
    return {
        "n": n,
        "success": len(wins),
        "success_rate": _rate(len(wins), n),
        "turns_per_success": round(sum(r.turns for r in wins) / len(wins), 2) if wins else None,
        **breakdown,
        "failure_reasons": dict(reasons.most_common()),
        "top_failures": failures,
    }


def transcript_text(transcript: list[dict[str, Any]]) -> str:
    """A dialogue as short lines: the person's words, then each bot message's response."""
    lines = []
    for entry in transcript:
        meaning = f"   [{entry['meaning']}]" if entry.get("meaning") else ""
        lines.append(f"  U: {entry['user']}{meaning}")
        if "error" in entry:
            lines.append(f"  !  {entry['error']}")
        for bot in entry.get("bot", []):
            buttons = f"  {{{' | '.join(bot['buttons'])}}}" if bot["buttons"] else ""
            text = bot["text"].replace("\n", " ")
            lines.append(f"  B: <{bot['response']}> {text}{buttons}")
    return "\n".join(lines)


def render_text(summary: dict[str, Any]) -> str:
    """The report as plain text for the terminal."""
    out = [
        f"dialogues: {summary['n']}   success: {summary['success']} "
        f"({summary['success_rate']:.1%})   turns per success: {summary['turns_per_success']}",
        "",
        "per kind:",
    ]
    for kind, row in summary["by_kind"].items():
        out.append(f"  {kind:<13} {row['success']:>4}/{row['n']:<4} {row['rate']:.1%}")
    out += ["", "per style:"]
    for style, row in summary["by_style"].items():
        desc = STYLES[style].description if style in STYLES else ""
        out.append(f"  {style:<13} {row['success']:>4}/{row['n']:<4} {row['rate']:6.1%}  {desc}")
    out += ["", "top failure reasons:"]
    for failure in summary["top_failures"]:
        ex = failure["example"]
        out.append(
            f"- {failure['reason']}: {failure['count']} "
            f"({failure['share_of_failures']:.0%} of failures); example #{ex['index']} "
            f"({ex['kind']}, {ex['style']}) {ex['detail']}"
        )
        for variant, count in failure["variants"].items():
            out.append(f"    {count:>3}  {variant}")
        out.append(transcript_text(ex["transcript"]))
    return "\n".join(out)
