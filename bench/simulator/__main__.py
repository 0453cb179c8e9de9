r"""``python -m bench.simulator``: run simulated dialogues and print the report.

Against a running stack::

    .venv-app/bin/python -m bench.simulator --engine http://127.0.0.1:5005 \\
        --database sqlite:///build/chuangkou.db -n 1000 --seed 7 --json out.json

or on a stack of its own (free ports, a fresh SQLite file with the catalog)::

    .venv-app/bin/python -m bench.simulator --start-stack -n 300 --seed 7
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.simulator.driver import RunConfig, print_progress, run
from bench.simulator.report import render_text, summarize
from bench.simulator.styles import STYLE_NAMES
from bench.simulator.world import own_stack


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.simulator", description=__doc__)
    parser.add_argument("--engine", help="engine base URL (http://127.0.0.1:5005)")
    parser.add_argument("--database", help="the DATABASE_URL the stack runs with")
    parser.add_argument("--start-stack", action="store_true", help="start a stack of its own")
    parser.add_argument("-n", type=int, default=100, help="number of dialogues")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=2, help="dialogues at a time")
    parser.add_argument("--styles", default=",".join(STYLE_NAMES), help="comma-separated")
    parser.add_argument("--docs-share", type=float, default=0.4, help="share of doc checks")
    parser.add_argument("--json", type=Path, help="write the report (and every result) here")
    parser.add_argument("--work-dir", type=Path, help="own stack: where its DB and logs go")
    parser.add_argument(
        "--all-transcripts", action="store_true", help="keep successes' transcripts in --json too"
    )
    args = parser.parse_args(argv)
    if not args.start_stack and not (args.engine and args.database):
        parser.error("give --engine and --database, or --start-stack")
    unknown = set(args.styles.split(",")) - set(STYLE_NAMES)
    if unknown:
        parser.error(f"unknown styles: {', '.join(sorted(unknown))}")
    return args


def _run(args: argparse.Namespace, engine: str, database: str) -> int:
    config = RunConfig(
        engine_url=engine,
        database_url=database,
        n=args.n,
        seed=args.seed,
        concurrency=args.concurrency,
        styles=tuple(args.styles.split(",")),
        docs_share=args.docs_share,
    )
    started = time.monotonic()
    results = run(config, print_progress)
    summary = summarize(results)
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(render_text(summary))
    print(f"\n{summary['seconds']} s")
    if args.json:
        summary["dialogues"] = [
            r.as_json(with_transcript=args.all_transcripts or not r.success) for r in results
        ]
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"report written to {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the simulator.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit code.
    """
    args = parse_args(argv)
    if not args.start_stack:
        return _run(args, args.engine, args.database)
    with tempfile.TemporaryDirectory(prefix="simulator-") as tmp:
        work = args.work_dir or Path(tmp)
        print(f"starting a stack in {work} …", file=sys.stderr)
        with own_stack(work) as (engine, database):
            return _run(args, engine, database)


if __name__ == "__main__":
    sys.exit(main())
