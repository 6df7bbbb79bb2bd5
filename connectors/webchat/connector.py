"""The web chat connector: a page anyone can open, and the brand's own widget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from fastapi import APIRouter
from pydantic import BaseModel

from bot.outbox import ReplySender
from connectors.base import Connector, Plug
from connectors.webchat.routes import router
from connectors.webchat.sender import WebchatSender
from connectors.webchat.settings import WebchatSettings


class WebchatConnector(Connector):
    name = "webchat"
    sections: ClassVar[Mapping[str, type[BaseModel]]] = {"webchat": WebchatSettings}

    def routers(self, sections: Mapping[str, BaseModel]) -> list[APIRouter]:
        return [router] if _enabled(sections) else []

    def senders(self, plug: Plug) -> list[ReplySender]:
        return [WebchatSender(plug.transcripts())] if _enabled(plug.sections) else []


def _enabled(sections: Mapping[str, BaseModel]) -> bool:
    webchat = sections["webchat"]
    return isinstance(webchat, WebchatSettings) and webchat.enabled
