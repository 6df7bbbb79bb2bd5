"""Admins edit intents safely: a draft, evaluated against the live version before publishing,
an audit log of who did what, and the misses list to learn from."""
