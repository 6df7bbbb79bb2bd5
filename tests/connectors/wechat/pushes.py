"""WeChat pushes built the way WeChat builds them: documented XML fixtures, signed with the
token and, in compatible and safe mode, encrypted with wechatpy's own ``WeChatCrypto``."""

from __future__ import annotations

import base64
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from connectors.wechat.verify import signature
from tests.connectors.wechat.standin import APP_ID, CORP_ID

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "switchboard-test-token"
# wechatpy's own known-answer key, and an older one for key rotation.
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
OLD_AES_KEY = base64.b64encode(b"an-older-encoding-aes-key-32byte").decode()[:-1]
OPEN_KFID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"


@dataclass(frozen=True)
class Delivery:
    params: dict[str, str]
    body: bytes


def fixture(name: str, **fields: str | int) -> str:
    """The documented XML of ``name``, with some elements' text replaced."""
    xml = (FIXTURES / f"{name}.xml").read_text(encoding="utf-8")
    for tag, value in fields.items():
        text = str(value) if isinstance(value, int) else f"<![CDATA[{value}]]>"
        xml, count = re.subn(rf"<{tag}>.*?</{tag}>", f"<{tag}>{text}</{tag}>", xml, flags=re.S)
        assert count == 1, f"{name}.xml has no <{tag}>"
    return xml


def _stamp(at: float | None = None) -> tuple[str, str]:
    return str(int(time.time() if at is None else at)), str(secrets.randbelow(10**9))


def plaintext_push(xml: str, token: str = TOKEN, at: float | None = None) -> Delivery:
    """``at``: the push's signed timestamp (default: now)."""
    timestamp, nonce = _stamp(at)
    params = {
        "signature": signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": _field(xml, "FromUserName"),
    }
    return Delivery(params, xml.encode("utf-8"))


def encrypted_push(
    xml: str,
    mode: str = "safe",
    aes_key: str = AES_KEY,
    token: str = TOKEN,
    at: float | None = None,
) -> Delivery:
    """Safe mode: only ToUserName and Encrypt; compatible mode: the plaintext fields too."""
    timestamp, nonce = _stamp(at)
    envelope = fromstring(
        WeChatCrypto(token, aes_key, APP_ID).encrypt_message(xml, nonce, timestamp)
    )
    encrypted = envelope.findtext("Encrypt")
    if mode == "safe":
        body = (
            f"<xml><ToUserName><![CDATA[{_field(xml, 'ToUserName')}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
    else:
        body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    params = {
        "signature": signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": _field(xml, "FromUserName"),
        "encrypt_type": "aes",
        "msg_signature": envelope.findtext("MsgSignature") or "",
    }
    return Delivery(params, body.encode("utf-8"))


def kf_callback(
    xml: str, aes_key: str = AES_KEY, token: str = TOKEN, at: float | None = None
) -> Delivery:
    """WeCom's callback POST: always encrypted, signed as msg_signature."""
    timestamp, nonce = _stamp(at)
    envelope = fromstring(
        WorkCrypto(token, aes_key, CORP_ID).encrypt_message(xml, nonce, timestamp)
    )
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<AgentID><![CDATA[]]></AgentID>"
        f"<Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt></xml>"
    )
    params = {
        "msg_signature": envelope.findtext("MsgSignature") or "",
        "timestamp": timestamp,
        "nonce": nonce,
    }
    return Delivery(params, body.encode("utf-8"))


def kf_url_check(echo: str, token: str = TOKEN) -> dict[str, str]:
    """WeCom's URL check: an encrypted echostr that must come back decrypted."""
    timestamp, nonce = _stamp()
    envelope = fromstring(
        WorkCrypto(token, AES_KEY, CORP_ID).encrypt_message(echo, nonce, timestamp)
    )
    return {
        "msg_signature": envelope.findtext("MsgSignature") or "",
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": envelope.findtext("Encrypt") or "",
    }


def _field(xml: str, tag: str) -> str:
    # A regex, not a parser: test payloads include XML bombs that must reach the app intact.
    found = re.search(rf"<{tag}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{tag}>", xml, flags=re.S)
    return found.group(1) if found else ""
