"""One ``telegram.Update`` -> one ``InboundMessage``, or the reason it is not for the pipeline.

What counts as a customer message:
- any message in a private chat (channel ``private``);
- in a group or supergroup, a message that mentions the bot, replies to the bot or uses a
  command addressed to it (channel ``comment``);
- in a channel's discussion group, a comment in the thread under a channel post, i.e. a reply
  to the post's automatic forward, or any message of a thread known to be one (``comment``).

Deliberately not answered: edited messages (the original was answered; answering an edit would
repeat it), service messages (members joining or leaving, pins), the automatic forwards
themselves, messages of bots, other update types. Each is returned as ``Ignored`` with a reason.

Media are not text: the message's text describes them in brackets (``[sticker 😀]``, ``[photo]``
followed by the caption, if any); their kind is ``MessageKind.MEDIA`` with the detail
``<kind>[:<file_id>]`` so that the pipeline can tell them apart and an agent can fetch the file.
Commands (``/start``) keep their text, with kind ``COMMAND`` and the command's name as detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from bot.messages import InboundMessage, Sender
from bot.vocabulary import ChannelKind, MessageKind
from connectors.telegram import ids
from connectors.telegram.client import PLATFORM, BotIdentity

# Checked in order: an animation also carries a document, a venue also a location.
_MEDIA_KINDS = (
    "sticker",
    "animation",
    "photo",
    "video_note",
    "video",
    "voice",
    "audio",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "story",
)


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str


def normalize(
    update: Update, me: BotIdentity, *, known_post_thread: bool = False
) -> InboundMessage | Ignored:
    """``known_post_thread``: the message's thread was seen to be the comments under a post."""
    if update.edited_message is not None:
        return Ignored("edited message (the original was answered; edits are not)")
    message = update.message
    if message is None:
        return Ignored(f"update of a type not handled ({_update_kind(update)})")
    if message.is_automatic_forward:
        return Ignored("channel post forwarded to its discussion group")
    user = message.from_user
    if user is None or user.is_bot:
        return Ignored("not sent by a person (a bot, or on behalf of a chat)")
    content = _content(message, me)
    if content is None:
        return Ignored("service message (members, pins, topics...)")
    channel, thread_id = _place(message, me, known_post_thread)
    if channel is None:
        return Ignored("group message not addressed to the bot")
    text, kind, detail = content
    return InboundMessage(
        platform=PLATFORM,
        channel=channel,
        chat_id=str(message.chat.id),
        sender=Sender(
            user_id=str(user.id), display_name=user.full_name, username=user.username or ""
        ),
        text=text,
        platform_message_id=ids.platform_message_id(update.update_id, message.message_id),
        thread_id=thread_id,
        reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else "",
        timestamp=message.date.timestamp(),
        kind=kind,
        detail=detail,
    )


def post_thread_root(message: Message) -> int | None:
    """The thread id when ``message`` is a comment directly under a channel post."""
    parent = message.reply_to_message
    if parent is not None and parent.is_automatic_forward:
        return message.message_thread_id or parent.message_id
    return None


def _place(
    message: Message, me: BotIdentity, known_post_thread: bool
) -> tuple[ChannelKind | None, str]:
    chat_type = message.chat.type
    if chat_type == ChatType.PRIVATE:
        return "private", ""
    if chat_type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return None, ""
    root = post_thread_root(message)
    if root is None and known_post_thread and message.message_thread_id:
        root = message.message_thread_id
    if root is not None:
        return "comment", ids.post_thread(root)
    if not _addressed_to_bot(message, me):
        return None, ""
    # In a forum each topic is its own conversation; in a plain group a reply chain is not.
    if message.is_topic_message and message.message_thread_id:
        return "comment", ids.topic_thread(message.message_thread_id)
    return "comment", ""


def _addressed_to_bot(message: Message, me: BotIdentity) -> bool:
    parent = message.reply_to_message
    if parent is not None and parent.from_user is not None and parent.from_user.id == me.id:
        return True
    handle = f"@{me.username}".lower()
    entities = message.parse_entities() or message.parse_caption_entities()
    for entity, text in entities.items():
        if entity.type == MessageEntity.MENTION and text.lower() == handle:
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == me.id:
            return True
        if entity.type == MessageEntity.BOT_COMMAND and text.lower().endswith(handle):
            return True
    return False


def _content(message: Message, me: BotIdentity) -> tuple[str, MessageKind, str] | None:
    """(text, kind, detail), or None for a service message."""
    written = _without_mention(message.text or message.caption or "", me)
    kind = next((k for k in _MEDIA_KINDS if getattr(message, k, None)), None)
    if kind is not None:
        emoji = message.sticker.emoji if message.sticker else None
        label = f"[{kind} {emoji}]" if emoji else f"[{kind}]"
        file_id = _file_id(message, kind)
        detail = f"{kind}:{file_id}" if file_id else kind
        return f"{label} {written}".strip(), MessageKind.MEDIA, detail
    if not written:
        return None
    command = re.match(r"/([A-Za-z0-9_]+)(?:@\w+)?(?:\s|$)", written)
    if command:
        return written, MessageKind.COMMAND, command.group(1).lower()
    return written, MessageKind.TEXT, ""


def _without_mention(text: str, me: BotIdentity) -> str:
    if not me.username:
        return text.strip()
    stripped = re.sub(rf"(?<![\w/])@{re.escape(me.username)}\b", "", text, flags=re.IGNORECASE)
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return stripped or text.strip()  # a bare "@bot" still deserves an answer


def _file_id(message: Message, kind: str) -> str:
    if kind == "photo":
        return message.photo[-1].file_id  # the largest size
    attachment = getattr(message, kind)
    return str(getattr(attachment, "file_id", "") or "")


def _update_kind(update: Update) -> str:
    fields = update.to_dict()
    return next((name for name in fields if name != "update_id"), "empty")
