"""The WeChat Official Account protocol, with hostile XML."""

from __future__ import annotations

import time

from aiohttp import web
from aiohttp.test_utils import TestClient

from chuangkou.gateway.wechat import signature
from tests.gateway.conftest import FakeEngine

Client = TestClient[web.Request, web.Application]
TOKEN = "test-token"


def _signed(**extra: str) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "n0nce"
    return {
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": signature(TOKEN, timestamp, nonce),
        **extra,
    }


def _text_xml(content: str, user: str = "oUser1") -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><FromUserName><![CDATA[{user}]]>"
        f"</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>1</MsgId></xml>"
    )


async def test_get_verification_echoes(client: Client) -> None:
    resp = await client.get("/wechat", params=_signed(echostr="hello123"))
    assert resp.status == 200 and await resp.text() == "hello123"


async def test_bad_signature_is_403(client: Client) -> None:
    params = _signed(echostr="x")
    params["signature"] = "0" * 40
    assert (await client.get("/wechat", params=params)).status == 403
    assert (await client.post("/wechat", params=params, data=_text_xml("hi"))).status == 403


async def test_text_message_gets_passive_reply_with_numbered_options(
    client: Client, fake_engine: tuple[FakeEngine, str]
) -> None:
    fake, _ = fake_engine
    resp = await client.post("/wechat", params=_signed(), data=_text_xml("电梯使用登记要什么"))
    body = await resp.text()
    assert resp.status == 200 and "<ToUserName><![CDATA[oUser1]]></ToUserName>" in body
    assert "1. 新办" in body and fake.received[-1]["sender"] == "wx-oUser1"
    await client.post("/wechat", params=_signed(), data=_text_xml("1"))
    assert fake.received[-1]["message"] == '/choose_business_type{"business_type":"新办"}'


async def test_subscribe_gets_welcome(client: Client) -> None:
    xml = (
        "<xml><ToUserName>gh_abc</ToUserName><FromUserName>oNew</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
    )
    body = await (await client.post("/wechat", params=_signed(), data=xml)).text()
    assert "欢迎关注" in body


async def test_hostile_xml_is_refused_safely(client: Client) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>'
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<xml><Content>&e;</Content></xml>"
    )
    for body in (bomb, external, "<xml><unclosed>", "not xml at all", ""):
        resp = await client.post("/wechat", params=_signed(), data=body)
        assert resp.status == 400, body[:30]


async def test_engine_timeout_still_answers_within_budget(
    client: Client, fake_engine: tuple[FakeEngine, str]
) -> None:
    fake, _ = fake_engine
    fake.delay_s = 6.0
    started = time.monotonic()
    resp = await client.post("/wechat", params=_signed(), data=_text_xml("你好", "oSlow"))
    assert resp.status == 200 and "繁忙" in await resp.text()
    assert time.monotonic() - started < 5.0
