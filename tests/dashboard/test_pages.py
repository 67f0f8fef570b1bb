"""Dashboard pages over the same services as the API: what a school admin or teacher does, checked in the DB."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from attendance.models import ApiKey, AttendanceRecord, AuditEvent, FaceEnrollment, Student
from attendance.services.students import create_student, enroll_face
from ml_models.images import decode_image
from tests.conftest import PHOTOS, Tenant
from tests.dashboard.conftest import make_session

pytestmark = pytest.mark.django_db


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (PHOTOS / name).read_bytes())


def test_students_are_created_searched_and_paged(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.post(reverse("dashboard:student-create"), {"name": "Ada Lovelace", "external_id": "A1"})
    assert response.status_code == 302
    for n in range(30):
        create_student(school=tenant.school, external_id=f"X{n}", name=f"Xavier {n:02d}")
    page = admin_client.get(reverse("dashboard:students"), {"q": "xavier"}).content.decode()
    assert ">Ada Lovelace</a>" not in page  # (the "Saved" message of the redirect names her)
    assert "Page 1 of 2" in page
    assert "q=xavier&amp;page=2" in page


def test_a_duplicate_school_id_is_a_form_error(admin_client: Client, tenant: Tenant) -> None:
    create_student(school=tenant.school, external_id="A1", name="Ada")
    response = admin_client.post(reverse("dashboard:student-create"), {"name": "Eve", "external_id": "A1"})
    assert response.status_code == 200
    assert "Another student of the school already has this id." in response.content.decode()


def test_enrolment_refusals_are_said_in_words(admin_client: Client, tenant: Tenant) -> None:
    ada = create_student(school=tenant.school, external_id="A1", name="Ada")
    url = reverse("dashboard:student-enrol", args=[ada.pk])
    cases = {
        "noface_rocket.jpg": "No face was found in the photo",
        "two_people.jpg": "There is more than one face in the picture",
    }
    for name, words in cases.items():
        page = admin_client.post(url, {"image": upload(name)}, follow=True).content.decode()
        assert words in page, name
    assert not FaceEnrollment.unscoped.filter(student=ada).exists()


def test_webcam_enrolment_answers_json(admin_client: Client, tenant: Tenant) -> None:
    obama = create_student(school=tenant.school, external_id="S1", name="Barack Obama")
    biden = create_student(school=tenant.school, external_id="S2", name="Joe Biden")
    headers = {"Accept": "application/json"}
    enrolled = admin_client.post(
        reverse("dashboard:student-enrol", args=[obama.pk]), {"image": upload("obama.jpg")}, headers=headers
    )
    assert enrolled.status_code == 201
    assert enrolled.json()["enrolled"] is True
    refused = admin_client.post(
        reverse("dashboard:student-enrol", args=[biden.pk]), {"image": upload("obama2.jpg")}, headers=headers
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "duplicate_face"
    assert "already enrolled for another student (Barack Obama)" in refused.json()["message"]


def test_deleting_a_student_says_faces_are_erased_and_erases_them(admin_client: Client, tenant: Tenant) -> None:
    ada = create_student(school=tenant.school, external_id="A1", name="Ada")
    admin_client.post(reverse("dashboard:student-enrol", args=[ada.pk]), {"image": upload("obama.jpg")})
    confirmation = admin_client.get(reverse("dashboard:student-delete", args=[ada.pk])).content.decode()
    assert "erases their biometric data" in confirmation
    assert "1 enrolled face" in confirmation
    admin_client.post(reverse("dashboard:student-delete", args=[ada.pk]))
    assert not Student.unscoped.filter(pk=ada.pk).exists()
    assert not FaceEnrollment.unscoped.filter(school=tenant.school).exists()


def test_a_teacher_corrects_attendance_and_it_is_audited(teacher_client: Client, tenant: Tenant) -> None:
    ada = create_student(school=tenant.school, external_id="A1", name="Ada", group="7B")
    session = make_session(tenant.school, group="7B")
    sheet = teacher_client.get(reverse("dashboard:session", args=[session.pk])).content.decode()
    assert "not seen" in sheet  # the group's students are listed before anyone is marked
    url = reverse("dashboard:attendance-correct", args=[session.pk, ada.pk])
    teacher_client.post(url, {"status": "excused"})
    assert AttendanceRecord.unscoped.get(session=session, student=ada).status == "excused"
    event = AuditEvent.unscoped.filter(school=tenant.school, action="correct_attendance").get()
    assert event.actor == "user:tom-teacher"


def test_a_class_photo_marks_the_enrolled_students(admin_client: Client, tenant: Tenant) -> None:
    for external_id, name, photo in [("S1", "Barack Obama", "obama.jpg"), ("S2", "Joe Biden", "biden.jpg")]:
        student = create_student(school=tenant.school, external_id=external_id, name=name)
        admin_client.post(reverse("dashboard:student-enrol", args=[student.pk]), {"image": upload(photo)})
    session = make_session(tenant.school)
    response = admin_client.post(
        reverse("dashboard:session-photo", args=[session.pk]), {"image": upload("two_people.jpg")}, follow=True
    )
    assert "Marked present: " in response.content.decode()
    assert AttendanceRecord.unscoped.filter(session=session, status="present").count() == 2
    csv_text = admin_client.get(reverse("dashboard:session-csv", args=[session.pk])).content.decode()
    assert "Barack Obama" in csv_text
    assert "Joe Biden" in csv_text


def test_a_video_that_is_not_a_video_is_refused_in_words(admin_client: Client, tenant: Tenant) -> None:
    session = make_session(tenant.school)
    fake = SimpleUploadedFile("lesson.mp4", b"this is not a video at all" * 100)
    page = admin_client.post(reverse("dashboard:session-video", args=[session.pk]), {"video": fake}, follow=True)
    assert "This file is not a video we can read" in page.content.decode()


def test_an_api_key_is_shown_once_and_revoked_at_once(admin_client: Client, tenant: Tenant) -> None:
    page = admin_client.post(reverse("dashboard:keys"), {"name": "kiosk app"}).content.decode()
    key = ApiKey.unscoped.get(school=tenant.school, name="kiosk app")
    clear = page.split('data-testid="new-key">', 1)[1].split("<", 1)[0]
    assert key.prefix in clear
    assert clear not in admin_client.get(reverse("dashboard:keys")).content.decode()
    api = Client(headers={"Authorization": f"Api-Key {clear}"})
    assert api.get("/api/v1/school").status_code == 200
    admin_client.post(reverse("dashboard:key-revoke", args=[key.pk]))
    assert api.get("/api/v1/school").status_code == 401


def test_the_charts_show_the_rate_per_session(teacher_client: Client, tenant: Tenant) -> None:
    ada = create_student(school=tenant.school, external_id="A1", name="Ada", group="7B")
    create_student(school=tenant.school, external_id="A2", name="Bob", group="7B")
    session = make_session(tenant.school, group="7B")
    teacher_client.post(reverse("dashboard:attendance-correct", args=[session.pk, ada.pk]), {"status": "present"})
    page = teacher_client.get(reverse("dashboard:charts"), {"group": "7B"}).content.decode()
    assert "1 of 2" in page
    assert "50 %" in page


def test_the_kiosk_checks_in_a_live_enrolled_face_and_says_why_not(teacher_client: Client, tenant: Tenant) -> None:
    obama = create_student(school=tenant.school, external_id="S1", name="Barack Obama")
    enroll_face(school=tenant.school, student=obama, image=decode_image((PHOTOS / "obama.jpg").read_bytes()),
                actor="cli:tests")  # fmt: skip
    session = make_session(tenant.school)
    url = reverse("dashboard:kiosk-check-in", args=[session.pk])
    welcome = teacher_client.post(url, {"image": upload("obama2.jpg")})
    assert welcome.json() == {"checked_in": True, "name": "Barack Obama", "status": "present",
                              "message": "Welcome, Barack Obama!"}  # fmt: skip
    refused = teacher_client.post(url, {"image": upload("two_people.jpg")})
    assert refused.status_code == 422
    assert refused.json()["message"] == "There is more than one face in the picture: one person at a time, please."
    assert teacher_client.post(url, {}).json()["code"] == "invalid_request"
