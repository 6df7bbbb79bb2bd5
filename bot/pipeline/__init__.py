"""The bot pipeline: ordered stages run on each inbound message, any of which may stop the run.

``turn.py`` holds the per-message context, ``runner.py`` the ordered loop, ``standard.py`` the
stages in their order, and one module per stage: conversation -> satisfaction -> special ->
understand -> assess -> decide -> handoff -> respond.
"""

from bot.pipeline.runner import Pipeline, Stage
from bot.pipeline.turn import StopPipeline, Turn

__all__ = ["Pipeline", "Stage", "StopPipeline", "Turn"]
