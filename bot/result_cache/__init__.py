"""The opt-in result cache: an identical request within a TTL reuses a stored result instead of a
model call. Keys are per organization; nothing is shared across tenants."""

from bot.result_cache.key import CacheableRequest, request_seed
from bot.result_cache.settings import CacheSettings, load_cache_settings, set_image_pregeneration, set_result_cache
from bot.result_cache.store import CachedResult, ResultCache

__all__ = [
    "CacheSettings",
    "CacheableRequest",
    "CachedResult",
    "ResultCache",
    "load_cache_settings",
    "request_seed",
    "set_image_pregeneration",
    "set_result_cache",
]
