"""WeCom customer service's callback: URL check and "new messages" events, answered at once.

The callback carries no message, only an encrypted event with a ``Token`` for ``sync_msg``;
the pull itself runs in ``KfSync`` (never in the request). Bad signature, or a timestamp
outside the freshness window (a replay): 403; unreadable or unsafe XML: 400.
"""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import PlainTextResponse

from bot import keys
from bot.deps import RedisDep
from connectors.base import settings_section
from connectors.wechat.refusals import refused_as_http, require_fresh_push
from connectors.wechat.safexml import MalformedPush, read_xml
from connectors.wechat.settings import WecomKfSettings
from connectors.wechat.verify import (
    ForgedPush,
    PushDecrypter,
    UndecryptablePush,
    decrypter_for,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/wecom-kf", tags=["wecom customer service"])
KfConfig = settings_section("wecom_kf", WecomKfSettings)

_MAX_PENDING = 1000


def _decrypter(config: WecomKfSettings) -> PushDecrypter:
    return decrypter_for(config, config.corp_id, work=True)


@router.get("/callback", response_class=PlainTextResponse)
async def verify_url(
    config: KfConfig,
    msg_signature: str = Query(""),
    timestamp: str = Query(""),
    nonce: str = Query(""),
    echostr: str = Query(""),
) -> str:
    """WeCom's URL check: answer with the decrypted ``echostr``."""
    try:
        return _decrypter(config).decrypt_echo(echostr, msg_signature, timestamp, nonce)
    except ForgedPush as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "signature mismatch") from exc
    except UndecryptablePush as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


@router.post("/callback", response_class=PlainTextResponse)
async def receive(
    request: Request,
    config: KfConfig,
    redis: RedisDep,
    msg_signature: str = Query(""),
    timestamp: str = Query(""),
    nonce: str = Query(""),
) -> str:
    """WeCom says new customer-service messages wait: ask the puller to fetch them."""
    require_fresh_push(timestamp, config.timestamp_window_seconds, "WeCom callback")
    body = await request.body()  # at most http.body_limits["/wecom-kf"]: refused past that
    with refused_as_http("WeCom callback"):
        outer = read_xml(body)
        if not outer.get("Encrypt"):
            raise MalformedPush("no <Encrypt> element")
        event = read_xml(
            _decrypter(config).decrypt(outer["Encrypt"], msg_signature, timestamp, nonce)
        )
    if event.get("Event", "").lower() == "kf_msg_or_event":
        request_json = json.dumps(
            {
                "token": event.get("Token", ""),
                "open_kfid": event.get("OpenKfId") or config.open_kfid,
            }
        )
        async with redis.pipeline(transaction=True) as tx:
            tx.rpush(keys.wecom_kf_sync_requests(), request_json)
            tx.ltrim(keys.wecom_kf_sync_requests(), -_MAX_PENDING, -1)
            await tx.execute()
    else:
        logger.info("Acknowledging WeCom callback event %r", event.get("Event"))
    return "success"
