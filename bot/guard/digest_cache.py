"""What the guard worked out about a stretch of text, remembered by a hash of that text.

Prompts repeat greetings, signatures, template lines and the contact numbers in them, and the
costly steps (the NER model, libphonenumber's validation) give the same answer for the same
stretch every time. Only a 16-byte digest of the stretch and what was worked out (offsets,
labels, scores) are kept, never the text itself; the least recently used entry goes first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class DigestCache(Generic[V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, V] = OrderedDict()

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    def get(self, key: bytes) -> V | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: bytes, value: V) -> None:
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
