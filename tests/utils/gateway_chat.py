"""Talking to the public gateway the way the chat widget does (``POST /api/chat``)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def chat(gateway: str, session: str, message: str) -> dict[str, Any]:
    """Send one message as the widget would; return the gateway's JSON answer."""
    body = json.dumps({"message": message, "session_id": session}).encode()
    request = urllib.request.Request(
        f"{gateway}/api/chat", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as resp:
        answer: dict[str, Any] = json.loads(resp.read())
    return answer


def texts(answer: dict[str, Any]) -> str:
    """All message texts of an answer, one per line."""
    return "\n".join(m["text"] for m in answer["messages"])


def payloads(answer: dict[str, Any]) -> list[str]:
    """The payloads of every button of an answer."""
    return [b["payload"] for m in answer["messages"] for b in m["buttons"]]


def choice(kind: str, value: str) -> str:
    """The payload of one of the assistant's buttons (chuangkou.dialogue.turn.choose)."""
    return "/choose" + json.dumps({"kind": kind, "value": value}, ensure_ascii=False)


def to_summary(gateway: str, session: str, phone: str, *, office: str = "MC") -> None:
    """Book by taps and answers (elevator registration, first free slot) up to the summary."""
    chat(gateway, session, "我想预约")
    offices = chat(gateway, session, "电梯使用登记")
    choose = choice("office", office)
    assert choose in payloads(offices), texts(offices)
    slots = payloads(chat(gateway, session, choose))
    assert slots and slots[0].startswith('/choose{"kind": "slot"'), slots
    chat(gateway, session, slots[0])
    chat(gateway, session, "李四")
    summary = chat(gateway, session, phone)
    assert payloads(summary)[0] == "/affirm", texts(summary)


def book(gateway: str, session: str, phone: str, *, office: str = "MC") -> str:
    """Make a whole booking through the gateway; return its reference."""
    to_summary(gateway, session, phone, office=office)
    confirmed = texts(chat(gateway, session, "/affirm"))
    assert "预约成功" in confirmed, confirmed
    return confirmed.split("预约号：", 1)[1][:8]
