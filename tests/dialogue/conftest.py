"""A conversation in-process: the real catalog, desk and domain, and a fixed "now".

The channel's masking and sealing are applied as the engine does; "now" is Friday
2026-11-27 15:10 (Asia/Shanghai); there is no NLU (intents empty unless a test gives
one), so what is tested is the dialogue's own reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from chuangkou.booking.calendar import WorkCalendar
from chuangkou.catalog.matcher import Matcher
from chuangkou.catalog.model import Catalog
from chuangkou.dialogue.manager import Dialogue
from chuangkou.dialogue.replies import Reply
from chuangkou.dialogue.state import State
from chuangkou.dialogue.turn import Turn, read_payload
from chuangkou.services import Services
from common.privacy import mask_and_seal

SECRET = "dialogue-test-secret"
NOW = datetime(2026, 11, 27, 15, 10)


@dataclass
class Talk:
    """One person talking to the assistant."""

    dialogue: Dialogue
    state: State = field(default_factory=State)
    now: datetime = NOW
    sender: str = "talk-1"
    history: list[tuple[str, list[Reply]]] = field(default_factory=list)

    def say(self, text: str, intent: str = "", confidence: float = 0.9) -> list[Reply]:
        """Send one message (typed, or a payload starting with "/"); return the replies."""
        masked, sealed = mask_and_seal(text, SECRET)
        payload = read_payload(masked) if masked.startswith("/") else None
        turn = Turn(
            text="" if payload else masked,
            payload=payload,
            intents=((intent, confidence),) if intent else (),
            sealed_phone=sealed,
            sender=self.sender,
            channel="test",
            now=self.now,
        )
        replies, self.state = self.dialogue.handle(turn, self.state)
        self.history.append((text, replies))
        return replies

    def names(self, text: str, intent: str = "") -> list[str]:
        """Send one message; return the response names of the replies."""
        return [r.response for r in self.say(text, intent)]

    @property
    def last(self) -> list[Reply]:
        """The replies of the last turn."""
        return self.history[-1][1]

    def value(self, name: str) -> object:
        """A variable of the last turn's replies."""
        for reply in self.last:
            if name in reply.values:
                return reply.values[name]
        raise KeyError(name)

    def buttons(self) -> list[dict[str, str]]:
        """The buttons of the last turn."""
        return [b for r in self.last for b in r.buttons]


@pytest.fixture
def services(loaded_engine: Engine, catalog: Catalog, calendar: WorkCalendar) -> Services:
    """Catalog, matcher and desk over a SQLite database holding the real catalog."""
    return Services(
        catalog,
        Matcher(catalog),
        sessionmaker(loaded_engine, expire_on_commit=False),
        calendar,
        SECRET,
    )


@pytest.fixture
def talk(services: Services) -> Iterator[Talk]:
    """A fresh conversation."""
    yield Talk(Dialogue(services))


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    """The real calendar data file."""
    from chuangkou.settings import PROJECT_ROOT

    return WorkCalendar.from_file(PROJECT_ROOT / "catalog" / "calendar.yml")
