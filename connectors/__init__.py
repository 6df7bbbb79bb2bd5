"""Connectors: one package per platform, each with a receiving half (webhook or poller ->
``InboundMessage``) and a sending half (``OutboundReply`` -> the platform)."""
