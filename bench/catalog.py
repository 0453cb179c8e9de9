"""Catalog-scale benchmark, in process: the real catalog against one of 2,000+ sub-items.

For each catalog it times what grows with the catalog's size: reading and validating the
files, loading them into a fresh SQLite database, reading them back (what every process
does when a new version is loaded), building the matcher, and matching a question. It
also checks that the larger catalog still answers correctly with no retraining: every
probe about a generated sub-item finds its item, and the real questions find the same
item (and sub-item) as with the real catalog.

The functions return numbers only; ``make bench`` formats them and adds the answer
latency measured through the running engine, asking :func:`prepare_scaled_catalog`'s
probes.
"""

from __future__ import annotations

import gc
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from bench.scale import MARKER_FILE, Probe, generate_scaled_catalog
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.matcher import ItemMatch, Matcher
from chuangkou.catalog.store import fetch_catalog, load_catalog
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from chuangkou.settings import Settings

# Questions about the real catalog's items, as people type them (input text, not replies):
# a whole name, an alias, a sub-item with its item, a sub-item alone, an ambiguous one, a
# fuzzy one and one that matches nothing, so every path of the matcher is timed.
REAL_QUESTIONS: tuple[str, ...] = (
    "电梯使用登记需要什么材料",
    "叉车证要带什么",
    "CMA资质认定多久能办好",
    "强检在麻城哪里办",
    "电线电缆生产许可证怎么申请",
    "加油机强检",
    "锅炉定期检验",
    "条形码注册需要什么材料",
    "组织机构代码证怎么办",
    "电梯需要什么材料",
    "特种设备的许可",
    "今天天气怎么样",
)
# Matcher calls timed per question set: a call takes well under a millisecond, so this
# many cost little and give a stable p95 on a noisy machine.
LATENCY_CALLS = 2000
# Each one-off step (read, load, fetch, build) is timed this often; the median is kept.
ROUNDS = 3
SCALED_DIR = "catalog-scaled"


@dataclass(frozen=True)
class ScaledCatalog:
    """A generated catalog folder and the probes that ask about its generated sub-items."""

    root: Path
    probes: tuple[Probe, ...]


def prepare_scaled_catalog(
    work: Path, *, source: Path | None = None, sub_items: int = 2000
) -> ScaledCatalog:
    """Generate the scaled catalog under ``work`` (replacing an earlier generated one).

    Args:
        work: A working folder; the catalog is written to ``work/catalog-scaled``.
        source: The catalog to grow; the configured catalog folder when omitted.
        sub_items: The least number of sub-items the generated catalog holds.

    Returns:
        The generated folder and its probes.

    Raises:
        FileExistsError: If ``work/catalog-scaled`` exists and was not generated here.
    """
    dest = work / SCALED_DIR
    if dest.exists():
        # Only ever delete a folder the generator wrote (it leaves a marker file).
        if not (dest / MARKER_FILE).is_file():
            raise FileExistsError(f"{dest} exists and is not a generated catalog")
        shutil.rmtree(dest)
    work.mkdir(parents=True, exist_ok=True)
    root = source or Settings.from_env().catalog_dir
    probes = generate_scaled_catalog(root, dest, sub_items=sub_items)
    return ScaledCatalog(dest, tuple(probes))


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _latencies_ms(matcher: Matcher, texts: list[str], calls: int) -> list[float]:
    """Time ``calls`` matches, cycling through the texts; sorted, in milliseconds."""
    for text in texts:
        matcher.match_items(text)  # warm-up: jieba's fuzzy layer is built on first use
    spent: list[float] = []
    gc.collect()
    # As timeit does: a collection landing in one call would only measure the collector.
    gc.disable()
    try:
        for i in range(calls):
            text = texts[i % len(texts)]
            started = time.perf_counter()
            matcher.match_items(text)
            spent.append((time.perf_counter() - started) * 1000)
    finally:
        gc.enable()
    return sorted(spent)


def _timed_catalog(root: Path, db: Path) -> tuple[dict[str, float], Matcher]:
    """Read, load into a fresh database, read back, build the matcher: seconds of each.

    Returns:
        The seconds, and a matcher over the catalog as read back from the database (what
        the action server and the gateway use).
    """
    for stale in db.parent.glob(f"{db.name}*"):  # the database and its WAL files
        stale.unlink()
    started = time.perf_counter()
    parsed = read_catalog(root)
    read_s = time.perf_counter() - started
    engine = make_engine(f"sqlite:///{db}")
    try:
        upgrade(engine)  # creating the schema is not part of a catalog load
        started = time.perf_counter()
        load_catalog(engine, parsed, source=str(root))
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        with Session(engine) as session:
            stored = fetch_catalog(session)
        fetch_s = time.perf_counter() - started
    finally:
        engine.dispose()
    started = time.perf_counter()
    matcher = Matcher(stored)
    build_s = time.perf_counter() - started
    seconds = {"read_s": read_s, "load_s": load_s, "fetch_s": fetch_s, "matcher_build_s": build_s}
    return seconds, matcher


def _median_rounds(root: Path, db: Path, rounds: int) -> tuple[dict[str, float], Matcher]:
    """:func:`_timed_catalog` ``rounds`` times; the median of each step, the last matcher."""
    runs = [_timed_catalog(root, db) for _ in range(rounds)]
    medians = {key: statistics.median(run[key] for run, _ in runs) for key in runs[0][0]}
    return medians, runs[-1][1]


def _verdict(match: ItemMatch) -> tuple[str | None, str | None]:
    best = match.best
    return (best.item_code, best.sub_item_code) if best else (None, None)


def measure_catalog_scale(
    work: Path,
    *,
    source: Path | None = None,
    sub_items: int = 2000,
    calls: int = LATENCY_CALLS,
    rounds: int = ROUNDS,
    scaled: ScaledCatalog | None = None,
) -> dict[str, float | int]:
    """Measure the real catalog and a generated one of ``sub_items`` sub-items.

    Keys are prefixed ``real_`` or ``scaled_``: ``sub_items``, ``items``, ``read_s``
    (read and validate), ``load_s`` (into a fresh SQLite database), ``fetch_s`` (read
    back from it), ``matcher_build_s`` (the last two are what the first answer after a
    catalog load waits for), ``questions_p50_ms`` / ``questions_p95_ms``
    (matching :data:`REAL_QUESTIONS`) and ``probes_p50_ms`` / ``probes_p95_ms``
    (matching the probes' texts). Besides: ``scaled_probe_accuracy`` (share of probes
    whose best item is the expected one), ``scaled_probe_sub_item_accuracy`` (the same
    for the sub-item), ``scaled_questions_agreement`` (share of real questions with the
    same verdict, item and sub-item or none, on both catalogs), ``probes`` and
    ``questions_p50_ratio`` (scaled over real median latency on the real questions).

    Args:
        work: A working folder for the generated catalog and the databases.
        source: The real catalog; the configured catalog folder when omitted.
        sub_items: The least number of sub-items of the generated catalog.
        calls: Matcher calls timed per question set.
        rounds: Times each one-off step is timed (the median is reported).
        scaled: An already generated catalog to measure (generated here when omitted).

    Returns:
        The numbers, for the caller to format.
    """
    real_root = source or Settings.from_env().catalog_dir
    if scaled is None:
        scaled = prepare_scaled_catalog(work, source=real_root, sub_items=sub_items)
    probe_texts = [p.text for p in scaled.probes]
    questions = list(REAL_QUESTIONS)
    # One untimed pass first: imports, spaCy's first pipeline, OpenCC's tables, the schema
    # validators and SQLAlchemy's mappers are paid once per process, by whichever catalog
    # came first, and would otherwise be billed to the real one.
    _timed_catalog(real_root, work / "bench-catalog-warmup.db")
    results: dict[str, float | int] = {}
    verdicts: dict[str, list[tuple[str | None, str | None]]] = {}
    matchers: dict[str, Matcher] = {}
    for name, root in (("real", real_root), ("scaled", scaled.root)):
        numbers: dict[str, float | int] = {}
        seconds, matcher = _median_rounds(root, work / f"bench-catalog-{name}.db", rounds)
        numbers.update(seconds)
        numbers["items"] = len(matcher.catalog.items)
        numbers["sub_items"] = matcher.catalog.sub_item_count()
        for label, texts in (("questions", questions), ("probes", probe_texts)):
            ordered = _latencies_ms(matcher, texts, calls)
            numbers[f"{label}_p50_ms"] = _percentile(ordered, 0.50)
            numbers[f"{label}_p95_ms"] = _percentile(ordered, 0.95)
        verdicts[name] = [_verdict(matcher.match_items(q)) for q in questions]
        matchers[name] = matcher
        results.update({f"{name}_{key}": value for key, value in numbers.items()})
    found = [_verdict(matchers["scaled"].match_items(p.text)) for p in scaled.probes]
    total = max(1, len(scaled.probes))
    results["probes"] = len(scaled.probes)
    results["scaled_probe_accuracy"] = (
        sum(item == p.item_code for (item, _), p in zip(found, scaled.probes, strict=True)) / total
    )
    results["scaled_probe_sub_item_accuracy"] = (
        sum(sub == p.sub_item_code for (_, sub), p in zip(found, scaled.probes, strict=True))
        / total
    )
    results["scaled_questions_agreement"] = statistics.fmean(
        a == b for a, b in zip(verdicts["real"], verdicts["scaled"], strict=True)
    )
    results["questions_p50_ratio"] = (
        results["scaled_questions_p50_ms"] / results["real_questions_p50_ms"]
    )
    return results
