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
# Hashes of processing attempts so far: inbox stream entry id (outbox: reply id) -> count.
INBOX_ATTEMPTS = f"{PREFIX}:inbox:attempts"
OUTBOX_ATTEMPTS = f"{PREFIX}:outbox:attempts"
# Delivery lanes (bot/lanes.py): the outbox stream is only their intake. Zset of conversation
# keys with replies waiting (scored by the time the oldest arrived), and the counter that
# numbers lane leases (their fencing tokens).
OUTBOX_LANES = f"{PREFIX}:outbox:lanes"
OUTBOX_FENCE = f"{PREFIX}:outbox:fence"
# The lane scripts build a lane's keys from this prefix (conversations are not known up front).
OUTBOX_LANE_PREFIX = f"{PREFIX}:outbox:lane:"
OUTBOX_LEASE_SUFFIX = ":lease"


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


def outbox_lane(conversation_key: str) -> str:
    """List of one conversation's replies (JSON) waiting to go out, oldest first."""
    return f"{OUTBOX_LANE_PREFIX}{conversation_key}"


def outbox_lane_lease(conversation_key: str) -> str:
    """Held (SET NX PX, renewed) by the one sender delivering this conversation's replies."""
    return f"{OUTBOX_LANE_PREFIX}{conversation_key}{OUTBOX_LEASE_SUFFIX}"


def reply_claim(reply_id: str) -> str:
    """Set (NX) just before a reply is handed to a platform whose send can time out yet deliver."""
    return f"{PREFIX}:reply:{reply_id}:claim"


# --- Telegram connector ---------------------------------------------------------------------


def telegram_bot_identity() -> str:
    """The bot's own id and username (JSON), from getMe, shared with every API process."""
    return f"{PREFIX}:telegram:me"


def telegram_poll_offset() -> str:
    """The next getUpdates offset (JSON int) of the long-polling receiver."""
    return f"{PREFIX}:telegram:offset"


def telegram_poll_lock() -> str:
    """Held (SET NX PX, renewed) by the one process that long-polls; Telegram allows one."""
    return f"{PREFIX}:telegram:poller"


def telegram_pace(chat_id: str) -> str:
    """When (Redis TIME, ms) the next message to ``chat_id`` may go: shared by all senders."""
    return f"{PREFIX}:telegram:pace:{chat_id}"


TELEGRAM_PACE_ALL = f"{PREFIX}:telegram:pace"  # the same for the bot's overall limit


def telegram_private_chats() -> str:
    """Hash of user id -> JSON {"since": ts}: users who started a private chat with the bot."""
    return f"{PREFIX}:telegram:private"


def telegram_discussion_thread(chat_id: str, thread_id: str) -> str:
    """Marks a thread of a discussion group as the comments under a channel post (SET EX)."""
    return f"{PREFIX}:telegram:thread:{chat_id}:{thread_id}"


# --- handoff ---------------------------------------------------------------------------------

CONSOLE_CHANNEL = f"{PREFIX}:console"  # pub/sub: ticket changes for live consoles
TICKETS_WAITING = f"{PREFIX}:tickets:waiting"  # zset: id -> queue score
TICKETS_ASSIGNED = f"{PREFIX}:tickets:assigned"  # zset: id -> queue score
TICKETS_RESOLVED = f"{PREFIX}:tickets:resolved"  # zset: id -> resolved_at
METRICS = f"{PREFIX}:metrics"  # hash of counters
FIRST_RESPONSES = f"{PREFIX}:metrics:first_response"  # list of recent first-response seconds
USERS = f"{PREFIX}:users"  # hash: username -> JSON profile (role, password hash, teams)


def ticket(ticket_id: str) -> str:
    return f"{PREFIX}:ticket:{ticket_id}"


def conversation_ticket(conversation_key: str) -> str:
    """Id of the conversation's current (or last) ticket."""
    return f"{PREFIX}:conv:{conversation_key}:ticket"


def customer(customer_key: str) -> str:
    """Hash: profile (tier, display_name) and history counters of one customer."""
    return f"{PREFIX}:customer:{customer_key}"


def customer_days(customer_key: str) -> str:
    """Set of the days (YYYY-MM-DD) a customer wrote on: how "regular" they are."""
    return f"{PREFIX}:customer:{customer_key}:days"


def session_token(token_digest: str) -> str:
    """JSON {"username", "issued"}: one console session, keyed by its token's SHA-256 (SET EX)."""
    return f"{PREFIX}:token:{token_digest}"


def user_sessions(username: str) -> str:
    """Set of the token digests of one user's sessions, so that all of them can be ended."""
    return f"{PREFIX}:user:{username}:sessions"


def stream_ticket(ticket_digest: str) -> str:
    """JSON {"session"}: a single-use, short-lived pass to open the live event stream."""
    return f"{PREFIX}:stream-ticket:{ticket_digest}"


def signin_failures(scope: str, subject_digest: str) -> str:
    """Counter of failed sign-ins of one account or one client address in the current window."""
    return f"{PREFIX}:signin:failures:{scope}:{subject_digest}"


def agent_presence(username: str) -> str:
    """Hash: status, last heartbeat, when they went offline."""
    return f"{PREFIX}:agent:{username}:presence"


# --- WeChat connector (official account, article comments, WeCom customer service) ----------


def wechat_session(name: str) -> str:
    """A value of wechatpy's session storage (the access token and its expiry), JSON."""
    return f"{PREFIX}:wechat:session:{name}"


def wechat_token_lock(name: str) -> str:
    """Held (SET NX PX) by the one process fetching a new access token for ``name``."""
    return f"{PREFIX}:wechat:token-lock:{name}"


def wechat_window(platform: str, user_id: str) -> str:
    """Hash: the customer-service message budget a user's last interaction opened."""
    return f"{PREFIX}:wechat:window:{platform}:{user_id}"


def wechat_window_granted(message_key: str) -> str:
    """Set (NX) with the budget one message granted, so that it is granted exactly once."""
    return f"{PREFIX}:wechat:granted:{message_key}"


def wechat_unreachable(platform: str, user_id: str) -> str:
    """JSON {"reason", "code", "at"}: this user cannot be messaged until they write again."""
    return f"{PREFIX}:wechat:unreachable:{platform}:{user_id}"


def wechat_comment_poll_lock() -> str:
    """Held (SET NX PX) by the one process polling article comments this round."""
    return f"{PREFIX}:wechat:comments:lock"


def wechat_comment_high_water(msg_data_id: str, index: int) -> str:
    """Highest user_comment_id of an article already handed to the inbox (JSON int)."""
    return f"{PREFIX}:wechat:comments:seen:{msg_data_id}:{index}"


def wechat_comment_last(conversation_key: str) -> str:
    """The user's latest comment (JSON) in an article conversation, for replies without one."""
    return f"{PREFIX}:wechat:comments:last:{conversation_key}"


def wecom_kf_cursor(open_kfid: str) -> str:
    """sync_msg's next_cursor for one WeCom customer-service account (JSON string)."""
    return f"{PREFIX}:wecom-kf:cursor:{open_kfid}"


def wecom_kf_sync_requests() -> str:
    """List of JSON {"token", "open_kfid"} pulls the callback asked for."""
    return f"{PREFIX}:wecom-kf:sync-requests"


def wecom_kf_sync_lock(open_kfid: str) -> str:
    """Held (SET NX PX) while one process pulls sync_msg for ``open_kfid``."""
    return f"{PREFIX}:wecom-kf:sync-lock:{open_kfid}"


def negative_burst(topic: str) -> str:
    """Sorted set of customers (scored by time) who sent negative messages on one topic."""
    return f"{PREFIX}:burst:{topic}"


def lease(job: str) -> str:
    """A short lease so that one process at a time runs ``job``."""
    return f"{PREFIX}:lease:{job}"


# --- intent-set versions -----------------------------------------------------------------------

INTENT_VERSIONS = f"{PREFIX}:intents:versions"  # hash: version number -> JSON document
INTENT_SEQ = f"{PREFIX}:intents:seq"  # counter of version numbers
INTENTS_LIVE = f"{PREFIX}:intents:live"  # the version in service
INTENTS_CHANNEL = f"{PREFIX}:intents:published"  # pub/sub: {"version": n} on every publish
MISSES = f"{PREFIX}:misses"  # hash: miss id -> JSON (messages the bot did not understand)
INTENTS_DRAFT = f"{PREFIX}:intents:draft"  # the admins' working copy (JSON)
# The draft's revision: bumped by every save and discard, so a stale editor is caught.
INTENTS_DRAFT_REVISION = f"{PREFIX}:intents:draft:revision"
AUDIT_LOG = f"{PREFIX}:audit"  # list of JSON entries, newest first
INTENT_EVALUATION = f"{PREFIX}:intents:draft:evaluation"  # the last evaluation of the draft
INTENT_REPORTS = f"{PREFIX}:intents:reports"  # hash: version -> its measured report (JSON)
