"""The web chat: a page where a person chats with the bot, and the JSON API behind it.

It is a platform like the others: its receiving half (``routes.py``) accepts messages and
queues them; its sending half (``sender.py``) delivers replies into the conversation's
transcript, which the page reads.
"""
