"""Staff passwords: argon2id hashes made by `python -m leadsf hash-password`, kept in secrets.toml."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hash: str | None = None


def dummy_hash() -> str:
    """A hash of a random password, checked for unknown usernames so every attempt costs the same time."""
    global _dummy_hash
    if _dummy_hash is None:
        import secrets

        _dummy_hash = hash_password(secrets.token_urlsafe(24))
    return _dummy_hash


def check_credentials(passwords, username: str, password: str) -> bool:
    """True only for a known username whose argon2 hash matches; unknown names still run one verify."""
    stored = passwords.get(username) if username else None
    known = isinstance(stored, str) and stored.startswith("$argon2")
    ok = verify_password(stored if known else dummy_hash(), password or "")
    return ok and known
