"""Response bodies of evaluating and publishing a draft: ``Comparison.to_dict()`` described."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from intent_admin.schemas import VersionOut


class IntentScoreOut(BaseModel):
    """One intent's cross-validated F1, live version and draft (null where it is absent)."""

    intent: str
    f1_before: float | None
    f1_after: float | None
    delta: float | None
    support: int = Field(description="held-out examples the draft's F1 was measured on")
    examples: int = Field(description="the draft's examples of the intent")


class ChangedOutcomeOut(BaseModel):
    """A message the draft would route differently from the live version."""

    text: str
    before: str = Field(description="the live version's intent, or (fallback)")
    after: str = Field(description="the draft's intent, or (fallback)")
    expected: str | None = Field(description="the intent it is an example of, if any")


class FindingOut(BaseModel):
    severity: Literal["error", "warning"]
    code: str = Field(examples=["shared_example"])
    intent: str
    message: str


class TriageChangeOut(BaseModel):
    """A triage class whose brand examples the draft changes."""

    class_: str = Field(alias="class")
    added: int
    removed: int
    examples: int = Field(description="the draft's examples of the class")
    to_person_now: int | None = Field(
        description="how many of them the live triage sends to a person today"
    )


class ComparisonOut(BaseModel):
    """The draft against the live version: what gets better and what gets worse."""

    accuracy_before: float
    accuracy_after: float
    intents: list[IntentScoreOut]
    changed: list[ChangedOutcomeOut]
    worse: list[str] = Field(description="why publishing needs confirm; empty when nothing is")
    findings: list[FindingOut] = Field(description="the static checks of the draft")
    report: dict[str, Any] = Field(
        description="the draft's cross-validated report, in Rasa's intent_report.json shape"
    )
    live_report: dict[str, Any] = Field(description="the live version's, in the same shape")
    triage: list[TriageChangeOut]
    makes_things_worse: bool


class PublishedOut(BaseModel):
    version: VersionOut
    evaluation: ComparisonOut
