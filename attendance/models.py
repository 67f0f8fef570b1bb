import secrets

from django.conf import settings
from django.db import models

from attendance.tenancy import TenantModel


def new_callback_secret() -> str:
    return secrets.token_hex(32)


class School(models.Model):
    """The tenant: every piece of tenant data belongs to exactly one school."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    # Signs job callbacks (HMAC-SHA256) so that the school's receiver can tell they come from us.
    callback_secret = models.CharField(max_length=64, default=new_callback_secret)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(TenantModel):
    """A key for the JSON API. Only a SHA-256 of the key is stored; ``prefix`` is shown to identify it."""

    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Membership(TenantModel):
    """A dashboard user's place in a school."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        TEACHER = "teacher", "Teacher"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TEACHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="one_membership_per_school")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.school} ({self.role})"
