"""WeChat Official Account connector: signature check, XML in, passive XML reply out.

The protocol: WeChat verifies the server with GET (``signature`` = SHA-1 of the sorted
token, timestamp and nonce; echo ``echostr``), then POSTs each message as XML and expects
a passive reply within 5 seconds. Buttons become numbered options; replying "1", "2" …
picks one. XML is parsed with defusedxml (no DTDs, no entity expansion).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from aiohttp import web
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from chuangkou.gateway.engine_client import EngineUnavailable
from chuangkou.gateway.keys import ENGINE, LIMITER, SETTINGS
from chuangkou.gateway.texts import text

# WeChat drops a reply that takes longer than 5 s; leave room for the XML round trip.
ENGINE_BUDGET_S = 4.2
MAX_XML_BYTES = 16 * 1024
OPTIONS_TTL_S = 30 * 60


def signature(token: str, timestamp: str, nonce: str) -> str:
    """WeChat's signature: SHA-1 of the lexicographically sorted token, timestamp, nonce."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def _verified(request: web.Request) -> None:
    token = request.app[SETTINGS].wechat_token
    if not token:
        raise web.HTTPServiceUnavailable(text="wechat connector not configured")
    query = request.query
    expected = signature(token, query.get("timestamp", ""), query.get("nonce", ""))
    if not hmac.compare_digest(expected, query.get("signature", "")):
        raise web.HTTPForbidden(text="bad signature")


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def reply_xml(to_user: str, from_user: str, content: str) -> str:
    """A passive text reply."""
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType>{_cdata('text')}</MsgType><Content>{_cdata(content)}</Content></xml>"
    )


@dataclass
class Options:
    """The numbered options last offered to each WeChat user."""

    by_user: dict[str, tuple[float, list[str]]] = field(default_factory=dict)

    def remember(self, user: str, payloads: list[str]) -> None:
        """Keep the payloads behind "1", "2" … for this user."""
        now = time.monotonic()
        self.by_user = {u: v for u, v in self.by_user.items() if v[0] > now - OPTIONS_TTL_S}
        if payloads:
            self.by_user[user] = (now, payloads)
        else:
            self.by_user.pop(user, None)

    def pick(self, user: str, reply: str) -> str | None:
        """The payload for a numeric reply, if one was offered."""
        entry = self.by_user.get(user)
        if entry is None or not reply.isdigit():
            return None
        index = int(reply) - 1
        return entry[1][index] if 0 <= index < len(entry[1]) else None


OPTIONS = web.AppKey("wechat_options", Options)


async def verify(request: web.Request) -> web.Response:
    """GET: prove we hold the token by echoing ``echostr``."""
    _verified(request)
    return web.Response(text=request.query.get("echostr", ""), content_type="text/plain")


def _field(root: Element, name: str) -> str:
    node = root.find(name)
    return (node.text or "").strip() if node is not None else ""


async def receive(request: web.Request) -> web.Response:
    """POST: one message in, one passive reply out (or "success" for nothing to say)."""
    _verified(request)
    raw = await request.read()
    if len(raw) > MAX_XML_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_XML_BYTES, actual_size=len(raw))
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise web.HTTPBadRequest(text="malformed XML") from None
    user, account = _field(root, "FromUserName"), _field(root, "ToUserName")
    if not user or not account:
        raise web.HTTPBadRequest(text="missing FromUserName/ToUserName")
    kind = _field(root, "MsgType")
    if kind == "event":
        if _field(root, "Event").lower() == "subscribe":
            return _xml(reply_xml(user, account, text("wechat_welcome")))
        return web.Response(text="success")
    if kind != "text":
        return _xml(reply_xml(user, account, text("wechat_unsupported")))
    content = _field(root, "Content")[:2000]
    options = request.app[OPTIONS]
    message = options.pick(user, content) or content
    if not request.app[LIMITER].allow(f"wx:{user}"):
        return _xml(reply_xml(user, account, text("rate_limited")))
    try:
        answers = await request.app[ENGINE].send(
            f"wx-{user}", message, channel="wechat", timeout_s=ENGINE_BUDGET_S
        )
    except EngineUnavailable:
        return _xml(reply_xml(user, account, text("engine_unavailable")))
    lines = [str(a.get("text") or "") for a in answers if a.get("text")]
    payloads: list[str] = []
    titles: list[str] = []
    for answer in answers:
        for button in answer.get("buttons") or []:
            payloads.append(str(button.get("payload", "")))
            titles.append(f"{len(payloads)}. {button.get('title', '')}")
    options.remember(user, payloads)
    if titles:
        lines.append(text("wechat_choose") + "\n" + "\n".join(titles))
    return _xml(reply_xml(user, account, "\n\n".join(lines) or text("engine_unavailable")))


def _xml(body: str) -> web.Response:
    return web.Response(text=body, content_type="application/xml", charset="utf-8")


def setup_routes(app: web.Application) -> None:
    """Register /wechat."""
    app[OPTIONS] = Options()
    app.router.add_get("/wechat", verify)
    app.router.add_post("/wechat", receive)
