"""好差评: /api/feedback checks strictly, reads the answer from the tracker, stores one vote.

Votes are kept one per answer, masked and with the conversation hashed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from chuangkou.db import make_engine
from chuangkou.feedback.store import Vote, erase_comments, record, tallies
from chuangkou.feedback.tables import AnswerFeedback
from chuangkou.feedback.turns import TurnFacts, answered_turn
from chuangkou.gateway.keys import LIMITER
from chuangkou.migrate import upgrade
from tests.gateway.conftest import FakeEngine
from tests.utils.postgres import temporary_database

Client = TestClient[web.Request, web.Application]
SESSION = "feedbacktest01"
SENDER = f"widget-{SESSION}"


def _user(text: str, intent: str) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.99}, "entities": []},
        "input_channel": "widget",
    }


def _bot(response: str, **values: str) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response, **values}}


def _state(**values: Any) -> dict[str, Any]:
    return {"event": "slot", "name": "dialogue_state", "value": {"turns": 1, **values}}


def _conversation() -> list[dict[str, Any]]:
    """Five answered turns, as the engine's tracker lists them (restart included)."""
    return [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        _user("/greet", "greet"),  # turn 1
        _bot("utter_greet"),
        _state(),
        _user("电梯使用登记需要什么材料", "ask_requirements"),  # turn 2
        _bot("utter_requirements", item_label="“特种设备使用登记”（电梯）"),
        _bot("utter_ask_applicant"),
        _state(item="FW01", sub_item="FW01-01"),
        _user("你能做什么", "ask_help"),  # turn 3: about no item, though FW01 is remembered
        _bot("utter_help"),
        _state(item="FW01"),
        _user("收费吗", "ask_fee"),  # taken but not answered (the action server failed)
        _user("我想预约叉车证", "book_appointment"),  # turn 4: the name, not the state
        _bot("utter_ask_office_code", item_name="特种设备作业人员资格认定"),
        _state(item="FW01", booking={"item": "SP04"}),
        {"event": "restart"},
        _user("/greet", "greet"),  # turn 5: the page's count does not restart
        _bot("utter_greet"),
    ]


class TrackerEngine(FakeEngine):
    """The fake engine, also answering ``GET /conversations/{id}/tracker``."""

    def __init__(self) -> None:
        super().__init__()
        self.trackers: dict[str, list[dict[str, Any]]] = {SENDER: _conversation()}
        self.tracker_status = 200
        self.tracker_queries: list[dict[str, str]] = []

    def app(self) -> web.Application:
        """The webhook and the tracker endpoint."""
        app = super().app()

        async def tracker(request: web.Request) -> web.Response:
            self.tracker_queries.append(dict(request.query))
            if self.tracker_status != 200:
                return web.json_response({"error": "boom"}, status=self.tracker_status)
            sender = request.match_info["sender"]
            # An unknown conversation: Rasa answers with a fresh session, no turns.
            events = self.trackers.get(sender, [{"event": "session_started"}])
            return web.json_response({"sender_id": sender, "events": events})

        app.router.add_get("/conversations/{sender}/tracker", tracker)
        return app


@pytest.fixture
async def fake_engine() -> AsyncIterator[tuple[TrackerEngine, str]]:
    """Overrides the gateway conftest's fake engine (its ``client`` fixture uses this)."""
    fake = TrackerEngine()
    server = TestServer(fake.app())
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


def _rows(engine: Engine) -> list[AnswerFeedback]:
    with sessionmaker(engine, expire_on_commit=False)() as session:
        return list(session.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id)))


async def _vote(client: Client, **body: Any) -> tuple[int, dict[str, Any]]:
    resp = await client.post("/api/feedback", json={"session_id": SESSION, **body})
    return resp.status, await resp.json()


async def test_a_vote_stores_the_answer_it_is_about(
    client: Client, loaded_engine: Engine, fake_engine: tuple[TrackerEngine, str]
) -> None:
    before = datetime.now(UTC)
    status, data = await _vote(client, turn=2, helpful=True)
    assert status == 200 and data["stored"] is True and data["replaced"] is False
    assert "感谢" in data["message"]
    [row] = _rows(loaded_engine)
    assert (row.turn, row.helpful, row.channel, row.comment) == (2, True, "widget", None)
    assert row.response == "utter_requirements"
    assert row.responses == "utter_requirements utter_ask_applicant"
    assert (row.intent, row.item_code) == ("ask_requirements", "FW01")
    # The conversation is a keyed hash: neither the session id nor the engine's id.
    assert len(row.conversation) == 64 and SESSION not in row.conversation
    stored_at = row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC)
    assert before - timedelta(seconds=1) <= stored_at <= datetime.now(UTC)
    # Every event is read, restarts included.
    assert fake_engine[0].tracker_queries[-1] == {"include_events": "ALL"}


async def test_each_turn_gets_its_own_item(client: Client, loaded_engine: Engine) -> None:
    for turn in (1, 3, 4, 5):
        assert (await _vote(client, turn=turn, helpful=False))[0] == 200
    rows = {row.turn: row for row in _rows(loaded_engine)}
    assert (rows[1].response, rows[1].item_code) == ("utter_greet", None)
    assert (rows[3].response, rows[3].item_code) == ("utter_help", None)
    # The answer named 叉车证's item, found in the catalog by its name.
    assert (rows[4].response, rows[4].intent, rows[4].item_code) == (
        "utter_ask_office_code",
        "book_appointment",
        "SP04",
    )
    assert rows[5].response == "utter_greet"  # after the restart, counted on
    status, data = await _vote(client, turn=6, helpful=True)
    assert status == 404 and "没有找到" in data["message"]


async def test_a_second_vote_replaces_the_first(client: Client, loaded_engine: Engine) -> None:
    assert (await _vote(client, turn=2, helpful=True))[1]["replaced"] is False
    status, data = await _vote(client, turn=2, helpful=False, comment="没说清楚要几份")
    assert status == 200 and data["replaced"] is True
    [row] = _rows(loaded_engine)
    assert (row.helpful, row.comment) == (False, "没说清楚要几份")
    await _vote(client, turn=2, helpful=True)  # and the comment goes with the old vote
    [row] = _rows(loaded_engine)
    assert (row.helpful, row.comment) == (True, None)


async def test_comment_is_stored_masked(client: Client, loaded_engine: Engine) -> None:
    comment = "请打我电话 +86 139-1234-5678 或身份证42010219900101123X"
    assert (await _vote(client, turn=2, helpful=False, comment=comment))[0] == 200
    [row] = _rows(loaded_engine)
    assert row.comment == "请打我电话 139****5678 或身份证420***********123X"
    with loaded_engine.connect() as conn:
        dump = str(conn.exec_driver_sql("SELECT * FROM answer_feedback").all())
    assert "1234-5678" not in dump and "13912345678" not in dump and "19900101" not in dump


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "not json", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": "turn=1", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"json": ["a", "list"]}, 400),
        ({"json": {"turn": 1, "helpful": True}}, 400),  # no session
        ({"json": {"session_id": "<script>", "turn": 1, "helpful": True}}, 400),
        ({"json": {"session_id": SESSION, "helpful": True}}, 400),  # no turn
        ({"json": {"session_id": SESSION, "turn": "2", "helpful": True}}, 400),
        ({"json": {"session_id": SESSION, "turn": True, "helpful": True}}, 400),
        ({"json": {"session_id": SESSION, "turn": 2.0, "helpful": True}}, 400),
        ({"json": {"session_id": SESSION, "turn": 0, "helpful": True}}, 400),
        ({"json": {"session_id": SESSION, "turn": 10**9, "helpful": True}}, 400),
        ({"json": {"session_id": SESSION, "turn": 2}}, 400),  # no vote
        ({"json": {"session_id": SESSION, "turn": 2, "helpful": "yes"}}, 400),
        ({"json": {"session_id": SESSION, "turn": 2, "helpful": 1}}, 400),
        ({"json": {"session_id": SESSION, "turn": 2, "helpful": True, "comment": 5}}, 400),
        ({"json": {"session_id": SESSION, "turn": 2, "helpful": True, "comment": "长" * 201}}, 400),
        ({"json": {"session_id": SESSION, "turn": 2, "helpful": True, "channel": "sms"}}, 400),
        ({"json": {"session_id": SESSION, "turn": 2, "helpful": True, "item": "FW01"}}, 400),
        ({"data": "x" * 70_000, "headers": {"Content-Type": "application/json"}}, 413),
    ],
)
async def test_bad_feedback_is_a_clear_4xx_and_stores_nothing(
    client: Client, loaded_engine: Engine, kwargs: dict[str, Any], status: int
) -> None:
    resp = await client.post("/api/feedback", **kwargs)
    assert resp.status == status
    body = await resp.json()
    assert body["error"] and body["message"] and "Traceback" not in body["message"]
    assert not _rows(loaded_engine)


async def test_too_long_comment_says_the_limit(client: Client) -> None:
    status, data = await _vote(client, turn=2, helpful=False, comment="长" * 201)
    assert status == 400 and data["error"] == "feedback_comment_too_long"
    assert "200" in data["message"]
    assert (await _vote(client, turn=2, helpful=False, comment="长" * 200))[0] == 200


async def test_unknown_conversation_or_engine_down(
    client: Client, loaded_engine: Engine, fake_engine: tuple[TrackerEngine, str]
) -> None:
    resp = await client.post(
        "/api/feedback", json={"session_id": "nobodyhere01", "turn": 1, "helpful": True}
    )
    assert resp.status == 404
    fake_engine[0].tracker_status = 500
    status, data = await _vote(client, turn=2, helpful=True)
    assert status == 503 and "繁忙" in data["message"]
    assert not _rows(loaded_engine)


async def test_kiosk_votes_are_about_the_kiosk_conversation(
    client: Client, loaded_engine: Engine, fake_engine: tuple[TrackerEngine, str]
) -> None:
    fake_engine[0].trackers[f"kiosk-{SESSION}"] = _conversation()[:6]
    assert (await _vote(client, turn=1, helpful=True, channel="kiosk"))[0] == 200
    assert (await _vote(client, turn=1, helpful=True))[0] == 200  # the widget's: another
    assert sorted(r.channel for r in _rows(loaded_engine)) == ["kiosk", "widget"]


async def test_rate_limit(client: Client) -> None:
    client.app[LIMITER].limit = 3
    codes = [(await _vote(client, turn=2, helpful=True))[0] for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    # Voting has its own budget: the chat it rates still answers.
    chat = await client.post("/api/chat", json={"message": "你好", "session_id": SESSION})
    assert chat.status == 200


async def test_tallies_and_comment_retention(client: Client, loaded_engine: Engine) -> None:
    await _vote(client, turn=2, helpful=False, comment="材料写得不清楚")
    await _vote(client, turn=3, helpful=True)
    sessions = sessionmaker(loaded_engine, expire_on_commit=False)
    counts = {(t.item_code, t.response): t for t in tallies(sessions)}
    assert counts[("FW01", "utter_requirements")].unhelpful == 1
    assert counts[("FW01", "utter_requirements")].comments == 1
    assert counts[(None, "utter_help")].helpful == 1
    assert next(iter(counts)) == ("FW01", "utter_requirements")  # least helpful first
    assert not tallies(sessions, since=datetime.now(UTC) + timedelta(minutes=1))
    assert erase_comments(sessions, before=datetime.now(UTC) - timedelta(days=1)) == 0
    assert erase_comments(sessions, before=datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert all(row.comment is None for row in _rows(loaded_engine))
    assert tallies(sessions)[0].unhelpful == 1  # the vote stays


def test_turns_are_counted_as_the_page_counts_them() -> None:
    events = _conversation()
    assert [answered_turn(events, n) is not None for n in range(1, 7)] == [True] * 5 + [False]
    without_catalog = answered_turn(events, 4)  # no names known: the booking's item
    assert without_catalog is not None and without_catalog.item_code == "SP04"
    assert answered_turn([{"event": "user"}, "junk", {"event": "bot"}], 1) is not None
    assert answered_turn([], 1) is None


@pytest.mark.postgres
def test_votes_on_postgres() -> None:
    with temporary_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            sessions = sessionmaker(engine, expire_on_commit=False)
            facts = TurnFacts(2, "ask_requirements", ("utter_requirements",), "FW01")
            vote = Vote("c" * 64, "widget", facts, helpful=False, comment="打 13912345678")
            assert record(sessions, vote) is False
            assert record(sessions, Vote("c" * 64, "widget", facts, helpful=True)) is True
            [row] = _rows(engine)
            assert (row.helpful, row.comment, row.created_at.tzinfo is not None) == (
                True,
                None,
                True,
            )
            [tally] = tallies(sessions, since=datetime.now(UTC) - timedelta(minutes=1))
            assert (tally.item_code, tally.helpful, tally.unhelpful) == ("FW01", 1, 0)
        finally:
            engine.dispose()
