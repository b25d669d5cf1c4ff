"""The opt-in result cache: an identical request within a TTL reuses a stored result instead of a
model call. Keys are per organization; nothing is shared across tenants."""

from bot.result_cache.key import CacheableRequest
from bot.result_cache.settings import set_result_cache
from bot.result_cache.store import CachedResult, ResultCache

__all__ = ["CacheableRequest", "CachedResult", "ResultCache", "set_result_cache"]
