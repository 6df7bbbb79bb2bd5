"""Is a push really from WeChat? Signatures in constant time, AES decryption with key rotation.

wechatpy's ``check_signature`` and ``WeChatCrypto`` compare signatures with ``!=``; we check
them ourselves with ``hmac.compare_digest`` first, so wechatpy's own comparison only ever sees
signatures that already matched. During an EncodingAESKey change WeChat may still encrypt with
the previous key for a while, so each configured key is tried in turn.

A signature proves who signed a push, not when: a captured push stays valid forever. So pushes
also carry a timestamp (signed with them), and one too far from our clock is refused
(``require_fresh``); WeChat's own retries all come within about 15 s of the first delivery.
"""

from __future__ import annotations

import binascii
import hmac
import struct
import time
from collections.abc import Sequence
from typing import Protocol

from pydantic import SecretStr
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import WeChatException
from wechatpy.utils import WeChatSigner
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.errors import RefusedInput


class ForgedPush(RefusedInput):
    """The signature does not match: not from WeChat (or the token is wrong)."""


class UndecryptablePush(RefusedInput):
    """Signed correctly but no configured EncodingAESKey decrypts it for this app."""


class StalePush(RefusedInput):
    """The timestamp is outside the freshness window: a replay, or a clock far off."""


# What a wrong key, a truncated cipher text or another app's message raise inside wechatpy.
_DECRYPT_ERRORS = (ValueError, IndexError, struct.error, binascii.Error, WeChatException)


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted parts (token, timestamp, nonce[, Encrypt])."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def require_signature(given: str, *parts: str) -> None:
    """Raise ``ForgedPush`` unless ``given`` is the signature of ``parts``."""
    if not given or not hmac.compare_digest(signature(*parts).encode(), given.encode()):
        raise ForgedPush("signature mismatch")


def require_fresh(timestamp: str, window_seconds: int, now: float | None = None) -> None:
    """Raise ``StalePush`` unless ``timestamp`` is within ``window_seconds`` of ``now``."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise StalePush("timestamp is missing or not a number of seconds")
    age = (time.time() if now is None else now) - int(timestamp)
    if age > window_seconds:
        raise StalePush(
            f"timestamp is {age:.0f} s old; pushes older than {window_seconds} s are refused"
        )
    if -age > window_seconds:
        raise StalePush(
            f"timestamp is {-age:.0f} s ahead of our clock; the limit is {window_seconds} s"
        )


class _Crypto(Protocol):
    def decrypt_message(
        self, msg: dict[str, str], signature: str, timestamp: str, nonce: str
    ) -> str: ...


class PushDecrypter:
    """Decrypts safe-mode pushes with the current EncodingAESKey, then the previous one."""

    def __init__(
        self, token: str, aes_keys: Sequence[str], receiver_id: str, *, work: bool = False
    ) -> None:
        crypto_class = WorkCrypto if work else WeChatCrypto
        self.token = token
        self._cryptos: list[_Crypto] = [
            crypto_class(token, key, receiver_id) for key in aes_keys if key
        ]
        self._work = work

    def decrypt(self, encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """The plaintext XML inside ``encrypted`` (the ``Encrypt`` element)."""
        require_signature(msg_signature, self.token, timestamp, nonce, encrypted)
        for crypto in self._cryptos:
            try:
                return str(
                    crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce)
                )
            except _DECRYPT_ERRORS:
                continue
        raise UndecryptablePush("no configured EncodingAESKey decrypts this push")

    def decrypt_echo(self, echostr: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """WeCom's URL check: ``echostr`` is encrypted too and must be echoed decrypted."""
        return self.decrypt(echostr, msg_signature, timestamp, nonce)


class _Configured(Protocol):
    token: SecretStr
    encoding_aes_key: SecretStr
    previous_encoding_aes_key: SecretStr


def decrypter_for(config: _Configured, receiver_id: str, *, work: bool = False) -> PushDecrypter:
    """A decrypter from a settings section: its token, current and previous AES keys."""
    return PushDecrypter(
        config.token.get_secret_value(),
        [
            config.encoding_aes_key.get_secret_value(),
            config.previous_encoding_aes_key.get_secret_value(),
        ],
        receiver_id,
        work=work,
    )
