"""Encryption at rest for Slack tokens and PII mappings (Fernet; several keys for rotation)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    """Encrypts with the first key, decrypts with any: rotate by putting a new key first."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("TOKEN_ENCRYPTION_KEY holds no key")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])

    def encrypt(self, value: str | None) -> bytes | None:
        return None if value is None else self._fernet.encrypt(value.encode())

    def decrypt(self, value: bytes | None) -> str | None:
        if value is None:
            return None
        try:
            return self._fernet.decrypt(bytes(value)).decode()
        except InvalidToken as exc:
            raise ValueError("a stored secret cannot be decrypted with TOKEN_ENCRYPTION_KEY") from exc

    def encrypt_json(self, value: dict[str, str] | None) -> bytes | None:
        return None if not value else self.encrypt(json.dumps(value, sort_keys=True))

    def decrypt_json(self, value: bytes | None) -> dict[str, str]:
        text = self.decrypt(value)
        return json.loads(text) if text else {}

    def rotate(self, value: bytes) -> bytes:
        """The same secret encrypted under the first key (whichever key it was encrypted with)."""
        try:
            return self._fernet.rotate(bytes(value))
        except InvalidToken as exc:
            raise ValueError("a stored secret cannot be decrypted with TOKEN_ENCRYPTION_KEY") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()
