"""Data residency: the regions an organization's data may live in (``REGIONS``).

``REGIONS`` is a JSON document, or the path of a file holding one, mapping each region's name to
its PostgreSQL URLs and optionally its Redis::

    {"us": {"database_url": "postgresql://cf_app:…@pg-us/cf", "admin_url": "postgresql://owner:…@pg-us/cf"},
     "eu": {"database_url": "postgresql://cf_app:…@pg-eu/cf", "admin_url": "postgresql://owner:…@pg-eu/cf",
            "redis_url": "redis://redis-eu:6379/0"}}

Without it the service has one implicit region made of ``DATABASE_URL``, ``DATABASE_ADMIN_URL`` and
``REDIS_URL``, and every name stays as it always was (queues ``text``, ``image``; no directory).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The name of the one region a service without REGIONS has.
IMPLICIT_REGION = "default"
# Region names become queue names (``text.eu``) and metric attributes: short and plain.
REGION_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_FIELDS = ("database_url", "admin_url", "redis_url")


class RegionsError(ValueError):
    """REGIONS cannot be read; the message says what is wrong on one line."""


@dataclass(frozen=True)
class Region:
    name: str
    database_url: str  # the application role
    admin_url: str | None  # the owner role, for `migrate` and `region move`
    redis_url: str | None  # None: REDIS_URL


def normalize_database_url(url: str) -> str:
    """Accept the usual spellings and return the asyncpg form SQLAlchemy needs."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if not url.startswith("postgresql+asyncpg://"):
        raise ValueError("must start with postgresql+asyncpg:// (or postgresql://)")
    return url


def _document(value: str) -> str:
    text = value.strip()
    if text.startswith("{"):
        return text
    path = Path(text)
    if not path.is_file():
        raise RegionsError("must be a JSON object of regions, or the path of a file holding one")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def parse_regions(value: str) -> dict[str, Region]:
    """The regions ``value`` names, in its order; raises ``RegionsError`` naming the first mistake."""
    try:
        document = json.loads(_document(value))
    except json.JSONDecodeError as error:
        raise RegionsError(f"is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict) or not document:
        raise RegionsError("must be a JSON object with at least one region")
    regions: dict[str, Region] = {}
    for name, entry in document.items():
        if not REGION_NAME.match(name):
            raise RegionsError(f"region name {name!r} must be lower-case letters, digits and '-' (at most 32)")
        if not isinstance(entry, dict):
            raise RegionsError(f"region {name}: must be an object with database_url, admin_url, redis_url")
        unknown = sorted(set(entry) - set(_FIELDS))
        if unknown:
            raise RegionsError(f"region {name}: unknown field {unknown[0]!r} (known: {', '.join(_FIELDS)})")
        if not isinstance(entry.get("database_url"), str) or not entry["database_url"]:
            raise RegionsError(f"region {name}: database_url is required")
        urls: dict[str, str | None] = {}
        for field in _FIELDS:
            url = entry.get(field)
            if url is not None and not isinstance(url, str):
                raise RegionsError(f"region {name}: {field} must be a string")
            urls[field] = url or None
        try:
            database_url = normalize_database_url(str(urls["database_url"]))
            admin_url = normalize_database_url(urls["admin_url"]) if urls["admin_url"] else None
        except ValueError as error:
            raise RegionsError(f"region {name}: database URLs {error}") from None
        redis_url = urls["redis_url"]
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise RegionsError(f"region {name}: redis_url must start with redis:// or rediss://")
        regions[name] = Region(name, database_url, admin_url, redis_url)
    return regions
