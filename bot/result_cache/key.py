"""What makes two requests identical: the masked prompt, the kind, the model, the brand kit's
version and every generation parameter (an image's seed among them). The organization is part of
the Redis key itself, outside the digest, so a key can never be shared across tenants."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field

KEY_PREFIX = "cf:result"


@dataclass(frozen=True)
class CacheableRequest:
    org_id: uuid.UUID
    kind: str
    masked_prompt: str
    model: str
    brand_kit_version: int  # 0: no kit (none written, or `--plain`)
    parameters: dict[str, int | float | str] = field(default_factory=dict)
    seed: int | None = None

    def digest(self) -> str:
        identity = {
            "kind": self.kind,
            "prompt": self.masked_prompt,
            "model": self.model,
            "brand_kit_version": self.brand_kit_version,
            "parameters": self.parameters,
            "seed": self.seed,
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def redis_key(self) -> str:
        return f"{KEY_PREFIX}:{self.org_id}:{self.digest()}"
