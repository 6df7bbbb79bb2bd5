"""The CPU this process runs on, as the backend choice keys its measurements: name, flags, cores.

A model's speed depends on the instruction sets more than on the clock: int8 ONNX is several
times faster with AVX-512 VNNI (or AVX-VNNI, ARM's dot-product instructions) than with AVX2 alone.
The key is a digest of the name, every flag and the number of cores, so a virtual machine moved to
another host, or given other cores, measures again.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
from pathlib import Path
from typing import Any

CPUINFO = Path("/proc/cpuinfo")
# The flags worth showing a person (all of them go into the key).
_NOTABLE = re.compile(r"^(avx.*|amx.*|.*vnni.*|fma|f16c|sse4_2|asimd.*|sve.*|i8mm|bf16|dotprod)$")


def cpu_identity(cpuinfo: str | None = None, cpus: int | None = None) -> dict[str, Any]:
    """``name``, ``notable_flags``, ``cpus`` and ``key`` (a digest of them and all flags)."""
    if cpuinfo is None:
        try:
            cpuinfo = CPUINFO.read_text(errors="replace")
        except OSError:
            cpuinfo = ""
    fields = _first_processor(cpuinfo)
    name = (
        fields.get("model name")
        or fields.get("hardware")
        or fields.get("cpu part")
        or platform.processor()
        or platform.machine()
        or "unknown CPU"
    )
    flags = sorted(set((fields.get("flags") or fields.get("features") or "").split()))
    cores = cpus if cpus is not None else (os.cpu_count() or 1)
    digest = hashlib.sha256(f"{name}|{cores}|{' '.join(flags)}".encode()).hexdigest()[:16]
    return {
        "name": name,
        "cpus": cores,
        "notable_flags": [flag for flag in flags if _NOTABLE.match(flag)],
        "key": digest,
    }


def _first_processor(cpuinfo: str) -> dict[str, str]:
    """The ``key: value`` lines of the first processor block (lower-cased keys); ARM kernels put
    ``Hardware`` after the last block, so keys missing from the first are taken from later."""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key and key not in fields:
            fields[key] = value.strip()
    return fields
