"""What the web chat's message route needs, in one dependency.

The route is the API's hottest path: each dependency FastAPI solves costs tens of microseconds
per request, so the inbox and the web chat's settings come together (issue #14, bench/load).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from bot.inbox import Inbox
from connectors.webchat.settings import WebchatSettings


@dataclass(frozen=True, slots=True)
class Intake:
    inbox: Inbox
    config: WebchatSettings


async def _intake(request: Request) -> Intake:
    state = request.app.state
    config = getattr(state.settings, "webchat", None)
    if not isinstance(config, WebchatSettings):
        raise TypeError("the settings have no webchat section")
    return Intake(state.inbox, config)


IntakeDep = Annotated[Intake, Depends(_intake)]
