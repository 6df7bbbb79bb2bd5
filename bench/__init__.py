"""The intent-recognition benchmark: ours against peers on public data (``python -m bench.run``)."""
