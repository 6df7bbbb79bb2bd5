"""The signed-in agent, their presence and canned replies, and the team list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from auth.deps import CurrentUser
from handoff.deps import AssignerDep, CannedDep, PresenceDep
from handoff.schemas import AgentOut, CannedOut, PresenceIn

router = APIRouter(prefix="/api", tags=["agents"])


@router.get("/canned", response_model=list[CannedOut])
async def canned(user: CurrentUser, replies: CannedDep) -> list[dict[str, Any]]:
    """Canned replies for the reply box, in Chinese and English, signed with the agent's name."""
    return [
        {
            **item,
            "text": {
                lang: text.replace("{agent}", user.username) for lang, text in item["text"].items()
            },
        }
        for item in replies
    ]


@router.get("/me", response_model=AgentOut)
async def me(user: CurrentUser, assigner: AssignerDep) -> dict[str, Any]:
    """The signed-in agent, with presence and load."""
    return await _view(assigner, user.username)


@router.put("/me/presence", response_model=AgentOut)
async def set_presence(
    body: PresenceIn, user: CurrentUser, presence: PresenceDep, assigner: AssignerDep
) -> dict[str, Any]:
    """Go online, away or offline (offline agents' tickets return to the queue after a while)."""
    await presence.set_status(user.username, body.status)
    return await _view(assigner, user.username)


@router.get("/agents", response_model=list[AgentOut])
async def agents(user: CurrentUser, assigner: AssignerDep) -> list[dict[str, Any]]:
    """Everyone who can take tickets, with presence and load."""
    return [agent.to_dict() for agent in await assigner.agents()]


async def _view(assigner: AssignerDep, username: str) -> dict[str, Any]:
    for agent in await assigner.agents():
        if agent.username == username:
            return agent.to_dict()
    raise HTTPException(status.HTTP_404_NOT_FOUND, "no such agent")
