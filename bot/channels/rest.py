"""The REST channel, made robust to what people and clients actually send.

Engine runtime (Rasa 3.6). Rasa's own RestInput silently drops an empty message (no
reply at all) and fails on a body that is not a JSON object. This subclass keeps the same
URL (/webhooks/rest/webhook) and the same JSON contract, but turns an empty or blank
message into the ``/empty_message`` intent, which the domain answers politely.
"""

from __future__ import annotations

import os
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from common.privacy import mask_and_seal

EMPTY_MESSAGE = "/empty_message"


def _secret() -> str | None:
    # The engine process gets the secret from the stack runner (or the deployment).
    return os.environ.get("CHUANGKOU_SECRET") or None


def _body(req: Request) -> dict[str, Any]:
    try:
        data = req.json
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}


class ChuangkouRestInput(RestInput):
    """RestInput that answers empty messages and tolerates malformed bodies."""

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's URL: /webhooks/rest/webhook."""
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        sender = _body(req).get("sender")
        return str(sender)[:128] if sender is not None else None

    def _extract_message(self, req: Request) -> str | None:
        message = _body(req).get("message")
        if not isinstance(message, str) or not message.strip():
            return EMPTY_MESSAGE
        return mask_and_seal(message, _secret())[0]

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Carry the sealed phone number (never the clear one) with the message."""
        message = _body(request).get("message")
        if not isinstance(message, str):
            return None
        sealed = mask_and_seal(message, _secret())[1]
        return {"sealed_phone": sealed} if sealed else None

    def _extract_input_channel(self, req: Request) -> str:
        channel = _body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()
