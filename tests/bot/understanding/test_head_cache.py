"""Trained intent heads kept on disk: loaded when nothing they depend on changed, else retrained."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.brain import Brain
from bot.brain_factory import train_classifier
from bot.intents import IntentSet
from bot.understanding import head_cache
from bot.understanding.classifier import IntentClassifier, Thresholds
from switchboard.settings import Settings
from tests.conftest import ROOT

PROBES = ["退货政策是什么?", "what is your return policy?", "asdf qwer", "多久发货", "能开发票吗"]
CONFIGURED = Thresholds(0.35, 0.05, 0.80)


def train(brain: Brain, intent_set: IntentSet, cache: Path, **kwargs: object) -> IntentClassifier:
    return IntentClassifier.train(
        brain.classifier.encoder, intent_set, CONFIGURED, cache_dir=cache, **kwargs
    )


def with_example(intent_set: IntentSet, name: str, examples: tuple[str, ...]) -> IntentSet:
    intents = dict(intent_set.intents)
    intents[name] = replace(intents[name], examples=examples)
    return replace(intent_set, intents=intents)


def test_a_second_training_loads_the_head_and_classifies_alike(
    brain: Brain, tmp_path: Path
) -> None:
    first = train(brain, brain.intent_set, tmp_path)
    assert not first.from_cache
    assert len(list(tmp_path.glob("*.npz"))) == len(list(tmp_path.glob("*.json"))) == 1
    second = train(brain, brain.intent_set, tmp_path)
    assert second.from_cache
    assert second.thresholds == first.thresholds
    fresh, loaded = first.predict_many(PROBES), second.predict_many(PROBES)
    assert [u.intent for u in loaded] == [u.intent for u in fresh]
    np.testing.assert_allclose(
        [u.confidence for u in loaded], [u.confidence for u in fresh], atol=1e-4
    )


def test_changing_one_example_trains_anew(brain: Brain, tmp_path: Path) -> None:
    train(brain, brain.intent_set, tmp_path)
    intent = brain.intent_set.names[0]
    examples = brain.intent_set.intents[intent].examples
    edited = with_example(brain.intent_set, intent, (*examples[:-1], examples[-1] + "?"))
    retrained = train(brain, edited, tmp_path)
    assert not retrained.from_cache
    assert len(list(tmp_path.glob("*.json"))) == 2
    assert train(brain, edited, tmp_path).from_cache
    assert train(brain, brain.intent_set, tmp_path).from_cache  # the old version is still kept


def test_other_settings_or_another_encoder_train_anew(brain: Brain, tmp_path: Path) -> None:
    train(brain, brain.intent_set, tmp_path)
    assert not train(brain, brain.intent_set, tmp_path, surface_weight=0.1).from_cache
    texts, labels = brain.intent_set.training_pairs()
    settings = {"surface_weight": 0.3}
    assert head_cache.key(texts, labels, "int8-model", settings) != head_cache.key(
        texts, labels, "fp32-model", settings
    )
    relabelled = [*labels[:-1], labels[0]]
    assert head_cache.key(texts, labels, "m", settings) != head_cache.key(
        texts, relabelled, "m", settings
    )


def test_calibrated_thresholds_come_back_with_the_head(brain: Brain, tmp_path: Path) -> None:
    few_shot = IntentSet(
        {
            name: replace(intent, examples=intent.examples[:6])
            for name, intent in brain.intent_set.intents.items()
        }
    )
    first = train(brain, few_shot, tmp_path, calibration_recall=0.97)
    assert first.thresholds != CONFIGURED
    second = train(brain, few_shot, tmp_path, calibration_recall=0.97)
    assert second.from_cache
    assert second.thresholds == first.thresholds
    assert not train(brain, few_shot, tmp_path, calibration_recall=0.9).from_cache


def test_an_unfinished_or_damaged_head_is_trained_again(brain: Brain, tmp_path: Path) -> None:
    train(brain, brain.intent_set, tmp_path)
    [meta] = tmp_path.glob("*.json")
    meta.unlink()  # a process stopped between the two files
    assert not train(brain, brain.intent_set, tmp_path).from_cache
    [head] = tmp_path.glob("*.npz")
    head.write_bytes(b"not a zip file")
    assert not train(brain, brain.intent_set, tmp_path).from_cache
    assert train(brain, brain.intent_set, tmp_path).from_cache


def test_the_least_recently_used_heads_beyond_keep_are_removed(
    brain: Brain, tmp_path: Path
) -> None:
    classifier = train(brain, brain.intent_set, tmp_path)
    head = classifier._head
    for index in range(head_cache.KEEP + 3):
        head_cache.save(tmp_path, f"extra{index:03d}", head, {"confidence": 0.1})
    assert len(list(tmp_path.glob("*.json"))) == head_cache.KEEP
    assert len(list(tmp_path.glob("*.npz"))) == head_cache.KEEP
    assert (tmp_path / f"extra{head_cache.KEEP + 2:03d}.json").exists()  # the newest stays


def test_the_runtime_trains_through_the_cache_in_the_data_dir(brain: Brain, tmp_path: Path) -> None:
    # build_brain (API, worker, classify) and the reloader all train through train_classifier.
    settings = Settings(data_dir=tmp_path, understanding={"intents_dir": ROOT / "intents"})
    encoder = brain.classifier.encoder
    assert not train_classifier(encoder, brain.intent_set, settings).from_cache
    assert train_classifier(encoder, brain.intent_set, settings).from_cache
    assert len(list((tmp_path / "heads").glob("*.npz"))) == 1
