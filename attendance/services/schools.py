"""Schools and their API keys."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from attendance.api_keys import generate_key, hash_key
from attendance.models import ApiKey, School
from faceapi.errors import ApiError

LAST_USED_RESOLUTION = timedelta(minutes=1)


class SchoolNameInvalid(ApiError):
    code = "invalid_school_name"
    default_message = "A school needs a name with at least one letter or digit."


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70]
    if not base:
        raise SchoolNameInvalid()
    slug, n = base, 2
    while School.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_api_key(*, school: School, name: str = "default") -> tuple[ApiKey, str]:
    """A new key for ``school``: returns the row and the clear key (shown once, never stored)."""
    key, prefix = generate_key()
    api_key = ApiKey.unscoped.create(school=school, name=name, prefix=prefix, key_hash=hash_key(key))
    return api_key, key


@transaction.atomic
def create_school(*, name: str) -> tuple[School, str]:
    """A school with its first admin API key; returns the school and the clear key."""
    school = School.objects.create(name=name.strip(), slug=_unique_slug(name))
    _, key = create_api_key(school=school, name="admin")
    return school, key


def revoke_api_key(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def record_api_key_use(*, api_key: ApiKey) -> None:
    """Stamp ``last_used_at`` at minute resolution, so that a busy key does not write on every request."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.unscoped.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
