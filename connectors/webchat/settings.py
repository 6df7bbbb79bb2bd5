"""The web chat's section of config.yml."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebchatSettings(BaseModel):
    enabled: bool = True
    max_text_chars: int = Field(default=2000, gt=0)
