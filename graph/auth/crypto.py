"""Keys derived from ``PORTAL_SECRET_KEY``: Fernet encryption at rest, cookie signatures, store keys.

Each purpose gets its own HKDF-SHA256 key, so a signature can never be replayed as a ciphertext
key and one leaked derivative does not give away the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SALT = b"suitegraph/v1"


class InvalidCiphertext(ValueError):
    """Stored data was tampered with, truncated, or encrypted under another secret key."""


def derive_key(secret_key: str, purpose: str) -> bytes:
    if not secret_key:
        raise ValueError("a secret key is required")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode())
    return hkdf.derive(secret_key.encode())


class TokenCipher:
    """Authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) of data kept in the store."""

    def __init__(self, secret_key: str, *, purpose: str = "store-encryption") -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret_key, purpose)))

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self._fernet.decrypt(ciphertext)
        except (InvalidToken, TypeError, ValueError) as error:
            raise InvalidCiphertext("stored data could not be decrypted") from error


class Signer:
    """HMAC signatures for cookie values and keyed digests for store keys."""

    def __init__(self, secret_key: str) -> None:
        self._sign_key = derive_key(secret_key, "cookie-signature")
        self._digest_key = derive_key(secret_key, "store-key")

    def _mac(self, value: str) -> str:
        digest = hmac.new(self._sign_key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")

    def sign(self, value: str) -> str:
        return f"{value}.{self._mac(value)}"

    def unsign(self, signed: str) -> str | None:
        """The value, or None when the signature does not match."""
        value, dot, mac = signed.rpartition(".")
        if not dot or not value or not hmac.compare_digest(mac.encode(), self._mac(value).encode()):
            return None
        return value

    def digest(self, value: str) -> str:
        """A keyed digest: the store never holds a session id or OAuth state that could be replayed."""
        return hmac.new(self._digest_key, value.encode(), hashlib.sha256).hexdigest()


__all__ = ["InvalidCiphertext", "Signer", "TokenCipher", "derive_key"]
