"""How conversations and customers are named, built and taken apart in one place.

A conversation key is ``<platform>:<chat>:<user>[:<thread>]``: a group is not one conversation,
each customer (and thread) in it is its own. A customer key is ``<platform>:<user>``: one person
across all their chats on one platform. Ids from the platforms never contain ``:`` (numbers,
openids, web chat ids), so the parts split back unambiguously.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConversationAddress:
    platform: str
    chat_id: str
    user_id: str
    thread_id: str = ""

    @property
    def key(self) -> str:
        parts = [self.platform, self.chat_id, self.user_id]
        if self.thread_id:
            parts.append(self.thread_id)
        return ":".join(parts)

    @property
    def customer_key(self) -> str:
        return customer_key(self.platform, self.user_id)

    @classmethod
    def parse(cls, key: str) -> ConversationAddress:
        parts = key.split(":")
        if len(parts) not in (3, 4) or not all(parts[:3]):
            raise ValueError(f"not a conversation key: {key!r}")
        return cls(*parts)


def private_conversation_key(platform: str, user_id: str) -> str:
    """A private chat with a user: on every platform we serve, its chat id is the user's id."""
    return ConversationAddress(platform, user_id, user_id).key


def customer_key(platform: str, user_id: str) -> str:
    return f"{platform}:{user_id}"


def customer_user_id(key: str) -> str:
    """The platform's user id inside a customer key."""
    return key.split(":", 1)[1]
