"""The official account's server URL: GET verification and POST pushes, answered at once.

A push is checked, parsed and queued, and WeChat gets ``success`` straight away: WeChat waits
5 s and then retries, and the real answer goes out later through the customer-service API.
Nothing here calls WeChat. Forged signature, or a timestamp outside the freshness window (a
replay): 403; unreadable or unsafe XML: 400; nothing is queued in any of these cases. The body
size is limited as it streams in (``switchboard/http_limits.py``, ``http.body_limits``). Retries are
recognized by the inbox (MsgId, or FromUserName + CreateTime + Event for events).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import PlainTextResponse

from bot.deps import InboxDep, RedisDep
from connectors.base import settings_section
from connectors.wechat.parse import PLATFORM, normalize
from connectors.wechat.refusals import refused_as_http, require_fresh_push
from connectors.wechat.safexml import MalformedPush, read_xml
from connectors.wechat.settings import WechatSettings
from connectors.wechat.verify import (
    ForgedPush,
    decrypter_for,
    require_signature,
)
from connectors.wechat.window import ServiceWindow

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/wechat", tags=["wechat"])
WechatConfig = settings_section("wechat", WechatSettings)


@router.get("/callback", response_class=PlainTextResponse)
async def verify_server(
    config: WechatConfig,
    signature: str = Query(""),
    timestamp: str = Query(""),
    nonce: str = Query(""),
    echostr: str = Query(""),
) -> str:
    """WeChat's server URL check: echo ``echostr`` when the signature is right."""
    try:
        require_signature(signature, config.token.get_secret_value(), timestamp, nonce)
    except ForgedPush as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "signature mismatch") from exc
    return echostr


@router.post("/callback", response_class=PlainTextResponse)
async def receive(
    request: Request,
    config: WechatConfig,
    inbox: InboxDep,
    redis: RedisDep,
    signature: str = Query(""),
    timestamp: str = Query(""),
    nonce: str = Query(""),
    msg_signature: str = Query(""),
    encrypt_type: str = Query("raw"),
) -> str:
    """A message or event pushed by WeChat: checked, queued, acknowledged with ``success``."""
    require_fresh_push(timestamp, config.timestamp_window_seconds, "WeChat push")
    body = await request.body()  # at most http.body_limits["/wechat"]: refused past that
    try:
        with refused_as_http("WeChat push"):
            plain = _authentic_xml(
                config,
                body,
                signature,
                timestamp,
                nonce,
                msg_signature,
                encrypt_type.lower() == "aes",
            )
            push = normalize(plain)
    except (KeyError, ValueError, TypeError) as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"not a WeChat push ({type(exc).__name__})"
        ) from exc
    window = ServiceWindow(redis, PLATFORM)
    if push.message is not None:
        # The budget first: a worker may answer the moment the message is queued. Once per
        # message: a redelivery (or a replayed push) grants nothing new, and a retry after a
        # failure half-way is still queued.
        if push.opens and push.user_id:
            await window.opened_by(push.user_id, push.opens, push.message.message_key)
        if (await inbox.accept(push.message)).duplicate:
            logger.info("WeChat redelivered %s; already queued", push.message.message_key)
    elif push.opens and push.user_id:
        await window.opened(push.user_id, push.opens)
    if push.unsubscribed:
        await window.mark_unreachable(push.user_id, "unsubscribed")
    return "success"


def _authentic_xml(
    config: WechatSettings,
    body: bytes,
    signature: str,
    timestamp: str,
    nonce: str,
    msg_signature: str,
    encrypted: bool,
) -> str:
    """The push's plaintext XML, once its signature (and, if encrypted, AES) checks out."""
    if signature or not encrypted:
        require_signature(signature, config.token.get_secret_value(), timestamp, nonce)
    outer = read_xml(body)
    if not encrypted:
        if config.security_mode == "safe":
            raise MalformedPush("plaintext push refused: the account is in safe mode")
        if "Encrypt" in outer and "MsgType" not in outer:
            raise MalformedPush("encrypted push without encrypt_type=aes")
        _require_fields(outer)
        return body.decode("utf-8")
    if not config.encoding_aes_key.get_secret_value():
        raise MalformedPush("encrypted push but no encoding_aes_key is configured")
    if not outer.get("Encrypt"):
        raise MalformedPush("encrypt_type=aes but no <Encrypt> element")
    decrypter = decrypter_for(config, config.app_id)
    plain = decrypter.decrypt(outer["Encrypt"], msg_signature, timestamp, nonce)
    _require_fields(read_xml(plain))
    return plain


def _require_fields(fields: dict[str, str]) -> None:
    missing = [
        name
        for name in ("ToUserName", "FromUserName", "CreateTime", "MsgType")
        if not fields.get(name)
    ]
    if missing:
        raise MalformedPush(f"missing {', '.join(missing)}")
