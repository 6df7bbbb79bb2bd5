from __future__ import annotations

from connectors.telegram import ids


def test_message_ids_round_trip_and_foreign_ids_carry_none() -> None:
    assert ids.message_id_of(ids.platform_message_id(800000001, 42)) == 42
    assert ids.message_id_of("") is None
    assert ids.message_id_of("wx-123") is None


def test_threads_round_trip() -> None:
    assert ids.thread_of(ids.post_thread(77)) == ids.Thread("post", 77)
    assert ids.thread_of(ids.topic_thread(5)) == ids.Thread("topic", 5)
    assert ids.thread_of("") is None
