"""Request and response bodies of the admins' intent API: the intent list, diffs, versions,
misses, audit.

The evaluation (``Comparison.to_dict()``) is described in ``schemas_evaluation``. Some keys are
present only when they say something (a diff row lists ``answers`` only when the answers
changed; ``draft.changes`` is ``{}`` when there is no live version): the routes returning them
leave out what the dict did not set (``response_model_exclude_unset``), so the JSON is exactly
the dict's.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

EDITOR_REVISION = (
    "the draft revision the editor loaded; a stale one gets 409 with the current draft"
)


class IntentIn(BaseModel):
    examples: list[str] = Field(min_length=2)
    answers: dict[str, str] = Field(default_factory=dict)
    variants: dict[str, dict[str, str]] = Field(default_factory=dict)
    handoff: bool = False
    rename_from: str | None = None
    revision: int | None = Field(default=None, description=EDITOR_REVISION)


class PublishIn(BaseModel):
    note: str = Field(default="", max_length=500)
    confirm: bool = Field(default=False, description="publish even though it makes things worse")
    revision: int | None = Field(default=None, description=EDITOR_REVISION)


class RollbackIn(BaseModel):
    version: int


class MissesIn(BaseModel):
    ids: list[str] = Field(min_length=1)
    intent: str | None = None


class MissesToTriageIn(BaseModel):
    ids: list[str] = Field(min_length=1)
    label: str = Field(default="neutral", description="the triage class to teach them as")
    revision: int | None = Field(default=None, description=EDITOR_REVISION)


class TriageExamplesIn(BaseModel):
    label: str
    texts: list[str] = Field(min_length=1)
    revision: int | None = Field(default=None, description=EDITOR_REVISION)


class PreviewIn(BaseModel):
    intent: str
    language: str = "zh"
    channel: str = "private"


_REVISION = "the draft revision: send it back with the next edit"


class IntentOut(BaseModel):
    name: str
    examples: list[str]
    answers: dict[str, str] = Field(description="language -> answer")
    handoff: bool = Field(description="the intent hands the customer to a person")
    variants: dict[str, dict[str, str]] = Field(
        description="tier or channel kind -> language -> answer"
    )
    example_count: int
    f1: float | None = Field(description="the live version's cross-validated F1 for the intent")


class AnswersChange(BaseModel):
    before: dict[str, str]
    after: dict[str, str]


class VariantsChange(BaseModel):
    before: dict[str, dict[str, str]]
    after: dict[str, dict[str, str]]


class HandoffChange(BaseModel):
    before: bool
    after: bool


class IntentChangeOut(BaseModel):
    """One intent present on both sides; only what changed is listed."""

    intent: str
    examples_added: list[str] = Field(default_factory=list)
    examples_removed: list[str] = Field(default_factory=list)
    answers: AnswersChange | None = None
    variants: VariantsChange | None = None
    handoff: HandoffChange | None = None


class TriageExamplesChange(BaseModel):
    """The brand's triage examples of one class, gained and lost."""

    class_: str = Field(alias="class")
    added: list[str]
    removed: list[str]


class IntentDiffOut(BaseModel):
    """What changed between two intent sets (empty when there is nothing to compare with)."""

    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    changed: list[IntentChangeOut] = Field(default_factory=list)
    triage: list[TriageExamplesChange] = Field(default_factory=list)


class DraftOut(BaseModel):
    revision: int = Field(description=_REVISION)
    based_on: int = Field(description="the live version the draft started from")
    updated_by: str
    updated_at: float
    edited: bool
    changes: IntentDiffOut = Field(description="the draft compared with the live version")


class IntentListOut(BaseModel):
    """The draft's intents (the live set when nobody is editing)."""

    live_version: int | None
    draft: DraftOut
    intents: list[IntentOut]
    triage_examples: dict[str, list[str]] = Field(description="triage class -> the brand's texts")


class DiscardedOut(BaseModel):
    status: Literal["discarded"]


class VersionOut(BaseModel):
    version: int
    author: str
    created_at: float
    note: str
    based_on: int | None
    intents: int = Field(description="how many intents")
    examples: int = Field(description="how many examples in all")
    accuracy: float | None = Field(description="cross-validated when it was published")


class VersionListedOut(VersionOut):
    live: bool = Field(description="the version in service")


class VersionDiffOut(BaseModel):
    """What a version changed compared with the one it replaced."""

    version: int
    compared_with: int
    added: list[str]
    removed: list[str]
    changed: list[IntentChangeOut]
    triage: list[TriageExamplesChange]


class TierPreviewOut(BaseModel):
    """The draft's answer as each customer tier would read it."""

    new: str
    regular: str
    loyal: str
    vip: str


class NearestIntentOut(BaseModel):
    intent: str
    confidence: float


class MissOut(BaseModel):
    id: str
    text: str
    language: str
    nearest: list[NearestIntentOut] = Field(description="the intents it came closest to")
    at: float
    source: str = Field(description="fallback, repeated_failure, flagged or unnecessary")
    suggested_intent: str = Field(description="the intent an agent flagged it for")
    flagged_by: str
    extra: dict[str, Any] = Field(
        description="for an unnecessary hand-over: the ticket, the triage scores, the reason"
    )


class MissGroupOut(BaseModel):
    """Misses that mean the same, handled in one action."""

    id: str
    size: int
    suggested_intent: str
    messages: list[MissOut]


class MissesAssignedOut(BaseModel):
    added: int
    intent: str


class MissesTaughtOut(BaseModel):
    added: int
    label: str
    revision: int = Field(description=_REVISION)


class MissesDismissedOut(BaseModel):
    dismissed: int


class AuditEntryOut(BaseModel):
    who: str
    action: str = Field(examples=["intents.publish"])
    detail: dict[str, Any]
    at: float
