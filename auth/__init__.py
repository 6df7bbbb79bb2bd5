"""Who may do what: users, passwords, sessions, sign-in throttling and the FastAPI guards.

Used alike by the agent console (handoff), the intent admin (intent_admin/) and the API. It
knows users and roles, nothing of tickets: what an agent's presence means is handoff's, which
plugs in through ``auth.deps.PresenceHook``.
"""
