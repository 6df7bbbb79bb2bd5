"""Every Redis key Switchboard uses is built here, and nowhere else.

All values stored under these keys are JSON (or plain counters); never pickle.
"""

from __future__ import annotations

PREFIX = "sb"

INBOX_STREAM = f"{PREFIX}:inbox"
INBOX_GROUP = "workers"
OUTBOX_STREAM = f"{PREFIX}:outbox"
OUTBOX_GROUP = "senders"
EVENTS_CHANNEL = f"{PREFIX}:events"
# Streams of entries that failed too often to keep retrying, kept for inspection.
INBOX_DEAD = f"{PREFIX}:inbox:dead"
OUTBOX_DEAD = f"{PREFIX}:outbox:dead"
# Hashes of stream entry id -> processing attempts so far.
INBOX_ATTEMPTS = f"{PREFIX}:inbox:attempts"
OUTBOX_ATTEMPTS = f"{PREFIX}:outbox:attempts"


def seen(platform: str, platform_message_id: str) -> str:
    """Dedupe marker for one platform message (SET NX EX)."""
    return f"{PREFIX}:seen:{platform}:{platform_message_id}"


def conversation_seq(conversation_key: str) -> str:
    """Counter handing out per-conversation sequence numbers at accept time."""
    return f"{PREFIX}:conv:{conversation_key}:seq"


def conversation_done(conversation_key: str) -> str:
    """Sequence number of the last message of this conversation the pipeline committed."""
    return f"{PREFIX}:conv:{conversation_key}:done"


def conversation_state(conversation_key: str) -> str:
    return f"{PREFIX}:conv:{conversation_key}:state"


def transcript(conversation_key: str) -> str:
    """The conversation as the customer sees it: their messages and every reply, in order."""
    return f"{PREFIX}:conv:{conversation_key}:transcript"


def reply_sent(reply_id: str) -> str:
    """Idempotency marker of one outbound reply: set once, before or as it is delivered."""
    return f"{PREFIX}:reply:{reply_id}"


def reply_claim(reply_id: str) -> str:
    """Set (NX) just before a reply is handed to a platform whose send can time out yet deliver."""
    return f"{PREFIX}:reply:{reply_id}:claim"
