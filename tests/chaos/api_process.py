"""The API process of a chaos run (intake only: webhooks, web chat), configured like any
Switchboard process from ``$SWITCHBOARD_CONFIG``: ``python -m tests.chaos.api_process PORT``."""

from __future__ import annotations

import logging
import sys

import uvicorn

from switchboard.app import create_app
from switchboard.settings import load_settings


def main() -> None:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
