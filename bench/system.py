"""Whole-system figures for ``make bench``: training, NLU cross-validation, memory.

Cold start is timed where the stacks are started (``bench.run``); this module
holds what needs no running stack, and the reading of a running process tree's memory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import engine_command, process_env
from chuangkou.stack.training import TRAINING_DATA, run_training


def train_seconds() -> float:
    """Seconds of one full ``rasa train --force`` of the project (into a scratch folder)."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run_training(Settings.from_env(), Path(out), quiet=True)
        return time.perf_counter() - start


@dataclass(frozen=True)
class CrossValidation:
    """Intent figures of ``rasa test nlu --cross-validation`` (test folds, accumulated)."""

    folds: int
    macro_f1: float
    accuracy: float
    examples: int
    seconds: float
    worst: list[tuple[str, float]]


def cross_validation(out_dir: Path, *, folds: int = 3) -> CrossValidation:
    """Run Rasa's NLU cross-validation over the training data; keep Rasa's reports.

    The training examples and the catalog-generated lookup tables are what a model is
    trained from, so they are what is cross-validated (the held-out split stays out: it
    is the CI gate's).

    Args:
        out_dir: Where Rasa writes its reports (``intent_report.json`` and plots).
        folds: Number of folds.

    Returns:
        The accumulated test-fold figures.

    Raises:
        subprocess.CalledProcessError: When Rasa fails.
    """
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "nlu"
        data.mkdir()
        # NLU files only: Rasa's cross-validation reads one folder, and rules are not NLU.
        sources = [
            path
            for folder in TRAINING_DATA
            for path in (PROJECT_ROOT / folder).rglob("*.yml")
            if "rules" not in path.relative_to(PROJECT_ROOT / folder).parts
        ]
        for index, path in enumerate(sorted(sources)):
            shutil.copy(path, data / f"{index:02d}-{path.name}")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        start = time.perf_counter()
        subprocess.run(
            engine_command(
                "test",
                "nlu",
                "--nlu",
                str(data),
                "--config",
                "config.yml",
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                str(out_dir),
                "--no-plot",
            ),
            cwd=PROJECT_ROOT,
            env=process_env(Settings.from_env()),
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
    report = json.loads((out_dir / "intent_report.json").read_text(encoding="utf-8"))
    per_intent = {
        name: float(v["f1-score"])
        for name, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and not name.endswith("avg")
    }
    return CrossValidation(
        folds=folds,
        macro_f1=float(report["macro avg"]["f1-score"]),
        accuracy=float(report["accuracy"]),
        examples=int(report["macro avg"]["support"]),
        seconds=seconds,
        worst=sorted(per_intent.items(), key=lambda kv: kv[1])[:3],
    )


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(x) for x in task.read_text().split()]
        except OSError:
            continue
    return kids


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_memory_mib(pid: int) -> tuple[float, int]:
    """Peak resident memory of a process and all its descendants, summed, in MiB.

    Each process's high-water mark (``VmHWM``) is summed, an upper bound of the tree's
    peak; rasa-sdk, for one, serves from a worker process beside its main one.

    Returns:
        (MiB, number of processes in the tree).
    """
    seen: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        seen.append(current)
        todo += _children(current)
    return sum(_peak_kib(p) for p in seen) / 1024, len(seen)
