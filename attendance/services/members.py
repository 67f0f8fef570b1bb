"""Dashboard users and their place in a school."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from attendance.models import Membership, School
from attendance.services import audit

PASSWORD_BYTES = 12


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


@transaction.atomic
def add_member(*, school: School, username: str, role: str, actor: str) -> tuple[AbstractBaseUser, str | None]:
    """Give ``username`` a ``role`` in ``school``, creating the user if needed.

    Returns the user and, for a new user, their generated password (shown once, stored hashed).
    """
    user, created = get_user_model().objects.get_or_create(username=username)
    password = None
    if created:
        password = new_password()
        user.set_password(password)
        user.save(update_fields=["password"])
    Membership.unscoped.update_or_create(school=school, user=user, defaults={"role": role})
    audit.record(school=school, actor=actor, action="add_member", target=f"user:{username}", role=role)
    return user, password


def reset_password(*, username: str) -> str:
    """A new random password for ``username`` (the user must exist); returned once, stored hashed."""
    user = get_user_model().objects.get(username=username)
    password = new_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    return password
