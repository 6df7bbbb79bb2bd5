"""Sign-in, the signed-in agent, presence, and the team list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBearer,
    OAuth2PasswordRequestForm,
)

from handoff.deps import AssignerDep, CurrentUser, PresenceDep, UsersDep
from handoff.schemas import PresenceIn, TokenOut

router = APIRouter(prefix="/api", tags=["agents"])


@router.post("/auth/token", response_model=TokenOut)
async def sign_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], users: UsersDep,
                  request: Request) -> TokenOut:
    """Exchange a username and password for a bearer token."""
    user = await users.verify(form.username, form.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    ttl = int(request.app.state.settings.handoff.token_ttl_hours * 3600)
    token = await users.issue_token(user, ttl)
    return TokenOut(access_token=token, username=user.username, role=user.role, expires_in=ttl)


@router.delete("/auth/token", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(user: CurrentUser, users: UsersDep, presence: PresenceDep,
                   credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(HTTPBearer(auto_error=False))]) -> None:
    """End this session: the token stops working, and the agent goes offline."""
    if credentials is not None:
        await users.revoke(credentials.credentials)
    await presence.set_status(user.username, "offline")


@router.get("/canned")
async def canned(user: CurrentUser, request: Request) -> list[dict[str, Any]]:
    """Canned replies for the reply box, in Chinese and English, signed with the agent's name."""
    return [{**item, "text": {lang: text.replace("{agent}", user.username)
                              for lang, text in item["text"].items()}}
            for item in request.app.state.canned]


@router.get("/me")
async def me(user: CurrentUser, assigner: AssignerDep) -> dict[str, Any]:
    """The signed-in agent, with presence and load."""
    return await _view(assigner, user.username)


@router.put("/me/presence")
async def set_presence(body: PresenceIn, user: CurrentUser, presence: PresenceDep,
                       assigner: AssignerDep) -> dict[str, Any]:
    """Go online, away or offline (offline agents' tickets return to the queue after a while)."""
    await presence.set_status(user.username, body.status)
    return await _view(assigner, user.username)


@router.get("/agents")
async def agents(user: CurrentUser, assigner: AssignerDep) -> list[dict[str, Any]]:
    """Everyone who can take tickets, with presence and load."""
    return [agent.to_dict() for agent in await assigner.agents()]


async def _view(assigner: AssignerDep, username: str) -> dict[str, Any]:
    for agent in await assigner.agents():
        if agent.username == username:
            return agent.to_dict()
    raise HTTPException(status.HTTP_404_NOT_FOUND, "no such agent")
