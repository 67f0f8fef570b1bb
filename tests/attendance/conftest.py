from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import PHOTOS


def photo(name: str, field: str = "image") -> dict[str, SimpleUploadedFile]:
    return {field: SimpleUploadedFile(name.rsplit("/", 1)[-1], (PHOTOS / name).read_bytes())}


def add_student(api, external_id: str, name: str, group: str = "7B") -> dict:
    response = api.post("/api/v1/students", {"external_id": external_id, "name": name, "group": group}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def enrol(api, student_id: int, name: str):
    return api.post(f"/api/v1/students/{student_id}/faces", photo(name), format="multipart")


def add_session(api, **overrides: object) -> dict:
    start = timezone.now() - timedelta(minutes=5)
    body = {"course": "Maths", "room": "B12", "group": "7B", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), **overrides}  # fmt: skip
    response = api.post("/api/v1/sessions", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def enrolled(api) -> dict[str, dict]:
    """Obama and Biden enrolled from one photo each."""
    obama, biden = add_student(api, "S1", "Barack Obama"), add_student(api, "S2", "Joe Biden")
    assert enrol(api, obama["id"], "obama.jpg").status_code == 201
    assert enrol(api, biden["id"], "biden.jpg").status_code == 201
    return {"obama": obama, "biden": biden}
