"""Secrets at rest: values only somu may read back (chat webhook URLs, API tokens).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
``SECRET_KEY`` with HKDF, so a copy of the database alone does not reveal them. Keys listed in
``SOMU_OLD_SECRET_KEYS`` still decrypt (``MultiFernet``), which makes rotating ``SECRET_KEY``
possible without losing data: the next save, or ``somu manage reencrypt_secrets``, re-encrypts
under the new key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import urllib.parse
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_ENCRYPTION_INFO = b"somu field encryption v1"
_FINGERPRINT_INFO = b"somu audit fingerprint v1"


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"somu", info=info).derive(
        secret.encode()
    )


def _secret_keys() -> tuple[str, ...]:
    return (settings.SECRET_KEY, *getattr(settings, "SOMU_OLD_SECRET_KEYS", ()))


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(key, _ENCRYPTION_INFO))) for key in keys]
    )


def encrypt(value: str) -> str:
    """``value`` encrypted under the current ``SECRET_KEY`` (a different token every time)."""
    return _fernet(_secret_keys()).encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The value of ``token``, under the current key or one of ``SOMU_OLD_SECRET_KEYS``."""
    try:
        return _fernet(_secret_keys()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise ImproperlyConfigured(
            "An encrypted value cannot be decrypted with SECRET_KEY: if the key was changed, "
            "list the previous one in SOMU_OLD_SECRET_KEYS."
        ) from None


def fingerprint(value: str) -> str:
    """Eight hex digits that change when ``value`` does and reveal nothing else about it."""
    key = _derive(settings.SECRET_KEY, _FINGERPRINT_INFO)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:8]


class EncryptedTextField(models.TextField):
    """Text stored encrypted; Python code sees the plain value. An empty value stays empty.

    The stored token differs on every save, so the field cannot be filtered on.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def audit_value(self, value: str | None) -> str:
        """What the audit log keeps of a secret: a URL's scheme and host, and a fingerprint."""
        if not value:
            return ""
        parts = urllib.parse.urlsplit(value)
        shown = f"{parts.scheme}://{parts.netloc}/…" if parts.scheme and parts.netloc else "••••"
        return f"{shown} [{fingerprint(value)}]"
