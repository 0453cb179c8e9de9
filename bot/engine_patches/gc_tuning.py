"""Keep the garbage collector off the model (~1.7 ms of every turn on average).

The loaded model (TensorFlow, scikit-learn, jieba's dictionary, the domain) is some
hundreds of MB of long-lived Python objects. Measured during ``make bench`` load, each
full (generation 2) collection walked all of them: ~120 ms, about every hundred turns,
that is ~1.7 ms per turn on average and a 120 ms stall for the unlucky one. Once the
model has parsed its first message (jieba builds its dictionary on first use), all of
it is moved to the permanent generation (``gc.freeze``), which no collection walks; it
stays reachable, so nothing is freed early, and objects still die by reference count.
The young-generation threshold is raised too: a chat turn allocates thousands of
short-lived objects, and collecting them every 700 allocations cost more than the
cycles it found.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent
from rasa.core.processor import MessageProcessor

# Collections of the young generation: after this many net allocations (CPython's
# default is 700); the older generations keep their default ratios.
YOUNG_THRESHOLD = 20_000


def load_model(rasa_load_model: Callable[..., None]) -> Callable[..., None]:
    """``Agent.load_model``'s replacement: Rasa's, then the new model frozen."""

    def _load_model(self: Agent, *args: Any, **kwargs: Any) -> None:
        # A model replacing another: let the old one's cycles be collected (frozen
        # objects never are), then freeze the new one.
        gc.unfreeze()
        rasa_load_model(self, *args, **kwargs)
        gc.collect()
        gc.freeze()

    return _load_model


def parse_message(
    rasa_parse_message: Callable[..., Awaitable[Any]],
) -> Callable[..., Awaitable[Any]]:
    """``MessageProcessor.parse_message``'s replacement: Rasa's; after the first, a freeze."""

    async def _parse_message(self: MessageProcessor, *args: Any, **kwargs: Any) -> Any:
        result = await rasa_parse_message(self, *args, **kwargs)
        if not self.__dict__.get("_ck_frozen"):
            # The first parse built what the model loads lazily; freeze that as well.
            self.__dict__["_ck_frozen"] = True
            gc.collect()
            gc.freeze()
        return result

    return _parse_message


def raise_young_threshold() -> None:
    """Collect the young generation after :data:`YOUNG_THRESHOLD` allocations."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
