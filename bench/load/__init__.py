"""The load benchmark: ``python -m bench.load`` (docs/benchmark.md, "Load").

Real processes on one machine: a private redis-server, the API as ``switchboard run`` serves it,
``switchboard worker`` processes, and beside them the peers of the same run: a bare FastAPI +
redis-py app (one XADD per request) served the same way, the classifier alone in-process, and
Rasa's /model/parse when ``bench/.rasa-venv`` exists.
"""
