"""Telegram: private chats, group mentions and channel comments, through python-telegram-bot.

Receiving half: ``webhook.py`` (``POST /telegram/webhook``, secret token checked) or
``polling.py`` (``getUpdates`` by one process at a time); both hand each ``telegram.Update`` to
``intake.py``, which normalizes it (``normalize.py``) and queues it in the inbox, deduped by
``update_id``. Sending half: ``sender.py``, on an ``ExtBot`` with flood limits
(``ratelimit.py``). How ids are encoded so that a reply finds its message: ``ids.py``.
"""
