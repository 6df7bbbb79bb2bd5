from __future__ import annotations

import pytest

from connectors.wechat.verify import (
    ForgedPush,
    PushDecrypter,
    StalePush,
    UndecryptablePush,
    require_fresh,
    require_signature,
    signature,
)
from tests.connectors.wechat.pushes import AES_KEY, OLD_AES_KEY, TOKEN, encrypted_push, fixture
from tests.connectors.wechat.standin import APP_ID

# Known-answer vectors published with wechatpy's and other SDKs' test suites.
KAT_TOKEN, KAT_KEY, KAT_ID = (
    "123456",
    "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "wx49f0ab532d5d035a",
)
KAT_ECHO = (
    "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
)


def test_signature_known_answer() -> None:
    assert signature("test", "123456", "test", "rust") == "d6056f2bb3ad3e30f4afa5ef90cc9ddcdc7b7b27"


def test_echo_known_answer() -> None:
    decrypter = PushDecrypter(KAT_TOKEN, [KAT_KEY], KAT_ID, work=True)
    echoed = decrypter.decrypt_echo(
        KAT_ECHO, "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374425"
    )
    assert echoed == "5927782489442352469"


@pytest.mark.parametrize("given", ["", "0" * 40, "dd6b9c95b495b3f7e2901bfbc76c664930ffdb97"])
def test_a_wrong_signature_is_forged(given: str) -> None:
    with pytest.raises(ForgedPush):
        require_signature(given, KAT_TOKEN, "1411443780", "437374425")


def _encrypt_element(key: str) -> tuple[str, dict[str, str]]:
    delivery = encrypted_push(fixture("text"), aes_key=key)
    body = delivery.body.decode()
    encrypted = body.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    return encrypted, delivery.params


@pytest.mark.parametrize("key", [AES_KEY, OLD_AES_KEY])
def test_current_and_previous_keys_both_decrypt(key: str) -> None:
    encrypted, params = _encrypt_element(key)
    decrypter = PushDecrypter(TOKEN, [AES_KEY, OLD_AES_KEY], APP_ID)
    plain = decrypter.decrypt(
        encrypted, params["msg_signature"], params["timestamp"], params["nonce"]
    )
    assert "<Content><![CDATA[退货政策是什么?]]></Content>" in plain


def test_an_unknown_key_is_undecryptable_not_a_crash() -> None:
    encrypted, params = _encrypt_element(OLD_AES_KEY)
    decrypter = PushDecrypter(TOKEN, [AES_KEY], APP_ID)
    with pytest.raises(UndecryptablePush):
        decrypter.decrypt(encrypted, params["msg_signature"], params["timestamp"], params["nonce"])


def test_another_apps_message_is_undecryptable() -> None:
    encrypted, params = _encrypt_element(AES_KEY)
    decrypter = PushDecrypter(TOKEN, [AES_KEY], "wx0000000000000000")
    with pytest.raises(UndecryptablePush):
        decrypter.decrypt(encrypted, params["msg_signature"], params["timestamp"], params["nonce"])


def test_a_tampered_cipher_text_fails_the_signature() -> None:
    encrypted, params = _encrypt_element(AES_KEY)
    decrypter = PushDecrypter(TOKEN, [AES_KEY], APP_ID)
    # A different first character: the cipher text is random, and may start with any one.
    tampered = ("B" if encrypted[0] == "A" else "A") + encrypted[1:]
    with pytest.raises(ForgedPush):
        decrypter.decrypt(tampered, params["msg_signature"], params["timestamp"], params["nonce"])


@pytest.mark.parametrize("offset", [0, 300, -300, 15, -15])
def test_a_timestamp_within_the_window_is_fresh(offset: int) -> None:
    assert require_fresh(str(1_700_000_000 + offset), 300, now=1_700_000_000) is None


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        (str(1_700_000_000 - 400 * 86400), "old"),  # a push captured 400 days ago
        (str(1_700_000_000 + 10 * 86400), "ahead"),  # signed 10 days in the future
        (str(1_700_000_000 - 301), "old"),
        (str(1_700_000_000 + 301), "ahead"),
        ("", "not a number"),
        ("-5", "not a number"),
        ("1e9", "not a number"),
        ("9" * 5000, "not a number"),
    ],
)
def test_a_timestamp_outside_the_window_is_stale(timestamp: str, reason: str) -> None:
    with pytest.raises(StalePush, match=reason):
        require_fresh(timestamp, 300, now=1_700_000_000)
