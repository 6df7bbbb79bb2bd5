"""The root of every error Switchboard raises on purpose, and its branches.

Catch a branch to handle a whole kind ("any bad input", "anything not found"); catch
``SwitchboardError`` to tell our errors from bugs and library failures::

    SwitchboardError
    ├── InvalidData (ValueError)       input that cannot be accepted, with the reason
    │     IntentDataError, DraftError, CustomerDataError, UserError, E5FormatError
    ├── NotFound (LookupError)         VersionNotFound, TicketNotFound
    ├── Conflict                       the state moved on: DraftConflict, TicketConflict
    ├── RefusedInput                   a request from outside that is refused unread:
    │     ForgedPush, StalePush, UndecryptablePush, MalformedPush (WeChat),
    │     MalformedUpdate (Telegram)
    ├── SetupError (RuntimeError)      the machine or the configuration cannot run a part:
    │     EmbeddedRedisError, ModelBuildError, OnnxUnavailable, SpUnsupported, TokenRejected,
    │     RedisUrlError, NoBackendWithinTolerance
    ├── StorageUnavailable             Redis cannot keep a promise now (the API answers 503;
    │     NotReplicated                also a redis ConnectionError, so every retry covers it)
    ├── DeliveryError                  a reply could not be delivered (yet):
    │     PermanentSendError ── DeliveryInDoubt, TelegramRefused, CustomerUnreachable
    │     DeliveryDeferred, LaneLost, ReplyMayHaveArrived
    └── StopPipeline                   control flow: a stage handled the turn completely

``http_limits.BodyRefused`` is an HTTP response (FastAPI's ``HTTPException``), not a domain
error, and stays outside this tree.
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError


class SwitchboardError(Exception):
    """Something Switchboard raises on purpose (see the module docstring for the tree)."""


class InvalidData(SwitchboardError, ValueError):
    """Input (a file, a form, an import row) that cannot be accepted; the message says why."""


class NotFound(SwitchboardError, LookupError):
    """The thing asked for does not exist (any more)."""


class Conflict(SwitchboardError):
    """The operation does not fit the current state: someone else changed it first."""


class RefusedInput(SwitchboardError):
    """A request from outside that is refused: forged, replayed, undecryptable, malformed."""


class SetupError(SwitchboardError, RuntimeError):
    """The machine or the configuration cannot run a part (a binary, a model, a token)."""


class StorageUnavailable(SwitchboardError, RedisConnectionError):
    """Redis is there but cannot keep its promise now (no replica confirmed a write): the
    caller retries, the API answers 503 like for any lost connection."""


class DeliveryError(SwitchboardError):
    """A reply could not be delivered, for now or for good."""
