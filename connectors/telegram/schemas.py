"""Response bodies of the Telegram webhook."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebhookAck(BaseModel):
    """What Telegram gets back for an update it may stop retrying: it was queued."""

    ok: bool = Field(description="always true: the update is queued (errors are 4xx/503)")
