"""Every platform Switchboard can talk to. Adding one is a package and a line here."""

from __future__ import annotations

from connectors.base import Connector
from connectors.telegram.connector import TelegramConnector
from connectors.webchat.connector import WebchatConnector
from connectors.wechat.connector import WechatConnector

CONNECTORS: tuple[Connector, ...] = (
    WebchatConnector(),
    TelegramConnector(),
    WechatConnector(),
)
