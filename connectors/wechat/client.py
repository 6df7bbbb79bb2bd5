"""wechatpy clients that share one access token through Redis, pointed at a configurable host.

Every process and worker thread uses the same token: wechatpy keeps it in its session storage,
here Redis (``RedisSessionStorage``). A token is refreshed ``REFRESH_MARGIN_SECONDS`` before it
expires, by one process at a time (a Redis lock, SET NX PX): WeChat invalidates the previous
token when a new one is fetched, so two refreshers would keep breaking each other's calls.

wechatpy takes the API host from ``API_BASE_URL`` except in ``fetch_access_token``, where the
real host is written in; both are overridden so a client can talk to a local stand-in.
wechatpy is synchronous (requests): call it through ``call_api``, which runs it in a thread
and scrubs credentials from the errors requests raises (their messages quote the URL, and the
access token is in the query string).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
import requests
from wechatpy.client import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.work.client import WeChatClient as WorkClient

from bot import keys
from bot.lease import SyncLease
from bot.redis_conn import build_sync_client
from connectors.wechat.settings import WechatSettings, WecomKfSettings

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300
_LOCK_MS = 15_000
_WAIT_SECONDS = 20.0


class _RedactCredentials(logging.Filter):
    """urllib3 logs request lines at DEBUG, query string included: the app secret and the
    access token travel there. Blank them out before any handler sees them."""

    _PATTERN = re.compile(r"((?:secret|corpsecret|access_token)=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                self._PATTERN.sub(r"\1***", a) if isinstance(a, str) else a for a in args
            )
        return True


_REDACT = _RedactCredentials()
_T = TypeVar("_T")


def redact(text: str) -> str:
    """``text`` with app secrets and access tokens in URLs blanked out."""
    return _RedactCredentials._PATTERN.sub(r"\1***", text)


async def call_api(function: Callable[..., _T], *args: Any) -> _T:
    """Run a blocking wechatpy call in a thread; its requests errors come back scrubbed, with
    their type kept (a ``ReadTimeout`` is still a ``ReadTimeout``)."""
    try:
        return await asyncio.to_thread(function, *args)
    except requests.RequestException as exc:
        exc.args = tuple(redact(str(arg)) for arg in exc.args)
        exc.__cause__ = exc.__context__ = None
        exc.__suppress_context__ = True
        raise


def _redact_request_logs() -> None:
    pool_logger = logging.getLogger("urllib3.connectionpool")
    if _REDACT not in pool_logger.filters:
        pool_logger.addFilter(_REDACT)


class RedisSessionStorage(SessionStorage):
    """wechatpy's session storage on a synchronous Redis client; keys from ``bot.keys``."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.redis.get(keys.wechat_session(key))
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is not None:
            self.redis.set(keys.wechat_session(key), json.dumps(value), ex=ttl)

    def delete(self, key: str) -> None:
        self.redis.delete(keys.wechat_session(key))


class _SharedToken:
    """Mixin: a token refreshed early, by one process at a time. Needs wechatpy's client."""

    session: RedisSessionStorage
    access_token_key: str
    expires_at: Any
    timeout: float | None
    _http: requests.Session

    def _token_request(self) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)
        if token and self._fresh():
            return str(token)
        self._refresh(stale=token, force=False)
        return str(self.session.get(self.access_token_key))

    def fetch_access_token(self) -> dict[str, Any]:
        """Called by wechatpy when the API says the token is invalid: replace that token."""
        return self._refresh(stale=self.session.get(self.access_token_key), force=True)

    def _fresh(self) -> bool:
        expires_at = self.expires_at
        return bool(expires_at) and float(expires_at) - time.time() > REFRESH_MARGIN_SECONDS

    def _refresh(self, stale: Any, force: bool) -> dict[str, Any]:
        lease = SyncLease(
            self.session.redis, keys.wechat_token_lock(self.access_token_key), _LOCK_MS
        )
        deadline = time.monotonic() + _WAIT_SECONDS
        while True:
            if self._replaced(stale, force):
                return {"access_token": self.session.get(self.access_token_key)}
            if lease.acquire():
                try:
                    if self._replaced(stale, force):  # refreshed while we took the lock
                        return {"access_token": self.session.get(self.access_token_key)}
                    return self._fetch_token()
                finally:
                    lease.release()
            if time.monotonic() > deadline:
                raise WeChatClientException(
                    None, "timed out waiting for another process to refresh the access token"
                )
            time.sleep(0.05)

    def _fetch_token(self) -> dict[str, Any]:
        # wechatpy's own _fetch_access_token calls without a timeout; a hung token endpoint
        # would hold the refresh lock's thread forever.
        url, params = self._token_request()
        logger.info("Fetching a new WeChat access token")
        try:
            response = self._http.get(url=url, params=params, timeout=self.timeout)
            response.raise_for_status()
            result: dict[str, Any] = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatClientException(
                None, f"access token request failed: {redact(repr(exc))}"
            ) from None
        if int(result.get("errcode", 0)):
            raise WeChatClientException(result["errcode"], result.get("errmsg", ""))
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result

    def _replaced(self, stale: Any, force: bool) -> bool:
        current = self.session.get(self.access_token_key)
        if not current:
            return False
        if force:
            return bool(current != stale)
        return self._fresh()


class OfficialAccountClient(_SharedToken, WeChatClient):
    """wechatpy's official-account client with a shared token and a configurable host."""

    def __init__(self, settings: WechatSettings, storage: RedisSessionStorage) -> None:
        super().__init__(
            settings.app_id,
            settings.app_secret.get_secret_value(),
            session=storage,
            timeout=settings.request_timeout_seconds,
        )
        self.API_BASE_URL = _with_slash(settings.api_base_url)

    def _token_request(self) -> tuple[str, dict[str, str]]:
        return f"{self.API_BASE_URL}token", {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret,
        }


class KfClient(_SharedToken, WorkClient):
    """wechatpy's WeCom client (``kf``, ``kf_message``) with a shared token and host."""

    def __init__(self, settings: WecomKfSettings, storage: RedisSessionStorage) -> None:
        super().__init__(
            settings.corp_id,
            settings.secret.get_secret_value(),
            session=storage,
            timeout=settings.request_timeout_seconds,
        )
        self.API_BASE_URL = _with_slash(settings.api_base_url)

    @property
    def access_token_key(self) -> str:
        # wechatpy puts the first 10 characters of the secret in this name; a hash will do.
        digest = hashlib.sha256(self.secret.encode()).hexdigest()[:12]
        return f"{self.corp_id}_{digest}_access_token"

    def _token_request(self) -> tuple[str, dict[str, str]]:
        return f"{self.API_BASE_URL}gettoken", {"corpid": self.corp_id, "corpsecret": self.secret}


def session_storage(redis_url: str) -> RedisSessionStorage:
    """A small synchronous Redis client for wechatpy's threads (the app's client is async)."""
    _redact_request_logs()
    return RedisSessionStorage(build_sync_client(redis_url))


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
