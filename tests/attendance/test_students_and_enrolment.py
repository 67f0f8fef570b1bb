import io

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image, ImageOps

from attendance.models import FaceEnrollment
from attendance.services.students import bump_gallery
from tests import images
from tests.attendance.conftest import add_student, enrol, photo
from tests.conftest import PHOTOS

pytestmark = pytest.mark.django_db


def test_students_crud_search_and_pages(api):
    created = add_student(api, "A-1", "Ada Lovelace", "8A")
    add_student(api, "A-2", "Alan Turing", "8B")
    assert api.get("/api/v1/students").json()["count"] == 2
    found = api.get("/api/v1/students", {"search": "ada"}).json()["results"]
    assert [s["external_id"] for s in found] == ["A-1"]
    assert api.get("/api/v1/students", {"group": "8B"}).json()["results"][0]["name"] == "Alan Turing"
    assert api.get("/api/v1/students", {"limit": 1}).json()["next"]
    patched = api.patch(f"/api/v1/students/{created['id']}", {"group": "9A"}, format="json").json()
    assert patched["group"] == "9A"
    duplicate = api.post("/api/v1/students", {"external_id": "A-2", "name": "Someone"}, format="json")
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_external_id"


def test_obama2_identifies_as_the_enrolled_obama(api, enrolled):
    faces = api.post("/api/v1/identify", photo("obama2.jpg"), format="multipart").json()["faces"]
    assert len(faces) == 1
    assert faces[0]["student"]["id"] == enrolled["obama"]["id"]
    assert faces[0]["similarity"] > 0.5


def test_an_unenrolled_face_is_unknown(api, enrolled):
    faces = api.post("/api/v1/identify", photo("alex-lacamoire.png"), format="multipart").json()["faces"]
    assert faces[0]["student"] is None


def test_one_face_under_two_students_is_refused(api, enrolled):
    response = enrol(api, enrolled["biden"]["id"], "obama2.jpg")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_face"
    assert error["details"]["student_id"] == enrolled["obama"]["id"]
    assert enrol(api, enrolled["obama"]["id"], "obama2.jpg").status_code == 201  # the same student: fine


@pytest.mark.parametrize(
    ("name", "status", "code"), [("two_people.jpg", 422, "many_faces"), ("noface_rocket.jpg", 422, "no_face")]
)
def test_enrolment_needs_exactly_one_face(api, name, status, code):
    student = add_student(api, "X", "X")
    response = enrol(api, student["id"], name)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_low_quality_faces_are_refused_with_a_reason(api):
    student = add_student(api, "X", "X")
    small = enrol(api, student["id"], "obama-240p.jpg")
    assert small.status_code == 422
    assert small.json()["error"]["code"] == "low_quality_face"
    assert small.json()["error"]["details"]["reason"] == "too_small"
    sharp = np.asarray(Image.open(PHOTOS / "obama.jpg").convert("RGB"))
    blurred = Image.fromarray(cv2.GaussianBlur(sharp, (0, 0), 9))
    upload = {"image": SimpleUploadedFile("blurred.png", images.encode(blurred, "PNG"))}
    response = api.post(f"/api/v1/students/{student['id']}/faces", upload, format="multipart")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["reason"] == "blurred"


def test_faces_per_student_are_capped(api, tenant):
    tenant.school.max_faces_per_student = 1
    tenant.school.save()
    student = add_student(api, "X", "X")
    assert enrol(api, student["id"], "obama.jpg").status_code == 201
    response = enrol(api, student["id"], "obama2.jpg")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "face_limit_reached"


def test_faces_list_thumbnail_and_delete(api, enrolled):
    student_id = enrolled["obama"]["id"]
    faces = api.get(f"/api/v1/students/{student_id}/faces").json()
    assert len(faces) == 1
    thumbnail = api.get(faces[0]["thumbnail_url"])
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumbnail.content)).size == (96, 96)
    assert api.delete(f"/api/v1/students/{student_id}/faces/{faces[0]['id']}").status_code == 204
    assert api.get(f"/api/v1/students/{student_id}/faces").json() == []
    faces = api.post("/api/v1/identify", photo("obama2.jpg"), format="multipart").json()["faces"]
    assert faces[0]["student"] is None  # the gallery forgot the deleted face


def test_deleting_a_student_erases_every_embedding_and_thumbnail(api, enrolled):
    student_id = enrolled["obama"]["id"]
    enrol(api, student_id, "obama2.jpg")
    assert api.delete(f"/api/v1/students/{student_id}").status_code == 204
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM attendance_faceenrollment WHERE student_id = %s", [student_id])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM attendance_student WHERE id = %s", [student_id])
        assert cursor.fetchone()[0] == 0
    assert FaceEnrollment.unscoped.count() == 1  # Biden's face is untouched
    assert api.get(f"/api/v1/students/{student_id}").status_code == 404


def test_audit_log_records_enrolment_and_deletion(api, enrolled):
    api.delete(f"/api/v1/students/{enrolled['biden']['id']}")
    events = api.get("/api/v1/audit").json()["results"]
    actions = [e["action"] for e in events]
    assert actions.count("enrol_face") == 2
    assert actions[0] == "delete_student"
    assert events[0]["actor"].startswith("api-key:")
    assert events[0]["details"]["faces_erased"] == 1


def test_inactive_students_are_not_identified(api, enrolled):
    api.patch(f"/api/v1/students/{enrolled['obama']['id']}", {"active": False}, format="json")
    faces = api.post("/api/v1/identify", photo("obama2.jpg"), format="multipart").json()["faces"]
    assert faces[0]["student"] is None


def test_faces_of_another_embedder_version_are_not_matched(api, tenant, enrolled):
    obama = enrolled["obama"]["id"]
    FaceEnrollment.unscoped.filter(student_id=obama).update(model_version="facenet-an-earlier-version")
    bump_gallery(tenant.school)
    faces = api.post("/api/v1/identify", photo("obama2.jpg"), format="multipart").json()["faces"]
    assert faces[0]["student"] is None
    [listed] = api.get(f"/api/v1/students/{obama}/faces").json()
    assert listed["model_version"] == "facenet-an-earlier-version"  # still listed, and erasable
    assert enrol(api, obama, "obama2.jpg").status_code == 201  # re-enrolled under the running version
    faces = api.post("/api/v1/identify", photo("obama.jpg"), format="multipart").json()["faces"]
    assert faces[0]["student"]["id"] == obama


def test_a_small_background_face_does_not_block_enrolment(api) -> None:
    # obama.jpg letterboxed to 640×480 (a webcam frame): MTCNN also finds a 26 px "face" in the background.
    frame = ImageOps.pad(Image.open(PHOTOS / "obama.jpg").convert("RGB"), (640, 480), color=(40, 40, 40))
    buffer = io.BytesIO()
    frame.save(buffer, format="JPEG", quality=90)
    student = add_student(api, "S1", "Barack Obama")
    upload = {"image": SimpleUploadedFile("frame.jpg", buffer.getvalue())}
    assert api.post(f"/api/v1/students/{student['id']}/faces", upload, format="multipart").status_code == 201
