"""Schools and their API keys."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from attendance.api_keys import generate_key, hash_key
from attendance.models import ApiKey, School
from attendance.services import audit
from faceapi.errors import ApiError

LAST_USED_RESOLUTION = timedelta(minutes=1)
CLI_ACTOR = "cli:manage.py"  # the audit actor of the management commands


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


@transaction.atomic
def create_api_key(*, school: School, actor: str, name: str = "default") -> tuple[ApiKey, str]:
    """A new key for ``school`` (audited): returns the row and the clear key (shown once, never stored or logged)."""
    key, prefix = generate_key()
    api_key = ApiKey.unscoped.create(school=school, name=name, prefix=prefix, key_hash=hash_key(key))
    audit.record(school=school, actor=actor, action="create_api_key", target=f"api-key:{prefix}", name=name)
    return api_key, key


@transaction.atomic
def create_school(*, name: str, actor: str) -> tuple[School, str]:
    """A school with its first admin API key; returns the school and the clear key."""
    school = School.objects.create(name=name.strip(), slug=_unique_slug(name))
    _, key = create_api_key(school=school, actor=actor, name="admin")
    return school, key


def revoke_api_key(*, api_key: ApiKey, actor: str) -> ApiKey:
    """Revoke at once (keys are looked up on every request, nothing caches them); audited, idempotent."""
    with transaction.atomic():
        if ApiKey.unscoped.filter(pk=api_key.pk, revoked_at=None).update(revoked_at=timezone.now()):
            audit.record(
                school=api_key.school, actor=actor, action="revoke_api_key", target=f"api-key:{api_key.prefix}",
                name=api_key.name,
            )  # fmt: skip
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


def record_api_key_use(*, api_key: ApiKey) -> None:
    """Stamp ``last_used_at`` at minute resolution, so that a busy key does not write on every request."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.unscoped.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
