"""Which data sets the benchmark runs, and which systems run on each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import datasets
from bench.datasets import IntentSplit

QUICK_TEST_LIMIT = 300


@dataclass(frozen=True)
class Task:
    name: str
    load: Callable[[], IntentSplit]
    small: bool  # few-shot or small: every peer runs; full sets: SetFit and DIET only on request
    # (DIET trains for about an hour on CLINC150-small here and for hours on the full sets)


def intent_tasks(data: Path, intents_dir: Path, quick: bool) -> list[Task]:
    def clinc(variant: str) -> Callable[[], IntentSplit]:
        return lambda: datasets.load_clinc150(data, variant)

    tasks = [
        Task("default_intents", lambda: datasets.load_intent_folder(intents_dir), True),
        Task("clinc150_10shot", lambda: datasets.few_shot(clinc("full")(), 10), True),
        Task(
            "banking77_10shot", lambda: datasets.few_shot(datasets.load_banking77(data), 10), True
        ),
        Task("bitext_20shot", lambda: datasets.load_bitext(data), True),
        Task("smp2019_domain", lambda: datasets.load_smp2019(data), False),
        Task("clinc150_small", clinc("small"), True),
        Task("clinc150_full", clinc("full"), False),
        Task("banking77_full", lambda: datasets.load_banking77(data), False),
    ]
    if quick:
        tasks = [t for t in tasks if not t.name.endswith("_full")]
        return [Task(t.name, _shrunk(t.load), t.small) for t in tasks]
    return tasks


def _shrunk(load: Callable[[], IntentSplit]) -> Callable[[], IntentSplit]:
    return lambda: load().shrink_test(QUICK_TEST_LIMIT)
