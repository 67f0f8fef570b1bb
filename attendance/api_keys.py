"""API key format, hashing and verification (no database access here).

A key looks like ``fk_<prefix>_<secret>``: the prefix (8 chars) is stored in clear to find the row and to show the
key in lists; the whole key is stored only as SHA-256. Keys are 256-bit random, so a fast hash is enough: there is
nothing to brute-force that a slow hash would protect.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_PREFIX = "fk"
PREFIX_LENGTH = 8


@dataclass(frozen=True)
class ParsedKey:
    prefix: str
    full: str


def generate_key() -> tuple[str, str]:
    """A new ``(key, prefix)``; the key is shown once and never stored."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_key(key: str) -> ParsedKey | None:
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != PREFIX_LENGTH or not parts[2]:
        return None
    return ParsedKey(prefix=parts[1], full=key.strip())


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), stored_hash)
