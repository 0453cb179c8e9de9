"""Fixes to Rasa 3.6 (ENGINE runtime), installed by :func:`install` at engine start.

``python -m bot`` (the engine's one entry point) calls :func:`install` before Rasa loads
the model or creates the tracker store. Each fix keeps Rasa's behaviour (same results,
same errors) unless its module says otherwise, and says why it exists:

- :mod:`.tracker_store`: surviving a PostgreSQL outage in the scale-out profile.
- :mod:`.action_calls`: the cost of calling the action server (response validation, a
  new HTTP session per call).
- :mod:`.graph_runner`: the cost of running the model's graph through dask.
- :mod:`.gc_tuning`: full garbage collections walking the whole loaded model.

The hot-path shares quoted in the modules are of the engine's busy time during a chat
turn, from py-spy over ``make bench``'s load.
"""

from __future__ import annotations


def install() -> None:
    """Apply every fix (importing a fix's module applies it)."""
    from bot.engine_patches import action_calls, gc_tuning, graph_runner, tracker_store

    del action_calls, gc_tuning, graph_runner, tracker_store
