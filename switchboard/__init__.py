"""The composition root: where the parts become a running Switchboard.

Nothing else imports this package. It reads the settings, builds the engine (``bot``), plugs
in the people (``handoff``, through ``bot.ports.HandoffPort``), the guards (``auth``) and the
enabled platforms (``connectors``, through their registry), and runs them: the FastAPI app
(``app``), the processes (``runtime``) and the command line (``cli``).
"""
