"""Reads of the school domain; every function takes the school it reads for."""

from attendance.api_keys import key_matches, parse_key
from attendance.models import ApiKey


def api_key_for_secret(raw_key: str) -> ApiKey | None:
    """The live key for a presented secret, or None (unknown, malformed or revoked alike).

    This is the one read that cannot be scoped by school: it is how the school is found.
    """
    parsed = parse_key(raw_key)
    if parsed is None:
        return None
    api_key = ApiKey.unscoped.select_related("school").filter(prefix=parsed.prefix).first()
    if api_key is None or not key_matches(parsed.full, api_key.key_hash) or not api_key.is_active:
        return None
    return api_key
