"""Switchboard's engine: settings, Redis wiring, inbox and outbox, the pipeline and its stages,
understanding, policy, replies, the worker, the FastAPI app factory and the CLI."""
