"""Salted password hashes for local accounts: Argon2id through argon2-cffi (no hand-made crypto).

The hash string carries its own salt and cost parameters (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``), so
a later change of the library's defaults still verifies old hashes and :func:`needs_rehash` says when to
upgrade one."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()  # argon2-cffi's RFC 9106 "low memory" profile: 64 MiB, 3 passes
MIN_LENGTH = 10  # a password an analyst types; long enough that an offline guess costs something


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed stored hash is a mismatch, never an exception."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
