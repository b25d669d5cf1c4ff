"""The fake Gemini's explicit context caches (``cachedContents``), with the real API's rules:

- ``POST /{version}/cachedContents`` creates one from a model, a system instruction and/or contents
  and a ``ttl`` ("3600s") or ``expireTime``; a cache under the model's minimum size (1,024 tokens
  for the Flash models) is refused with 400, as Gemini does;
- ``GET``/``PATCH``/``DELETE /{version}/cachedContents/{id}`` read it, move its expiry, delete it;
- a ``generateContent`` naming ``cachedContent`` must not set ``systemInstruction`` (400), the cache
  must exist, be unexpired and belong to the same model (else 403 "not found (or permission
  denied)"); the cached tokens count in ``promptTokenCount`` and are reported as
  ``cachedContentTokenCount``.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

DEFAULT_MIN_CACHE_TOKENS = 1024
DEFAULT_TTL = timedelta(hours=1)


@dataclass
class CachedContent:
    name: str
    model: str
    body: dict[str, Any]
    tokens: int
    created: datetime
    expires: datetime

    def to_json(self) -> dict[str, Any]:
        stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
        return {
            "name": self.name,
            "model": self.model,
            "createTime": self.created.strftime(stamp),
            "updateTime": self.created.strftime(stamp),
            "expireTime": self.expires.strftime(stamp),
            "usageMetadata": {"totalTokenCount": self.tokens},
        }


def _error(status: int, message: str) -> web.Response:
    names = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
    body = {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}
    return web.json_response(body, status=status)


def _expiry(body: dict[str, Any], now: datetime) -> datetime | None:
    ttl, expire_time = body.get("ttl"), body.get("expireTime")
    if isinstance(ttl, str) and ttl.endswith("s"):
        try:
            return now + timedelta(seconds=float(ttl[:-1]))
        except ValueError:
            return None
    if isinstance(expire_time, str):
        try:
            return datetime.fromisoformat(expire_time.replace("Z", "+00:00"))
        except ValueError:
            return None
    return now + DEFAULT_TTL


class ContextCaches:
    """Thread-safe: the fake serves on one thread and tests read from another."""

    def __init__(self, count_tokens: Any, min_tokens: int = DEFAULT_MIN_CACHE_TOKENS) -> None:
        self._count_tokens = count_tokens  # (request body) -> tokens, the fake's own counter
        self.min_tokens = min_tokens
        self._caches: dict[str, CachedContent] = {}
        self._lock = threading.Lock()
        self.created = 0

    def all(self) -> list[CachedContent]:
        with self._lock:
            return list(self._caches.values())

    def reset(self) -> None:
        with self._lock:
            self._caches.clear()
            self.created = 0

    def register(self, app: web.Application) -> None:
        app.router.add_post("/{version}/cachedContents", self._create)
        app.router.add_get("/{version}/cachedContents/{id}", self._get)
        app.router.add_patch("/{version}/cachedContents/{id}", self._update)
        app.router.add_delete("/{version}/cachedContents/{id}", self._delete)

    def resolve(self, body: dict[str, Any], model: str) -> tuple[CachedContent | None, web.Response | None]:
        """The cache a generateContent names, or the error the real API answers."""
        name = body.get("cachedContent")
        if not name:
            return None, None
        if body.get("systemInstruction"):
            return None, _error(
                400,
                "CachedContent can not be used with GenerateContent request setting system_instruction, "
                "tools or tool_config.\n\nProposed fix: move those values to CachedContent from "
                "GenerateContent request.",
            )
        with self._lock:
            cache = self._caches.get(name)
        if cache is None or cache.expires <= datetime.now(UTC) or cache.model != f"models/{model}":
            return None, _error(403, f"CachedContent not found (or permission denied): {name}")
        return cache, None

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return _error(400, "* CreateCachedContentRequest.cached_content.model: model is required")
        if not model.startswith("models/"):
            model = f"models/{model}"
        now = datetime.now(UTC)
        expires = _expiry(body, now)
        if expires is None:
            return _error(400, "Invalid value at 'cached_content.ttl'")
        tokens = self._count_tokens(body)
        if tokens < self.min_tokens:
            return _error(
                400, f"Cached content is too small. total_token_count={tokens}, min_total_token_count={self.min_tokens}"
            )
        cache = CachedContent(f"cachedContents/{uuid.uuid4().hex[:16]}", model, body, tokens, now, expires)
        with self._lock:
            self._caches[cache.name] = cache
            self.created += 1
        return web.json_response(cache.to_json())

    def _find(self, request: web.Request) -> CachedContent | None:
        with self._lock:
            cache = self._caches.get(f"cachedContents/{request.match_info['id']}")
        if cache is None or cache.expires <= datetime.now(UTC):
            return None
        return cache

    async def _get(self, request: web.Request) -> web.Response:
        cache = self._find(request)
        if cache is None:
            return _error(403, "CachedContent not found (or permission denied)")
        return web.json_response(cache.to_json())

    async def _update(self, request: web.Request) -> web.Response:
        cache = self._find(request)
        if cache is None:
            return _error(403, "CachedContent not found (or permission denied)")
        expires = _expiry(await request.json(), datetime.now(UTC))
        if expires is None:
            return _error(400, "Invalid value at 'cached_content.ttl'")
        cache.expires = expires
        return web.json_response(cache.to_json())

    async def _delete(self, request: web.Request) -> web.Response:
        with self._lock:
            self._caches.pop(f"cachedContents/{request.match_info['id']}", None)
        return web.json_response({})
