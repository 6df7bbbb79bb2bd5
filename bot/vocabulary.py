"""The words every layer shares: severity, tier, channel, message kind, hand-over reason.

One definition each, so that the settings' SLA table, the triage, the policy, the tickets and
the connectors cannot drift apart. They are ``StrEnum``s: a member *is* its string ("vip" ==
Tier.VIP), so JSON, Redis and YAML keep plain strings and older records read back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a case is; ordered, so the worse of two can be taken."""

    NORMAL = "normal"
    NEGATIVE = "negative"
    CRISIS = "crisis"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def worst(cls, *severities: str) -> Severity:
        """The worst of ``severities`` (plain strings accepted); NORMAL when none is given."""
        return max((cls(s) for s in severities), key=lambda s: s.rank, default=cls.NORMAL)


_SEVERITY_RANK = {Severity.NORMAL: 0, Severity.NEGATIVE: 1, Severity.CRISIS: 2}
SEVERITIES: tuple[Severity, ...] = tuple(Severity)


class Tier(StrEnum):
    """How well the brand knows the customer; VIP is only ever set by people."""

    NEW = "new"
    REGULAR = "regular"
    LOYAL = "loyal"
    VIP = "vip"


TIERS: tuple[Tier, ...] = tuple(Tier)


class ChannelKind(StrEnum):
    """Where the customer wrote: to the brand alone, or in public under its content."""

    PRIVATE = "private"
    COMMENT = "comment"


class MessageKind(StrEnum):
    """What a connector received, beside its text. ``InboundMessage.detail`` says more:

    - TEXT: words for the classifier (also voice that the platform transcribed: VOICE_TEXT);
    - MEDIA: a picture, sticker, voice, video, location, link...; detail ``<type>[:<file id>]``;
    - COMMAND: a bot command such as Telegram's ``/start``; detail is its name (``start``);
    - SUBSCRIBE: a follow of the official account (a welcome is due);
    - MENU_CLICK: a custom-menu button; detail is the button's key.
    """

    TEXT = "text"
    VOICE_TEXT = "voice_text"
    MEDIA = "media"
    COMMAND = "command"
    SUBSCRIBE = "subscribe"
    MENU_CLICK = "menu_click"

    @classmethod
    def from_legacy_ref(cls, raw_ref: str) -> tuple[MessageKind, str]:
        """(kind, detail) of a message queued before kinds existed (``raw_ref`` markers such as
        ``media:photo:<id>``, ``command:start``, ``event:click:<key>``), so a stream written by
        an older version is still read after an upgrade."""
        head, _, rest = raw_ref.partition(":")
        if head == "media":
            return cls.MEDIA, rest
        if head == "command":
            return cls.COMMAND, rest
        if raw_ref == "recognized:voice":
            return cls.VOICE_TEXT, ""
        if raw_ref == "event:subscribe":
            return cls.SUBSCRIBE, ""
        if raw_ref.startswith("event:click:"):
            return cls.MENU_CLICK, raw_ref.removeprefix("event:click:")
        return cls.TEXT, ""


class ReasonKind(StrEnum):
    """Why the bot handed a conversation to a person."""

    TRIAGE = "triage"  # the triage heard a complaint, a request for a person, abuse...
    SEVERITY = "severity"  # negative or crisis, without a triage reason
    INTENT = "intent"  # the matched intent is marked ``handoff: true``
    NO_ANSWER = "no_answer"  # the matched intent has no answer text
    REPEATED_FAILURE = "repeated_failure"  # the customer had to rephrase too often


@dataclass(frozen=True, slots=True)
class HandoverReason:
    """A hand-over reason in parts. ``code`` is its one-line form, as tickets store it
    ("intent:complaint", "repeated_failure", "complaint 0.94", "crisis")."""

    kind: ReasonKind
    detail: str = ""  # the intent's name, the triage's line or the severity

    @property
    def code(self) -> str:
        if self.kind in (ReasonKind.INTENT, ReasonKind.NO_ANSWER):
            return f"{self.kind}:{self.detail}"
        if self.kind is ReasonKind.REPEATED_FAILURE:
            return str(self.kind)
        return self.detail

    @property
    def intent(self) -> str:
        """The intent behind the hand-over, when an intent's mark caused it."""
        return self.detail if self.kind in (ReasonKind.INTENT, ReasonKind.NO_ANSWER) else ""

    def __str__(self) -> str:
        return self.code

    @classmethod
    def parse(cls, code: str) -> HandoverReason:
        """The parts of a stored one-line reason (the inverse of ``code``)."""
        head, sep, rest = code.partition(":")
        if sep and head in (ReasonKind.INTENT, ReasonKind.NO_ANSWER):
            return cls(ReasonKind(head), rest)
        if code == ReasonKind.REPEATED_FAILURE:
            return cls(ReasonKind.REPEATED_FAILURE)
        if code in (Severity.NEGATIVE, Severity.CRISIS):
            return cls(ReasonKind.SEVERITY, code)
        return cls(ReasonKind.TRIAGE, code)
