"""A terminal chat with the running engine through its REST channel (``make chat``)."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any, TextIO


def send(engine_url: str, sender: str, message: str, timeout: float = 30) -> list[dict[str, Any]]:
    """Send one message to the engine's REST webhook and return the bot's messages.

    Args:
        engine_url: The engine's base URL.
        sender: The conversation id.
        message: The text or button payload.
        timeout: Seconds to wait for the answer.

    Returns:
        The bot's messages (each with ``text`` and maybe ``buttons``).
    """
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(
        f"{engine_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        data: list[dict[str, Any]] = json.loads(resp.read().decode("utf-8"))
    return data


def repl(engine_url: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Read lines, send them, print the answers; a number picks a numbered button.

    Args:
        engine_url: The engine's base URL.
        stdin: Where to read from.
        stdout: Where to write to.
    """
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    buttons: list[dict[str, Any]] = []
    stdout.write("> ")
    stdout.flush()
    for line in stdin:
        text = line.strip()
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = str(buttons[int(text) - 1]["payload"])
        try:
            messages = send(engine_url, sender, text)
        except (urllib.error.URLError, OSError) as exc:
            stdout.write(f"[engine not reachable at {engine_url}: {exc}]\n> ")
            stdout.flush()
            continue
        buttons = []
        for msg in messages:
            if msg.get("text"):
                stdout.write(f"{msg['text']}\n")
            for button in msg.get("buttons") or []:
                buttons.append(button)
                stdout.write(f"  [{len(buttons)}] {button.get('title')}\n")
        stdout.write("> ")
        stdout.flush()
