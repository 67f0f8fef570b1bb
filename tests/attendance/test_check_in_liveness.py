"""Check-in refuses a printed-photo attack and lets a live face through, over HTTP with the real liveness head."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.attendance.conftest import add_session, photo
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.django_db

# NUAA printed-photo attacks with one detectable face (validation subjects; see tests/ml_models/test_liveness.py).
SPOOFS = ("spoof/0005_00_00_01_10.jpg", "spoof/0008_00_00_01_10.jpg")


def nuaa_frame(name: str) -> dict[str, SimpleUploadedFile]:
    path = SHARED_DATA / "antispoof" / "nuaa" / name
    return {"image": SimpleUploadedFile(path.name, path.read_bytes())}


@pytest.mark.parametrize("name", SPOOFS)
def test_a_printed_photo_is_refused_as_spoof(api, name):
    session = add_session(api)
    response = api.post(f"/api/v1/sessions/{session['id']}/check-in", nuaa_frame(name), format="multipart")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "spoof_detected"
    assert error["details"]["score"] < 0.05
    assert api.get(f"/api/v1/sessions/{session['id']}/attendance").json()["attendance"] == []


def test_a_live_enrolled_face_is_checked_in(api, enrolled):
    session = add_session(api)
    response = api.post(f"/api/v1/sessions/{session['id']}/check-in", photo("obama2.jpg"), format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["student"]["id"] == enrolled["obama"]["id"]
    assert body["liveness"]["is_real"] is True
    assert body["liveness"]["score"] > 0.9
