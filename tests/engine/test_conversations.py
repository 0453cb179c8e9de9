"""The conversation suite through the real engine: Rasa's NLU, the policy, the action server.

The same conversations as tests/dialogue, typed into the REST channel of a stack whose
clock is the suite's fixed "now" (``CHUANGKOU_CLOCK``). What each turn answered is read
from the tracker (response names and variables are in the bot events' metadata), the
conversation's memory from its slot, and bookings from the stack's own database.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from actions.turn import STATE_SLOT
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog_at
from chuangkou.db import make_engine
from chuangkou.settings import CLOCK_FORMAT, PROJECT_ROOT
from chuangkou.stack import StackConfig, running_stack
from tests.dialogue.conftest import NOW
from tests.utils import conversations
from tests.utils.conversations import Conversation, Reply, Run
from tests.utils.stack import stack_settings

pytestmark = pytest.mark.engine

SUITE = conversations.load()


@pytest.fixture(scope="module")
def rehearsal(
    model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Engine]]:
    """A stack over the real catalog whose clock stands at the suite's "now"."""
    url = f"sqlite:///{tmp_path_factory.mktemp('conversations') / 'conv.db'}"
    load_catalog_at(url, read_catalog(PROJECT_ROOT / "catalog"), source="conversations")
    settings = stack_settings(url, clock=NOW.strftime(CLOCK_FORMAT))
    cfg = StackConfig.from_settings(settings, log_dir=tmp_path_factory.mktemp("conv-logs"))
    engine = make_engine(url)
    with running_stack(cfg):
        yield settings.engine_url, engine
    engine.dispose()


def _request(url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as resp:
        return json.loads(resp.read().decode("utf-8"))


def _turn(base: str, sender: str, text: str) -> tuple[list[Reply], dict[str, Any]]:
    """Send one message; the bot's replies of this turn and the conversation's memory."""
    _request(f"{base}/webhooks/rest/webhook", {"sender": sender, "message": text})
    tracker = _request(f"{base}/conversations/{urllib.parse.quote(sender)}/tracker")
    events = tracker.get("events") or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    replies = []
    for event in events[last_user + 1 :]:
        if event.get("event") != "bot":
            continue
        meta = event.get("metadata") or {}
        buttons = (event.get("data") or {}).get("buttons") or []
        replies.append(Reply(str(meta.get("utter_action") or ""), dict(meta), list(buttons)))
    state = (tracker.get("slots") or {}).get(STATE_SLOT) or {}
    return replies, state if isinstance(state, dict) else {}


@pytest.mark.parametrize("conversation", SUITE, ids=lambda c: f"{c.file}: {c.name}")
def test_conversation_through_the_engine(
    conversation: Conversation, rehearsal: tuple[str, Engine]
) -> None:
    base, engine = rehearsal
    # Each conversation finds the windows as empty as in-process (seats are few).
    with engine.begin() as conn:
        for table in ("booking_events", "bookings", "slot_seats"):
            conn.execute(text(f"DELETE FROM {table}"))
    sender = f"conv-{uuid.uuid4().hex[:10]}"
    run = Run(conversation)
    for index, step in enumerate(conversation.steps):
        said = run.text(step.say)
        replies, state = _turn(base, sender, said)
        rows = conversations.booking_rows(engine)
        problems = conversations.check(run, step, replies, state, rows)
        assert not problems, f"turn {index + 1} {said[:60]!r}: {problems}"
