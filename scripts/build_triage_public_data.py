"""Extract the public parts of the triage training data from the benchmark data sets.

Run once by a maintainer (the output is committed, with each source's licence beside it):

    python scripts/build_triage_public_data.py ../shared/data

- Bitext customer service (8k file; CDLA-Sharing-1.0): ``complaint`` and ``contact_human_agent``
  utterances, and FAQ-type utterances of the other intents as ``neutral``. The routing
  benchmark tests on the 20k file minus every text found here.
- CLINC150 (CC BY 3.0): the ``small_talk`` domain's training queries as ``chitchat``, and a
  sample of the other domains' training queries as ``neutral``. The benchmark's out-of-domain
  group uses CLINC's out-of-scope test queries, which are other texts.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "understanding" / "triage_data" / "public"
# Asking how to reach customer service, or to leave a review, is neither clearly a request for
# a person nor plainly neutral: left out rather than taught either way.
BITEXT_SKIP = {"contact_customer_service", "review"}
NEUTRAL_PER_BITEXT_INTENT = 40
NEUTRAL_PER_CLINC_INTENT = 8
CHITCHAT_PER_CLINC_INTENT = 40
SEED = 17


def _write(name: str, lines: list[str]) -> None:
    unique = list(dict.fromkeys(" ".join(line.split()) for line in lines if line.strip()))
    (OUT / name).write_text("\n".join(unique) + "\n", encoding="utf-8")
    print(f"{name}: {len(unique)}")


def _licence(source: Path, name: str) -> None:
    (OUT / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


def bitext(data: Path, rng: random.Random) -> None:
    path = data / "bitext" / "bitext_customer_service_8k.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    by_intent: dict[str, list[str]] = {}
    for row in rows:
        by_intent.setdefault(row["intent"], []).append(row["utterance"])
    _write("bitext_complaint.txt", by_intent["complaint"])
    _write("bitext_human_request.txt", by_intent["contact_human_agent"])
    neutral: list[str] = []
    for intent in sorted(by_intent):
        if intent in BITEXT_SKIP | {"complaint", "contact_human_agent"}:
            continue
        texts = sorted(set(by_intent[intent]))
        neutral += rng.sample(texts, min(NEUTRAL_PER_BITEXT_INTENT, len(texts)))
    _write("bitext_neutral.txt", neutral)
    _licence(data / "bitext" / "LICENSE.txt", "LICENSE-bitext-CDLA-Sharing-1.0.txt")


def clinc(data: Path, rng: random.Random) -> None:
    full = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    domains = json.loads((data / "clinc150" / "domains.json").read_text(encoding="utf-8"))
    small_talk = set(domains["small_talk"])
    by_intent: dict[str, list[str]] = {}
    for text, intent in full["train"]:
        by_intent.setdefault(intent, []).append(text)
    _write(
        "clinc_chitchat.txt",
        [
            t
            for i in sorted(small_talk)
            for t in rng.sample(sorted(set(by_intent[i])), CHITCHAT_PER_CLINC_INTENT)
        ],
    )
    neutral: list[str] = []
    for intent in sorted(by_intent):
        if intent not in small_talk:
            neutral += rng.sample(sorted(set(by_intent[intent])), NEUTRAL_PER_CLINC_INTENT)
    _write("clinc_neutral.txt", neutral)
    _licence(data / "clinc150" / "LICENSE", "LICENSE-clinc150-CC-BY-3.0.txt")


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    OUT.mkdir(parents=True, exist_ok=True)
    generator = random.Random(SEED)
    bitext(source, generator)
    clinc(source, generator)
