"""Evaluation plots as PNG files (matplotlib, Agg backend: no display needed on a server)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.evaluation.crossval import Prediction

ANNOTATE_UP_TO = 40  # past this many intents the counts in the cells are unreadable


def _pyplot():  # imported late: `switchboard --help` should not pay for matplotlib
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_matrix_png(predictions: Sequence[Prediction], path: Path) -> Path:
    """Rows: the true intent; columns: the predicted one. Diagonal = correct."""
    from sklearn.metrics import confusion_matrix

    plt = _pyplot()
    labels = sorted({p.intent for p in predictions} | {p.predicted for p in predictions})
    matrix = confusion_matrix(
        [p.intent for p in predictions], [p.predicted for p in predictions], labels=labels
    )
    side = max(6.0, 0.42 * len(labels) + 3)
    fig, ax = plt.subplots(figsize=(side, side))
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    ax.set_title(f"Intent confusion matrix ({len(predictions)} held-out examples)")
    if len(labels) <= ANNOTATE_UP_TO:
        limit = matrix.max() / 2 if matrix.size else 0
        for (row, col), count in np.ndenumerate(matrix):
            if count:
                ax.text(
                    col,
                    row,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if count > limit else "black",
                )
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return _save(fig, path)


def confidence_histogram_png(
    predictions: Sequence[Prediction], path: Path, threshold: float | None = None
) -> Path:
    """Top-intent confidence of correct vs wrong predictions: where the threshold should go."""
    plt = _pyplot()
    bins = np.linspace(0, 1, 21)
    right = [p.confidence for p in predictions if p.correct]
    wrong = [p.confidence for p in predictions if not p.correct]
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.hist(
        [right, wrong],
        bins=bins,
        label=[f"correct ({len(right)})", f"wrong ({len(wrong)})"],
        color=["#2a9d8f", "#e76f51"],
        stacked=False,
    )
    if threshold is not None:
        ax.axvline(
            threshold, color="black", linestyle="--", label=f"confidence threshold {threshold:.2f}"
        )
    ax.set_xlabel("confidence of the top intent")
    ax.set_ylabel("held-out examples")
    ax.set_title("Intent prediction confidence")
    ax.legend()
    return _save(fig, path)


def _save(fig: object, path: Path) -> Path:
    plt = _pyplot()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()  # type: ignore[attr-defined]
    fig.savefig(path, dpi=110)  # type: ignore[attr-defined]
    plt.close(fig)
    return path
