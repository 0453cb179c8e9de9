"""Fixes to Rasa 3.6 (ENGINE runtime), installed by ONE call: :func:`install`.

``python -m bot`` (the engine's one entry point: serving, training, ``rasa data
validate`` and ``rasa test`` all start that way) calls :func:`install` before Rasa reads
its command line; importing a fix's module changes nothing. Each fix keeps Rasa's
behaviour (same results, same errors) unless its module says otherwise, and says why it
exists:

- :mod:`.action_calls`: the cost of calling the action server (response validation, a
  new HTTP session per call).
- :mod:`.graph_runner`: the cost of running the model's graph through dask.
- :mod:`.gc_tuning`: full garbage collections walking the whole loaded model.
- ``bot/tracker_stores.py`` (not patches: tracker stores named in ``bot/endpoints.yml``
  and ``bot/endpoints.cluster.yml``): a turn's cost flat in the conversation's length,
  and surviving a PostgreSQL outage in the scale-out profile.

The hot-path shares quoted in the modules are of the engine's busy time during a chat
turn, from py-spy over ``make bench``'s load.

Every replaced Rasa function and every piece of Rasa code a fix relies on is listed below
with the sha256 of its source (:mod:`.registry`). :func:`install` checks
``rasa.__version__`` and every fingerprint first and installs nothing unless all match;
``python -m bot`` then refuses to start, naming the patch and what differed. After a Rasa
upgrade: review each fix against the new code, then record the fingerprints that
``python -m bot.engine_patches`` prints. ``CHUANGKOU_ENGINE_PATCHES=off`` (or 0, false,
no) turns every fix off, the tracker store's included, to bisect a fault.

This module imports nothing from Rasa, so listing the patches is cheap.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.engine_patches.registry import (
    Patch,
    PatchError,
    Reliance,
    Tuning,
    load,
    mismatch,
    resolve,
)

__all__ = [
    "MARKER",
    "PATCHES",
    "RASA_VERSION",
    "RELIANCES",
    "SWITCH",
    "TUNINGS",
    "Installed",
    "PatchError",
    "enabled",
    "install",
    "installed",
    "problems",
]

#: The only Rasa release the fixes were checked against.
RASA_VERSION = "3.6.21"
#: The environment variable that turns every fix off (the app's ``Settings.engine_patches``).
SWITCH = "CHUANGKOU_ENGINE_PATCHES"
#: The marker every line :func:`install` logs starts with (tests look for it).
MARKER = "engine patches:"

PATCHES: tuple[Patch, ...] = (
    Patch(
        name="action_calls.validation",
        target="rasa.core.actions.action:RemoteAction._validate_action_result",
        fingerprint="f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
        make="bot.engine_patches.action_calls:validate_action_result",
        why="validate action responses against the schema once, event by event",
    ),
    Patch(
        name="action_calls.shared_session",
        target="rasa.utils.endpoints:EndpointConfig.session",
        fingerprint="e55aa13d9d4fb4bc440ac33b870a97ee162b76dda7ccb6bf68433567475fdffb",
        make="bot.engine_patches.action_calls:shared_session",
        why="one HTTP session per endpoint and event loop, not one per action call",
    ),
    Patch(
        name="graph_runner.run",
        target="rasa.engine.runner.dask:DaskGraphRunner.run",
        fingerprint="45f0f52f574f3aa9546a552bf671183e171092c18b66e97f5771a7fa295de37e",
        make="bot.engine_patches.graph_runner:run",
        why="evaluate the model's graph directly instead of through dask's scheduler",
    ),
    Patch(
        name="gc_tuning.load_model",
        target="rasa.core.agent:Agent.load_model",
        fingerprint="f4c1ab4c5c7af6349384fc0a2d3a1cffdc5f277f08378d07fd0cd247cd4d5fa7",
        make="bot.engine_patches.gc_tuning:load_model",
        why="freeze the loaded model out of the garbage collector's full collections",
    ),
    Patch(
        name="gc_tuning.parse_message",
        target="rasa.core.processor:MessageProcessor.parse_message",
        fingerprint="b98d8e49b9f2c433040af62752212dc374600d50cd21deec82386642b64d30dc",
        make="bot.engine_patches.gc_tuning:parse_message",
        why="freeze what the first parse loads lazily (jieba's dictionary)",
    ),
)

TUNINGS: tuple[Tuning, ...] = (
    Tuning(
        name="gc_tuning.young_threshold",
        apply="bot.engine_patches.gc_tuning:raise_young_threshold",
        why="collect the young generation less often than every 700 allocations",
    ),
)

RELIANCES: tuple[Reliance, ...] = (
    Reliance(
        name="action_calls.shared_session",
        target="rasa.utils.endpoints:EndpointConfig.request",
        fingerprint="ccdb778aed8208e23cde3c3f47eac7fbbbb735dac8f7ef7254d54451c64ad608",
        why="opens its session with `async with self.session()`, the seam that is shared",
    ),
    Reliance(
        name="action_calls.validation",
        target="rasa.core.actions.action:RemoteAction.action_response_format_spec",
        fingerprint="091b74aa3738d1262cf3c028386aaf9dd4f0d5c1374b62392411d70a79104a46",
        why="each event schema of its oneOf pins `event` to its own constant",
    ),
    Reliance(
        name="graph_runner.run",
        target="rasa.engine.runner.dask:DaskGraphRunner._build_dask_graph",
        fingerprint="5bb99f974d512a36acb61caaf77aafc851b90c04ce4d02c262f230c75086cbee",
        why="the task graph the replacement evaluates, as dask would",
    ),
    Reliance(
        name="graph_runner.run",
        target="rasa.engine.runner.dask:DaskGraphRunner._add_inputs_to_graph",
        fingerprint="d04a0ca2df6241c16997b89d63e2ca89cd1d43bd5f9920843a2a86cb4286ac73",
        why="inputs become literal graph entries, as the replacement reads them",
    ),
    Reliance(
        name="tracker_stores.OutageTolerantSQLTrackerStore",
        target="rasa.core.tracker_store:SQLTrackerStore.__init__",
        fingerprint="64e704d159dfa35b86175cccdc9d08b05cbf91b2e0779bccf115671106ad9314",
        why="leaves self.engine and self.sessionmaker, which the store rebuilds to ping",
    ),
    Reliance(
        name="tracker_stores.OutageTolerantSQLTrackerStore",
        target="rasa.core.tracker_store:create_engine_kwargs",
        fingerprint="dff5f092362096da88a6e62b71480d3d085fd321fef756b53fc822ab31526faa",
        why="sets no pool_pre_ping; the store keeps its options and adds that",
    ),
    Reliance(
        name="tracker_stores.OutageTolerantSQLTrackerStore",
        target="rasa.core.tracker_store:FailSafeTrackerStore.retrieve",
        fingerprint="35d77318b0cc79771af3c667bc8c34cd5a56e494eaa8c4d713fd754b9d00d276",
        why="returns None when the store fails, so the store reads its own memory",
    ),
    Reliance(
        name="tracker_stores.OutageTolerantSQLTrackerStore",
        target="rasa.core.tracker_store:_load_from_module_name_in_endpoint_config",
        fingerprint="ffd9d0b30fd73ea8a017bb01d2af49a8c25c0c3e5bf13f6787756c39351c870b",
        why="builds a custom store with host=url and the endpoint's other keys",
    ),
    Reliance(
        name="tracker_stores.recent_turns",
        target="rasa.core.tracker_store:SQLTrackerStore.save",
        fingerprint="57165e46eab3de0866e77f03df0bf7fd5eac2c1de617ed431b934c9a4edfeef6",
        why="writes only what _additional_events yields, which the store narrows",
    ),
    Reliance(
        name="tracker_stores.recent_turns",
        target="rasa.core.tracker_store:SQLTrackerStore.retrieve",
        fingerprint="0d99846daced97d3dee3fae5eecfef6179c7afaeb872b68bbe064bbd65223641",
        why="reads through _retrieve, which the store narrows to the recent turns",
    ),
    Reliance(
        name="tracker_stores.recent_turns",
        target="rasa.core.tracker_store:InMemoryTrackerStore.save",
        fingerprint="d128bca835ee3e18679895d33f773edb851bad45b799af4e923d2e93b367ce45",
        why="streams the tracker's events first, as the store's own save does",
    ),
    Reliance(
        name="tracker_stores.recent_turns",
        target="rasa.core.processor:MessageProcessor.save_tracker",
        fingerprint="e4532dd4d2970f5de27b262336918f75c3096efbb0046d7c554e26ed61887bd3",
        why="saves the very tracker object it retrieved, so the stored count travels",
    ),
)

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Installed:
    """One installed patch: where it went, what it replaced and what replaced it."""

    patch: Patch
    owner: Any
    attribute: str
    original: Any
    replacement: Any


_installed: dict[str, Installed] = {}
_done: list[str] = []  # the line install() logged, once it ran


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether the fixes are on (:data:`SWITCH` unset or empty: on).

    Raises:
        PatchError: A value that is neither on (1/true/yes/on) nor off (0/false/no/off).
    """
    raw = (os.environ if env is None else env).get(SWITCH, "").strip().lower()
    if raw in ("", *_TRUE):
        return True
    if raw in _FALSE:
        return False
    raise PatchError(f"{SWITCH}={raw!r} is neither on (1/true/yes/on) nor off (0/false/no/off)")


def problems() -> list[str]:
    """Everything about the installed Rasa that the fixes were not written against."""
    import rasa

    if rasa.__version__ != RASA_VERSION:
        return [
            f"the engine patches were written for Rasa {RASA_VERSION}, "
            f"this engine has Rasa {rasa.__version__}"
        ]
    found = [mismatch(p.name, "replaces", p.target, p.fingerprint) for p in PATCHES]
    found += [mismatch(r.name, "relies on", r.target, r.fingerprint) for r in RELIANCES]
    return [problem for problem in found if problem is not None]


def install() -> str:
    """Check Rasa, then install every fix (once per process; again is a no-op).

    Returns:
        The one line logged: what was installed, or that the fixes are off.

    Raises:
        PatchError: Rasa's version or a fingerprint differs (nothing is installed then),
            or :data:`SWITCH` has a value that is neither on nor off.
    """
    if _done:
        return _done[0]
    if not enabled():
        line = (
            f"{MARKER} off ({SWITCH}={os.environ.get(SWITCH)}): "
            "Rasa runs as released, bot.tracker_stores as Rasa's SQL store"
        )
    else:
        found = problems()
        if found:
            raise PatchError(
                "; ".join(found)
                + ". Review the patch against that code, then record the fingerprints "
                "`python -m bot.engine_patches` prints (or set "
                f"{SWITCH}=off to run Rasa unpatched)."
            )
        for patch in PATCHES:
            at = resolve(patch.target)
            replacement = load(patch.make)(at.value)
            setattr(at.owner, at.attribute, replacement)
            _installed[patch.name] = Installed(patch, at.owner, at.attribute, at.value, replacement)
        for tuning in TUNINGS:
            load(tuning.apply)()
        import rasa

        names = [p.name for p in PATCHES] + [t.name for t in TUNINGS]
        line = (
            f"{MARKER} installed {len(names)} on Rasa {rasa.__version__} "
            f"({', '.join(names)}); {len(RELIANCES)} Rasa functions they rely on unchanged"
        )
    _log(line)
    _done.append(line)
    return line


def installed() -> Mapping[str, Installed]:
    """The patches :func:`install` installed, by name (empty before it, or when off)."""
    return dict(_installed)


def _log(line: str) -> None:
    # install() runs before Rasa configures logging, and its line must be in every
    # engine command's output (the stories test looks for it): its own handler.
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-8s %(name)s - %(message)s")
        )
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    logger.info(line)
