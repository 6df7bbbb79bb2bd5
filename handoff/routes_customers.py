"""Customer profiles: the tier people set, and the history the bot keeps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from auth.deps import AdminUser, CurrentUser
from bot.customers import CustomerDataError
from handoff.deps import CustomersDep
from handoff.schemas import CustomerIn, CustomerOut, ImportedOut

router = APIRouter(prefix="/api/customers", tags=["customers"])


@router.get("/{key}", response_model=CustomerOut)
async def get_customer(key: str, user: CurrentUser, customers: CustomersDep) -> dict[str, Any]:
    """A customer's tier (and where it comes from) and history."""
    return (await customers.get(key)).to_dict()


@router.put("/{key}", response_model=CustomerOut)
async def set_customer(
    key: str, body: CustomerIn, user: CurrentUser, customers: CustomersDep
) -> dict[str, Any]:
    """Set a customer's tier (and name): it overrides the tier derived from history."""
    await customers.set_profile(key, body.tier, body.display_name)
    return (await customers.get(key)).to_dict()


@router.post("/import", status_code=status.HTTP_200_OK)
async def import_customers(
    request: Request, user: AdminUser, customers: CustomersDep
) -> ImportedOut:
    """Import tiers from CSV (``key,tier[,display_name]``, e.g. a CRM export); all or nothing."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return ImportedOut(imported=await customers.import_csv(body))
    except CustomerDataError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
