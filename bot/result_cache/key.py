"""What makes two requests identical: the masked prompt, the kind, the model, the brand kit's
version and every generation parameter (an image's seed among them). The organization is part of
the Redis key itself, outside the digest, so a key can never be shared across tenants.

An image's seed is drawn at random for each request, which would make no two image requests
identical. Where the organization opted in to the result cache, the seed is derived from the
organization and the masked prompt instead (``request_seed``): the same prompt draws the same
image, so a later identical request (or one pre-generated off-peak) is the same request."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field

KEY_PREFIX = "cf:result"
SEED_BOUND = 2**31  # the seeds a diffusion pipeline takes (and ``secrets.randbelow`` draws otherwise)


def request_seed(org_id: uuid.UUID, masked_prompt: str) -> int:
    """The image seed of a request of an organization that opted in to the result cache."""
    digest = hashlib.sha256(f"{org_id}\n{masked_prompt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % SEED_BOUND


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
