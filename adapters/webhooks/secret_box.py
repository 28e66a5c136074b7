"""Webhook secrets encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, from cryptography)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from application.webhooks.ports import SecretBox

KEY_FILE = "secret.key"
SECRET_BYTES = 24  # 192-bit signing secrets, within the spec's 24-64 bytes


class FernetSecretBox(SecretBox):
    """Seals ``whsec_...`` secrets with a key from ``STOCKROOM_SECRET_KEY``."""

    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    def new_secret(self) -> str:
        raw = secrets.token_bytes(SECRET_BYTES)
        return "whsec_" + base64.b64encode(raw).decode()

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise RuntimeError(
                "a webhook secret cannot be decrypted: STOCKROOM_SECRET_KEY changed"
            ) from None


def development_key(data_dir: Path) -> str:
    """The key kept in the data directory (made on first use, readable by its owner only)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
    return path.read_text().strip()
