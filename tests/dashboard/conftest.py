"""Dashboard users: an admin and a teacher of the tenant's school, and an admin of another school."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from attendance.models import ClassSession, Membership, School
from attendance.services.sessions import create_session
from tests.conftest import Tenant

PASSWORD = "a-long-test-password-42"


def make_member(school: School, username: str, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.unscoped.create(school=school, user=user, role=role)
    return user


def make_session(school: School, course: str = "Maths", group: str = "") -> ClassSession:
    starts = timezone.now() - timedelta(minutes=5)
    return create_session(
        school=school, course=course, group=group, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_user(tenant: Tenant) -> User:
    return make_member(tenant.school, "alice-admin", Membership.Role.ADMIN)


@pytest.fixture
def teacher_user(tenant: Tenant) -> User:
    return make_member(tenant.school, "tom-teacher", Membership.Role.TEACHER)


@pytest.fixture
def other_admin_user(other_tenant: Tenant) -> User:
    return make_member(other_tenant.school, "bob-other-school", Membership.Role.ADMIN)


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    return logged_in(admin_user)


@pytest.fixture
def teacher_client(teacher_user: User) -> Client:
    return logged_in(teacher_user)
