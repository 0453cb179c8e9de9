"""The conversation suite in-process: fixed clock, no NLU, the dialogue's own reading."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from chuangkou.dialogue.manager import Dialogue
from chuangkou.services import Services
from tests.dialogue.conftest import Talk
from tests.utils import conversations
from tests.utils.conversations import Conversation, Reply, Run

SUITE = conversations.load()


def test_the_suite_covers_every_pattern() -> None:
    assert len(SUITE) >= 40
    assert {c.file for c in SUITE} >= {"booking", "manage", "questions", "support"}


@pytest.mark.parametrize("conversation", SUITE, ids=lambda c: f"{c.file}: {c.name}")
def test_conversation(
    conversation: Conversation, services: Services, loaded_engine: Engine
) -> None:
    talk = Talk(Dialogue(services), sender=f"conv-{conversation.phone}")
    run = Run(conversation)
    for index, step in enumerate(conversation.steps):
        said = run.text(step.say)
        replies = [Reply(r.response, r.values, r.buttons) for r in talk.say(said, step.intent)]
        problems = conversations.check(
            run, step, replies, talk.state.to_json(), conversations.booking_rows(loaded_engine)
        )
        assert not problems, f"turn {index + 1} {said[:60]!r}: {problems}"
