"""``switchboard intents evaluate`` and ``switchboard intents validate``: for admins."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from switchboard import cli_intent_io
from switchboard.settings import Settings

DEFAULT_OUT = Path("results")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    intents = commands.add_parser("intents", help="check and evaluate the intent set")
    sub = intents.add_subparsers(title="intent commands", required=True, metavar="COMMAND")

    evaluate = sub.add_parser(
        "evaluate", help="k-fold cross-validation with a Rasa-style report and plots"
    )
    _intents_option(evaluate)
    evaluate.add_argument("--folds", type=int, default=5, help="number of folds (default 5)")
    evaluate.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for the report files (default: {DEFAULT_OUT})",
    )
    evaluate.set_defaults(handler=_evaluate)

    validate = sub.add_parser(
        "validate", help="find shared examples, thin intents and missing answers"
    )
    _intents_option(validate)
    validate.add_argument(
        "--min-examples",
        type=int,
        default=5,
        help="fewest examples per intent and language (default 5)",
    )
    validate.set_defaults(handler=_validate)
    cli_intent_io.register(sub)


def _intents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--intents",
        type=Path,
        metavar="PATH",
        help="a folder (nlu.yml + answers.yml, or a Rasa project with its "
        "domain) or a Rasa NLU YAML file (default: understanding.intents_dir)",
    )


def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.brain_factory import calibration_recall
    from bot.evaluation.crossval import cross_validate
    from bot.evaluation.plots import confidence_histogram_png, confusion_matrix_png
    from bot.evaluation.report import intent_report, write_reports
    from bot.intent_io import import_intent_set
    from bot.intents import IntentDataError
    from bot.understanding.classifier import Thresholds
    from bot.understanding.encoder import Encoder

    understanding = settings.understanding
    try:
        intent_set = import_intent_set(args.intents or understanding.intents_dir)
        encoder = Encoder(
            understanding.model,
            settings.data_dir,
            threads=understanding.threads,
            backend=understanding.backend,
        )
        thresholds = Thresholds.from_settings(understanding)
        predictions = cross_validate(
            encoder,
            intent_set,
            thresholds,
            folds=args.folds,
            progress=True,
            calibration_recall=calibration_recall(settings, intent_set),
            surface_weight=understanding.surface_weight,
        )
    except (IntentDataError, ValueError) as exc:
        print(f"switchboard intents evaluate: {exc}", file=sys.stderr)
        return 2
    files = write_reports(predictions, args.out)
    matrix = confusion_matrix_png(predictions, args.out / "intent_confusion_matrix.png")
    histogram = confidence_histogram_png(
        predictions, args.out / "intent_histogram.png", threshold=thresholds.confidence
    )
    _print_summary(intent_report(predictions), predictions)
    print("\nWrote:")
    for path in (files.report, files.errors, matrix, histogram):
        print(f"  {path}")
    return 0


def _print_summary(report: dict, predictions: Sequence) -> None:
    names = sorted(k for k, v in report.items() if isinstance(v, dict) and "confused_with" in v)
    width = max([len("intent"), *map(len, names)])
    print(
        f"{'intent':<{width}}  {'precision':>9}  {'recall':>6}  {'f1':>5}  {'support':>7}"
        "  most confused with"
    )
    for name in names:
        row = report[name]
        confused = ", ".join(f"{k} ({v})" for k, v in row["confused_with"].items())
        print(
            f"{name:<{width}}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  "
            f"{row['f1-score']:>5.3f}  {row['support']:>7}  {confused}"
        )
    macro = report["macro avg"]
    fallback = sum(p.out_of_scope for p in predictions)
    print(
        f"\naccuracy {report['accuracy']:.3f}   macro F1 {macro['f1-score']:.3f}   "
        f"held-out examples {len(predictions)}   would fall back {fallback} "
        f"({fallback / max(len(predictions), 1):.1%})"
    )


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation.validate import validate
    from bot.intent_io import import_intent_set
    from bot.intents import IntentDataError

    path: Path = args.intents or settings.understanding.intents_dir
    try:
        intent_set = import_intent_set(path)  # a Rasa project's domain answers count too
    except IntentDataError as exc:
        print(f"switchboard intents validate: {exc}", file=sys.stderr)
        return 2
    answers = path / "answers.yml" if path.is_dir() else path.with_name("answers.yml")
    findings = validate(intent_set, answers, min_examples=args.min_examples)
    for finding in findings:
        print(f"{finding.severity:<7}  {finding.code:<25}  {finding.intent}: {finding.message}")
    errors = sum(f.severity == "error" for f in findings)
    print(
        f"\n{len(intent_set.intents)} intents: {errors} error(s), "
        f"{len(findings) - errors} warning(s)"
    )
    return 1 if errors else 0
