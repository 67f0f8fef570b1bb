"""Who sees what in the dashboard: login, roles (403), other schools (404), school switching, CSRF."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from attendance.models import Membership
from attendance.services import students as student_services
from tests.conftest import Tenant
from tests.dashboard.conftest import PASSWORD, logged_in, make_session

pytestmark = pytest.mark.django_db

ADMIN_ONLY = ["dashboard:students", "dashboard:student-create", "dashboard:keys"]
EVERY_MEMBER = ["dashboard:sessions", "dashboard:session-create", "dashboard:jobs", "dashboard:charts"]


def test_anonymous_root_redirects_to_login() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


@pytest.mark.parametrize("name", ADMIN_ONLY + EVERY_MEMBER)
def test_every_page_needs_a_login(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


def test_login_with_the_password_lands_on_the_dashboard(admin_user: User) -> None:
    client = Client()
    response = client.post(reverse("dashboard:login"), {"username": admin_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_a_teacher_cannot_open_admin_pages(teacher_client: Client, name: str) -> None:
    assert teacher_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", EVERY_MEMBER)
def test_a_teacher_opens_sessions_jobs_and_charts(teacher_client: Client, name: str) -> None:
    assert teacher_client.get(reverse(name)).status_code == 200


def test_a_teacher_cannot_touch_faces(teacher_client: Client, tenant: Tenant) -> None:
    student = student_services.create_student(school=tenant.school, external_id="s1", name="Ada")
    assert teacher_client.get(reverse("dashboard:student", args=[student.pk])).status_code == 403
    assert teacher_client.post(reverse("dashboard:student-delete", args=[student.pk])).status_code == 403
    assert student_services.Student.unscoped.filter(pk=student.pk).exists()


def test_another_schools_objects_are_404(admin_client: Client, other_tenant: Tenant) -> None:
    student = student_services.create_student(school=other_tenant.school, external_id="b1", name="Bea")
    session = make_session(other_tenant.school)
    for url in [
        reverse("dashboard:student", args=[student.pk]),
        reverse("dashboard:student-edit", args=[student.pk]),
        reverse("dashboard:session", args=[session.pk]),
        reverse("dashboard:session-csv", args=[session.pk]),
        reverse("dashboard:kiosk", args=[session.pk]),
        reverse("dashboard:engagement", args=[session.pk]),
    ]:
        assert admin_client.get(url).status_code == 404, url
    assert admin_client.post(reverse("dashboard:student-delete", args=[student.pk])).status_code == 404
    assert student_services.Student.unscoped.filter(pk=student.pk).exists()


def test_lists_show_only_the_users_school(admin_client: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    student_services.create_student(school=tenant.school, external_id="a1", name="Ours Alvarez")
    student_services.create_student(school=other_tenant.school, external_id="b1", name="Theirs Brown")
    page = admin_client.get(reverse("dashboard:students")).content.decode()
    assert "Ours Alvarez" in page
    assert "Theirs Brown" not in page


def test_a_user_switches_only_between_their_schools(admin_user: User, tenant: Tenant, other_tenant: Tenant) -> None:
    client = logged_in(admin_user)
    student_services.create_student(school=other_tenant.school, external_id="b1", name="Theirs Brown")
    client.post(reverse("dashboard:switch-school"), {"school": other_tenant.school.pk})
    assert "Theirs Brown" not in client.get(reverse("dashboard:students")).content.decode()

    Membership.unscoped.create(school=other_tenant.school, user=admin_user, role=Membership.Role.ADMIN)
    client.post(reverse("dashboard:switch-school"), {"school": other_tenant.school.pk})
    assert "Theirs Brown" in client.get(reverse("dashboard:students")).content.decode()


def test_a_user_of_no_school_is_told_so(db: None) -> None:
    user = User.objects.create_user(username="lonely", password=PASSWORD)
    response = logged_in(user).get(reverse("dashboard:sessions"))
    assert response.status_code == 403
    assert "No school yet" in response.content.decode()


def test_forms_need_the_csrf_token(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("dashboard:student-create"), {"name": "Eve", "external_id": "e1"})
    assert response.status_code == 403
    assert not student_services.Student.unscoped.filter(external_id="e1").exists()


def test_failed_logins_lock_the_account_out(admin_user: User, settings: object) -> None:
    settings.FACEAPI_LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        failed = client.post(reverse("dashboard:login"), {"username": admin_user.username, "password": "wrong"})
        assert failed.status_code == 200
    locked = client.post(reverse("dashboard:login"), {"username": admin_user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()


def test_the_role_is_per_school(teacher_user: User, tenant: Tenant, other_tenant: Tenant) -> None:
    Membership.unscoped.create(school=other_tenant.school, user=teacher_user, role=Membership.Role.ADMIN)
    client = logged_in(teacher_user)
    client.post(reverse("dashboard:switch-school"), {"school": tenant.school.pk})
    assert client.get(reverse("dashboard:students")).status_code == 403
    client.post(reverse("dashboard:switch-school"), {"school": other_tenant.school.pk})
    assert client.get(reverse("dashboard:students")).status_code == 200
