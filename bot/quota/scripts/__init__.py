"""The quota's Lua scripts, one per operation, registered on a client.

redis-py's ``register_script`` runs each with EVALSHA and, on NOSCRIPT (a restarted or flushed
server, a failover), loads it again and retries, so the script cache is never a failure mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript


def script_source(name: str) -> str:
    return (files(__package__) / f"{name}.lua").read_text(encoding="utf-8")


@dataclass(frozen=True)
class QuotaScripts:
    reserve: AsyncScript
    settle: AsyncScript
    rebuild: AsyncScript
    configure: AsyncScript

    @classmethod
    def register(cls, client: aioredis.Redis) -> QuotaScripts:
        return cls(**{name: client.register_script(script_source(name)) for name in cls.__dataclass_fields__})
